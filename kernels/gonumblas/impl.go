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

// gather returns the n elements of x with increment inc as a contiguous
// slice: x itself for inc == 1, else a copy into a pooled buffer that the
// caller releases with put.
func gather[T kernels.Float](n int, x []T, inc int) (xs []T, buf *[]T) {
	if inc == 1 {
		return x[:n], nil
	}
	buf = get[T](n)
	xs = *buf
	for i, ix := 0, start(n, inc); i < n; i, ix = i+1, ix+inc {
		xs[i] = x[ix]
	}
	return xs, buf
}

// scatter writes xs back to the vector of len(xs) elements of x with
// increment inc.
func scatter[T kernels.Float](xs, x []T, inc int) {
	for i, ix := 0, start(len(xs), inc); i < len(xs); i, ix = i+1, ix+inc {
		x[ix] = xs[i]
	}
}

// Scratch vectors come from pools so that steady-state calls do not
// allocate; the pointer keeps Put from allocating an interface box.
var pool64, pool32 sync.Pool

func poolOf[T kernels.Float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float64); ok {
		return &pool64
	}
	return &pool32
}

// get returns a pooled buffer of n elements (contents undefined).
func get[T kernels.Float](n int) *[]T {
	if b, ok := poolOf[T]().Get().(*[]T); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	s := make([]T, n)
	return &s
}

// put returns b to its pool; nil is ignored.
func put[T kernels.Float](b *[]T) {
	if b != nil {
		poolOf[T]().Put(b)
	}
}
