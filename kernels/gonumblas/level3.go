package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Dgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// where A is an m×k or k×m dense matrix, B is an n×k or k×n dense matrix, C is
// an m×n matrix, and alpha and beta are scalars. tA and tB specify whether A or
// B are transposed.
//
// With alpha == 0 or k == 0, C = beta*C and neither A nor B is read (gonum
// reads them for alpha == 0 unless beta == 1, so NaN there can reach C).
//
// The product P = op(A) op(B) runs on the batched kernels (see gemm); each
// element of C passes at most k+1 roundings (ceil(k/L) + log2 L + 1 for
// tB = Trans and tA = NoTrans, L = 8 for float64, 16 for float32). On the
// generic tier it is gonum's (see the package doc).
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if kernels.Generic() && alpha != 0 && k != 0 {
		gonum.Implementation{}.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if !gemmChecks(tA, tB, m, n, k, alpha, len(a), lda, len(b), ldb, beta, len(c), ldc) {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// where A is an m×k or k×m dense matrix, B is an n×k or k×n dense matrix, C is
// an m×n matrix, and alpha and beta are scalars. tA and tB specify whether A or
// B are transposed.
//
// With alpha == 0 or k == 0, C = beta*C and neither A nor B is read (gonum
// reads them for alpha == 0 unless beta == 1, so NaN there can reach C).
// Rounding as Dgemm.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if kernels.Generic() && alpha != 0 && k != 0 {
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if !gemmChecks(tA, tB, m, n, k, alpha, len(a), lda, len(b), ldb, beta, len(c), ldc) {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmChecks panics as gonum's Gemm does, checks in the same order, and
// reports whether there is work left after gonum's quick returns.
func gemmChecks[T kernels.Float](tA, tB blas.Transpose, m, n, k int, alpha T, lenA, lda, lenB, ldb int, beta T, lenC, ldc int) bool {
	switch tA {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	switch tB {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans := tA != blas.NoTrans
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	bTrans := tB != blas.NoTrans
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return false
	}
	// As gonum: with k == 0 a non-transposed A still needs (m-1)*lda
	// elements, and a transposed B (n-1)*ldb.
	if aTrans {
		if lenA < (k-1)*lda+m {
			panic(shortA)
		}
	} else if lenA < (m-1)*lda+k {
		panic(shortA)
	}
	if bTrans {
		if lenB < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if lenB < (k-1)*ldb+n {
		panic(shortB)
	}
	if lenC < (m-1)*ldc+n {
		panic(shortC)
	}
	return !((alpha == 0 || k == 0) && beta == 1)
}

// scaleC sets C = beta*C: zeros for beta == 0 (NaN in C included), as gonum.
func scaleC[T kernels.Float](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		scal(n, beta, c[i*ldc:i*ldc+n])
	}
}

// gemm computes C = alpha*P + beta*C for P = op(A) op(B), m, n, k >= 1 and
// alpha != 0, on the batched kernels. In row-major terms, row i of P is
//
//	NoTrans, NoTrans: Bᵀ (row i of A)   MatTVecs(P, B, A)
//	NoTrans, Trans:   B (row i of A)    MatVecs(P, B, A, nil)
//	Trans, NoTrans:   sum_l A[l][i] B[l] AddOuters(P, nil, A, B)
//	Trans, Trans:     as Trans, NoTrans on a transposed copy of B
//
// MatTVecs and MatVecs overwrite, AddOuters accumulates. With beta == 0, P
// is computed in C and scaled by alpha. With beta != 0, AddOuters with alpha
// == 1 accumulates onto beta*C; otherwise blocks of rows of P go to a
// scratch buffer and C = fma(alpha, P, beta*C) row by row. P's elements are
// sums in the kernels' orders: k fused updates, or MatVecs' lanes.
func gemm[T kernels.Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	aTrans, bTrans := tA != blas.NoTrans, tB != blas.NoTrans
	bm := kernels.Matrix[T]{Rows: k, Cols: n, Data: b, Stride: ldb}
	if bTrans {
		bm = kernels.Matrix[T]{Rows: n, Cols: k, Data: b, Stride: ldb}
	}
	// Scratch: Bᵀ for Trans, Trans; blocks of P unless P goes to C
	// directly or AddOuters accumulates onto beta*C.
	rows := max(1, min(m, gemmBlock/n))
	blocked := beta != 0 && !(aTrans && alpha == 1)
	need := 0
	if aTrans && bTrans {
		need += k * n
	}
	if blocked {
		need += rows * n
	}
	s := newScratch[T](need)
	defer s.release()

	if aTrans && bTrans {
		// Bᵀ, k×n, so that AddOuters runs over the rows of A and Bᵀ.
		bt := s.take(k * n)
		transpose(bt, n, b, ldb, n, k)
		bm = kernels.Matrix[T]{Rows: k, Cols: n, Data: bt, Stride: n}
	}

	// product sets p to rows i0..i0+p.Rows-1 of P.
	product := func(p kernels.Matrix[T], i0 int) {
		switch {
		case aTrans:
			// Columns i0.. of A, k×p.Rows.
			for i := range p.Rows {
				clear(p.Data[i*p.Stride : i*p.Stride+n])
			}
			kernels.AddOuters(p, nil, kernels.Matrix[T]{Rows: k, Cols: p.Rows, Data: a[i0:], Stride: lda}, bm)
		case bTrans:
			kernels.MatVecs(p, bm, kernels.Matrix[T]{Rows: p.Rows, Cols: k, Data: a[i0*lda:], Stride: lda}, nil)
		default:
			kernels.MatTVecs(p, bm, kernels.Matrix[T]{Rows: p.Rows, Cols: k, Data: a[i0*lda:], Stride: lda})
		}
	}

	cm := kernels.Matrix[T]{Rows: m, Cols: n, Data: c, Stride: ldc}
	switch {
	case beta == 0:
		// C is not read: it may hold NaN.
		product(cm, 0)
		if alpha != 1 {
			for i := range m {
				kernels.Scale(alpha, c[i*ldc:i*ldc+n])
			}
		}
	case aTrans && alpha == 1:
		if beta != 1 {
			scaleC(m, n, beta, c, ldc)
		}
		kernels.AddOuters(cm, nil, kernels.Matrix[T]{Rows: k, Cols: m, Data: a, Stride: lda}, bm)
	default:
		// Blocks of at most gemmBlock elements of P, and at least one row.
		pd := s.take(rows * n)
		for i0 := 0; i0 < m; i0 += rows {
			r := min(rows, m-i0)
			product(kernels.Matrix[T]{Rows: r, Cols: n, Data: pd, Stride: n}, i0)
			for i := range r {
				ci := c[(i0+i)*ldc : (i0+i)*ldc+n]
				if beta != 1 {
					kernels.Scale(beta, ci)
				}
				kernels.Axpy(alpha, pd[i*n:i*n+n], ci)
			}
		}
	}
}

// transpose sets dst (c×r, stride ldd) to the transpose of src (r×c,
// stride lds), with kernels.Transpose.
func transpose[T kernels.Float](dst []T, ldd int, src []T, lds int, r, c int) {
	kernels.Transpose(kernels.Matrix[T]{Rows: c, Cols: r, Data: dst, Stride: ldd},
		kernels.Matrix[T]{Rows: r, Cols: c, Data: src, Stride: lds})
}

// gemmBlock is the most elements of P held in scratch at once (512 KiB of
// float64): enough rows for the kernels' blocking and their workers. Tests
// lower it.
var gemmBlock = 1 << 16
