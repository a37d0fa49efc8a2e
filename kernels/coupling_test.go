package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

var testClamps = []Clamp{{ClampNone, 0}, {ClampTanh, 2}, {ClampAtan, 1.5}}

// couplingShapes are (rows, cols): every column count up to 40 (each tail
// of every vector width), the block edges of the row loop, and a few rows.
func couplingShapes() [][2]int {
	var out [][2]int
	for c := 0; c <= 40; c++ {
		out = append(out, [2]int{1 + c%3, c})
	}
	for _, c := range []int{63, 64, 65, 127, 511, 512, 513, 1025, 1100} {
		out = append(out, [2]int{2, c})
	}
	return append(out, [2]int{0, 7}, [2]int{5, 0})
}

// cpm is a copy of m's elements, row by row.
func cpm[T Float](m Matrix[T]) []T {
	var out []T
	for b := range m.Rows {
		out = append(out, row(m, b)...)
	}
	return out
}

// sameRows reports the first element of m that differs from want (bits).
func sameRows[T Float](m Matrix[T], want []T) error {
	got := cpm(m)
	if i := tk.FirstDiff(got, want); i >= 0 {
		return fmt.Errorf("element (%d, %d) = %v, want %v", i/m.Cols, i%m.Cols, got[i], want[i])
	}
	return nil
}

// gapsKept checks that the elements between Cols and Stride still hold v.
func gapsKept[T Float](m Matrix[T], v T) error {
	for i, e := range m.Data {
		if i%m.Stride >= m.Cols && !tk.Same(e, v) {
			return fmt.Errorf("gap element %d = %v, want %v", i, e, v)
		}
	}
	return nil
}

// couplingRef is the specification: internal/ref's element steps and, per
// row, logdet + sign*ref.Sum(c).
func couplingRef[T Float](inverse bool, in, s, t Matrix[T], logdet []T, c Clamp) (out []T, ld []T) {
	ia, m := c.params("test")
	ld = append([]T(nil), logdet...)
	for b := range in.Rows {
		cs := make([]T, in.Cols)
		for j := range in.Cols {
			var o T
			if inverse {
				o, cs[j] = ref.CouplingInverse(int(c.Kind), row(in, b)[j], row(s, b)[j], row(t, b)[j], T(ia), T(m))
			} else {
				o, cs[j] = ref.CouplingForward(int(c.Kind), row(in, b)[j], row(s, b)[j], row(t, b)[j], T(ia), T(m))
			}
			out = append(out, o)
		}
		if ld != nil {
			if inverse {
				ld[b] -= ref.Sum(cs)
			} else {
				ld[b] += ref.Sum(cs)
			}
		}
	}
	return out, ld
}

func TestCouplingTiers(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		t.Run("float64", func(t *testing.T) { testCouplingTier[float64](t, tier) })
		t.Run("float32", func(t *testing.T) { testCouplingTier[float32](t, tier) })
	})
}

