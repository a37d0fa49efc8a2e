package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// Dgemv computes
//
//	y = alpha * A * x + beta * y   if tA = blas.NoTrans
//	y = alpha * Aᵀ * x + beta * y  if tA = blas.Trans or blas.ConjTrans
//
// where A is an m×n dense matrix, x and y are vectors, and alpha and beta are scalars.
func (Implementation) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	gemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// Sgemv computes
//
//	y = alpha * A * x + beta * y   if tA = blas.NoTrans
//	y = alpha * Aᵀ * x + beta * y  if tA = blas.Trans or blas.ConjTrans
//
// where A is an m×n dense matrix, x and y are vectors, and alpha and beta are scalars.
func (Implementation) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	gemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

func gemv[T kernels.Float](tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	// gonum's checks, in gonum's order.
	if tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if lda < max(1, n) {
		panic(badLdA)
	}
	if incX == 0 {
		panic(zeroIncX)
	}
	if incY == 0 {
		panic(zeroIncY)
	}
	lenX, lenY := m, n
	if tA == blas.NoTrans {
		lenX, lenY = n, m
	}
	if m == 0 || n == 0 {
		return
	}
	if (incX > 0 && (lenX-1)*incX >= len(x)) || (incX < 0 && (1-lenX)*incX >= len(x)) {
		panic(shortX)
	}
	if (incY > 0 && (lenY-1)*incY >= len(y)) || (incY < 0 && (1-lenY)*incY >= len(y)) {
		panic(shortY)
	}
	if len(a) < lda*(m-1)+n {
		panic(shortA)
	}

	if alpha == 0 && beta == 1 {
		return
	}
	if alpha == 0 {
		scalInc(lenY, beta, y, max(incY, -incY))
		return
	}
	if tA == blas.NoTrans {
		gemvN(m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemvT(m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// gemvN computes y = alpha*A*x + beta*y as one dot product per row of A,
// on a contiguous copy of x when x is strided.
func gemvN[T kernels.Float](m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	xs, buf := gather(n, x, incX)
	for i, iy := 0, start(m, incY); i < m; i, iy = i+1, iy+incY {
		// The conversions round each product: Go may otherwise fuse them
		// on some architectures, and results would differ between them.
		d := T(alpha * kernels.Dot(a[i*lda:i*lda+n], xs))
		if beta == 0 {
			y[iy] = d // y is not read: it may hold NaN
		} else {
			y[iy] = T(y[iy]*beta) + d
		}
	}
	put(buf)
}

// gemvT computes y = alpha*Aᵀ*x + beta*y as y = beta*y followed by one
// fused axpy per row of A, on a contiguous copy of y when y is strided.
func gemvT[T kernels.Float](m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	var ys []T
	var buf *[]T
	if incY == 1 {
		ys = y[:n]
		switch beta {
		case 0:
			clear(ys)
		case 1:
		default:
			kernels.Scale(beta, ys)
		}
	} else {
		buf = get[T](n)
		ys = *buf
		for j, jy := 0, start(n, incY); j < n; j, jy = j+1, jy+incY {
			if beta == 0 {
				ys[j] = 0
			} else {
				ys[j] = beta * y[jy]
			}
		}
	}
	for i, ix := 0, start(m, incX); i < m; i, ix = i+1, ix+incX {
		kernels.Axpy(T(alpha*x[ix]), a[i*lda:i*lda+n], ys)
	}
	if buf != nil {
		scatter(ys, y, incY)
		put(buf)
	}
}

// Dger performs the rank-one operation
//
//	A += alpha * x * yᵀ
//
// where A is an m×n dense matrix, x and y are vectors, and alpha is a scalar.
func (Implementation) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	ger(m, n, alpha, x, incX, y, incY, a, lda)
}

// Sger performs the rank-one operation
//
//	A += alpha * x * yᵀ
//
// where A is an m×n dense matrix, x and y are vectors, and alpha is a scalar.
func (Implementation) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	ger(m, n, alpha, x, incX, y, incY, a, lda)
}

// ger adds one fused axpy of y per row of A, on a contiguous copy of y when
// y is strided.
func ger[T kernels.Float](m, n int, alpha T, x []T, incX int, y []T, incY int, a []T, lda int) {
	// gonum's checks, in gonum's order.
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if lda < max(1, n) {
		panic(badLdA)
	}
	if incX == 0 {
		panic(zeroIncX)
	}
	if incY == 0 {
		panic(zeroIncY)
	}
	if m == 0 || n == 0 {
		return
	}
	if (incX > 0 && len(x) <= (m-1)*incX) || (incX < 0 && len(x) <= (1-m)*incX) {
		panic(shortX)
	}
	if (incY > 0 && len(y) <= (n-1)*incY) || (incY < 0 && len(y) <= (1-n)*incY) {
		panic(shortY)
	}
	if len(a) < lda*(m-1)+n {
		panic(shortA)
	}
	if alpha == 0 {
		return
	}

	ys, buf := gather(n, y, incY)
	for i, ix := 0, start(m, incX); i < m; i, ix = i+1, ix+incX {
		kernels.Axpy(T(alpha*x[ix]), ys, a[i*lda:i*lda+n])
	}
	put(buf)
}
