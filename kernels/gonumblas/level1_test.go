package gonumblas

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// routines are the accelerated routines of one precision, so that one
// generic test covers both.
type routines[T kernels.Float] struct {
	dot  func(n int, x []T, incX int, y []T, incY int) T
	axpy func(n int, alpha T, x []T, incX int, y []T, incY int)
	scal func(n int, alpha T, x []T, incX int)
	nrm2 func(n int, x []T, incX int) T
	gemv func(tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int)
	ger  func(m, n int, alpha T, x []T, incX int, y []T, incY int, a []T, lda int)
	gemm func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)
}

func routines64(i blas.Float64) routines[float64] {
	return routines[float64]{i.Ddot, i.Daxpy, i.Dscal, i.Dnrm2, i.Dgemv, i.Dger, i.Dgemm}
}

func routines32(i blas.Float32) routines[float32] {
	return routines[float32]{i.Sdot, i.Saxpy, i.Sscal, i.Snrm2, i.Sgemv, i.Sger, i.Sgemm}
}

// both runs a generic test for float64 and float32 on every tier.
func both(t *testing.T, f64 func(*testing.T, routines[float64], routines[float64]), f32 func(*testing.T, routines[float32], routines[float32])) {
	eachTier(t, func(t *testing.T) {
		t.Run("float64", func(t *testing.T) { f64(t, routines64(ours), routines64(ref)) })
		t.Run("float32", func(t *testing.T) { f32(t, routines32(ours), routines32(ref)) })
	})
}

// l1Sizes cover the empty and short vectors, every tail of the kernels'
// lane counts, and a few long ones.
var l1Sizes = []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129, 1000, 4099}

// incPairs are the increments of x and y: unit, non-unit and negative.
var incPairs = [][2]int{{1, 1}, {2, 1}, {1, 3}, {-1, 1}, {1, -2}, {-3, -1}}

func TestDot(t *testing.T) { both(t, testDot[float64], testDot[float32]) }

func testDot[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(1)
	for _, n := range l1Sizes {
		for _, inc := range incPairs {
			x := newVector(r, n, inc[0], 2, nan[T]())
			y := newVector(r, n, inc[1], 2, nan[T]())
			got := ours.dot(n, x.data, x.inc, y.data, y.inc)
			want := ref.dot(n, x.data, x.inc, y.data, y.inc)
			var s float64
			for i := range n {
				s += math.Abs(float64(x.get(i)) * float64(y.get(i)))
			}
			if inc != [2]int{1, 1} {
				// Strided calls are gonum's own.
				if !tk.Same(got, want) {
					t.Errorf("n=%d inc=%v: got %v, gonum %v: want identical", n, inc, got, want)
				}
			} else if !within(got, want, dotDepth[T](n), n, n, s) {
				t.Errorf("n=%d: got %v, gonum %v: differ by %g, more than the bound for S=%g", n, got, want, float64(got-want), s)
			}
		}
	}
}

// checkVector compares ours with gonum's result on the elements of v and
// requires ours to leave every other element of v.data as it was in orig.
// bound(i) returns dOurs, dGonum, k and S for element i.
func checkVector[T kernels.Float](t *testing.T, name string, got, want, orig vector[T], bound func(i int) (int, int, int, float64)) {
	t.Helper()
	for i := range got.n {
		g, w := got.get(i), want.get(i)
		dOurs, dGonum, k, s := bound(i)
		if !within(g, w, dOurs, dGonum, k, s) {
			t.Errorf("%s: element %d: got %v, gonum %v: differ by %g, more than the bound for S=%g", name, i, g, w, float64(g-w), s)
			return
		}
	}
	for j := range got.data {
		if !got.onVector(j) && !tk.Same(got.data[j], orig.data[j]) {
			t.Errorf("%s: data[%d] is not an element but changed from %v to %v", name, j, orig.data[j], got.data[j])
			return
		}
	}
}

func TestAxpy(t *testing.T) { both(t, testAxpy[float64], testAxpy[float32]) }

