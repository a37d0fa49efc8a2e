package kernels

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// onTier runs f with the public API on tier t.
func onTier(t cpu.Tier, f func()) {
	defer func(a cpu.Tier) { active = a }(active)
	active = t
	f()
}

// The reference of the triangular kernels is internal/ref (TriMatVecs,
// TriSolveVecs, TriLogDet); these adapters take Matrix views.

func refTriMul[T Float](x, a Matrix[T], upper, trans, unit bool) {
	ref.TriMatVecs(x.Data, x.Stride, x.Rows, a.Data, a.Stride, a.Rows, upper, trans, unit)
}

func refTriSolve[T Float](x, a Matrix[T], upper, trans, unit bool) {
	ref.TriSolveVecs(x.Data, x.Stride, x.Rows, a.Data, a.Stride, a.Rows, upper, trans, unit)
}

// triAt returns op(A)[i][k].
func triAt[T Float](a Matrix[T], trans bool, i, k int) T {
	if trans {
		i, k = k, i
	}
	return a.Data[i*a.Stride+k]
}

// triMatrix returns a guarded n x n matrix whose triangle holds values of
// order one (diagonal 1 to 2 in magnitude, random sign, so that solves stay
// well conditioned) and whose other triangle, gaps and (when unit)
// diagonal hold NaN: a kernel reading them poisons its result.
func triMatrix[T Float](r *rand.Rand, n int, upper, unit bool) gmat[T] {
	g := newGMat[T](r, n, n, r.IntN(3)*r.IntN(3), r.IntN(8), nan[T]())
	for i := range n {
		for k := range n {
			v := &g.m.Data[i*g.m.Stride+k]
			switch {
			case i == k && unit:
				*v = nan[T]()
			case i == k:
				*v = T((1 + r.Float64()) * float64(1-2*r.IntN(2)))
			case (k > i) != upper:
				*v = nan[T]()
			default:
				*v /= T(math.Sqrt(float64(n)))
			}
		}
	}
	return g
}

// triShapes are (n, batch) pairs: every small n (all leaf and half
// remainders), n across the block of 64 and the batch chunk of 256.
func triShapes(short bool) [][2]int {
	var out [][2]int
	for n := 0; n <= 20; n++ {
		out = append(out, [2]int{n, (n*7 + 3) % 13})
	}
	out = append(out, [2]int{31, 40}, [2]int{33, 1}, [2]int{63, 17}, [2]int{64, 9}, [2]int{65, 30},
		[2]int{100, 3}, [2]int{129, 20}, [2]int{7, 300}, [2]int{40, 513}, [2]int{70, 2}, [2]int{134, 7}, [2]int{67, 8},
		[2]int{520, 3}, [2]int{600, 1}) // the last two: triMulRowsA, past triRowsA
	if !short {
		out = append(out, [2]int{200, 70}, [2]int{130, 260})
	}
	return out
}

type triFlags struct{ upper, trans, unit bool }

func allTriFlags() []triFlags {
	var fs []triFlags
	for i := range 8 {
		fs = append(fs, triFlags{i&1 != 0, i&2 != 0, i&4 != 0})
	}
	return fs
}

func TestTriMatVecs(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testTri[float64](t, tier, false) },
		func(t *testing.T, tier cpu.Tier) { testTri[float32](t, tier, false) })
}

func TestTriSolveVecs(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testTri[float64](t, tier, true) },
		func(t *testing.T, tier cpu.Tier) { testTri[float32](t, tier, true) })
}

