package gonumblas

import (
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas/gonum"
)

// Level 1 runs the kernels on unit increments only. A strided vector has no
// kernel (gathering it would cost as much as the operation), so those calls
// go to gonum, whose checks are then the ones that apply; so do all calls
// on the generic tier (onGonum) and the small ones (route.go). A call that
// is not run by the kernels, a bad one included, goes to gonum whole, so
// its checks and panics are gonum's own.
//
// Each method is one call through a table of two functions, gonum's own
// method for the small sizes and this package's routing past them, so
// that it fits the inlining budget: an interface call of a value method
// goes through a compiler-generated pointer wrapper, which calls the
// method unless it is inlined. With the method inlined there, a small call
// runs the same frames as it does under plain gonum (BenchmarkFrame); an
// if with two calls is past the budget.

// Ddot computes the dot product of the two vectors
//
//	\sum_i x[i]*y[i]
func (Implementation) Ddot(n int, x []float64, incX int, y []float64, incY int) float64 {
	return ddotPath[min(uint(n)>>dotShift64, 1)](gonum.Implementation{}, n, x, incX, y, incY)
}

var ddotPath = [2]func(gonum.Implementation, int, []float64, int, []float64, int) float64{gonum.Implementation.Ddot, ddot}

// Sdot computes the dot product of the two vectors
//
//	\sum_i x[i]*y[i]
func (Implementation) Sdot(n int, x []float32, incX int, y []float32, incY int) float32 {
	return sdotPath[min(uint(n)>>dotShift32, 1)](gonum.Implementation{}, n, x, incX, y, incY)
}

var sdotPath = [2]func(gonum.Implementation, int, []float32, int, []float32, int) float32{gonum.Implementation.Sdot, sdot}

// ddot and sdot are Ddot and Sdot past the small sizes (or n < 0); they,
// axpy and scal below are written per precision, as a generic function
// value would add a dictionary wrapper's frame. On the generic tier they
// are one frame between the method and gonum's: asking kernels.Generic in
// the methods themselves, to index the tables, costs 11 more than the 2
// left of the inlining budget.
func ddot(g gonum.Implementation, n int, x []float64, incX int, y []float64, incY int) float64 {
	if !kernels.Generic() && incX == 1 && incY == 1 && 0 < n && n <= len(x) && n <= len(y) {
		return kernels.Dot(x[:n], y[:n])
	}
	return g.Ddot(n, x, incX, y, incY)
}

func sdot(g gonum.Implementation, n int, x []float32, incX int, y []float32, incY int) float32 {
	if !kernels.Generic() && incX == 1 && incY == 1 && 0 < n && n <= len(x) && n <= len(y) {
		return kernels.Dot(x[:n], y[:n])
	}
	return g.Sdot(n, x, incX, y, incY)
}

// Daxpy adds alpha times x to y
//
//	y[i] += alpha * x[i] for all i
func (Implementation) Daxpy(n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	daxpyPath[min(uint(n)>>dotShift64, 1)](gonum.Implementation{}, n, alpha, x, incX, y, incY)
}

var daxpyPath = [2]func(gonum.Implementation, int, float64, []float64, int, []float64, int){gonum.Implementation.Daxpy, daxpy}

// Saxpy adds alpha times x to y
//
//	y[i] += alpha * x[i] for all i
func (Implementation) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	saxpyPath[min(uint(n)>>dotShift32, 1)](gonum.Implementation{}, n, alpha, x, incX, y, incY)
}

var saxpyPath = [2]func(gonum.Implementation, int, float32, []float32, int, []float32, int){gonum.Implementation.Saxpy, saxpy}

// daxpy and saxpy are Daxpy and Saxpy past the small sizes. alpha == 0
// leaves y alone, NaN or Inf in x included (BLAS, gonum); the kernel would
// not.
func daxpy(g gonum.Implementation, n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	if !kernels.Generic() && incX == 1 && incY == 1 && 0 < n && n <= len(x) && n <= len(y) && alpha != 0 {
		kernels.Axpy(alpha, x[:n], y[:n])
		return
	}
	g.Daxpy(n, alpha, x, incX, y, incY)
}

func saxpy(g gonum.Implementation, n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if !kernels.Generic() && incX == 1 && incY == 1 && 0 < n && n <= len(x) && n <= len(y) && alpha != 0 {
		kernels.Axpy(alpha, x[:n], y[:n])
		return
	}
	g.Saxpy(n, alpha, x, incX, y, incY)
}

// Dscal scales x by alpha.
//
//	x[i] *= alpha
//
// Dscal has no effect if incX < 0.
func (Implementation) Dscal(n int, alpha float64, x []float64, incX int) {
	dscalPath[min(uint(n)>>scalShift64, 1)](gonum.Implementation{}, n, alpha, x, incX)
}

var dscalPath = [2]func(gonum.Implementation, int, float64, []float64, int){gonum.Implementation.Dscal, dscal}

