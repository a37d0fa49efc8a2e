package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Panic values of the triangular routines, gonum's word for word.
const (
	badUplo = "blas: illegal triangle"
	badDiag = "blas: illegal diagonal"
	badSide = "blas: illegal side"
)

// Dtrmv performs one of the matrix-vector operations
//
//	x = A * x   if tA == blas.NoTrans
//	x = Aᵀ * x  if tA == blas.Trans or blas.ConjTrans
//
// where A is an n×n triangular matrix, and x is a vector.
//
// It is gonum's: kernels.TriMatVecs on a batch of one lost to it at every
// size (0.25-0.75x).
func (Implementation) Dtrmv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float64, lda int, x []float64, incX int) {
	gonum.Implementation{}.Dtrmv(ul, tA, d, n, a, lda, x, incX)
}

// Strmv performs one of the matrix-vector operations
//
//	x = A * x   if tA == blas.NoTrans
//	x = Aᵀ * x  if tA == blas.Trans or blas.ConjTrans
//
// where A is an n×n triangular matrix, and x is a vector. It is gonum's.
func (Implementation) Strmv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float32, lda int, x []float32, incX int) {
	gonum.Implementation{}.Strmv(ul, tA, d, n, a, lda, x, incX)
}

// Dtrsv solves one of the systems of equations
//
//	A * x = b   if tA == blas.NoTrans
//	Aᵀ * x = b  if tA == blas.Trans or blas.ConjTrans
//
// where A is an n×n triangular matrix, and x and b are vectors. At entry to
// the function, x contains the values of b, and the result is stored in-place
// into x.
//
// No test for singularity or near-singularity is included in this
// routine. Such tests must be performed before calling this routine.
//
// It runs kernels.TriSolveVecs on x as a batch of one (a strided x is
// copied to scratch): substitution with fused updates and the reciprocal
// of each diagonal element, backward stable with |E| <= (n+1) u |A| to
// first order. For n < 64, and on the generic tier, it is gonum's.
func (Implementation) Dtrsv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float64, lda int, x []float64, incX int) {
	if smallTrsv(n) || kernels.Generic() {
		gonum.Implementation{}.Dtrsv(ul, tA, d, n, a, lda, x, incX)
		return
	}
	trsv(ul, tA, d, n, a, lda, x, incX)
}

// Strsv solves one of the systems of equations
//
//	A * x = b   if tA == blas.NoTrans
//	Aᵀ * x = b  if tA == blas.Trans or blas.ConjTrans
//
// where A is an n×n triangular matrix, and x and b are vectors. At entry to
// the function, x contains the values of b, and the result is stored in-place
// into x. It runs as Dtrsv.
//
// No test for singularity or near-singularity is included in this
// routine. Such tests must be performed before calling this routine.
func (Implementation) Strsv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float32, lda int, x []float32, incX int) {
	if smallTrsv(n) || kernels.Generic() {
		gonum.Implementation{}.Strsv(ul, tA, d, n, a, lda, x, incX)
		return
	}
	trsv(ul, tA, d, n, a, lda, x, incX)
}

// trsv checks as gonum's Trsv does, in the same order, then runs the
// triangular kernel on x (or a contiguous copy of it).
func trsv[T kernels.Float](ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []T, lda int, x []T, incX int) {
	if ul != blas.Lower && ul != blas.Upper {
		panic(badUplo)
	}
	if tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if d != blas.NonUnit && d != blas.Unit {
		panic(badDiag)
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
	if n == 0 {
		return
	}
	if len(a) < lda*(n-1)+n {
		panic(shortA)
	}
	if (incX > 0 && len(x) <= (n-1)*incX) || (incX < 0 && len(x) <= (1-n)*incX) {
		panic(shortX)
	}

	var s scratch[T]
	xs := x[:n]
	if incX != 1 {
		s = newScratch[T](n)
		defer s.release()
		xs = s.take(n)
		gather(xs, x, incX)
	}
	am := kernels.Matrix[T]{Rows: n, Cols: n, Data: a, Stride: lda}
	xm := kernels.Matrix[T]{Rows: 1, Cols: n, Data: xs, Stride: n}
	kernels.TriSolveVecs(xm, am, ul == blas.Upper, tA != blas.NoTrans, d == blas.Unit)
	if incX != 1 {
		scatter(xs, x, incX)
	}
}