// testTri runs every shape and flag combination, with one and three
// workers, against the scalar reference bit for bit, inside NaN guards.
func testTri[T Float](t *testing.T, tier cpu.Tier, solve bool) {
	for _, sh := range triShapes(testing.Short()) {
		n, nb := sh[0], sh[1]
		for _, f := range allTriFlags() {
			for _, workers := range workerCounts {
				r := shapeRand([3]int{n, nb, workers}, 31)
				a := triMatrix[T](r, n, f.upper, f.unit)
				x := newGMat[T](r, nb, n, r.IntN(2)*r.IntN(5), r.IntN(8), -7)
				a0, x0 := clone(a.m.Data), clone(x.m.Data)
				what := fmt.Sprintf("solve=%v n=%d batch=%d %+v workers=%d", solve, n, nb, f, workers)
				want := memoRef(what, func() []T {
					w := clone(x0)
					wm := Matrix[T]{Rows: nb, Cols: n, Data: w, Stride: x.m.Stride}
					if solve {
						refTriSolve(wm, a.m, f.upper, f.trans, f.unit)
					} else {
						refTriMul(wm, a.m, f.upper, f.trans, f.unit)
					}
					return w
				})
				s := triSpec[T]{a: a.m, upper: f.upper, trans: f.trans, unit: f.unit}
				if solve {
					triSolveOn(tier, workers, x.m, &s)
				} else {
					triMulOn(tier, workers, x.m, &s)
				}
				sameSlice(t, what, x.m.Data, want)
				sameSlice(t, what+" a", a.m.Data, a0)
				checkAll(t, what, a, x)
			}
		}
	}
}

// TestTriSpecialValues puts NaN, Inf, zeros and extremes into X and the
// triangle of A: the kernels must agree with the reference bit for bit
// (NaN payloads aside) and not crash.
func TestTriSpecialValues(t *testing.T) {
	forBoth(t, testTriSpecials[float64], testTriSpecials[float32])
}

func testTriSpecials[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(41)
	for _, sh := range [][2]int{{1, 1}, {5, 3}, {17, 9}, {70, 12}, {530, 2}} {
		n, nb := sh[0], sh[1]
		for _, f := range allTriFlags() {
			a := triMatrix[T](r, n, f.upper, f.unit)
			for i := range n {
				for k := range n {
					if v := &a.m.Data[i*a.m.Stride+k]; *v == *v && r.IntN(6) == 0 {
						*v = tk.Specials[T]()[r.IntN(len(tk.Specials[T]()))]
					}
				}
			}
			x := newGMat[T](r, nb, n, 0, 0, -7)
			sprinkle(r, x.m.Data)
			if nb > 1 { // a row of -0: each output is +0 (chains start at +0)
				for j := range n {
					x.m.Data[j] = T(math.Copysign(0, -1))
				}
			}
			for _, solve := range []bool{false, true} {
				got, want := clone(x.m.Data), clone(x.m.Data)
				gm, wm := Matrix[T]{nb, n, got, n}, Matrix[T]{nb, n, want, n}
				s := triSpec[T]{a: a.m, upper: f.upper, trans: f.trans, unit: f.unit}
				if solve {
					triSolveOn(tier, 1, gm, &s)
					refTriSolve(wm, a.m, f.upper, f.trans, f.unit)
				} else {
					triMulOn(tier, 1, gm, &s)
					refTriMul(wm, a.m, f.upper, f.trans, f.unit)
				}
				sameSlice(t, fmt.Sprintf("specials solve=%v n=%d %+v", solve, n, f), got, want)
			}
		}
	}
}

// TestTriGonum compares with gonum's Dtrmm/Dtrsm (Strmm/Strsm) on the same
// rows (side Right with the transpose flipped: X op(A)ᵀ). Products: within
// the sum of both bounds, (n + n+2) u sum_k |M[i][k] x[k]|. Solves: the
// residual of ours, b - M x, computed exactly, is within (n+1) u (|M| |x|)
// componentwise (the backward error of a substitution, the reciprocal's
// rounding included), and ours and gonum's agree to the forward error this
// implies for the well-conditioned matrices used.
func TestTriGonum(t *testing.T) {
	forBoth(t, testTriGonum[float64], testTriGonum[float32])
}

