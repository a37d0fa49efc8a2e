package gonumblas

import (
	"fmt"
	"math"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

type syrkFunc[T kernels.Float] func(ul blas.Uplo, tA blas.Transpose, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int)

// syrkBoth runs a Syrk test for both precisions on every tier.
func syrkBoth(t *testing.T, f64 func(*testing.T, syrkFunc[float64], syrkFunc[float64]), f32 func(*testing.T, syrkFunc[float32], syrkFunc[float32])) {
	eachTier(t, func(t *testing.T) {
		t.Run("float64", func(t *testing.T) { f64(t, ours.Dsyrk, ref.Dsyrk) })
		t.Run("float32", func(t *testing.T) { f32(t, ours.Ssyrk, ref.Ssyrk) })
	})
}

// syrkShapes are n, k: empty, single, tails of the kernels' widths, one
// and several row blocks (also with syrkBlock lowered to 16).
var syrkShapes = [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {5, 7}, {17, 4}, {33, 65}, {65, 9}, {70, 130}}

func TestSyrk(t *testing.T) { syrkBoth(t, testSyrk[float64], testSyrk[float32]) }

// TestSyrkBlocks runs the shapes with blocks of 16 rows, so that every
// shape past 16 has several blocks and squares.
func TestSyrkBlocks(t *testing.T) {
	defer func(b int) { syrkBlock = b }(syrkBlock)
	syrkBlock = 16
	syrkBoth(t, testSyrk[float64], testSyrk[float32])
}

func testSyrk[T kernels.Float](t *testing.T, ours, ref syrkFunc[T]) {
	r := tk.NewRand(95)
	for _, sh := range syrkShapes {
		n, k := sh[0], sh[1]
		if syrkBlock < 64 && n <= syrkBlock {
			continue // one block: TestSyrk has it
		}
		for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
			for _, tA := range transposes {
				for _, pad := range []int{0, 3} {
					ar, ac := n, k
					if tA != blas.NoTrans {
						ar, ac = k, n
					}
					lda, ldc := max(1, ac)+pad, max(1, n)+pad
					a := newMatrix(r, ar, ac, lda, nan[T]())
					c := newMatrix(r, n, n, ldc, T(7))
					opA := func(i, l int) float64 {
						if tA == blas.NoTrans {
							return float64(a.at(i, l))
						}
						return float64(a.at(l, i))
					}
					inTri := func(i, j int) bool { return (j >= i) == (ul == blas.Upper) || i == j }
					absP := make([]float64, n*n) // sum_l |op(A)[i][l] op(A)[j][l]|
					for i := range n {
						for j := range n {
							for l := range k {
								absP[i*n+j] += math.Abs(opA(i, l) * opA(j, l))
							}
						}
					}
					// The other triangle is never read nor written: NaN there.
					for i := range n {
						for j := range n {
							if !inTri(i, j) {
								c.data[i*ldc+j] = nan[T]()
							}
						}
					}
					type ab struct{ alpha, beta T }
					var cases []ab
					for _, alpha := range []T{0, 1, -1, 0.75} {
						for _, beta := range []T{0, 1, -1, 0.5} {
							cases = append(cases, ab{alpha, beta})
						}
					}
					if n*k > 1000 { // each path once: keeps qemu runs short
						cases = []ab{{1, 0}, {-1, 0.5}, {0.75, 1}, {0, -1}}
					}
					for _, cs := range cases {
						alpha, beta := cs.alpha, cs.beta
						c0 := c.clone()
						got, want := c0.clone(), c0.clone()
						ours(ul, tA, n, k, alpha, a.data, lda, beta, got.data, ldc)
						ref(ul, tA, n, k, alpha, a.data, lda, beta, want.data, ldc)
						name := fmt.Sprintf("syrk(%c, %c, n=%d, k=%d, pad=%d, alpha=%v, beta=%v)", ul, tA, n, k, pad, alpha, beta)
						if beta == 0 {
							// C is not read (BLAS; gonum's Trans path with
							// k == 0 multiplies it by 0): NaN in C changes
							// nothing.
							cn := c0.clone()
							for i := range n {
								for j := range n {
									if inTri(i, j) {
										cn.data[i*ldc+j] = nan[T]()
									}
								}
							}
							ours(ul, tA, n, k, alpha, a.data, lda, beta, cn.data, ldc)
							for i := range n {
								for j := range n {
									if inTri(i, j) && !tk.Same(cn.at(i, j), got.at(i, j)) {
										t.Fatalf("%s: NaN in C reached C[%d][%d] = %v", name, i, j, cn.at(i, j))
									}
								}
							}
						}
						for i := range n {
							for j := range n {
								g := got.at(i, j)
								if !inTri(i, j) {
									if !tk.Same(g, c0.at(i, j)) {
										t.Fatalf("%s: wrote (%d, %d) outside the triangle", name, i, j)
									}
									continue
								}
								var s float64
								if beta != 0 {
									s = math.Abs(float64(beta) * float64(c0.at(i, j)))
								}
								s += math.Abs(float64(alpha)) * absP[i*n+j]
								d := k + 2
								if tA == blas.NoTrans {
									d = matVecsDepth[T](k) + 2
								}
								if !within(g, want.at(i, j), d, k+2, k+2, s) {
									t.Fatalf("%s: C[%d][%d] = %v, gonum %v: more than the bound for S=%g apart", name, i, j, g, want.at(i, j), s)
								}
							}
						}
						for l := range got.data {
							if l%ldc >= n && !tk.Same(got.data[l], c0.data[l]) {
								t.Fatalf("%s: wrote the gap at %d", name, l)
							}
						}
					}
				}
			}
		}
	}
}