// Sscal scales x by alpha.
//
//	x[i] *= alpha
//
// Sscal has no effect if incX < 0.
func (Implementation) Sscal(n int, alpha float32, x []float32, incX int) {
	sscalPath[min(uint(n)>>scalShift32, 1)](gonum.Implementation{}, n, alpha, x, incX)
}

var sscalPath = [2]func(gonum.Implementation, int, float32, []float32, int){gonum.Implementation.Sscal, sscal}

// dscal and sscal are Dscal and Sscal past the small sizes. alpha == 0
// sets zeros, NaN and Inf in x included (gonum and BLAS): gonum's loop.
func dscal(g gonum.Implementation, n int, alpha float64, x []float64, incX int) {
	if !kernels.Generic() && incX == 1 && 0 < n && n <= len(x) && alpha != 0 {
		kernels.Scale(alpha, x[:n])
		return
	}
	g.Dscal(n, alpha, x, incX)
}

func sscal(g gonum.Implementation, n int, alpha float32, x []float32, incX int) {
	if !kernels.Generic() && incX == 1 && 0 < n && n <= len(x) && alpha != 0 {
		kernels.Scale(alpha, x[:n])
		return
	}
	g.Sscal(n, alpha, x, incX)
}

// scal is Dscal and Sscal for a unit increment, with gonum's checks; the
// Level 2 and 3 routines scale by beta with it. The result is
// bit-identical to gonum's: one rounded product per element.
func scal[T kernels.Float](n int, alpha T, x []T) {
	if n < 1 {
		if n == 0 {
			return
		}
		panic(nLT0)
	}
	if n > len(x) {
		panic(shortX)
	}
	// alpha == 0 sets zeros, NaN and Inf in x included (gonum and BLAS).
	if alpha == 0 {
		clear(x[:n])
		return
	}
	kernels.Scale(alpha, x[:n])
}

// scalInc is scal for any increment of magnitude inc >= 1, as Dscal walks
// it: the Level 2 routines use it to scale y.
func scalInc[T kernels.Float](n int, alpha T, x []T, inc int) {
	if inc == 1 {
		scal(n, alpha, x)
		return
	}
	if alpha == 0 {
		for i := 0; i < n*inc; i += inc {
			x[i] = 0
		}
		return
	}
	for i := 0; i < n*inc; i += inc {
		x[i] *= alpha
	}
}

// Dnrm2 computes the Euclidean norm of a vector,
//
//	sqrt(\sum_i x[i] * x[i]).
//
// This function returns 0 if incX is negative.
func (Implementation) Dnrm2(n int, x []float64, incX int) float64 {
	if incX != 1 || n < 2 || len(x) < n {
		return gonum.Implementation{}.Dnrm2(n, x, incX)
	}
	// Squares summed unscaled are accurate when no partial sum overflowed
	// (then the total is finite: the terms are non-negative) and underflow
	// lost at most 2^-1075 per rounding, which is below 2^-107 of a total
	// >= 2^-968. Outside that range, and for Inf or NaN, gonum's scaled
	// algorithm answers.
	if ss := sumSquares(x[:n]); ss >= 0x1p-968 && ss <= math.MaxFloat64 {
		return math.Sqrt(ss)
	}
	return gonum.Implementation{}.Dnrm2(n, x, incX)
}

// Snrm2 computes the Euclidean norm of a vector,
//
//	sqrt(\sum_i x[i] * x[i]).
//
// This function returns 0 if incX is negative.
func (Implementation) Snrm2(n int, x []float32, incX int) float32 {
	if incX != 1 || n < 2 || len(x) < n {
		return gonum.Implementation{}.Snrm2(n, x, incX)
	}
	// As Dnrm2: underflow loses at most 2^-150 per rounding, below 2^-50
	// of a total >= 2^-100. The float64 square root rounded to float32 is
	// the correctly rounded float32 square root.
	if ss := sumSquares(x[:n]); ss >= 0x1p-100 && ss <= math.MaxFloat32 {
		return float32(math.Sqrt(float64(ss)))
	}
	return gonum.Implementation{}.Snrm2(n, x, incX)
}

// sumSquares is kernels.Dot(x, x), bit for bit. Up to 8 elements it is
// computed here, in Dot's canonical order: each element squared (the fma
// into a +0 lane is one rounding) in a lane of its own, then the lanes
// added by halving, of which only the last three see anything but +0 (a
// square is never -0, so adding +0 changes nothing). Dot's dispatch and
// its reduction of 32 or 64 lanes cost more than gonum's whole Dnrm2 at
// n = 4.
func sumSquares[T kernels.Float](x []T) T {
	if len(x) > 8 {
		return kernels.Dot(x, x)
	}
	var a [8]T
	copy(a[:], x)
	q0, q1, q2, q3 := T(a[0]*a[0]), T(a[1]*a[1]), T(a[2]*a[2]), T(a[3]*a[3])
	q4, q5, q6, q7 := T(a[4]*a[4]), T(a[5]*a[5]), T(a[6]*a[6]), T(a[7]*a[7])
	return ((q0 + q4) + (q2 + q6)) + ((q1 + q5) + (q3 + q7))
}