func testTriGonum[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(43)
	u := unitRoundoff[T]()
	for trial := range 24 {
		n, nb := 1+r.IntN(90), 1+r.IntN(12)
		f := allTriFlags()[trial%8]
		a := triMatrix[T](r, n, f.upper, f.unit)
		x := make([]T, nb*n)
		tk.Fill(r, x)
		ul, tA, dg := blas.Lower, blas.Trans, blas.NonUnit
		if f.upper {
			ul = blas.Upper
		}
		if f.trans {
			tA = blas.NoTrans
		}
		if f.unit {
			dg = blas.Unit
		}
		what := fmt.Sprintf("n=%d batch=%d %+v", n, nb, f)
		s := triSpec[T]{a: a.m, upper: f.upper, trans: f.trans, unit: f.unit}
		m := func(i, k int) float64 {
			if i == k && f.unit {
				return 1
			}
			if (k > i) == (f.upper == f.trans) && k != i {
				return 0
			}
			return float64(triAt(a.m, f.trans, i, k))
		}
		// Products.
		got, gon := clone(x), clone(x)
		triMulOn(tier, 1, Matrix[T]{nb, n, got, n}, &s)
		if is64[T]() {
			gonum.Implementation{}.Dtrmm(blas.Right, ul, tA, dg, nb, n, 1, f64(a.m.Data), a.m.Stride, f64(gon), n)
		} else {
			gonum.Implementation{}.Strmm(blas.Right, ul, tA, dg, nb, n, 1, f32(a.m.Data), a.m.Stride, f32(gon), n)
		}
		for b := range nb {
			for i := range n {
				var abs float64
				for k := range n {
					abs += math.Abs(m(i, k) * float64(x[b*n+k]))
				}
				bound := float64(2*n+2) * u * abs * 1.01
				if d := math.Abs(float64(got[b*n+i]) - float64(gon[b*n+i])); d > bound {
					t.Fatalf("TriMatVecs %s: row %d col %d: %v vs gonum %v differ by %g > %g", what, b, i, got[b*n+i], gon[b*n+i], d, bound)
				}
			}
		}
		// Solves.
		got, gon = clone(x), clone(x)
		triSolveOn(tier, 1, Matrix[T]{nb, n, got, n}, &s)
		if is64[T]() {
			gonum.Implementation{}.Dtrsm(blas.Right, ul, tA, dg, nb, n, 1, f64(a.m.Data), a.m.Stride, f64(gon), n)
		} else {
			gonum.Implementation{}.Strsm(blas.Right, ul, tA, dg, nb, n, 1, f32(a.m.Data), a.m.Stride, f32(gon), n)
		}
		for b := range nb {
			var xmax float64
			for i := range n {
				xmax = max(xmax, math.Abs(float64(got[b*n+i])))
			}
			for i := range n {
				res := new(big.Float).SetPrec(400).SetFloat64(float64(x[b*n+i]))
				var abs float64
				for k := range n {
					if mk := m(i, k); mk != 0 {
						p := new(big.Float).SetPrec(400).SetFloat64(mk)
						p.Mul(p, new(big.Float).SetFloat64(float64(got[b*n+k])))
						res.Sub(res, p)
						abs += math.Abs(mk * float64(got[b*n+k]))
					}
				}
				rf, _ := res.Float64()
				if bound := float64(n+1) * u * abs * 1.01; math.Abs(rf) > bound {
					t.Fatalf("TriSolveVecs %s: row %d: residual %g > bound %g", what, b, rf, bound)
				}
				// The matrices are well conditioned (unit-size diagonal,
				// off-diagonal of order 1/sqrt(n)): the two solutions agree
				// to a few thousand u relative to the row.
				if d := math.Abs(float64(got[b*n+i]) - float64(gon[b*n+i])); d > 4096*float64(n)*u*xmax {
					t.Fatalf("TriSolveVecs %s: row %d col %d: %v vs gonum %v", what, b, i, got[b*n+i], gon[b*n+i])
				}
			}
		}
	}
}

// TestTriBatchIndependence: a row gives the same bits alone or in a batch.
func TestTriBatchIndependence(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		r := tk.NewRand(45)
		n, nb := 77, 300
		for _, f := range allTriFlags() {
			a := triMatrix[float64](r, n, f.upper, f.unit)
			x := make([]float64, nb*n)
			tk.Fill(r, x)
			s := triSpec[float64]{a: a.m, upper: f.upper, trans: f.trans, unit: f.unit}
			for _, solve := range []bool{false, true} {
				all := clone(x)
				run := func(m Matrix[float64]) {
					if solve {
						triSolveOn(tier, 2, m, &s)
					} else {
						triMulOn(tier, 2, m, &s)
					}
				}
				run(Matrix[float64]{nb, n, all, n})
				for _, b := range []int{0, 129, 256, nb - 1} {
					one := clone(x[b*n : b*n+n])
					run(Matrix[float64]{1, n, one, n})
					sameSlice(t, fmt.Sprintf("solve=%v %+v row %d", solve, f, b), one, all[b*n:b*n+n])
				}
			}
		}
	})
}

