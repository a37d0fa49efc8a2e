package gonumblas

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

var trsmShapes = [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {1, 5}, {5, 1}, {7, 9}, {17, 4}, {33, 20}, {65, 6}, {9, 70}}

func TestTrsm(t *testing.T) { triBoth(t, testTrsm[float64], testTrsm[float32]) }

func testTrsm[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	tri3Cases(tk.NewRand(87), func(side blas.Side, f triFlag, m, n, k int, a, b matrix[T], alpha T) {
		got, want := b.clone(), b.clone()
		ours.trsm(side, f.ul, f.tA, f.d, m, n, alpha, a.data, a.ld, got.data, b.ld)
		ref.trsm(side, f.ul, f.tA, f.d, m, n, alpha, a.data, a.ld, want.data, b.ld)
		name := fmt.Sprintf("trsm(%c, %c, %c, %c, m=%d, n=%d, alpha=%v, lda=%d, ldb=%d)", side, f.ul, f.tA, f.d, m, n, alpha, a.ld, b.ld)
		for j := range got.data {
			if j%b.ld >= n && !tk.Same(got.data[j], b.data[j]) {
				t.Fatalf("%s: wrote the gap at %d", name, j)
			}
		}
		if alpha == 0 {
			for j := range got.data {
				if j%b.ld < n && got.data[j] != 0 {
					t.Fatalf("%s: B[%d] = %v, want 0", name, j, got.data[j])
				}
			}
			return
		}
		// Each column (Left) or row (Right) of X solves one
		// system: op(A) x = alpha b or op(A)ᵀ x = alpha b.
		g := f
		if side == blas.Right {
			g.tA = blas.Trans
			if f.tA != blas.NoTrans {
				g.tA = blas.NoTrans
			}
		}
		vecs, at := n, func(mt matrix[T], v, i int) T { return mt.at(i, v) }
		if side == blas.Right {
			vecs, at = m, func(mt matrix[T], v, i int) T { return mt.at(v, i) }
		}
		for v := range vecs {
			if vecs > 6 && v%(vecs/3) != 0 && v != vecs-1 {
				continue // a sample of the vectors: the residual is exact (math/big)
			}
			bv, xs, gs := make([]float64, k), make([]T, k), make([]T, k)
			for i := range k {
				bv[i] = float64(alpha * at(b, v, i))
				xs[i], gs[i] = at(got, v, i), at(want, v, i)
			}
			checkSolve(t, fmt.Sprintf("%s vector %d", name, v), a, g, bv, xs, gs)
		}
	})
}

func TestTrmm(t *testing.T) { triBoth(t, testTrmm[float64], testTrmm[float32]) }

func testTrmm[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	u := unit[T]()
	tri3Cases(tk.NewRand(88), func(side blas.Side, f triFlag, m, n, k int, a, b matrix[T], alpha T) {
		got, want := b.clone(), b.clone()
		ours.trmm(side, f.ul, f.tA, f.d, m, n, alpha, a.data, a.ld, got.data, b.ld)
		ref.trmm(side, f.ul, f.tA, f.d, m, n, alpha, a.data, a.ld, want.data, b.ld)
		name := fmt.Sprintf("trmm(%c, %c, %c, %c, m=%d, n=%d, alpha=%v, lda=%d, ldb=%d)", side, f.ul, f.tA, f.d, m, n, alpha, a.ld, b.ld)
		every := max(1, m*n/40) // a sample of the elements: exact sums are slow
		for i := range m {
			for j := range n {
				if (i*n+j)%every != 0 && i*n+j != m*n-1 {
					continue
				}
				// Exact B[i][j] = alpha sum_l op(A)[i][l] B[l][j]
				// (Left) or alpha sum_l B[i][l] op(A)[l][j] (Right).
				ex := new(big.Float).SetPrec(300)
				var abs float64
				for l := range k {
					var av, bv float64
					if side == blas.Left {
						av, bv = opAt(a, f, i, l), float64(b.at(l, j))
					} else {
						av, bv = opAt(a, f, l, j), float64(b.at(i, l))
					}
					if av == 0 {
						continue
					}
					p := new(big.Float).SetPrec(300).SetFloat64(av)
					p.Mul(p, new(big.Float).SetFloat64(bv))
					ex.Add(ex, p)
					abs += math.Abs(av * bv)
				}
				ex.Mul(ex, new(big.Float).SetFloat64(float64(alpha)))
				e, _ := ex.Float64()
				bound := float64(k+2) * u * math.Abs(float64(alpha)) * abs * 1.01
				if g := float64(got.at(i, j)); math.Abs(g-e) > bound {
					t.Fatalf("%s: B[%d][%d] = %v, exact %v: off by %g > %g", name, i, j, g, e, math.Abs(g-e), bound)
				}
				if w := float64(want.at(i, j)); math.Abs(w-e) > bound {
					t.Fatalf("%s: gonum's B[%d][%d] = %v, exact %v: off by %g > %g", name, i, j, w, e, math.Abs(w-e), bound)
				}
			}
		}
		for j := range got.data {
			if j%b.ld >= n && !tk.Same(got.data[j], b.data[j]) {
				t.Fatalf("%s: wrote the gap at %d", name, j)
			}
		}
	})
}

