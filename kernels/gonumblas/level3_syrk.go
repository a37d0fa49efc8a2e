package gonumblas

import (
	"sync"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Dsyrk performs one of the symmetric rank-k operations
//
//	C = alpha * A * Aᵀ + beta * C  if tA == blas.NoTrans
//	C = alpha * Aᵀ * A + beta * C  if tA == blas.Trans or tA == blas.ConjTrans
//
// where A is an n×k or k×n matrix, C is an n×n symmetric matrix, and alpha
// and beta are scalars. Only the triangle ul of C is read and written.
//
// It runs Dgemm's kernels on blocks of syrkBlock rows of C: the part of
// the block outside its diagonal square is a Dgemm, the square is computed
// whole into scratch and its triangle written as C = alpha P + beta C, so
// each element has Dgemm's error bound. With alpha == 0 or k == 0, C =
// beta*C and A is not read; beta == 0 overwrites C without reading it.
func (Implementation) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	if (smallSyrk(n, k) || kernels.Generic()) && !syrkKeepsNaN(ul, tA, beta) {
		gonum.Implementation{}.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	syrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
}

// Ssyrk performs one of the symmetric rank-k operations
//
//	C = alpha * A * Aᵀ + beta * C  if tA == blas.NoTrans
//	C = alpha * Aᵀ * A + beta * C  if tA == blas.Trans or tA == blas.ConjTrans
//
// where A is an n×k or k×n matrix, C is an n×n symmetric matrix, and alpha
// and beta are scalars. It runs as Dsyrk.
func (Implementation) Ssyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float32, a []float32, lda int, beta float32, c []float32, ldc int) {
	if (smallSyrk(n, k) || kernels.Generic()) && !syrkKeepsNaN(ul, tA, beta) {
		gonum.Implementation{}.Ssyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	syrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
}

// syrkKeepsNaN reports a call where gonum's Syrk would multiply C by a
// zero beta (its Trans, Lower form), keeping NaN and Inf that BLAS
// overwrites: those go to gonum after gonumSyrk clears C. Its other forms
// overwrite C for beta == 0, and go to gonum directly.
func syrkKeepsNaN[T kernels.Float](ul blas.Uplo, tA blas.Transpose, beta T) bool {
	return beta == 0 && tA != blas.NoTrans && ul != blas.Upper
}

// syrkBlock is the number of rows of C per block (and the side of the
// diagonal squares computed whole). Tests lower it.
var syrkBlock = 64

// The diagonal squares get their own pools: gemm takes scratch from the
// shared ones while a square is held.
var syrkPool64, syrkPool32 sync.Pool

func syrk[T kernels.Float](ul blas.Uplo, tA blas.Transpose, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	// gonum's checks, in gonum's order.
	if ul != blas.Lower && ul != blas.Upper {
		panic(badUplo)
	}
	if tA != blas.Trans && tA != blas.NoTrans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	row, col := k, n
	if tA == blas.NoTrans {
		row, col = n, k
	}
	if lda < max(1, col) {
		panic(badLdA)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if n == 0 {
		return
	}
	if len(a) < lda*(row-1)+col {
		panic(shortA)
	}
	if len(c) < ldc*(n-1)+n {
		panic(shortC)
	}

	upper := ul == blas.Upper
	// tri returns the columns lo..hi-1 of row i in the triangle, within
	// the columns j0..j1-1.
	tri := func(i, j0, j1 int) (lo, hi int) {
		if upper {
			return max(i, j0), j1
		}
		return j0, min(i+1, j1)
	}
	if alpha == 0 || k == 0 {
		if beta == 1 {
			return
		}
		for i := range n {
			lo, hi := tri(i, 0, n)
			scal(hi-lo, beta, c[i*ldc+lo:i*ldc+hi])
		}
		return
	}
	if onGonum() || smallSyrk(n, k) {
		gonumSyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}

	trans := tA != blas.NoTrans
	nb := min(syrkBlock, n)
	pool := &syrkPool32
	if _, ok := any(T(0)).(float64); ok {
		pool = &syrkPool64
	}
	bp, ok := pool.Get().(*[]T)
	if !ok || cap(*bp) < nb*nb {
		s := make([]T, nb*nb)
		bp = &s
	}
	defer pool.Put(bp)
	sq := (*bp)[:nb*nb]

	// rows returns op(A)'s rows i0.. as the operand of gemm (with its
	// transpose flag): A's rows (NoTrans) or A's columns (Trans).
	rows := func(i0 int) []T {
		if trans {
			return a[i0:]
		}
		return a[i0*lda:]
	}
	tX, tY := blas.NoTrans, blas.Trans // C[I][J] = op(A)_I op(A)_Jᵀ
	if trans {
		tX, tY = blas.Trans, blas.NoTrans
	}
	for i0 := 0; i0 < n; i0 += nb {
		i1 := min(i0+nb, n)
		w := i1 - i0
		// Outside the square: columns 0..i0-1 (lower) or i1..n-1 (upper).
		j0, j1 := 0, i0
		if upper {
			j0, j1 = i1, n
		}
		if j1 > j0 {
			gemm(tX, tY, w, j1-j0, k, alpha, rows(i0), lda, rows(j0), lda, beta, c[i0*ldc+j0:], ldc)
		}
		// The square, whole, then its triangle.
		gemm(tX, tY, w, w, k, 1, rows(i0), lda, rows(i0), lda, 0, sq, w)
		for ii := range w {
			i := i0 + ii
			lo, hi := tri(i, i0, i1)
			ci, pi := c[i*ldc+lo:i*ldc+hi], sq[ii*w+lo-i0:ii*w+hi-i0]
			switch {
			case beta == 0:
				copy(ci, pi)
				if alpha != 1 {
					kernels.Scale(alpha, ci)
				}
			default:
				if beta != 1 {
					kernels.Scale(beta, ci)
				}
				kernels.Axpy(alpha, pi, ci)
			}
		}
	}
}
