package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Dtrsm solves one of the matrix equations
//
//	A * X = alpha * B   if tA == blas.NoTrans and side == blas.Left
//	Aᵀ * X = alpha * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	X * A = alpha * B   if tA == blas.NoTrans and side == blas.Right
//	X * Aᵀ = alpha * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, X and B are m×n matrices, and
// alpha is a scalar.
//
// At entry to the function, X contains the values of B, and the result is
// stored in-place into X.
//
// No check is made that A is invertible.
//
// It runs kernels.TriSolveVecs: side Right on the rows of B, side Left on
// the rows of a transposed copy of B in scratch. B is first scaled by
// alpha (one rounding) unless alpha is 1; alpha == 0 sets B to zero
// without reading A, as gonum. The substitution is backward stable with
// |E| <= (k+1) u |A| to first order (k the order of A). Unlike gonum, it
// does not skip the updates of zero elements, so an Inf or NaN in A meets
// them and makes NaN, as IEEE arithmetic (and the kernel's full sums) say.
// Calls below smallTrsm's size, and all on the generic tier, are gonum's
// (see the package doc), skips included.
func (Implementation) Dtrsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if smallTrsm(m, n, triOrder(s, m, n)) || kernels.Generic() {
		gonum.Implementation{}.Dtrsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	tri3(true, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// Strsm solves one of the matrix equations
//
//	A * X = alpha * B   if tA == blas.NoTrans and side == blas.Left
//	Aᵀ * X = alpha * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	X * A = alpha * B   if tA == blas.NoTrans and side == blas.Right
//	X * Aᵀ = alpha * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, X and B are m×n matrices, and
// alpha is a scalar.
//
// At entry to the function, X contains the values of B, and the result is
// stored in-place into X.
//
// No check is made that A is invertible. It runs as Dtrsm.
func (Implementation) Strsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float32, a []float32, lda int, b []float32, ldb int) {
	if smallTrsm(m, n, triOrder(s, m, n)) || kernels.Generic() {
		gonum.Implementation{}.Strsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	tri3(true, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// Dtrmm performs one of the matrix-matrix operations
//
//	B = alpha * A * B   if tA == blas.NoTrans and side == blas.Left
//	B = alpha * Aᵀ * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	B = alpha * B * A   if tA == blas.NoTrans and side == blas.Right
//	B = alpha * B * Aᵀ  if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, B is an m×n matrix, and alpha
// is a scalar.
//
// It runs kernels.TriMatVecs as Dtrsm runs TriSolveVecs (alpha applied to B
// first, one rounding). Each element has |error| <= (k+1) u |alpha| S to
// first order, S the sum of |op(A)[i][l] b[l]| (k the order of A). Unlike
// gonum, it does not skip zero elements of B, so an Inf or NaN in A meets
// them and makes NaN. Calls below smallTrmm's size, and all on the generic
// tier, are gonum's (see the package doc), skips included.
func (Implementation) Dtrmm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if smallTrmm[float64](m, n, triOrder(s, m, n)) || kernels.Generic() {
		gonum.Implementation{}.Dtrmm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	tri3(false, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// Strmm performs one of the matrix-matrix operations
//
//	B = alpha * A * B   if tA == blas.NoTrans and side == blas.Left
//	B = alpha * Aᵀ * B  if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	B = alpha * B * A   if tA == blas.NoTrans and side == blas.Right
//	B = alpha * B * Aᵀ  if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, B is an m×n matrix, and alpha
// is a scalar. It runs as Dtrmm.
func (Implementation) Strmm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float32, a []float32, lda int, b []float32, ldb int) {
	if smallTrmm[float32](m, n, triOrder(s, m, n)) || kernels.Generic() {
		gonum.Implementation{}.Strmm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	tri3(false, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// triOrder is the order of A: m for side Left, n for Right.
func triOrder(s blas.Side, m, n int) int {
	if s == blas.Left {
		return m
	}
	return n
}

// tri3 is Dtrsm (solve) or Dtrmm: both check their arguments alike.
func tri3[T kernels.Float](solve bool, s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int) {
	// gonum's checks, in gonum's order.
	if s != blas.Left && s != blas.Right {
		panic(badSide)
	}
	if ul != blas.Lower && ul != blas.Upper {
		panic(badUplo)
	}
	if tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if d != blas.NonUnit && d != blas.Unit {
		panic(badDiag)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	k := n
	if s == blas.Left {
		k = m
	}
	if lda < max(1, k) {
		panic(badLdA)
	}
	if ldb < max(1, n) {
		panic(badLdB)
	}
	if m == 0 || n == 0 {
		return
	}
	if len(a) < lda*(k-1)+k {
		panic(shortA)
	}
	if len(b) < ldb*(m-1)+n {
		panic(shortB)
	}

	if alpha == 0 {
		for i := range m {
			clear(b[i*ldb : i*ldb+n])
		}
		return
	}
	am := kernels.Matrix[T]{Rows: k, Cols: k, Data: a, Stride: lda}
	upper, unit := ul == blas.Upper, d == blas.Unit
	kernel := kernels.TriMatVecs[T]
	if solve {
		kernel = kernels.TriSolveVecs[T]
	}
	if s == blas.Right {
		// Row i of X solves op(A)ᵀ x = alpha b (or is op(A)ᵀ alpha b).
		if alpha != 1 {
			scaleC(m, n, alpha, b, ldb)
		}
		kernel(kernels.Matrix[T]{Rows: m, Cols: n, Data: b, Stride: ldb}, am, upper, tA == blas.NoTrans, unit)
		return
	}
	// Column j of X solves op(A) x = alpha b (or is op(A) alpha b): the
	// rows of Bᵀ.
	sc := newScratch[T](m * n)
	defer sc.release()
	bt := sc.take(m * n)
	transpose(bt, m, b, ldb, m, n)
	if alpha != 1 {
		kernels.Scale(alpha, bt)
	}
	kernel(kernels.Matrix[T]{Rows: n, Cols: m, Data: bt, Stride: m}, am, upper, tA != blas.NoTrans, unit)
	transpose(b, ldb, bt, m, n, m)
}
