package action

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/kernels"
)

// testNet returns a PolyNet on 4 variables: Linear, QuadCoupling (A = 0, 1),
// Linear, QuadCoupling (A = 2, 3), Linear, every parameter random: the
// action is a polynomial of degree 8.
func testNet(t *testing.T, seed uint64) *PolyNet {
	t.Helper()
	const d = 4
	g := kernels.NewNormal(seed, 0)
	rnd := func(n int, s float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = s * g.Float64()
		}
		return v
	}
	lin := func() *Linear {
		w := rnd(d*d, 0.3)
		for i := range d {
			w[i*d+i] += 1
		}
		return &Linear{W: w, B: rnd(d, 0.2)}
	}
	quad := func(a, b []int) *QuadCoupling {
		const h = 3
		return &QuadCoupling{A: a, B: b, U: rnd(h*len(a), 0.5), C: rnd(h, 0.2), V: rnd(len(b)*h, 0.5), E: rnd(len(b), 0.1), Alpha: 0.4}
	}
	n, err := NewPolyNet(d, lin(), quad([]int{0, 1}, []int{2, 3}), lin(), quad([]int{2, 3}, []int{0, 1}), lin())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRulesExact: with K = 8, the degree of the action, the rules give the
// whole polynomial: S_K(x0 + y) = S(x0 + y) for any y.
func TestRulesExact(t *testing.T) {
	n := testNet(t, 1)
	x0 := []float64{0.2, -0.1, 0.3, 0.05}
	p, err := n.Rules(x0, 8)
	if err != nil {
		t.Fatal(err)
	}
	g := kernels.NewNormal(2, 0)
	worst := 0.0
	for range 20 {
		y := make([]float64, 4)
		x := make([]float64, 4)
		for i := range y {
			y[i] = g.Float64()
			x[i] = x0[i] + y[i]
		}
		want := n.Action(x)
		got := p.Eval(y)
		worst = math.Max(worst, math.Abs(got-want)/math.Max(1, math.Abs(want)))
	}
	t.Logf("S_8(x0 + y) vs S(x0 + y), |y| ~ 2: max relative error %.2g", worst)
	if worst > 1e-12 {
		t.Errorf("the degree-8 rules differ from the action by %.3g", worst)
	}
}

// TestRulesAgainstJets compares the rules' coefficients with item 2's
// (Expand on the network's jets), every entry of A0..AK, K = 4 and 6, at
// the origin and at a point.
func TestRulesAgainstJets(t *testing.T) {
	n := testNet(t, 3)
	for _, x0 := range [][]float64{nil, {0.2, -0.1, 0.3, 0.05}} {
		for _, K := range []int{4, 6} {
			p, err := n.Rules(x0, K)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Expand(n, x0, K)
			if err != nil {
				t.Fatal(err)
			}
			worst, scale := 0.0, 0.0
			for k := 0; k <= K; k++ {
				full, err := e.Full(k)
				if err != nil {
					t.Fatal(err)
				}
				rules := p.Full(k)
				for i, v := range full.Data {
					worst = math.Max(worst, math.Abs(v-rules.Data[i]))
					scale = math.Max(scale, math.Abs(v))
				}
			}
			t.Logf("x0 %v, K = %d: max |rules - jets| = %.2g over A0..A%d (max |A| = %.3g)", x0, K, worst, K, scale)
			if worst > 1e-12*scale {
				t.Errorf("x0 %v, K = %d: rules and jets differ by %.3g", x0, K, worst)
			}
		}
	}
}

// TestRulesTruncation: truncating after every layer is exact below K: the
// coefficients of orders <= 4 from K = 4 equal those from K = 8 (the whole
// polynomial), bit for bit up to rounding.
func TestRulesTruncation(t *testing.T) {
	n := testNet(t, 4)
	for _, x0 := range [][]float64{nil, {0.5, 0.1, -0.2, 0.3}} {
		p4, err := n.Rules(x0, 4)
		if err != nil {
			t.Fatal(err)
		}
		p8, err := n.Rules(x0, 8)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k <= 4; k++ {
			for i, v := range p4.T[k] {
				if w := p8.T[k][i]; math.Abs(v-w) > 1e-12*math.Max(1, math.Abs(w)) {
					t.Fatalf("x0 %v: T_%d[%d] = %v with K = 4, %v with K = 8", x0, k, i, v, w)
				}
			}
		}
	}
}

// TestNormaliser: the diagonal term of order M (6 for K = 4 and 5) is
// positive and dominates at large |y|.
func TestNormaliser(t *testing.T) {
	n := testNet(t, 5)
	p, err := n.Rules(nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	if p.NormOrder() != 6 {
		t.Errorf("NormOrder = %d for K = 4", p.NormOrder())
	}
	if (&Poly{K: 5}).NormOrder() != 6 || (&Poly{K: 6}).NormOrder() != 8 {
		t.Error("NormOrder of K = 5 or 6")
	}
	y := []float64{30, -20, 25, 10}
	base := p.Eval(y)
	p.Gamma = 1e-3
	with := p.Eval(y)
	want := 1e-3 * (math.Pow(30, 6) + math.Pow(20, 6) + math.Pow(25, 6) + math.Pow(10, 6))
	if math.Abs(with-base-want) > 1e-9*want {
		t.Errorf("normalising term %v, want %v", with-base, want)
	}
}

func TestPolyNetErrors(t *testing.T) {
	good := &QuadCoupling{A: []int{0}, B: []int{1}, U: []float64{1}, V: []float64{1}, Alpha: 1}
	for name, ls := range map[string][]PolyLayer{
		"singular W": {&Linear{W: []float64{1, 2, 2, 4}}},
		"short W":    {&Linear{W: []float64{1, 0, 0}}},
		"bad B":      {&Linear{W: []float64{1, 0, 0, 1}, B: []float64{1}}},
		"NaN W":      {&Linear{W: []float64{1, math.NaN(), 0, 1}}},
		"overlap":    {&QuadCoupling{A: []int{0}, B: []int{0}, U: []float64{1}, V: []float64{1}}},
		"bad U":      {&QuadCoupling{A: []int{0}, B: []int{1}, U: nil, V: []float64{1}}},
		"bad V":      {&QuadCoupling{A: []int{0}, B: []int{1}, U: []float64{1, 2}, V: []float64{1}}},
		"nil":        {good, nil},
	} {
		if _, err := NewPolyNet(2, ls...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewPolyNet(2, good); err != nil {
		t.Error(err)
	}
	n := testNet(t, 1)
	if _, err := n.Rules(nil, MaxOrder+1); err == nil {
		t.Error("Rules order 13: no error")
	}
	if _, err := n.Rules([]float64{1}, 4); err == nil {
		t.Error("Rules short x0: no error")
	}
}
