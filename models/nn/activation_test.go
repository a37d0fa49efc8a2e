package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/dd"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

func TestActivationNames(t *testing.T) {
	want := []string{"identity", "relu", "tanh", "silu", "gelu", "softplus"}
	for i, name := range want {
		a := Activation(i)
		if a.String() != name {
			t.Errorf("Activation(%d).String() = %q, want %q", i, a.String(), name)
		}
		for _, s := range []string{name, strings.ToUpper(name), " " + name + "\n"} {
			if p, err := ParseActivation(s); err != nil || p != a {
				t.Errorf("ParseActivation(%q) = %v, %v; want %v", s, p, err, a)
			}
		}
		if a.Smooth() != (a != ReLU) {
			t.Errorf("%v.Smooth() = %v", a, a.Smooth())
		}
	}
	for _, s := range []string{"ReLU", "Tanh", "SiLU", "GELU", "Softplus", "Identity"} {
		if _, err := ParseActivation(s); err != nil {
			t.Errorf("ParseActivation(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "sigmoid", "relu6", "Activation(3)"} {
		if _, err := ParseActivation(s); err == nil {
			t.Errorf("ParseActivation(%q) gave no error", s)
		}
	}
	if s := Activation(6).String(); s != "Activation(6)" {
		t.Errorf("Activation(6).String() = %q", s)
	}
}

// exactAct returns act(x) and act'(x) to about 2^-100 relative (double-double
// arithmetic), and the scale B(x) of the error the implementation in
// precision T may make: |got - exact| <= K u (B + the smallest normal), u
// the unit roundoff. B is |f| (|f'|) where the computation is well
// conditioned, plus the terms a rounding of an intermediate result can
// reach: 2y^2 for tanh' from the rounded y = tanh(x); s(1 + |x| v') for
// SiLU' and GELU' (1 - s and 1 + x(1-s)v' cancel); the factor 1 + |v| for
// GELU, whose argument v carries the roundings of its constants and
// products into sigmoid(v). amp multiplies the absolute floor (the
// smallest subnormal): SiLU and GELU multiply a sigmoid that may be
// subnormal (a few bits) by x and by x v'.
func exactAct(act Activation, x float64) (f, df, bf, bdf, amp float64) {
	one := dd.F(1)
	switch act {
	case Identity:
		return x, 1, 0, 0, 1
	case ReLU:
		if x > 0 {
			return x, 1, 0, 0, 1
		}
		return 0, 0, 0, 0, 1
	case Tanh:
		y := dd.Tanh(x)
		e := dd.Exp(-2 * math.Abs(x))
		d := dd.Div(dd.Mul(dd.F(4), e), dd.Mul(dd.Add(one, e), dd.Add(one, e))) // sech^2
		f, df = y.Float(), d.Float()
		return f, df, math.Abs(f), df + 2*f*f, 1
	case Softplus:
		f, df = dd.Softplus(x).Float(), dd.Sigmoid(x).Float()
		return f, df, f, df, 1
	case SiLU:
		s, r := dd.Sigmoid(x), dd.Sigmoid(-x) // r = 1 - s
		f = dd.Mul(dd.F(x), s).Float()
		df = dd.Mul(s, dd.Add(one, dd.Mul(dd.F(x), r))).Float()
		return f, df, math.Abs(f), math.Abs(df) + s.Float()*(1+math.Abs(x)), 1 + x*x
	case GELU:
		twoC := dd.Mul(dd.F(2), dd.Sqrt(dd.Div(dd.F(2), dd.Pi)))
		k := dd.Div(dd.F(44715), dd.F(1e6))
		x2 := dd.Mul(dd.F(x), dd.F(x))
		v := dd.Mul(dd.Mul(twoC, dd.F(x)), dd.Add(one, dd.Mul(k, x2)))
		dv := dd.Mul(twoC, dd.Add(one, dd.Mul(dd.Mul(dd.F(3), k), x2)))
		// sigmoid(v.Hi + v.Lo) = s(v.Hi) + v.Lo s (1 - s) to first order.
		s0, r0 := dd.Sigmoid(v.Hi), dd.Sigmoid(-v.Hi)
		corr := v.Lo * s0.Float() * r0.Float()
		s, r := dd.Add(s0, dd.F(corr)), dd.Sub(r0, dd.F(corr))
		f = dd.Mul(dd.F(x), s).Float()
		df = dd.Mul(s, dd.Add(one, dd.Mul(dd.Mul(dd.F(x), r), dv))).Float()
		vf := math.Abs(v.Hi)
		return f, df, math.Abs(f) * (1 + vf), math.Abs(df)*(1+vf) + s.Float()*(1+math.Abs(x)*dv.Float()),
			1 + math.Abs(x)*(1+math.Abs(x)*dv.Float())
	}
	panic("unknown activation")
}

// actInputs returns the test points of an activation: a dense grid over
// [-40, 40] (where every function changes regime), the root region of
// SiLU' and GELU', random points and a few large magnitudes.
func actInputs() []float64 {
	var xs []float64
	for i := -40 * 128; i <= 40*128; i++ {
		xs = append(xs, float64(i)/128)
	}
	for i := range 2000 {
		xs = append(xs, -1.5+float64(i)*1e-4) // silu' root -1.2785, gelu' root -0.75..
	}
	r := tk.NewRand(7)
	for range 5000 {
		xs = append(xs, r.NormFloat64()*3)
	}
	for _, m := range []float64{1e-30, 1e-8, 1e-3, 45, 100, 1e3, 9999, 1e4, 1.5e4, 1e6, 1e12, 1e30} {
		xs = append(xs, m, -m)
	}
	return xs
}

// TestActivationAccuracy checks every activation and its derivative, as
// the MLP computes them over a buffer, against the double-double values.
func TestActivationAccuracy(t *testing.T) {
	for act := range numActivations {
		t.Run(act.String()+"/float64", func(t *testing.T) { checkActAccuracy[float64](t, act, 0x1p-53) })
		t.Run(act.String()+"/float32", func(t *testing.T) { checkActAccuracy[float32](t, act, 0x1p-24) })
	}
}

func checkActAccuracy[T kernels.Float](t *testing.T, act Activation, u float64) {
	const K = 4 // allowed error, in units of u times the scale B
	sub := math.SmallestNonzeroFloat64
	if u == 0x1p-24 {
		sub = math.SmallestNonzeroFloat32
	}
	xs64 := actInputs()
	z := make([]T, len(xs64))
	for i, x := range xs64 {
		z[i] = T(x)
	}
	a, aux, g, s1, s2 := make([]T, len(z)), make([]T, len(z)), make([]T, len(z)), make([]T, len(z)), make([]T, len(z))
	for i := range g {
		g[i] = 1
	}
	activate(act, a, z, aux)
	activateGrad(act, g, z, a, aux, s1, s2)
	worst, worstD := 0.0, 0.0
	for i, zi := range z {
		x := float64(zi)
		f, df, bf, bdf, amp := exactAct(act, x)
		ef := math.Abs(float64(a[i]) - f)
		ed := math.Abs(float64(g[i]) - df)
		sf, sd := u*bf+sub*amp, u*bdf+sub*amp
		if !(ef <= K*sf) || !(ed <= K*sd) {
			t.Fatalf("x = %v: f = %v (exact %v, error %.3g u B), f' = %v (exact %v, error %.3g u B)",
				x, a[i], f, ef/sf, g[i], df, ed/sd)
		}
		worst = max(worst, ef/sf)
		worstD = max(worstD, ed/sd)
	}
	t.Logf("largest error: f %.2f u B, f' %.2f u B (allowed %d)", worst, worstD, K)
}

// TestActivationSpecials checks NaN, infinities and signed zeros.
func TestActivationSpecials(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	type c struct{ x, f, df float64 }
	cases := map[Activation][]c{
		Identity: {{nan, nan, 1}, {inf, inf, 1}, {-inf, -inf, 1}, {math.Copysign(0, -1), math.Copysign(0, -1), 1}},
		// relu'(NaN) keeps the gradient, as PyTorch's threshold backward.
		ReLU: {{nan, nan, 1}, {inf, inf, 1}, {-inf, 0, 0}, {math.Copysign(0, -1), 0, 0}, {0, 0, 0},
			{5e-324, 5e-324, 1}},
		Tanh:     {{nan, nan, nan}, {inf, 1, 0}, {-inf, -1, 0}, {math.Copysign(0, -1), math.Copysign(0, -1), 1}},
		Softplus: {{nan, nan, nan}, {inf, inf, 1}, {-inf, 0, 0}},
		// -Inf * sigmoid(-Inf) = -Inf * 0: NaN, as in PyTorch; the
		// derivatives at ±Inf are NaN (Inf - Inf in x(1 - s)).
		SiLU: {{nan, nan, nan}, {inf, inf, nan}, {-inf, nan, nan}, {1e300, 1e300, 1}, {-1e300, math.Copysign(0, -1), 0}},
		GELU: {{nan, nan, nan}, {inf, inf, nan}, {-inf, nan, nan}, {1e300, 1e300, 1}, {-1e300, math.Copysign(0, -1), 0}},
	}
	for act, cs := range cases {
		for _, c := range cs {
			z := []float64{c.x}
			a, aux, g, s1, s2 := make([]float64, 1), make([]float64, 1), []float64{1}, make([]float64, 1), make([]float64, 1)
			activate(act, a, z, aux)
			activateGrad(act, g, z, a, aux, s1, s2)
			if !tk.Same(a[0], c.f) || !tk.Same(math.Abs(g[0]), math.Abs(c.df)) { // the sign of a zero derivative is free
				t.Errorf("%v(%v) = %v, derivative %v; want %v, %v", act, c.x, a[0], g[0], c.f, c.df)
			}
		}
	}
	// The float32 GELU derivative stays finite where x^2 overflows.
	for _, x := range []float32{3e19, -3e19, math.MaxFloat32, -math.MaxFloat32} {
		z := []float32{x}
		a, aux, g, s1, s2 := make([]float32, 1), make([]float32, 1), []float32{1}, make([]float32, 1), make([]float32, 1)
		activate(GELU, a, z, aux)
		activateGrad(GELU, g, z, a, aux, s1, s2)
		want := float32(0)
		if x > 0 {
			want = 1
		}
		if g[0] != want || (x > 0 && a[0] != x) || (x < 0 && a[0] != 0) {
			t.Errorf("float32 gelu(%v) = %v, derivative %v", x, a[0], g[0])
		}
	}
}

// TestReLUSpecials runs ReLU and its derivative over buffers of special
// values long enough for the four-at-a-time loop and its tail, in both
// precisions, at every position.
func TestReLUSpecials(t *testing.T) {
	checkReLUSpecials[float64](t)
	checkReLUSpecials[float32](t)
}

func checkReLUSpecials[T kernels.Float](t *testing.T) {
	negNaN := T(math.Copysign(math.NaN(), -1))
	vals := []T{T(math.NaN()), negNaN, 0, T(math.Copysign(0, -1)), T(math.Inf(1)), T(math.Inf(-1)), 1e-40, -1e-40, 2, -3, 5e-324}
	for shift := range 4 {
		z := append(make([]T, shift), vals...)
		a := make([]T, len(z))
		g := make([]T, len(z))
		for i := range g {
			g[i] = 7
		}
		relu(a, z)
		reluGrad(g, a)
		for i, x := range z {
			want, wantG := x, T(7)
			if x <= 0 {
				want, wantG = 0, 0
			}
			if !tk.Same(a[i], want) || math.Signbit(float64(a[i])) && a[i] == 0 || !tk.Same(g[i], wantG) {
				t.Errorf("%T: relu(%v) = %v, derivative %v at %d", x, x, a[i], g[i]/7, i)
			}
		}
	}
}
