package gonumblas

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// The panic tests call ours and gonum's with arguments drawn from small sets
// that hold every kind of bad value (negative sizes, zero increments, bad
// transposes and leading dimensions, slices one element short or empty),
// several at once, and require the same panic value from both, or none
// from either. Each test also requires gonum to have panicked with every
// message the routine has, so that no check goes untested.

// sweeps is the number of random argument draws per routine and precision.
const sweeps = 4000

// vecLen returns a length for the slice of a vector of n elements with
// increment inc: too short by one, exact, longer, or empty.
func vecLen(r *rand.Rand, n, inc int) int {
	need := 0
	if n > 0 && inc != 0 {
		need = (n-1)*max(inc, -inc) + 1
	}
	return lenNear(r, need)
}

// matLen is vecLen for a rows×cols matrix with leading dimension ld.
func matLen(r *rand.Rand, rows, cols, ld int) int {
	need := 0
	if rows > 0 && cols > 0 {
		need = max(0, (rows-1)*ld+cols)
	}
	return lenNear(r, need)
}

func lenNear(r *rand.Rand, need int) int {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return max(0, need-1)
	case 2:
		return need
	}
	return need + 1
}

func pick[E any](r *rand.Rand, s ...E) E { return s[r.IntN(len(s))] }

// fill returns a slice of length l of random values.
func fill[T kernels.Float](r *rand.Rand, l int) []T {
	s := make([]T, l)
	tk.Fill(r, s)
	return s
}

// samePanics calls ours and gonum's (call(true), call(false)) and compares
// their panic values; seen collects gonum's.
func samePanics(t *testing.T, name string, seen map[any]bool, call func(ours bool)) {
	t.Helper()
	got := panicValue(func() { call(true) })
	want := panicValue(func() { call(false) })
	if want != nil {
		seen[want] = true
	}
	if got != want {
		t.Errorf("%s: panicked with %v, gonum with %v", name, got, want)
	}
}

// allSeen fails unless gonum panicked with every message in msgs.
func allSeen(t *testing.T, seen map[any]bool, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		if !seen[m] {
			t.Errorf("no argument drawn made gonum panic with %q", m)
		}
	}
	for v := range seen {
		if s, ok := v.(string); !ok || !slices.Contains(msgs, s) {
			t.Errorf("gonum panicked with %v, not a message this test expects", v)
		}
	}
}

func TestPanicsLevel1(t *testing.T) { both(t, testPanicsLevel1[float64], testPanicsLevel1[float32]) }

func testPanicsLevel1[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(7)
	pickRoutines := func(o bool) routines[T] {
		if o {
			return ours
		}
		return ref
	}
	sizes := []int{-2, -1, 0, 1, 2, 5}
	incs := []int{-2, -1, 0, 1, 2}

	seen := map[any]bool{}
	for range sweeps {
		n, incX, incY := pick(r, sizes...), pick(r, incs...), pick(r, incs...)
		x, y := fill[T](r, vecLen(r, n, incX)), fill[T](r, vecLen(r, n, incY))
		name := fmt.Sprintf("dot(n=%d, len(x)=%d, incX=%d, len(y)=%d, incY=%d)", n, len(x), incX, len(y), incY)
		samePanics(t, name, seen, func(o bool) { pickRoutines(o).dot(n, x, incX, y, incY) })
	}
	allSeen(t, seen, nLT0, zeroIncX, zeroIncY, shortX, shortY)

	seen = map[any]bool{}
	for range sweeps {
		n, incX, incY := pick(r, sizes...), pick(r, incs...), pick(r, incs...)
		x, y := fill[T](r, vecLen(r, n, incX)), fill[T](r, vecLen(r, n, incY))
		alpha := pick[T](r, 0, 2)
		name := fmt.Sprintf("axpy(n=%d, alpha=%v, len(x)=%d, incX=%d, len(y)=%d, incY=%d)", n, alpha, len(x), incX, len(y), incY)
		samePanics(t, name, seen, func(o bool) {
			pickRoutines(o).axpy(n, alpha, x, incX, slices.Clone(y), incY)
		})
	}
	allSeen(t, seen, nLT0, zeroIncX, zeroIncY, shortX, shortY)

	seen = map[any]bool{}
	for range sweeps {
		n, incX := pick(r, sizes...), pick(r, incs...)
		x := fill[T](r, vecLen(r, n, incX))
		alpha := pick[T](r, 0, 2)
		name := fmt.Sprintf("scal(n=%d, alpha=%v, len(x)=%d, incX=%d)", n, alpha, len(x), incX)
		samePanics(t, name, seen, func(o bool) { pickRoutines(o).scal(n, alpha, slices.Clone(x), incX) })
	}
	allSeen(t, seen, nLT0, zeroIncX, shortX)

	seen = map[any]bool{}
	for range sweeps {
		n, incX := pick(r, sizes...), pick(r, incs...)
		x := fill[T](r, vecLen(r, n, incX))
		name := fmt.Sprintf("nrm2(n=%d, len(x)=%d, incX=%d)", n, len(x), incX)
		samePanics(t, name, seen, func(o bool) { pickRoutines(o).nrm2(n, x, incX) })
	}
	allSeen(t, seen, nLT0, zeroIncX, shortX)
}