func TestTriPanics(t *testing.T) {
	z := func(r, c int) Matrix[float64] { return Matrix[float64]{r, c, make([]float64, r*c), max(1, c)} }
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"TriMatVecs square", func() { TriMatVecs(z(2, 3), z(3, 4), false, false, false) }, []string{"TriMatVecs", "a is 3x4", "not square"}},
		{"TriMatVecs x cols", func() { TriMatVecs(z(2, 4), z(3, 3), true, false, false) }, []string{"TriMatVecs", "x is 2x4", "a is 3x3"}},
		{"TriSolveVecs x cols", func() { TriSolveVecs(z(2, 2), z(3, 3), true, true, true) }, []string{"TriSolveVecs", "x is 2x2", "needs 3 columns"}},
		{"TriSolveVecs short", func() { TriSolveVecs(z(2, 3), Matrix[float64]{3, 3, make([]float64, 8), 3}, false, false, false) }, []string{"TriSolveVecs", "a", "has 8"}},
		{"TriSolveVecs x stride", func() { TriSolveVecs(Matrix[float64]{2, 3, make([]float64, 6), 2}, z(3, 3), false, false, false) }, []string{"TriSolveVecs", "x", "Stride 2"}},
		{"TriLogDet square", func() { TriLogDet(z(2, 3)) }, []string{"TriLogDet", "a is 2x3"}},
		{"TriLogDets len", func() { TriLogDets(make([]float64, 2), []Matrix[float64]{z(2, 2)}) }, []string{"TriLogDets", "len(dst) = 2", "len(factors) = 1"}},
		{"TriLogDets square", func() { TriLogDets(make([]float64, 2), []Matrix[float64]{z(2, 2), z(1, 2)}) }, []string{"TriLogDets", "factors[1] is 1x2"}},
		{"TriMatVecsDiag diag len", func() { TriMatVecsDiag(z(2, 3), z(3, 3), make([]float64, 2), false, false) }, []string{"TriMatVecsDiag", "len(diag) = 2", "n = 3"}},
		{"TriSolveVecsDiag x cols", func() { TriSolveVecsDiag(z(2, 2), z(3, 3), nil, true, false) }, []string{"TriSolveVecsDiag", "x is 2x2", "needs 3 columns"}},
		{"TriSolveVecsDiag square", func() { TriSolveVecsDiag(z(2, 3), z(3, 2), nil, true, false) }, []string{"TriSolveVecsDiag", "a is 3x2", "not square"}},
		{"AddOutersTri square", func() { AddOutersTri(z(3, 2), nil, z(1, 3), z(1, 3), true) }, []string{"AddOutersTri", "g is 3x2", "not square"}},
		{"AddOutersTri d cols", func() { AddOutersTri(z(3, 3), nil, z(1, 2), z(1, 3), true) }, []string{"AddOutersTri", "d is 1x2", "x is 1x3", "batch x 3"}},
		{"AddOutersTri batch", func() { AddOutersTri(z(3, 3), nil, z(2, 3), z(1, 3), false) }, []string{"AddOutersTri", "d is 2x3", "x is 1x3"}},
		{"AddOutersTri ds len", func() { AddOutersTri(z(3, 3), make([]float64, 4), z(2, 3), z(2, 3), false) }, []string{"AddOutersTri", "len(ds) = 4", "n = 3"}},
		{"AddOutersTri x stride", func() { AddOutersTri(z(3, 3), nil, z(2, 3), Matrix[float64]{2, 3, make([]float64, 6), 2}, false) }, []string{"AddOutersTri", "x", "Stride 2"}},
		{"AddRowSums len", func() { AddRowSums(make([]float64, 2), z(3, 4)) }, []string{"AddRowSums", "len(logdet) = 2", "s.Rows = 3"}},
		{"AddRowSums negative", func() { AddRowSums(make([]float64, 2), Matrix[float64]{Rows: -2, Cols: 1, Stride: 1}) }, []string{"AddRowSums", "negative"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectPanic(t, c.name, c.f, c.want...) })
	}
	// Empty shapes are valid and do nothing.
	TriMatVecs(z(0, 3), z(3, 3), false, false, false)
	TriSolveVecs(z(4, 0), z(0, 0), true, true, false)
	if v := TriLogDet(z(0, 0)); v != 0 || math.Signbit(v) {
		t.Fatalf("TriLogDet of 0x0 = %v, want +0", v)
	}
	AddRowSums(nil, z(0, 5))
	TriMatVecsDiag(z(0, 3), z(3, 3), nil, false, false)
	TriSolveVecsDiag(z(2, 0), z(0, 0), []float64{}, true, true)
	ds := []float64{7}
	AddOutersTri(z(1, 1), ds, z(0, 1), z(0, 1), true)
	if ds[0] != 0 || math.Signbit(ds[0]) {
		t.Fatalf("AddOutersTri of an empty batch: ds = %v, want +0", ds)
	}
}

