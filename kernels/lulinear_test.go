package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

// onTier runs f with the public API on tier t.
func onTier(t cpu.Tier, f func()) {
	defer func(a cpu.Tier) { active = a }(active)
	active = t
	f()
}

// luCase is a random LULinear in guarded matrices: L and U separate (their
// unused triangles and diagonals NaN) or one shared matrix (NaN diagonal).
type luCase[T Float] struct {
	l      LULinear[T]
	gl, gu gmat[T]
}

func newLUCase[T Float](r *rand.Rand, d int, shared bool) *luCase[T] {
	c := &luCase[T]{}
	mk := func() gmat[T] {
		g := newGMat[T](r, d, d, r.IntN(3), r.IntN(8), nan[T]())
		for i := range d {
			for k := range d {
				g.m.Data[i*g.m.Stride+k] = T(0.5 * r.NormFloat64() / math.Sqrt(float64(d)))
			}
			g.m.Data[i*g.m.Stride+i] = nan[T]()
		}
		return g
	}
	c.gl = mk()
	c.gu = c.gl
	if !shared {
		c.gu = mk()
		for i := range d {
			for k := range d {
				if k > i {
					c.gl.m.Data[i*c.gl.m.Stride+k] = nan[T]()
				} else if k < i {
					c.gu.m.Data[i*c.gu.m.Stride+k] = nan[T]()
				}
			}
		}
	}
	c.l = LULinear[T]{Perm: r.Perm(d), L: c.gl.m, U: c.gu.m, Sign: make([]T, d), LogS: make([]T, d)}
	for i := range d {
		c.l.Sign[i] = T(1 - 2*r.IntN(2))
		c.l.LogS[i] = T(0.3 * r.NormFloat64())
	}
	return c
}

// dense returns W = P L (U + diag(s)) in float64, s computed in float64.
func (c *luCase[T]) dense() *mat.Dense {
	d := c.l.Dim()
	L, U, P := mat.NewDense(d, d, nil), mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
	for i := range d {
		L.Set(i, i, 1)
		U.Set(i, i, float64(c.l.Sign[i])*math.Exp(float64(c.l.LogS[i])))
		P.Set(i, c.l.Perm[i], 1)
		for k := range d {
			if k < i {
				L.Set(i, k, float64(c.l.L.Data[i*c.l.L.Stride+k]))
			} else if k > i {
				U.Set(i, k, float64(c.l.U.Data[i*c.l.U.Stride+k]))
			}
		}
	}
	var w mat.Dense
	w.Mul(P, L)
	w.Mul(&w, U)
	return &w
}

var luDims = []int{0, 1, 2, 3, 5, 8, 9, 17, 64, 65, 130}

// TestLULinearForward compares Forward with Y = X Wᵀ from the dense W
// (gonum, float64): |y - ref| <= (2d + 4) u (|L| (|U| + |s|) |x|)[perm],
// the bound of the two products and the scales (Exp within 1 ulp, the
// sign product exact), u the unit roundoff of T.
func TestLULinearForward(t *testing.T) { forBoth(t, testLUForward[float64], testLUForward[float32]) }

