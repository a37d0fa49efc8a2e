package gonumblas

import (
	"fmt"
	"math"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// gemmShapes are the m, n, k of the Gemm tests: empty in each dimension,
// single rows, columns and inner products, tails of every vector width and
// block, and a few larger ones (the last ones take fewer alpha and beta).
var gemmShapes = [][3]int{
	{0, 0, 0}, {0, 2, 3}, {2, 0, 3}, {2, 3, 0}, {1, 1, 1}, {1, 5, 9}, {7, 1, 3}, {5, 7, 1},
	{9, 17, 33}, {13, 6, 130}, {33, 31, 65}, {64, 64, 64}, {70, 45, 130},
}

// bigGemm is the first shape of gemmShapes tested with fewer scalars, to
// keep the test fast under qemu.
const bigGemm = 11

func TestGemm(t *testing.T) { both(t, testGemm[float64], testGemm[float32]) }

func testGemm[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(10)
	for si, sh := range gemmShapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range transposes {
			for _, tB := range transposes {
				if si >= bigGemm && (tA == blas.ConjTrans || tB == blas.ConjTrans) {
					continue // the same as Trans, tested on the smaller shapes
				}
				for _, pad := range []int{0, 3} {
					alphas, betas := scalars[T](r), scalars[T](r)
					if si >= bigGemm {
						alphas, betas = alphas[2:], betas[1:3]
					}
					for _, alpha := range alphas {
						for _, beta := range betas {
							testGemmCase(t, ours, ref, tA, tB, m, n, k, pad, alpha, beta)
						}
					}
				}
			}
		}
	}
}

func testGemmCase[T kernels.Float](t *testing.T, ours, ref routines[T], tA, tB blas.Transpose, m, n, k, pad int, alpha, beta T) {
	t.Helper()
	rnd := tk.NewRand(uint64(m*1000000 + n*1000 + k + pad))
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	lda, ldb, ldc := max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	a, b := newMatrix(rnd, ar, ac, lda, nan[T]()), newMatrix(rnd, br, bc, ldb, nan[T]())
	c := newMatrix(rnd, m, n, ldc, T(7))
	c0 := c.clone()
	if beta == 0 {
		c.set(nan[T]()) // C may not be read
	}
	opA := func(i, l int) T {
		if tA == blas.NoTrans {
			return a.at(i, l)
		}
		return a.at(l, i)
	}
	opB := func(l, j int) T {
		if tB == blas.NoTrans {
			return b.at(l, j)
		}
		return b.at(j, l)
	}
	got, want := c.clone(), c.clone()
	ours.gemm(tA, tB, m, n, k, alpha, a.data, lda, b.data, ldb, beta, got.data, ldc)
	ref.gemm(tA, tB, m, n, k, alpha, a.data, lda, b.data, ldb, beta, want.data, ldc)
	name := fmt.Sprintf("%c%c m=%d n=%d k=%d pad=%d alpha=%v beta=%v", tA, tB, m, n, k, pad, alpha, beta)
	checkMatrix(t, name, got, want, c, func(i, j int) (int, int, int, float64) {
		var s float64
		if beta != 0 {
			s = math.Abs(float64(beta) * float64(c0.at(i, j)))
		}
		if alpha != 0 {
			for l := range k {
				s += math.Abs(float64(alpha) * float64(opA(i, l)) * float64(opB(l, j)))
			}
		}
		return gemmDepth[T](tA, tB, k), k + 2, k + 2, s
	})

	if alpha == 0 && m > 0 && n > 0 {
		// BLAS reads neither A nor B when alpha == 0: NaN there must not
		// reach C, which is beta*C (one rounding, as gonum's scaling).
		a.set(nan[T]())
		b.set(nan[T]())
		got := c.clone()
		ours.gemm(tA, tB, m, n, k, alpha, a.data, lda, b.data, ldb, beta, got.data, ldc)
		for i := range m {
			for j := range n {
				w := beta * c.at(i, j)
				if beta == 0 {
					w = 0
				}
				if g := got.at(i, j); !tk.Same(g, w) && g != w {
					t.Errorf("%s, NaN in A and B: C[%d][%d] = %v, want beta*C = %v", name, i, j, g, w)
					return
				}
			}
		}
	}
}

// gemmDepth is the rounding chain of our Gemm for one element of C with
// inner length k (see Dgemm's doc).
func gemmDepth[T kernels.Float](tA, tB blas.Transpose, k int) int {
	return k + 2 // gonum's own, until the batched kernels run Dgemm
}