// tri3Cases calls f for every shape, side, flag set, padding and alpha of
// the Level 3 triangular tests, with a fresh k×k A and m×n B.
func tri3Cases[T kernels.Float](r *rand.Rand, f func(side blas.Side, fl triFlag, m, n, k int, a, b matrix[T], alpha T)) {
	for _, sh := range trsmShapes {
		m, n := sh[0], sh[1]
		for _, side := range []blas.Side{blas.Left, blas.Right} {
			k := n
			if side == blas.Left {
				k = m
			}
			for _, fl := range allTriFlags() {
				for _, pad := range []int{0, 3} {
					a := triMatrix[T](r, k, max(1, k)+pad, fl)
					b := newMatrix[T](r, m, n, max(1, n)+pad, T(7))
					for _, alpha := range []T{0, 1, -1, 0.75} {
						f(side, fl, m, n, k, a, b, alpha)
					}
				}
			}
		}
	}
}

func TestPanicsTriLevel3(t *testing.T) {
	triBoth(t, testPanicsTriLevel3[float64], testPanicsTriLevel3[float32])
}

func testPanicsTriLevel3[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	r := tk.NewRand(89)
	seen := map[any]bool{}
	for range 8 * sweeps {
		side := pick(r, blas.Left, blas.Right, blas.Side('X'))
		ul := pick(r, blas.Upper, blas.Lower, badUploV)
		tA := pick(r, blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans)
		d := pick(r, blas.Unit, blas.NonUnit, badDiagV)
		m, n := pick(r, -1, 0, 1, 3), pick(r, -1, 0, 1, 3)
		k := n
		if side == blas.Left {
			k = m
		}
		lda, ldb := max(1, k)+pick(r, -1, 0, 2), max(1, n)+pick(r, -1, 0, 2)
		a, b := fill[T](r, matLen(r, k, k, lda)), fill[T](r, matLen(r, m, n, ldb))
		alpha := pick[T](r, 0, 1, 2)
		mul := r.IntN(2) == 0
		name := fmt.Sprintf("trsm or trmm (%v)(%c, %c, %c, %c, m=%d, n=%d, alpha=%v, len(a)=%d, lda=%d, len(b)=%d, ldb=%d)", mul, side, ul, tA, d, m, n, alpha, len(a), lda, len(b), ldb)
		samePanics(t, name, seen, func(o bool) {
			rt := ref
			if o {
				rt = ours
			}
			call := rt.trsm
			if mul {
				call = rt.trmm
			}
			call(side, ul, tA, d, m, n, alpha, a, lda, slices.Clone(b), ldb)
		})
	}
	allSeen(t, seen, badSide, badUplo, badTranspose, badDiag, mLT0, nLT0, badLdA, badLdB, shortA, shortB)
}

// TestTriTiersIdentical: the triangular routines give the same bits on
// every SIMD tier, and gonum's on generic (see TestTiersIdentical).
func TestTriTiersIdentical(t *testing.T) {
	testTriTiers(t, triRoutines64(ours), triRoutines64(ref))
	testTriTiers(t, triRoutines32(ours), triRoutines32(ref))
}

func testTriTiers[T kernels.Float](t *testing.T, rt, gonumRT triRoutines[T]) {
	run := func(rt triRoutines[T]) [][]T {
		r := tk.NewRand(91)
		var out [][]T
		for _, n := range []int{70, 9} {
			for _, f := range allTriFlags() {
				a := triMatrix[T](r, n, n+3, f)
				x := fill[T](r, 3*n)
				for _, inc := range []int{1, -3} {
					xc := slices.Clone(x)
					rt.trmv(f.ul, f.tA, f.d, n, a.data, n+3, xc, inc)
					out = append(out, xc)
					xc = slices.Clone(x)
					rt.trsv(f.ul, f.tA, f.d, n, a.data, n+3, xc, inc)
					out = append(out, xc)
				}
				for _, side := range []blas.Side{blas.Left, blas.Right} {
					b := fill[T](r, n*(n+5))
					rt.trsm(side, f.ul, f.tA, f.d, n, n, 0.5, a.data, n+3, b, n+5)
					out = append(out, b)
					b = fill[T](r, n*(n+5))
					rt.trmm(side, f.ul, f.tA, f.d, n, n, -0.5, a.data, n+3, b, n+5)
					out = append(out, b)
				}
			}
		}
		return out
	}
	compareTiers(t, func() [][]T { return run(rt) }, func() [][]T { return run(gonumRT) })
}

// TestTriNoAllocs: warm calls do not allocate.
func TestTriNoAllocs(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	r := tk.NewRand(93)
	f := triFlag{blas.Lower, blas.NoTrans, blas.NonUnit}
	a := triMatrix[float64](r, 30, 30, f)
	x, b := fill[float64](r, 60), fill[float64](r, 30*30)
	allocs := testing.AllocsPerRun(5, func() {
		ours.Dtrmv(blas.Lower, blas.NoTrans, blas.NonUnit, 30, a.data, 30, x, -2)
		ours.Dtrsv(blas.Lower, blas.Trans, blas.NonUnit, 30, a.data, 30, x, 1)
		ours.Dtrsm(blas.Left, blas.Lower, blas.NoTrans, blas.NonUnit, 30, 30, 1, a.data, 30, b, 30)
		ours.Dtrsm(blas.Right, blas.Lower, blas.Trans, blas.NonUnit, 30, 30, 0.5, a.data, 30, b, 30)
		ours.Dtrmm(blas.Left, blas.Upper, blas.NoTrans, blas.Unit, 30, 30, 0.5, a.data, 30, b, 30)
		ours.Dtrmm(blas.Right, blas.Lower, blas.Trans, blas.NonUnit, 30, 30, 1, a.data, 30, b, 30)
	})
	if allocs != 0 {
		t.Fatalf("allocated %v times per run", allocs)
	}
}