// badTrans is a transpose that is none of blas's.
const badTrans blas.Transpose = 'X'

func TestPanicsLevel2(t *testing.T) { both(t, testPanicsLevel2[float64], testPanicsLevel2[float32]) }

func testPanicsLevel2[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(8)
	pickRoutines := func(o bool) routines[T] {
		if o {
			return ours
		}
		return ref
	}
	sizes := []int{-1, 0, 1, 3}
	incs := []int{-2, -1, 0, 1, 2}

	seen := map[any]bool{}
	for range 4 * sweeps {
		tA := pick(r, blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans)
		m, n := pick(r, sizes...), pick(r, sizes...)
		lda := max(1, n) + pick(r, -1, 0, 2)
		incX, incY := pick(r, incs...), pick(r, incs...)
		lenX, lenY := m, n
		if tA == blas.NoTrans {
			lenX, lenY = n, m
		}
		a := fill[T](r, matLen(r, m, n, lda))
		x, y := fill[T](r, vecLen(r, lenX, incX)), fill[T](r, vecLen(r, lenY, incY))
		alpha, beta := pick[T](r, 0, 2), pick[T](r, 0, 1, 0.5)
		name := fmt.Sprintf("gemv(%c, m=%d, n=%d, alpha=%v, len(a)=%d, lda=%d, len(x)=%d, incX=%d, beta=%v, len(y)=%d, incY=%d)",
			tA, m, n, alpha, len(a), lda, len(x), incX, beta, len(y), incY)
		samePanics(t, name, seen, func(o bool) {
			pickRoutines(o).gemv(tA, m, n, alpha, a, lda, x, incX, beta, slices.Clone(y), incY)
		})
	}
	allSeen(t, seen, badTranspose, mLT0, nLT0, badLdA, zeroIncX, zeroIncY, shortX, shortY, shortA)

	seen = map[any]bool{}
	for range 4 * sweeps {
		m, n := pick(r, sizes...), pick(r, sizes...)
		lda := max(1, n) + pick(r, -1, 0, 2)
		incX, incY := pick(r, incs...), pick(r, incs...)
		a := fill[T](r, matLen(r, m, n, lda))
		x, y := fill[T](r, vecLen(r, m, incX)), fill[T](r, vecLen(r, n, incY))
		// alpha == 0 returns after every check: gonum's amd64 Ger must not
		// run on negative increments (see TestGer).
		name := fmt.Sprintf("ger(m=%d, n=%d, len(x)=%d, incX=%d, len(y)=%d, incY=%d, len(a)=%d, lda=%d)",
			m, n, len(x), incX, len(y), incY, len(a), lda)
		samePanics(t, name, seen, func(o bool) {
			pickRoutines(o).ger(m, n, 0, x, incX, y, incY, slices.Clone(a), lda)
		})
	}
	allSeen(t, seen, mLT0, nLT0, badLdA, zeroIncX, zeroIncY, shortX, shortY, shortA)
}

func TestPanicsLevel3(t *testing.T) { both(t, testPanicsLevel3[float64], testPanicsLevel3[float32]) }

func testPanicsLevel3[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(9)
	pickRoutines := func(o bool) routines[T] {
		if o {
			return ours
		}
		return ref
	}
	sizes := []int{-1, 0, 1, 3}
	trans := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans}

	seen := map[any]bool{}
	for range 8 * sweeps {
		tA, tB := pick(r, trans...), pick(r, trans...)
		m, n, k := pick(r, sizes...), pick(r, sizes...), pick(r, sizes...)
		// A is m×k or k×m as stored, B k×n or n×k.
		ar, ac := m, k
		if tA != blas.NoTrans {
			ar, ac = k, m
		}
		br, bc := k, n
		if tB != blas.NoTrans {
			br, bc = n, k
		}
		lda, ldb, ldc := max(1, ac)+pick(r, -1, 0, 2), max(1, bc)+pick(r, -1, 0, 2), max(1, n)+pick(r, -1, 0, 2)
		a, b, c := fill[T](r, matLen(r, ar, ac, lda)), fill[T](r, matLen(r, br, bc, ldb)), fill[T](r, matLen(r, m, n, ldc))
		alpha, beta := pick[T](r, 0, 2), pick[T](r, 0, 1, 0.5)
		name := fmt.Sprintf("gemm(%c, %c, m=%d, n=%d, k=%d, alpha=%v, len(a)=%d, lda=%d, len(b)=%d, ldb=%d, beta=%v, len(c)=%d, ldc=%d)",
			tA, tB, m, n, k, alpha, len(a), lda, len(b), ldb, beta, len(c), ldc)
		samePanics(t, name, seen, func(o bool) {
			pickRoutines(o).gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, slices.Clone(c), ldc)
		})
	}
	allSeen(t, seen, badTranspose, mLT0, nLT0, kLT0, badLdA, badLdB, badLdC, shortA, shortB, shortC)
}
