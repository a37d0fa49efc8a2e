package gonumblas

import (
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas/gonum"
)

// Level 1 runs the kernels on unit increments only. A strided vector has no
// kernel (gathering it would cost as much as the operation), so those calls
// go to gonum, whose checks are then the ones that apply; so do all calls
// on the generic tier (onGonum).

// Ddot computes the dot product of the two vectors
//
//	\sum_i x[i]*y[i]
func (Implementation) Ddot(n int, x []float64, incX int, y []float64, incY int) float64 {
	if smallDot[float64](n) || incX != 1 || incY != 1 || onGonum() {
		return gonum.Implementation{}.Ddot(n, x, incX, y, incY)
	}
	return dot(n, x, y)
}

// Sdot computes the dot product of the two vectors
//
//	\sum_i x[i]*y[i]
func (Implementation) Sdot(n int, x []float32, incX int, y []float32, incY int) float32 {
	if smallDot[float32](n) || incX != 1 || incY != 1 || onGonum() {
		return gonum.Implementation{}.Sdot(n, x, incX, y, incY)
	}
	return dot(n, x, y)
}

// dot is Ddot and Sdot for unit increments, with gonum's checks.
func dot[T kernels.Float](n int, x, y []T) T {
	if n <= 0 {
		if n == 0 {
			return 0
		}
		panic(nLT0)
	}
	if len(x) < n {
		panic(shortX)
	}
	if len(y) < n {
		panic(shortY)
	}
	return kernels.Dot(x[:n], y[:n])
}

// Daxpy adds alpha times x to y
//
//	y[i] += alpha * x[i] for all i
func (Implementation) Daxpy(n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	if smallAxpy[float64](n) || incX != 1 || incY != 1 || onGonum() {
		gonum.Implementation{}.Daxpy(n, alpha, x, incX, y, incY)
		return
	}
	axpy(n, alpha, x, y)
}

// Saxpy adds alpha times x to y
//
//	y[i] += alpha * x[i] for all i
func (Implementation) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if smallAxpy[float32](n) || incX != 1 || incY != 1 || onGonum() {
		gonum.Implementation{}.Saxpy(n, alpha, x, incX, y, incY)
		return
	}
	axpy(n, alpha, x, y)
}

// axpy is Daxpy and Saxpy for unit increments, with gonum's checks.
func axpy[T kernels.Float](n int, alpha T, x, y []T) {
	if n < 1 {
		if n == 0 {
			return
		}
		panic(nLT0)
	}
	if len(x) < n {
		panic(shortX)
	}
	if len(y) < n {
		panic(shortY)
	}
	// BLAS leaves y alone, NaN or Inf in x included; the kernel does not.
	if alpha == 0 {
		return
	}
	kernels.Axpy(alpha, x[:n], y[:n])
}

// Dscal scales x by alpha.
//
//	x[i] *= alpha
//
// Dscal has no effect if incX < 0.
func (Implementation) Dscal(n int, alpha float64, x []float64, incX int) {
	if smallScal[float64](n) || incX != 1 || onGonum() {
		gonum.Implementation{}.Dscal(n, alpha, x, incX)
		return
	}
	scal(n, alpha, x)
}

// Sscal scales x by alpha.
//
//	x[i] *= alpha
//
// Sscal has no effect if incX < 0.
func (Implementation) Sscal(n int, alpha float32, x []float32, incX int) {
	if smallScal[float32](n) || incX != 1 || onGonum() {
		gonum.Implementation{}.Sscal(n, alpha, x, incX)
		return
	}
	scal(n, alpha, x)
}

// scal is Dscal and Sscal for a unit increment, with gonum's checks. The
// result is bit-identical to gonum's: one rounded product per element.
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
	if ss := kernels.Dot(x[:n], x[:n]); ss >= 0x1p-968 && ss <= math.MaxFloat64 {
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
	if ss := kernels.Dot(x[:n], x[:n]); ss >= 0x1p-100 && ss <= math.MaxFloat32 {
		return float32(math.Sqrt(float64(ss)))
	}
	return gonum.Implementation{}.Snrm2(n, x, incX)
}