func TestPanicsSyrk(t *testing.T) { syrkBoth(t, testPanicsSyrk[float64], testPanicsSyrk[float32]) }

func testPanicsSyrk[T kernels.Float](t *testing.T, ours, ref syrkFunc[T]) {
	r := tk.NewRand(97)
	seen := map[any]bool{}
	for range 8 * sweeps {
		ul := pick(r, blas.Upper, blas.Lower, badUploV)
		tA := pick(r, blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans)
		n, k := pick(r, -1, 0, 1, 3), pick(r, -1, 0, 1, 3)
		ar, ac := n, k
		if tA != blas.NoTrans {
			ar, ac = k, n
		}
		lda, ldc := max(1, ac)+pick(r, -1, 0, 2), max(1, n)+pick(r, -1, 0, 2)
		a, c := fill[T](r, matLen(r, ar, ac, lda)), fill[T](r, matLen(r, n, n, ldc))
		alpha, beta := pick[T](r, 0, 1, 2), pick[T](r, 0, 1, 2)
		name := fmt.Sprintf("syrk(%c, %c, n=%d, k=%d, alpha=%v, len(a)=%d, lda=%d, beta=%v, len(c)=%d, ldc=%d)", ul, tA, n, k, alpha, len(a), lda, beta, len(c), ldc)
		samePanics(t, name, seen, func(o bool) {
			f := ref
			if o {
				f = ours
			}
			f(ul, tA, n, k, alpha, a, lda, beta, slices.Clone(c), ldc)
		})
	}
	allSeen(t, seen, badUplo, badTranspose, nLT0, kLT0, badLdA, badLdC, shortA, shortC)
}

// TestSyrkNoAllocs: warm calls do not allocate.
func TestSyrkNoAllocs(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	r := tk.NewRand(99)
	a, c := fill[float64](r, 70*90), fill[float64](r, 70*70)
	allocs := testing.AllocsPerRun(5, func() {
		ours.Dsyrk(blas.Lower, blas.NoTrans, 70, 90, -1, a, 90, 1, c, 70)
		ours.Dsyrk(blas.Upper, blas.Trans, 70, 90, 0.5, a, 70, 0.25, c, 70)
	})
	if allocs != 0 {
		t.Fatalf("allocated %v times per run", allocs)
	}
}
