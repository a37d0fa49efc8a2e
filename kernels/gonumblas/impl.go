package gonumblas

import (
	"sync"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's BLAS with the routines that flowkern's kernels
// accelerate replaced. The zero value is ready to use.
type Implementation struct {
	// gonum runs everything not overridden here.
	gonum.Implementation
}

var (
	_ blas.Float64 = Implementation{}
	_ blas.Float32 = Implementation{}
)

// onGonum reports that the calls run gonum's implementation, not the
// kernels: on the generic tier (a FLOWKERN_ISA cap, a CPU without AVX2 and
// FMA, a purego build, an architecture without a SIMD tier) the kernels are
// pure Go and gonum's own code, assembly on amd64 whatever the build tags,
// is faster. The routines check their arguments and take their quick
// returns first, so a call behaves the same on every tier but for the bits
// (see the package doc).
func onGonum() bool { return kernels.Generic() }

// Panic values: gonum's, word for word (blas/gonum/errors.go), so that a
// caller recovering from a bad call sees no difference.
const (
	zeroIncX = "blas: zero x index increment"
	zeroIncY = "blas: zero y index increment"

	mLT0 = "blas: m < 0"
	nLT0 = "blas: n < 0"
	kLT0 = "blas: k < 0"

	badTranspose = "blas: illegal transpose"

	badLdA = "blas: bad leading dimension of A"
	badLdB = "blas: bad leading dimension of B"
	badLdC = "blas: bad leading dimension of C"

	shortX = "blas: insufficient length of x"
	shortY = "blas: insufficient length of y"
	shortA = "blas: insufficient length of a"
	shortB = "blas: insufficient length of b"
	shortC = "blas: insufficient length of c"
)

// start returns the index of element 0 of a vector of n elements with
// increment inc: BLAS walks a negative increment from the far end.
func start(n, inc int) int {
	if inc < 0 {
		return (1 - n) * inc
	}
	return 0
}

// gather copies the len(dst) elements of x with increment inc to dst.
func gather[T kernels.Float](dst, x []T, inc int) {
	for i, ix := 0, start(len(dst), inc); i < len(dst); i, ix = i+1, ix+inc {
		dst[i] = x[ix]
	}
}

// scatter writes xs back to the vector of len(xs) elements of x with
// increment inc.
func scatter[T kernels.Float](xs, x []T, inc int) {
	for i, ix := 0, start(len(xs), inc); i < len(xs); i, ix = i+1, ix+inc {
		x[ix] = xs[i]
	}
}

// Scratch space comes from pools so that steady-state calls do not
// allocate. Each call takes one buffer for all it needs: with several, the
// pool would hand back buffers of the wrong sizes. The pointer keeps Put
// from allocating an interface box.
var pool64, pool32 sync.Pool

func poolOf[T kernels.Float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float64); ok {
		return &pool64
	}
	return &pool32
}

// scratch is a pooled buffer handed out in consecutive pieces.
type scratch[T kernels.Float] struct {
	buf  *[]T
	free []T
}

// newScratch returns scratch space of n elements (contents undefined); n
// == 0 takes nothing from the pool.
func newScratch[T kernels.Float](n int) scratch[T] {
	if n == 0 {
		return scratch[T]{}
	}
	b, ok := poolOf[T]().Get().(*[]T)
	if !ok || cap(*b) < n {
		s := make([]T, n) // a smaller pooled buffer is dropped
		b = &s
	}
	*b = (*b)[:n]
	return scratch[T]{buf: b, free: *b}
}

// take returns the next n elements.
func (s *scratch[T]) take(n int) []T {
	p := s.free[:n:n]
	s.free = s.free[n:]
	return p
}

// release returns the buffer to its pool; nothing taken may be used after.
func (s *scratch[T]) release() {
	if s.buf != nil {
		poolOf[T]().Put(s.buf)
	}
}
