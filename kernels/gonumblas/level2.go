package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Dgemv computes
//
//	y = alpha * A * x + beta * y   if tA = blas.NoTrans
//	y = alpha * Aᵀ * x + beta * y  if tA = blas.Trans or blas.ConjTrans
//
// where A is an m×n dense matrix, x and y are vectors, and alpha and beta are scalars.
func (Implementation) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	if (smallGemv[float64](tA != blas.NoTrans, m, n) || kernels.Generic()) && !gemvWritesPast(tA, n, beta, len(y), incY) {
		gonum.Implementation{}.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// Sgemv computes
//
//	y = alpha * A * x + beta * y   if tA = blas.NoTrans
//	y = alpha * Aᵀ * x + beta * y  if tA = blas.Trans or blas.ConjTrans
//
// where A is an m×n dense matrix, x and y are vectors, and alpha and beta are scalars.
func (Implementation) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if (smallGemv[float32](tA != blas.NoTrans, m, n) || kernels.Generic()) && !gemvWritesPast(tA, n, beta, len(y), incY) {
		gonum.Implementation{}.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// gemvWritesPast reports a call where gonum's pure-Go GemvT would zero y
// past its elements (beta == 0, incY == 1): those go to gonum with y cut.
func gemvWritesPast[T kernels.Float](tA blas.Transpose, n int, beta T, lenY, incY int) bool {
	return tA != blas.NoTrans && beta == 0 && incY == 1 && lenY > n
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
	if onGonum() || smallGemv[T](tA != blas.NoTrans, m, n) {
		gonumGemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	if tA == blas.NoTrans {
		gemvN(m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemvT(m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// gemvN computes t = A*x with MatVecs (a batch of one) and then
// y = alpha*t + beta*y, on a contiguous copy of x when x is strided.
func gemvN[T kernels.Float](m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	direct := beta == 0 && incY == 1 // t can be y itself
	need := 0
	if incX != 1 {
		need += n
	}
	if !direct {
		need += m
	}
	s := newScratch[T](need)
	defer s.release()

	xs := x[:n]
	if incX != 1 {
		xs = s.take(n)
		gather(xs, x, incX)
	}
	w := kernels.Matrix[T]{Rows: m, Cols: n, Data: a, Stride: lda}
	xm := kernels.Matrix[T]{Rows: 1, Cols: n, Data: xs, Stride: n}
	if direct {
		// y is not read: it may hold NaN.
		kernels.MatVecs(kernels.Matrix[T]{Rows: 1, Cols: m, Data: y[:m], Stride: m}, w, xm, nil)
		if alpha != 1 {
			kernels.Scale(alpha, y[:m])
		}
		return
	}
	t := s.take(m)
	kernels.MatVecs(kernels.Matrix[T]{Rows: 1, Cols: m, Data: t, Stride: m}, w, xm, nil)
	for i, iy := 0, start(m, incY); i < m; i, iy = i+1, iy+incY {
		// The conversions round each product: Go may otherwise fuse them
		// on some architectures, and results would differ between them.
		d := T(alpha * t[i])
		if beta == 0 {
			y[iy] = d
		} else {
			y[iy] = T(y[iy]*beta) + d
		}
	}
}

// gemvT computes y = beta*y and then y += sum_i (alpha*x[i]) A[i] with
// AddOuters (a batch of m rows of one element each), on a contiguous copy
// of y when y is strided: the order of gonum's GemvT, each update fused.
func gemvT[T kernels.Float](m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	// D, alpha*x as an m×1 matrix, is x itself when it needs no scaling and
	// runs forward, its increment then being the row stride.
	copyX := alpha != 1 || incX < 0
	need := 0
	if incY != 1 {
		need += n
	}
	if copyX {
		need += m
	}
	s := newScratch[T](need)
	defer s.release()

	ys := y[:n]
	if incY != 1 {
		ys = s.take(n)
		gather(ys, y, incY)
	}
	switch beta {
	case 0:
		clear(ys) // NaN in y included
	case 1:
	default:
		kernels.Scale(beta, ys)
	}
	d := kernels.Matrix[T]{Rows: m, Cols: 1, Data: x, Stride: incX}
	if copyX {
		ds := s.take(m)
		for i, ix := 0, start(m, incX); i < m; i, ix = i+1, ix+incX {
			ds[i] = alpha * x[ix]
		}
		d = kernels.Matrix[T]{Rows: m, Cols: 1, Data: ds, Stride: 1}
	}
	kernels.AddOuters(kernels.Matrix[T]{Rows: 1, Cols: n, Data: ys, Stride: n}, nil, d,
		kernels.Matrix[T]{Rows: m, Cols: n, Data: a, Stride: lda})
	if incY != 1 {
		scatter(ys, y, incY)
	}
}

// Dger performs the rank-one operation
//
//	A += alpha * x * yᵀ
//
// where A is an m×n dense matrix, x and y are vectors, and alpha is a scalar.
func (Implementation) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	if (smallGer(m, n) || kernels.Generic()) && incX > 0 && incY > 0 {
		gonum.Implementation{}.Dger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	ger(m, n, alpha, x, incX, y, incY, a, lda)
}

// Sger performs the rank-one operation
//
//	A += alpha * x * yᵀ
//
// where A is an m×n dense matrix, x and y are vectors, and alpha is a scalar.
func (Implementation) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	if (smallGer(m, n) || kernels.Generic()) && incX > 0 && incY > 0 {
		gonum.Implementation{}.Sger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	ger(m, n, alpha, x, incX, y, incY, a, lda)
}

// ger runs A += (alpha*x) yᵀ as AddOuters with a batch of one, on
// contiguous copies of x (scaled by alpha) and y where needed: each element
// takes one fused update, fma(alpha*x[i], y[j], A[i][j]).
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
	if onGonum() || smallGer(m, n) {
		gonumGer(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}

	copyX := alpha != 1 || incX != 1
	need := 0
	if incY != 1 {
		need += n
	}
	if copyX {
		need += m
	}
	s := newScratch[T](need)
	defer s.release()

	ys := y[:n]
	if incY != 1 {
		ys = s.take(n)
		gather(ys, y, incY)
	}
	xs := x[:m]
	if copyX {
		xs = s.take(m)
		for i, ix := 0, start(m, incX); i < m; i, ix = i+1, ix+incX {
			xs[i] = alpha * x[ix]
		}
	}
	kernels.AddOuters(kernels.Matrix[T]{Rows: m, Cols: n, Data: a, Stride: lda}, nil,
		kernels.Matrix[T]{Rows: 1, Cols: m, Data: xs, Stride: m},
		kernels.Matrix[T]{Rows: 1, Cols: n, Data: ys, Stride: n})
}