func testCouplingTier[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(11)
	for _, sh := range couplingShapes() {
		rows, cols := sh[0], sh[1]
		for _, c := range testClamps {
			off, extra := r.IntN(8), r.IntN(3)
			x := newGMat[T](r, rows, cols, extra, off, nan[T]())
			s := newGMat[T](r, rows, cols, extra, r.IntN(8), nan[T]())
			tt := newGMat[T](r, rows, cols, extra, r.IntN(8), nan[T]())
			if r.IntN(3) == 0 {
				sprinkle(r, x.m.Data) // gaps too: harmless, they are never read
				sprinkle(r, s.m.Data)
				sprinkle(r, tt.m.Data)
			}
			var lg *tk.Guarded[T]
			var logdet []T
			if r.IntN(4) != 0 {
				lg = tk.NewGuarded[T](rows, r.IntN(8))
				logdet = lg.S()
				tk.Fill(r, logdet)
			}
			name := fmt.Sprintf("%dx%d/clamp=%d", rows, cols, c.Kind)
			for _, inverse := range []bool{false, true} {
				want, wantLd := couplingRef(inverse, x.m, s.m, tt.m, logdet, c)
				y := newGMat[T](r, rows, cols, extra, r.IntN(8), 7)
				ld := append([]T(nil), logdet...)
				if lg != nil {
					copy(logdet, ld) // same start for both directions
				}
				k, sign := fwdKernel(c.Kind), T(1)
				if inverse {
					k, sign = invKernel(c.Kind), -1
				}
				ia, m := c.params("test")
				couplingRows(tier, k, sign, y.m, x.m, s.m, tt.m, logdet, T(ia), T(m))
				if err := sameRows(y.m, want); err != nil {
					t.Fatalf("%s inverse=%v: %v", name, inverse, err)
				}
				if logdet != nil {
					if i := tk.FirstDiff(logdet, wantLd); i >= 0 {
						t.Fatalf("%s inverse=%v: logdet[%d] = %v, want %v", name, inverse, i, logdet[i], wantLd[i])
					}
					copy(logdet, ld)
				}
				for _, g := range []*tk.Guarded[T]{x.g, s.g, tt.g, y.g, lg} {
					if g == nil {
						continue
					}
					if err := g.Check(); err != nil {
						t.Fatalf("%s inverse=%v: %v", name, inverse, err)
					}
				}
				if err := gapsKept(y.m, 7); err != nil {
					t.Fatalf("%s inverse=%v: %v", name, inverse, err)
				}
			}
			testCouplingBackwardTier(t, tier, r, name, x, s, c)
		}
	}
}

func testCouplingBackwardTier[T Float](t *testing.T, tier cpu.Tier, r *rand.Rand, name string, x, s gmat[T], c Clamp) {
	rows, cols := x.m.Rows, x.m.Cols
	dy := newGMat[T](r, rows, cols, 1, r.IntN(8), nan[T]())
	var dl []T
	if r.IntN(3) != 0 {
		dl = make([]T, rows)
		tk.Fill(r, dl)
	}
	ia, m := c.params("test")
	var wantDx, wantDs []T
	for b := range rows {
		var d T
		if dl != nil {
			d = dl[b]
		}
		for j := range cols {
			a, e := ref.CouplingBackward(int(c.Kind), row(dy.m, b)[j], row(x.m, b)[j], row(s.m, b)[j], d, T(ia), T(m))
			wantDx, wantDs = append(wantDx, a), append(wantDs, e)
		}
	}
	dx := newGMat[T](r, rows, cols, 2, r.IntN(8), 5)
	ds := newGMat[T](r, rows, cols, 0, r.IntN(8), 5)
	dt := newGMat[T](r, rows, cols, 1, r.IntN(8), 5)
	couplingBackwardOn(tier, bwdKernel(c.Kind), dx.m, ds.m, dt.m, dy.m, dl, x.m, s.m, T(ia), T(m))
	for _, chk := range []struct {
		m    Matrix[T]
		want []T
		what string
	}{{dx.m, wantDx, "dx"}, {ds.m, wantDs, "ds"}, {dt.m, cpm(dy.m), "dt"}} {
		if err := sameRows(chk.m, chk.want); err != nil {
			t.Fatalf("%s backward %s: %v", name, chk.what, err)
		}
		if err := gapsKept(chk.m, 5); err != nil {
			t.Fatalf("%s backward %s: %v", name, chk.what, err)
		}
	}
	for _, g := range []*tk.Guarded[T]{dy.g, dx.g, ds.g, dt.g} {
		if err := g.Check(); err != nil {
			t.Fatalf("%s backward: %v", name, err)
		}
	}
}

