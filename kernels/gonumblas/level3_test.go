package gonumblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// gemmShapes are the m, n, k of the Gemm tests: empty in each dimension,
// single rows, columns and inner products, tails of every vector width and
// block, and a few larger ones; from bigGemm on, only padded operands and
// fewer alpha and beta (each path of gemm still taken) keep qemu runs short.
var gemmShapes = [][3]int{
	{0, 0, 0}, {0, 2, 3}, {2, 0, 3}, {2, 3, 0}, {1, 1, 1}, {1, 5, 9}, {7, 1, 3}, {5, 7, 1},
	{9, 17, 33}, {13, 6, 130}, {33, 31, 65}, {64, 64, 64}, {70, 45, 130},
}

const bigGemm = 11

func TestGemm(t *testing.T) {
	both(t, func(t *testing.T, ours, ref routines[float64]) { testGemm(t, ours, ref, false) },
		func(t *testing.T, ours, ref routines[float32]) { testGemm(t, ours, ref, false) })
}

// TestGemmBlocks runs the Gemm cases that compute P in scratch with blocks
// of 48 elements, so that C takes several blocks.
func TestGemmBlocks(t *testing.T) {
	defer func(b int) { gemmBlock = b }(gemmBlock)
	gemmBlock = 48
	both(t, func(t *testing.T, ours, ref routines[float64]) { testGemm(t, ours, ref, true) },
		func(t *testing.T, ours, ref routines[float32]) { testGemm(t, ours, ref, true) })
}

func testGemm[T kernels.Float](t *testing.T, ours, ref routines[T], blocks bool) {
	r := tk.NewRand(10)
	for si, sh := range gemmShapes {
		m, n, k := sh[0], sh[1], sh[2]
		if blocks && (m*n <= gemmBlock || si >= bigGemm) {
			continue
		}
		for _, tA := range transposes {
			for _, tB := range transposes {
				if (si >= bigGemm || blocks) && (tA == blas.ConjTrans || tB == blas.ConjTrans) {
					continue // the same as Trans, tested on the smaller shapes
				}
				for _, pad := range []int{0, 3} {
					if (si >= bigGemm || blocks) && pad == 0 {
						continue
					}
					g := newGemmCase[T](r, tA, tB, m, n, k, pad)
					alphas, betas := scalars[T](r), scalars[T](r)
					switch {
					case blocks: // the cases that use scratch
						alphas, betas = alphas[2:], betas[2:]
					case si >= bigGemm: // each path of gemm once
						alphas, betas = []T{1, alphas[3]}, []T{0, -1}
					}
					for _, alpha := range alphas {
						for _, beta := range betas {
							g.run(t, ours, ref, alpha, beta)
						}
					}
				}
			}
		}
	}
}

// gemmCase is one shape of Gemm operands, with |op(A)| |op(B)| for the
// bound.
type gemmCase[T kernels.Float] struct {
	tA, tB        blas.Transpose
	m, n, k, pad  int
	lda, ldb, ldc int
	a, b, c       matrix[T]
	absAB         []float64 // m×n
}

func newGemmCase[T kernels.Float](r *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int) *gemmCase[T] {
	g := &gemmCase[T]{tA: tA, tB: tB, m: m, n: n, k: k, pad: pad}
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	g.lda, g.ldb, g.ldc = max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	g.a, g.b = newMatrix(r, ar, ac, g.lda, nan[T]()), newMatrix(r, br, bc, g.ldb, nan[T]())
	g.c = newMatrix(r, m, n, g.ldc, T(7))
	g.absAB = make([]float64, m*n)
	for i := range m {
		for l := range k {
			ail := math.Abs(float64(g.opA(i, l)))
			for j := range n {
				g.absAB[i*n+j] += ail * math.Abs(float64(g.opB(l, j)))
			}
		}
	}
	return g
}

func (g *gemmCase[T]) opA(i, l int) T {
	if g.tA == blas.NoTrans {
		return g.a.at(i, l)
	}
	return g.a.at(l, i)
}

func (g *gemmCase[T]) opB(l, j int) T {
	if g.tB == blas.NoTrans {
		return g.b.at(l, j)
	}
	return g.b.at(j, l)
}