func testLUForward[T Float](t *testing.T, tier cpu.Tier) {
	u := unitRoundoff[T]()
	for _, d := range luDims {
		for _, shared := range []bool{false, true} {
			r := shapeRand([3]int{d, 0, 0}, 61)
			c := newLUCase[T](r, d, shared)
			nb := 1 + r.IntN(9)
			x := newGMat[T](r, nb, d, r.IntN(3), r.IntN(8), nan[T]())
			y := newGMat[T](r, nb, d, r.IntN(3), r.IntN(8), -7)
			ld := make([]T, nb)
			tk.Fill(r, ld)
			ld0 := clone(ld)
			onTier(tier, func() { c.l.Forward(y.m, x.m, ld) })
			checkAll(t, "Forward", x, y, c.gl, c.gu)
			var w *mat.Dense
			if d > 0 {
				w = c.dense()
			}
			// |L| (|U| + |s|) as absolute values for the bound.
			absLU := mat.NewDense(max(1, d), max(1, d), nil)
			for i := range d {
				for k := range d {
					var s float64
					for j := range d {
						lij, ujk := 0.0, 0.0
						switch {
						case j == i:
							lij = 1
						case j < i:
							lij = math.Abs(float64(c.l.L.Data[i*c.l.L.Stride+j]))
						}
						switch {
						case k == j:
							ujk = math.Exp(float64(c.l.LogS[j]))
						case k > j:
							ujk = math.Abs(float64(c.l.U.Data[j*c.l.U.Stride+k]))
						}
						s += lij * ujk
					}
					absLU.Set(i, k, s)
				}
			}
			for b := range nb {
				for i := range d {
					var want, abs float64
					for k := range d {
						xv := float64(x.m.Data[b*x.m.Stride+k])
						want += w.At(i, k) * xv
						abs += absLU.At(c.l.Perm[i], k) * math.Abs(xv)
					}
					got := float64(y.m.Data[b*y.m.Stride+i])
					if bound := float64(2*d+4) * u * abs * 1.01; math.Abs(got-want) > bound {
						t.Fatalf("d=%d shared=%v row %d: y[%d] = %v, dense W x = %v: differ by %g > %g", d, shared, b, i, got, want, got-want, bound)
					}
				}
				if want := ld0[b] + sumOn(cpu.Generic, c.l.LogS); !tk.Same(ld[b], want) {
					t.Fatalf("d=%d: logdet[%d] = %v, want %v", d, b, ld[b], want)
				}
			}
		}
	}
}

// TestLULinearRoundTrip: Inverse(Forward(x)) is x within 16 d u cond(W)
// max|x[b]| per row (cond in the infinity norm), in place and not; the
// log-determinant comes back within 2 u (|logdet| + |LogDet|).
func TestLULinearRoundTrip(t *testing.T) {
	forBoth(t, testLURoundTrip[float64], testLURoundTrip[float32])
}

func testLURoundTrip[T Float](t *testing.T, tier cpu.Tier) {
	u := unitRoundoff[T]()
	for _, d := range luDims {
		for _, inPlace := range []bool{false, true} {
			r := shapeRand([3]int{d, 1, 0}, 63)
			c := newLUCase[T](r, d, inPlace)
			nb := 1 + r.IntN(20)
			x := newGMat[T](r, nb, d, r.IntN(3), r.IntN(8), nan[T]())
			x0 := clone(x.m.Data)
			y := x
			if !inPlace {
				y = newGMat[T](r, nb, d, r.IntN(3), r.IntN(8), -7)
			}
			ld := make([]T, nb)
			tk.Fill(r, ld)
			ld0 := clone(ld)
			onTier(tier, func() {
				c.l.Forward(y.m, x.m, ld)
				if !inPlace {
					x = newGMat[T](r, nb, d, x.m.Stride-d, 3, -7)
				}
				c.l.Inverse(x.m, y.m, ld)
			})
			checkAll(t, "RoundTrip", x, y, c.gl, c.gu)
			cond := 1.0
			if d > 0 {
				cond = mat.Cond(c.dense(), math.Inf(1))
			}
			for b := range nb {
				var xmax float64
				for k := range d {
					xmax = max(xmax, math.Abs(float64(x0[b*x.m.Stride+k])))
				}
				for k := range d {
					got, want := float64(x.m.Data[b*x.m.Stride+k]), float64(x0[b*x.m.Stride+k])
					if bound := 16 * float64(d) * u * cond * xmax; math.Abs(got-want) > bound {
						t.Fatalf("d=%d inPlace=%v row %d: x[%d] = %v back as %v: differ by %g > %g (cond %g)", d, inPlace, b, k, want, got, got-want, bound, cond)
					}
				}
				ls := float64(sumOn(cpu.Generic, c.l.LogS))
				if dd := math.Abs(float64(ld[b]) - float64(ld0[b])); dd > 2*u*(math.Abs(float64(ld0[b]))+math.Abs(ls)) {
					t.Fatalf("d=%d: logdet[%d] came back as %v, was %v", d, b, ld[b], ld0[b])
				}
			}
		}
	}
}