// TestCouplingAliasing runs each kernel in place (y == x, x == y, dx == dy,
// ds == s) and compares with the separate-output result.
func TestCouplingAliasing(t *testing.T) {
	r := tk.NewRand(12)
	for _, c := range testClamps {
		for _, cols := range []int{5, 37, 600} {
			x := newGMat[float64](r, 3, cols, 2, 1, nan[float64]())
			s := newGMat[float64](r, 3, cols, 2, 2, nan[float64]())
			tt := newGMat[float64](r, 3, cols, 2, 3, nan[float64]())
			y := newGMat[float64](r, 3, cols, 2, 0, 0)
			CouplingForward(y.m, x.m, s.m, tt.m, nil, c)
			want := cpm(y.m)
			in := cpm(x.m)
			CouplingForward(x.m, x.m, s.m, tt.m, nil, c)
			if err := sameRows(x.m, want); err != nil {
				t.Fatalf("forward in place, clamp %d: %v", c.Kind, err)
			}
			CouplingInverse(y.m, x.m, s.m, tt.m, nil, c)
			wantInv := cpm(y.m)
			CouplingInverse(x.m, x.m, s.m, tt.m, nil, c)
			if err := sameRows(x.m, wantInv); err != nil {
				t.Fatalf("inverse in place, clamp %d: %v", c.Kind, err)
			}
			copy(x.m.Data, y.m.Data) // back to a finite x
			_ = in
			dy := newGMat[float64](r, 3, cols, 2, 4, nan[float64]())
			dx := newGMat[float64](r, 3, cols, 2, 5, 0)
			ds := newGMat[float64](r, 3, cols, 2, 6, 0)
			dl := []float64{0.5, -1, 2}
			CouplingBackward(dx.m, ds.m, Matrix[float64]{}, dy.m, dl, x.m, s.m, c)
			wdx, wds := cpm(dx.m), cpm(ds.m)
			CouplingBackward(dy.m, s.m, Matrix[float64]{}, dy.m, dl, x.m, s.m, c)
			if err := sameRows(dy.m, wdx); err != nil {
				t.Fatalf("backward dx == dy, clamp %d: %v", c.Kind, err)
			}
			if err := sameRows(s.m, wds); err != nil {
				t.Fatalf("backward ds == s, clamp %d: %v", c.Kind, err)
			}
		}
	}
}

// TestCouplingRoundTrip checks the documented bound of
// CouplingInverse(CouplingForward(x)).
func TestCouplingRoundTrip(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testRoundTrip[float64](t, 0x1p-53) })
	t.Run("float32", func(t *testing.T) { testRoundTrip[float32](t, 0x1p-24) })
}

func testRoundTrip[T Float](t *testing.T, u float64) {
	r := tk.NewRand(13)
	const rows, cols = 64, 97
	// |s| <= 40 keeps exp(s) finite in float32 too.
	mk := func(scale float64) Matrix[T] {
		m := Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: make([]T, rows*cols)}
		for i := range m.Data {
			m.Data[i] = T(max(-40, min(40, r.NormFloat64()*scale*math.Ldexp(1, r.IntN(9)-4))))
		}
		return m
	}
	for _, c := range testClamps {
		x, s, tt := mk(1), mk(3), mk(1)
		y := Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: make([]T, rows*cols)}
		back := Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: make([]T, rows*cols)}
		ld := make([]T, rows)
		CouplingForward(y, x, s, tt, ld, c)
		CouplingInverse(back, y, s, tt, ld, c)
		ia, m := c.params("test")
		worst := 0.0
		for i := range x.Data {
			cv := float64(ref.CouplingScale(int(c.Kind), s.Data[i], T(ia), T(m)))
			bound := 6*u*math.Abs(float64(x.Data[i])) + 1.01*u*math.Abs(float64(y.Data[i]))*math.Exp(-cv)
			err := math.Abs(float64(back.Data[i]) - float64(x.Data[i]))
			if !(err <= bound) {
				t.Fatalf("clamp %d: element %d: x = %v, round trip %v (s = %v, t = %v): error %g > bound %g",
					c.Kind, i, x.Data[i], back.Data[i], s.Data[i], tt.Data[i], err, bound)
			}
			if bound > 0 {
				worst = max(worst, err/bound)
			}
		}
		for b, v := range ld {
			// Forward adds S_b and inverse subtracts the same S_b: exact
			// unless the addition rounded.
			if math.Abs(float64(v)) > 4*u*float64(cols)*10 {
				t.Fatalf("clamp %d: logdet[%d] = %v after the round trip", c.Kind, b, v)
			}
		}
		t.Logf("clamp %d: worst error / bound = %.3f", c.Kind, worst)
	}
}