// TestTriNoAllocs: single-goroutine calls do not allocate once warm.
func TestTriNoAllocs(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	defer SetMaxWorkers(SetMaxWorkers(1))
	n, nb := 70, 40
	a, x := make([]float64, n*n), make([]float64, nb*n)
	tk.Fill(tk.NewRand(1), x)
	for i := range n {
		a[i*n+i] = 1
	}
	as, xs := make([]float32, n*n), make([]float32, nb*n)
	A, X := Matrix[float64]{n, n, a, n}, Matrix[float64]{nb, n, x, n}
	ld := make([]float64, nb)
	allocs := testing.AllocsPerRun(5, func() {
		TriMatVecs(X, A, false, true, false)
		TriSolveVecs(X, A, true, false, false)
		TriSolveVecs(Matrix[float32]{nb, n, xs, n}, Matrix[float32]{n, n, as, n}, false, false, true)
		_ = TriLogDet(A)
		AddRowSums(ld, X)
	})
	if allocs != 0 {
		t.Fatalf("triangular kernels allocated %v times per run", allocs)
	}
}

// TestTriLogDet checks TriLogDet on every tier against Sum of Log of the
// diagonal (its definition) bit for bit, over lengths across the block of
// 256 and the lanes, with guards, special values included.
func TestTriLogDet(t *testing.T) { forBoth(t, testTriLogDet[float64], testTriLogDet[float32]) }

func testTriLogDet[T Float](t *testing.T, tier cpu.Tier) {
	for _, n := range []int{0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 255, 256, 257, 513, 700} {
		for trial := range 3 {
			r := shapeRand([3]int{n, trial, 0}, 47)
			a := newGMat[T](r, n, n, r.IntN(3), r.IntN(8), nan[T]())
			diag := make([]T, n)
			for i := range n {
				for k := range n {
					if i != k {
						a.m.Data[i*a.m.Stride+k] = nan[T]() // never read
					}
				}
				if trial == 2 && r.IntN(20) == 0 {
					a.m.Data[i*a.m.Stride+i] = tk.Specials[T]()[r.IntN(len(tk.Specials[T]()))]
				}
				diag[i] = T(math.Abs(float64(a.m.Data[i*a.m.Stride+i])))
			}
			logs := make([]T, n)
			vmathOn(cpu.Generic, fnLog, "Log", logs, diag)
			want := ref.Sum(logs)
			got := triLogDetOn(tier, a.m)
			if !tk.Same(got, want) {
				t.Fatalf("n=%d trial %d: TriLogDet = %v, Sum(Log|diag|) = %v", n, trial, got, want)
			}
			checkAll(t, "TriLogDet", a)
		}
	}
	// Zero and NaN on the diagonal.
	z := []T{2, 9, 9, 9, 0, 9, 9, 9, 1}
	if v := triLogDetOn(tier, Matrix[T]{3, 3, z, 3}); !math.IsInf(float64(v), -1) {
		t.Fatalf("zero diagonal: %v, want -Inf", v)
	}
	z[4] = nan[T]()
	if v := triLogDetOn(tier, Matrix[T]{3, 3, z, 3}); v == v {
		t.Fatalf("NaN diagonal: %v, want NaN", v)
	}
}