// TestLULinearLogDet compares LogDet with gonum's LU log-determinant of
// the dense W (float64): within (ceil(d/32) + 5) u sum|LogS| (ours) plus
// 8 d u cond(W) for the factorization gonum does.
func TestLULinearLogDet(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		u := 0x1p-53
		for _, d := range luDims[1:] {
			r := shapeRand([3]int{d, 2, 0}, 65)
			c := newLUCase[float64](r, d, true)
			var got float64
			onTier(tier, func() { got = c.l.LogDet() })
			var lu mat.LU
			w := c.dense()
			lu.Factorize(w)
			want, _ := lu.LogDet()
			var abs float64
			for _, v := range c.l.LogS {
				abs += math.Abs(v)
			}
			bound := float64((d+31)/32+5)*u*abs + 8*float64(d)*u*mat.Cond(w, math.Inf(1))
			if math.Abs(got-want) > bound {
				t.Fatalf("d=%d: LogDet %v, gonum %v: differ by %g > %g", d, got, want, got-want, bound)
			}
		}
	})
}

// TestLULinearBackward checks Backward against central differences of the
// loss sum_b <c[b], y[b]> + e[b] logdet[b] (float64, small d): dx and
// every parameter gradient within 1e-6 relative, accumulated onto the
// gradients given, and nothing written outside the triangles.
func TestLULinearBackward(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		for _, d := range []int{1, 2, 3, 5, 7} {
			for _, shared := range []bool{false, true} {
				r := shapeRand([3]int{d, 3, 0}, 67)
				c := newLUCase[float64](r, d, shared)
				nb := 3
				x := newGMat[float64](r, nb, d, 1, 1, nan[float64]())
				cw, e := make([]float64, nb*d), make([]float64, nb)
				for _, v := range [][]float64{cw, e, x.m.Data} {
					for i := range v {
						if v[i] == v[i] { // not a gap
							v[i] = r.NormFloat64()
						}
					}
				}
				loss := func() float64 {
					y := make([]float64, nb*d)
					ld := make([]float64, nb)
					c.l.Forward(Matrix[float64]{nb, d, y, d}, x.m, ld)
					var s float64
					for b := range nb {
						s += e[b] * ld[b]
						for i := range d {
							s += cw[b*d+i] * y[b*d+i]
						}
					}
					return s
				}
				// The gradients, onto prior values 0.25 (g.L, g.U share one
				// matrix when the parameters do; its diagonal is NaN).
				gl := newGMat[float64](r, d, d, 0, 0, nan[float64]())
				for i := range gl.m.Data {
					gl.m.Data[i] = 0.25
				}
				gu := gl
				if !shared {
					gu = newGMat[float64](r, d, d, 0, 0, nan[float64]())
					copy(gu.m.Data, gl.m.Data)
				}
				for i := range d {
					gl.m.Data[i*d+i], gu.m.Data[i*d+i] = nan[float64](), nan[float64]()
				}
				g := LULinearGrad[float64]{L: gl.m, U: gu.m, LogS: []float64{}}
				for range d {
					g.LogS = append(g.LogS, 0.25)
				}
				dx := make([]float64, nb*d)
				onTier(tier, func() {
					c.l.Backward(Matrix[float64]{nb, d, dx, d}, Matrix[float64]{nb, d, clone(cw), d}, x.m, e, &g)
				})
				checkAll(t, "Backward", x, gl, gu, c.gl, c.gu)
				const h = 1e-6
				fd := func(p *float64) float64 {
					v := *p
					*p = v + h
					lp := loss()
					*p = v - h
					lm := loss()
					*p = v
					return (lp - lm) / (2 * h)
				}
				near := func(what string, got, want float64) {
					t.Helper()
					if math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
						t.Fatalf("d=%d shared=%v: %s = %v, finite difference %v", d, shared, what, got, want)
					}
				}
				for b := range nb {
					for k := range d {
						near(fmt.Sprintf("dx[%d][%d]", b, k), dx[b*d+k], fd(&x.m.Data[b*x.m.Stride+k]))
					}
				}
				for i := range d {
					for k := range d {
						switch {
						case k < i:
							near(fmt.Sprintf("dL[%d][%d]", i, k), g.L.Data[i*d+k]-0.25, fd(&c.l.L.Data[i*c.l.L.Stride+k]))
						case k > i:
							near(fmt.Sprintf("dU[%d][%d]", i, k), g.U.Data[i*d+k]-0.25, fd(&c.l.U.Data[i*c.l.U.Stride+k]))
						default:
							if v := g.L.Data[i*d+i]; v == v {
								t.Fatalf("d=%d: Backward wrote the diagonal of g.L: %v", d, v)
							}
							if v := g.U.Data[i*d+i]; v == v {
								t.Fatalf("d=%d: Backward wrote the diagonal of g.U: %v", d, v)
							}
						}
					}
					near(fmt.Sprintf("dLogS[%d]", i), g.LogS[i]-0.25, fd(&c.l.LogS[i]))
				}
				// Separate matrices: the unused triangles keep their 0.25.
				if !shared {
					for i := range d {
						for k := range i {
							if g.U.Data[i*d+k] != 0.25 || g.L.Data[k*d+i] != 0.25 {
								t.Fatalf("d=%d: Backward wrote outside a triangle", d)
							}
						}
					}
				}
			}
		}
	})
}