// TestCouplingJacobian builds a whole coupling layer on d = 7 features
// (y_a = x_a; y_b = x_b*exp(c(s)) + t with s, t affine in x_a) and compares
// the kernel's logdet with log|det J| of the layer's Jacobian from central
// differences and gonum's LU.
func TestCouplingJacobian(t *testing.T) {
	const da, db = 3, 4
	r := tk.NewRand(14)
	ws, wt := make([]float64, db*da), make([]float64, db*da)
	for i := range ws {
		ws[i], wt[i] = 0.7*r.NormFloat64(), r.NormFloat64()
	}
	layer := func(x []float64, c Clamp) (y []float64, logdet float64) {
		s, tt := make([]float64, db), make([]float64, db)
		for i := range db {
			s[i], tt[i] = 0.1*float64(i), -0.2
			for j := range da {
				s[i] += ws[i*da+j] * x[j]
				tt[i] += wt[i*da+j] * x[j]
			}
		}
		yb := make([]float64, db)
		ld := []float64{0}
		m := func(v []float64) Matrix[float64] { return Matrix[float64]{Rows: 1, Cols: db, Stride: db, Data: v} }
		CouplingForward(m(yb), m(append([]float64(nil), x[da:]...)), m(s), m(tt), ld, c)
		return append(append([]float64(nil), x[:da]...), yb...), ld[0]
	}
	for _, c := range testClamps {
		for trial := range 5 {
			x := make([]float64, da+db)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			_, ld := layer(x, c)
			jac := mat.NewDense(da+db, da+db, nil)
			const h = 1e-5
			for j := range x {
				xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
				xp[j] += h
				xm[j] -= h
				yp, _ := layer(xp, c)
				ym, _ := layer(xm, c)
				for i := range yp {
					jac.Set(i, j, (yp[i]-ym[i])/(2*h))
				}
			}
			var lu mat.LU
			lu.Factorize(jac)
			want, sign := lu.LogDet()
			if sign == 0 || math.Abs(ld-want) > 1e-7*(1+math.Abs(want)) {
				t.Fatalf("clamp %d trial %d: logdet %v, log|det J| by finite differences %v (sign %v)", c.Kind, trial, ld, want, sign)
			}
		}
	}
}

// TestCouplingBackwardFD checks the gradients against central differences
// of L = sum w*y + sum v*logdet.
func TestCouplingBackwardFD(t *testing.T) {
	const rows, cols = 2, 9
	r := tk.NewRand(15)
	mk := func(scale float64) Matrix[float64] {
		m := Matrix[float64]{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		for i := range m.Data {
			m.Data[i] = scale * r.NormFloat64()
		}
		return m
	}
	for _, c := range testClamps {
		x, s, tt, w := mk(1), mk(1.5), mk(1), mk(1)
		v := []float64{0.7, -1.3}
		loss := func() float64 {
			y := mk(0)
			ld := []float64{0, 0}
			CouplingForward(y, x, s, tt, ld, c)
			l := v[0]*ld[0] + v[1]*ld[1]
			for i := range y.Data {
				l += w.Data[i] * y.Data[i]
			}
			return l
		}
		dx, ds, dt := mk(0), mk(0), mk(0)
		CouplingBackward(dx, ds, dt, w, v, x, s, c)
		for _, p := range []struct {
			m, grad Matrix[float64]
			name    string
		}{{x, dx, "x"}, {s, ds, "s"}, {tt, dt, "t"}} {
			for i := range p.m.Data {
				const h = 1e-6
				old := p.m.Data[i]
				p.m.Data[i] = old + h
				lp := loss()
				p.m.Data[i] = old - h
				lm := loss()
				p.m.Data[i] = old
				fd := (lp - lm) / (2 * h)
				if math.Abs(fd-p.grad.Data[i]) > 1e-6*(1+math.Abs(fd)) {
					t.Fatalf("clamp %d: dL/d%s[%d] = %v, finite differences %v", c.Kind, p.name, i, p.grad.Data[i], fd)
				}
			}
		}
	}
}

// TestAdditiveCoupling checks NICE's coupling and its inverse on every
// tier and in both precisions against the scalar steps (x + t, y - t).
func TestAdditiveCoupling(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		defer setTier(tier)()
		t.Run("float64", testAdditive[float64])
		t.Run("float32", testAdditive[float32])
	})
}