// TestTriLogDetGonum compares with gonum's LU and Cholesky log-determinants
// (float64): |ours - gonum| <= (ceil(n/32) + 5 + 2) u S + n u S, S = sum
// |log|u_ii||, the sum of our bound (see the doc) and gonum's (a
// sequential sum of math.Log).
func TestTriLogDetGonum(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		r := tk.NewRand(49)
		u := 0x1p-53
		for _, n := range []int{1, 2, 5, 17, 40, 100, 300} {
			d := mat.NewDense(n, n, nil)
			for i := range n {
				for k := range n {
					d.Set(i, k, r.NormFloat64())
				}
			}
			var lu mat.LU
			lu.Factorize(d)
			var uf mat.TriDense
			lu.UTo(&uf)
			um := uf.RawTriangular()
			got := triLogDetOn(tier, Matrix[float64]{n, n, um.Data, um.Stride})
			want, _ := lu.LogDet()
			var S float64
			for i := range n {
				S += math.Abs(math.Log(math.Abs(uf.At(i, i))))
			}
			bound := (float64((n+31)/32+7) + float64(n)) * u * S * 1.01
			if math.Abs(got-want) > bound {
				t.Fatalf("LU n=%d: TriLogDet %v, gonum %v: differ by %g > %g", n, got, want, got-want, bound)
			}
			// Covariance C = D Dᵀ + n I, log det C = 2 TriLogDet(chol).
			var c mat.SymDense
			c.SymOuterK(1, d)
			for i := range n {
				c.SetSym(i, i, c.At(i, i)+float64(n))
			}
			var ch mat.Cholesky
			if !ch.Factorize(&c) {
				t.Fatalf("n=%d: not positive definite", n)
			}
			var lf mat.TriDense
			ch.LTo(&lf)
			lm := lf.RawTriangular()
			got = 2 * triLogDetOn(tier, Matrix[float64]{n, n, lm.Data, lm.Stride})
			want = ch.LogDet()
			S = 0
			for i := range n {
				S += 2 * math.Abs(math.Log(lf.At(i, i)))
			}
			if bound := (float64((n+31)/32+7) + float64(n)) * u * S * 1.01; math.Abs(got-want) > bound {
				t.Fatalf("Cholesky n=%d: 2 TriLogDet %v, gonum %v: differ by %g > %g", n, got, want, got-want, bound)
			}
		}
	})
}

func TestAddRowSums(t *testing.T) { forBoth(t, testAddRowSums[float64], testAddRowSums[float32]) }

func testAddRowSums[T Float](t *testing.T, tier cpu.Tier) {
	for _, sh := range [][2]int{{0, 3}, {3, 0}, {1, 1}, {5, 33}, {9, 65}, {4, 300}} {
		r := shapeRand([3]int{sh[0], sh[1], 0}, 51)
		s := newGMat[T](r, sh[0], sh[1], r.IntN(3), r.IntN(8), nan[T]())
		sprinkle(r, s.m.Data[:len(s.m.Data)/2])
		gl := tk.NewGuarded[T](sh[0], r.IntN(4))
		ld := gl.S()
		tk.Fill(r, ld)
		want := clone(ld)
		for b := range want {
			if sh[1] > 0 {
				want[b] += ref.Sum(s.m.Data[b*s.m.Stride : b*s.m.Stride+sh[1]])
			} else {
				want[b] += 0
			}
		}
		addRowSumsOn(tier, ld, s.m)
		sameSlice(t, fmt.Sprintf("AddRowSums %v", sh), ld, want)
		checkAll(t, "AddRowSums", s)
		if err := gl.Check(); err != nil {
			t.Fatal(err)
		}
	}
}