// TestLULinearTiers: Forward, Inverse and Backward give the same bits on
// every tier as on generic, on shapes that cross the blocks, with guards.
func TestLULinearTiers(t *testing.T) { forBoth(t, testLUTiers[float64], testLUTiers[float32]) }

func testLUTiers[T Float](t *testing.T, tier cpu.Tier) {
	for _, sh := range [][2]int{{5, 3}, {70, 21}, {130, 40}} {
		d, nb := sh[0], sh[1]
		run := func(tr cpu.Tier) [][]T {
			r := shapeRand([3]int{d, nb, 0}, 69)
			c := newLUCase[T](r, d, d%2 == 0)
			x := newGMat[T](r, nb, d, 1, 2, nan[T]())
			y := newGMat[T](r, nb, d, 2, 1, -7)
			dy := newGMat[T](r, nb, d, 0, 3, nan[T]())
			dx := newGMat[T](r, nb, d, 3, 0, -7)
			ld, dld := make([]T, nb), make([]T, nb)
			tk.Fill(r, dld)
			g := LULinearGrad[T]{L: newGMat[T](r, d, d, 1, 0, 0).m, U: newGMat[T](r, d, d, 0, 1, 0).m, LogS: make([]T, d)}
			xi := newGMat[T](r, nb, d, 0, 0, -7)
			onTier(tr, func() {
				c.l.Forward(y.m, x.m, ld)
				c.l.Inverse(xi.m, y.m, ld)
				c.l.Backward(dx.m, dy.m, x.m, dld, &g)
			})
			checkAll(t, "tiers", x, y, dy, dx, xi, c.gl, c.gu)
			return [][]T{y.m.Data, xi.m.Data, ld, dx.m.Data, g.L.Data, g.U.Data, g.LogS}
		}
		want, got := run(cpu.Generic), run(tier)
		for i := range want {
			sameSlice(t, fmt.Sprintf("d=%d batch=%d output %d", d, nb, i), got[i], want[i])
		}
	}
}

// TestLULinearSpecialValues: an infinite or NaN log-scale, Inf and NaN
// inputs propagate without a crash, the same on every tier.
func TestLULinearSpecialValues(t *testing.T) {
	forBoth(t, testLUSpecials[float64], testLUSpecials[float32])
}

func testLUSpecials[T Float](t *testing.T, tier cpu.Tier) {
	d, nb := 9, 4
	run := func(tr cpu.Tier) [][]T {
		r := tk.NewRand(71)
		c := newLUCase[T](r, d, false)
		c.l.LogS[1], c.l.LogS[4], c.l.LogS[6] = T(math.Inf(1)), T(math.Inf(-1)), nan[T]()
		x := make([]T, nb*d)
		tk.Fill(r, x)
		sprinkle(r, x)
		y, xi, dx := make([]T, nb*d), make([]T, nb*d), make([]T, nb*d)
		ld := make([]T, nb)
		g := LULinearGrad[T]{L: Matrix[T]{d, d, make([]T, d*d), d}, U: Matrix[T]{d, d, make([]T, d*d), d}, LogS: make([]T, d)}
		X := Matrix[T]{nb, d, x, d}
		onTier(tr, func() {
			c.l.Forward(Matrix[T]{nb, d, y, d}, X, ld)
			c.l.Inverse(Matrix[T]{nb, d, xi, d}, Matrix[T]{nb, d, y, d}, ld)
			c.l.Backward(Matrix[T]{nb, d, dx, d}, X, X, ld, &g)
		})
		if v := ld[0]; v == v {
			t.Fatalf("logdet with a NaN log-scale is %v", v)
		}
		return [][]T{y, xi, dx, g.L.Data, g.U.Data, g.LogS}
	}
	want, got := run(cpu.Generic), run(tier)
	for i := range want {
		sameSlice(t, fmt.Sprintf("specials output %d", i), got[i], want[i])
	}
}