func testAxpy[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(2)
	for _, n := range l1Sizes {
		for _, inc := range incPairs {
			for _, alpha := range scalars[T](r) {
				x := newVector(r, n, inc[0], 2, nan[T]())
				y := newVector(r, n, inc[1], 2, T(7))
				if alpha == 0 {
					x.set(nan[T]()) // BLAS reads no x for alpha == 0
				}
				got, want := y.clone(), y.clone()
				ours.axpy(n, alpha, x.data, x.inc, got.data, got.inc)
				ref.axpy(n, alpha, x.data, x.inc, want.data, want.inc)
				name := fmt.Sprintf("n=%d inc=%v alpha=%v", n, inc, alpha)
				// Ours fuses (1 rounding), gonum multiplies and adds (2).
				checkVector(t, name, got, want, y, func(i int) (int, int, int, float64) {
					s := math.Abs(float64(y.get(i)))
					if alpha != 0 {
						s += math.Abs(float64(alpha) * float64(x.get(i)))
					}
					return 1, 2, 2, s
				})
			}
		}
	}
}

func TestScal(t *testing.T) { both(t, testScal[float64], testScal[float32]) }

func testScal[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(3)
	for _, n := range l1Sizes {
		for _, inc := range []int{1, 2, 5, -1, -2} {
			for _, alpha := range append(scalars[T](r), nan[T]()) {
				x := newVector(r, n, inc, 2, T(7))
				if n > 2 {
					// alpha == 0 must overwrite NaN and Inf, as gonum does.
					x.data[x.at(1)], x.data[x.at(2)] = nan[T](), T(math.Inf(1))
				}
				got, want := x.clone(), x.clone()
				ours.scal(n, alpha, got.data, inc)
				ref.scal(n, alpha, want.data, inc)
				// Both round one product per element: identical.
				if i := tk.FirstDiff(got.data, want.data); i >= 0 {
					t.Errorf("n=%d inc=%d alpha=%v: data[%d] = %v, gonum %v: want identical", n, inc, alpha, i, got.data[i], want.data[i])
				}
			}
		}
	}
}

// nrm2Bound returns the relative error bounds of our Nrm2 and gonum's over
// n elements. Ours: the squares summed by kernels.Dot (relative error
// gamma(dotDepth), the terms being positive), halved by the square root,
// which rounds once more. Gonum's scaled algorithm: each term's chain has 3
// roundings to form (x/scale)^2, 4 per later rescaling and 1 per later
// addition, fewer than 4n in all; then the square root and the product with
// the scale round twice.
func nrm2Bound[T kernels.Float](n int) (oursRel, gonumRel float64) {
	u := unit[T]()
	return gamma(dotDepth[T](n), u)/2 + u, gamma(4*n, u)/2 + 2*u
}

// checkNrm2 checks our Nrm2 of x (got) against gonum's (want). Where the
// kernel's sum of squares is surely in the range the kernel answers for
// (2^-968 or 2^-100 up to the largest finite T), got must be within our
// bound of the exact norm; where it is surely outside, or x holds Inf or
// NaN, got must be gonum's result bit for bit; in between, either.
func checkNrm2[T kernels.Float](t *testing.T, name string, x vector[T], got, want T) {
	t.Helper()
	for i := range x.n {
		if v := float64(x.get(i)); math.IsNaN(v) || math.IsInf(v, 0) {
			if !tk.Same(got, want) {
				t.Errorf("%s: got %v, gonum %v: want identical", name, got, want)
			}
			return
		}
	}
	// The sum of squares and the norm to 256 bits.
	const prec = 256
	ss := new(big.Float).SetPrec(prec)
	for i := range x.n {
		e := new(big.Float).SetPrec(prec).SetFloat64(float64(x.get(i)))
		ss.Add(ss, e.Mul(e, e))
	}
	exact, _ := new(big.Float).SetPrec(prec).Sqrt(ss).Float64()
	if ss.Sign() == 0 {
		exact = 0
	}
	lo, hi := 0x1p-968, math.MaxFloat64
	if _, ok := any(T(0)).(float32); ok {
		lo, hi = 0x1p-100, math.MaxFloat32
	}
	oursRel, gonumRel := nrm2Bound[T](x.n)
	g := gamma(dotDepth[T](x.n), unit[T]())
	ssLo, _ := new(big.Float).Mul(ss, big.NewFloat(1-g)).Float64()
	ssHi, _ := new(big.Float).Mul(ss, big.NewFloat(1+g)).Float64()
	switch {
	case ssLo >= lo && ssHi <= hi:
		if d := math.Abs(float64(got) - exact); d > oursRel*exact {
			t.Errorf("%s: got %v, exact %v: error %g > bound %g", name, got, exact, d, oursRel*exact)
		}
		if d := math.Abs(float64(got) - float64(want)); d > (oursRel+gonumRel)*exact {
			t.Errorf("%s: got %v, gonum %v: differ by %g > bound %g", name, got, want, d, (oursRel+gonumRel)*exact)
		}
	case ssHi < lo || ssLo > hi:
		if !tk.Same(got, want) {
			t.Errorf("%s: got %v, gonum %v: want identical (gonum's range)", name, got, want)
		}
	default:
		if d := math.Abs(float64(got) - float64(want)); !tk.Same(got, want) && d > (oursRel+gonumRel)*exact {
			t.Errorf("%s: got %v, gonum %v: differ by %g > bound %g", name, got, want, d, (oursRel+gonumRel)*exact)
		}
	}
}