func testAdditive[T Float](t *testing.T) {
	r := tk.NewRand(16)
	for _, cols := range []int{0, 1, 7, 8, 17, 33, 100} {
		x := newGMat[T](r, 3, cols, 1, 2, nan[T]())
		tt := newGMat[T](r, 3, cols, 2, 1, nan[T]())
		y := newGMat[T](r, 3, cols, 0, 3, 0)
		AdditiveForward(y.m, x.m, tt.m)
		back := newGMat[T](r, 3, cols, 3, 0, 9)
		AdditiveInverse(back.m, y.m, tt.m)
		for b := range 3 {
			for j := range cols {
				sum := row(x.m, b)[j] + row(tt.m, b)[j]
				if !tk.Same(row(y.m, b)[j], sum) || !tk.Same(row(back.m, b)[j], sum-row(tt.m, b)[j]) {
					t.Fatalf("cols %d (%d,%d): y %v back %v", cols, b, j, row(y.m, b)[j], row(back.m, b)[j])
				}
			}
		}
		if err := gapsKept(back.m, 9); err != nil {
			t.Fatal(err)
		}
		dx, dt := newGMat[T](r, 3, cols, 0, 1, 0), newGMat[T](r, 3, cols, 2, 1, 4)
		AdditiveBackward(dx.m, dt.m, y.m)
		for _, m := range []Matrix[T]{dx.m, dt.m} {
			if err := sameRows(m, cpm(y.m)); err != nil {
				t.Fatal(err)
			}
		}
		for _, g := range []*tk.Guarded[T]{x.g, tt.g, y.g, back.g, dx.g, dt.g} {
			if err := g.Check(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCouplingPanics(t *testing.T) {
	m := func(r, c int) Matrix[float64] {
		return Matrix[float64]{Rows: r, Cols: c, Stride: max(1, c), Data: make([]float64, r*c)}
	}
	a, b := m(2, 3), m(2, 4)
	cases := []struct {
		f    func()
		want string
	}{
		{func() { CouplingForward(a, a, b, a, nil, Clamp{}) }, "CouplingForward: s is 2x4, y is 2x3"},
		{func() { CouplingForward(a, a, a, a, make([]float64, 3), Clamp{}) }, "len(logdet) = 3 != y.Rows = 2"},
		{func() { CouplingForward(a, a, a, a, nil, Clamp{ClampTanh, 0}) }, "clamp bound A = 0"},
		{func() { CouplingInverse(a, a, a, a, nil, Clamp{ClampAtan, math.Inf(1)}) }, "clamp bound A = +Inf"},
		{func() { CouplingInverse(a, a, a, a, nil, Clamp{ClampAtan, math.NaN()}) }, "clamp bound A = NaN"},
		{func() { CouplingInverse(a, m(1, 3), a, a, nil, Clamp{}) }, "CouplingInverse: y is 1x3, x is 2x3"},
		{func() { CouplingBackward(a, a, b, a, nil, a, a, Clamp{}) }, "CouplingBackward: dt is 2x4, dx is 2x3"},
		{func() { CouplingBackward(a, a, Matrix[float64]{}, a, []float64{1}, a, a, Clamp{}) }, "len(dlogdet) = 1"},
		{func() { CouplingBackward(a, a, Matrix[float64]{}, a, nil, a, a, Clamp{Kind: 7}) }, "unknown clamp kind 7"},
		{func() {
			CouplingForward(Matrix[float64]{Rows: 2, Cols: 3, Stride: 3, Data: make([]float64, 5)}, a, a, a, nil, Clamp{})
		},
			"y is 2x3 with Stride 3 and needs len(Data) >= 6"},
		{func() { AdditiveForward(a, b, a) }, "AdditiveForward: x is 2x4"},
		{func() { AdditiveInverse(a, a, b) }, "AdditiveInverse: t is 2x4"},
		{func() { AdditiveBackward(a, Matrix[float64]{}, b) }, "AdditiveBackward: dy is 2x4, dx is 2x3"},
	}
	for i, c := range cases {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, c.want) {
					t.Errorf("case %d: panic %q, want it to contain %q", i, msg, c.want)
				}
			}()
			c.f()
		}()
	}
}

// setTier makes tier the active one until the returned function runs.
func setTier(tier cpu.Tier) (restore func()) {
	old := active
	active = tier
	return func() { active = old }
}