func TestLULinearPanics(t *testing.T) {
	z := func(r, c int) Matrix[float64] { return Matrix[float64]{r, c, make([]float64, r*c), max(1, c)} }
	good := func() LULinear[float64] {
		return LULinear[float64]{Perm: []int{2, 0, 1}, L: z(3, 3), U: z(3, 3), Sign: []float64{1, 1, -1}, LogS: make([]float64, 3)}
	}
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"lengths", func() { l := good(); l.Sign = l.Sign[:2]; l.LogDet() }, []string{"LULinear.LogDet", "len(Sign) = 2"}},
		{"L shape", func() { l := good(); l.L = z(3, 2); l.Forward(z(1, 3), z(1, 3), nil) }, []string{"LULinear.Forward", "L is 3x2"}},
		{"perm range", func() { l := good(); l.Perm[1] = 3; l.Inverse(z(1, 3), z(1, 3), nil) }, []string{"LULinear.Inverse", "Perm[1] = 3"}},
		{"perm repeat", func() { l := good(); l.Perm[1] = 2; l.Forward(z(1, 3), z(1, 3), nil) }, []string{"Perm[1] = 2 repeats"}},
		{"y shape", func() { l := good(); l.Forward(z(2, 3), z(1, 3), nil) }, []string{"LULinear.Forward", "y is 2x3", "want 1x3"}},
		{"x cols", func() { l := good(); l.Forward(z(1, 3), z(1, 4), nil) }, []string{"x is 1x4"}},
		{"logdet", func() { l := good(); l.Forward(z(2, 3), z(2, 3), make([]float64, 3)) }, []string{"len(logdet) = 3"}},
		{"dlogdet", func() { l := good(); l.Backward(z(2, 3), z(2, 3), z(2, 3), make([]float64, 1), nil) }, []string{"len(dlogdet) = 1"}},
		{"grad U", func() {
			l := good()
			l.Backward(z(2, 3), z(2, 3), z(2, 3), nil, &LULinearGrad[float64]{L: z(3, 3), U: z(2, 3), LogS: make([]float64, 3)})
		}, []string{"g.U is 2x3"}},
		{"grad LogS", func() {
			l := good()
			l.Backward(z(2, 3), z(2, 3), z(2, 3), nil, &LULinearGrad[float64]{L: z(3, 3), U: z(3, 3), LogS: make([]float64, 2)})
		}, []string{"len(g.LogS) = 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectPanic(t, c.name, c.f, c.want...) })
	}
}

// TestLULinearNoAllocs: one-goroutine calls do not allocate once warm.
func TestLULinearNoAllocs(t *testing.T) {
	defer SetMaxWorkers(SetMaxWorkers(1))
	c := newLUCase[float64](tk.NewRand(73), 40, true)
	nb := 16
	x, y := make([]float64, nb*40), make([]float64, nb*40)
	tk.Fill(tk.NewRand(1), x)
	X, Y := Matrix[float64]{nb, 40, x, 40}, Matrix[float64]{nb, 40, y, 40}
	ld := make([]float64, nb)
	g := LULinearGrad[float64]{L: Matrix[float64]{40, 40, make([]float64, 1600), 40}, U: Matrix[float64]{40, 40, make([]float64, 1600), 40}, LogS: make([]float64, 40)}
	allocs := testing.AllocsPerRun(5, func() {
		c.l.Forward(Y, X, ld)
		c.l.Inverse(Y, Y, ld)
		c.l.Backward(Y, X, X, ld, &g)
		_ = c.l.LogDet()
	})
	if allocs != 0 {
		t.Fatalf("LULinear allocated %v times per run", allocs)
	}
}