func (g *gemmCase[T]) run(t *testing.T, ours, ref routines[T], alpha, beta T) {
	t.Helper()
	m, n, k := g.m, g.n, g.k
	c := g.c.clone()
	if beta == 0 {
		c.set(nan[T]()) // C may not be read
	}
	got, want := c.clone(), c.clone()
	ours.gemm(g.tA, g.tB, m, n, k, alpha, g.a.data, g.lda, g.b.data, g.ldb, beta, got.data, g.ldc)
	ref.gemm(g.tA, g.tB, m, n, k, alpha, g.a.data, g.lda, g.b.data, g.ldb, beta, want.data, g.ldc)
	name := fmt.Sprintf("%c%c m=%d n=%d k=%d pad=%d alpha=%v beta=%v", g.tA, g.tB, m, n, k, g.pad, alpha, beta)
	checkMatrix(t, name, got, want, c, func(i, j int) (int, int, int, float64) {
		var s float64
		if beta != 0 {
			s = math.Abs(float64(beta) * float64(g.c.at(i, j)))
		}
		if alpha != 0 {
			s += math.Abs(float64(alpha)) * g.absAB[i*n+j]
		}
		return gemmDepth[T](g.tA, g.tB, k), k + 2, k + 2, s
	})

	if alpha == 0 && m > 0 && n > 0 {
		// BLAS reads neither A nor B when alpha == 0: NaN there must not
		// reach C, which is beta*C (one rounding, as gonum's scaling).
		a, b := g.a.clone(), g.b.clone()
		a.set(nan[T]())
		b.set(nan[T]())
		got := c.clone()
		ours.gemm(g.tA, g.tB, m, n, k, alpha, a.data, g.lda, b.data, g.ldb, beta, got.data, g.ldc)
		for i := range m {
			for j := range n {
				w := beta * c.at(i, j)
				if beta == 0 {
					w = 0
				}
				if v := got.at(i, j); !tk.Same(v, w) && v != w {
					t.Errorf("%s, NaN in A and B: C[%d][%d] = %v, want beta*C = %v", name, i, j, v, w)
					return
				}
			}
		}
	}
}

// gemmDepth is the rounding chain of our Gemm for one element of C with
// inner length k (see Dgemm's doc).
func gemmDepth[T kernels.Float](tA, tB blas.Transpose, k int) int {
	if tA == blas.NoTrans && tB != blas.NoTrans {
		return matVecsDepth[T](k) + 1
	}
	return k + 1
}

// TestNoAllocs requires small calls, once warm, not to allocate: scratch
// comes from a pool and the kernels' serial paths allocate nothing.
func TestNoAllocs(t *testing.T) {
	const n = 24
	r := tk.NewRand(21)
	a, b, c := fill[float64](r, 2*n*n), fill[float64](r, 2*n*n), fill[float64](r, 2*n*n)
	x, y := fill[float64](r, 2*n), fill[float64](r, 2*n)
	calls := map[string]func(){
		"Ddot":  func() { sink64 = ours.Ddot(n, x, 1, y, 1) },
		"Daxpy": func() { ours.Daxpy(n, 0.5, x, 1, y, 1) },
		"Dscal": func() { ours.Dscal(n, 1, x, 1) },
		"Dnrm2": func() { sink64 = ours.Dnrm2(n, x, 1) },
	}
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, inc := range []int{1, -2} {
			for _, beta := range []float64{0, 0.5} {
				calls[fmt.Sprintf("Dgemv(%c, inc=%d, beta=%v)", tA, inc, beta)] = func() {
					ours.Dgemv(tA, n, n, 2, a, n, x, inc, beta, y, inc)
				}
			}
		}
	}
	for _, inc := range []int{1, -2} {
		calls[fmt.Sprintf("Dger(inc=%d)", inc)] = func() { ours.Dger(n, n, 1e-3, x, inc, y, inc, a, n) }
	}
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, ab := range [][2]float64{{1, 0}, {2, 0}, {1, 0.5}, {2, 0.5}} {
				calls[fmt.Sprintf("Dgemm(%c%c, alpha=%v, beta=%v)", tA, tB, ab[0], ab[1])] = func() {
					ours.Dgemm(tA, tB, n, n, n, ab[0], a, n, b, n, ab[1], c, n)
				}
			}
		}
	}
	for name, f := range calls {
		if avg := testing.AllocsPerRun(20, f); avg != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, avg)
		}
	}
}