func TestNrm2(t *testing.T) { both(t, testNrm2[float64], testNrm2[float32]) }

func testNrm2[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(4)
	// Scales put the sum of squares across the range where the kernel
	// answers, near both of its ends, and beyond them.
	var scales []float64
	if _, ok := any(T(0)).(float32); ok {
		scales = []float64{1, 0x1p-40, 0x1p-49, 0x1p-50, 0x1p-51, 0x1p-60, 0x1p-70, 0x1p-75, 0x1p50, 0x1p60, 0x1p62, 0x1p63, 0x1p64, 0x1p100}
	} else {
		scales = []float64{1, 0x1p-300, 0x1p-483, 0x1p-484, 0x1p-485, 0x1p-500, 0x1p-530, 0x1p-537, 0x1p300, 0x1p508, 0x1p510, 0x1p511, 0x1p512, 0x1p900}
	}
	for _, n := range l1Sizes {
		for _, inc := range []int{1, 3, -1} {
			for _, sc := range scales {
				x := newVector(r, n, inc, 2, nan[T]())
				for i := range n {
					x.data[x.at(i)] = T(float64(x.get(i)) * sc)
				}
				got := ours.nrm2(n, x.data, inc)
				want := ref.nrm2(n, x.data, inc)
				name := fmt.Sprintf("n=%d inc=%d scale=%g", n, inc, sc)
				if inc != 1 {
					if !tk.Same(got, want) {
						t.Errorf("%s: got %v, gonum %v: want identical (gonum's path)", name, got, want)
					}
					continue
				}
				checkNrm2(t, name, x, got, want)
			}
		}
	}
	// Special values at both ends of short and long vectors.
	sp := tk.Specials[T]()
	for _, a := range sp {
		for _, b := range sp {
			for _, n := range []int{2, 3, 40} {
				x := vector[T]{data: make([]T, n), n: n, inc: 1}
				x.data[0], x.data[n-1] = a, b
				got, want := ours.nrm2(n, x.data, 1), ref.nrm2(n, x.data, 1)
				checkNrm2(t, fmt.Sprintf("nrm2(%v)", x.data), x, got, want)
			}
		}
	}
}

// TestSumSquares requires sumSquares to be kernels.Dot(x, x) bit for bit on
// every tier, for the lengths it computes itself and past them, on values
// that make the order of the sums matter, and on zeros, Inf and NaN.
func TestSumSquares(t *testing.T) {
	both(t, testSumSquares[float64], testSumSquares[float32])
}

func testSumSquares[T kernels.Float](t *testing.T, _, _ routines[T]) {
	r := tk.NewRand(44)
	specials := []T{0, T(math.Copysign(0, -1)), T(math.Inf(1)), T(math.Inf(-1)), nan[T](), 1e-30, 3e30}
	for n := 0; n <= 20; n++ {
		for trial := range 200 {
			x := fill[T](r, n)
			if trial%4 == 0 && n > 0 {
				x[r.IntN(n)] = specials[r.IntN(len(specials))]
			}
			if got, want := sumSquares(x), kernels.Dot(x, x); !tk.Same(got, want) {
				t.Fatalf("n=%d x=%v: got %v, kernels.Dot %v", n, x, got, want)
			}
		}
	}
}
