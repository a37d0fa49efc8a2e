package action

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/internal/jet"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
	"github.com/flowkern/flowkern/models/phi4"
)

// polyModel is S(x) = sum_k T_k[x - c, ..., x - c], an explicit polynomial
// with known symmetric coefficient tensors around the point c.
type polyModel struct {
	c []float64
	t []*Sym // t[k] of order k
}

func (p *polyModel) Dim() int { return len(p.c) }

// ActionJet expands each term binomially: with y0 = x0 - c,
// T_k[(y0 + t u)^k] = sum_j C(k, j) t^j T_k[y0^(k-j), u^j], computed from
// the contractions of T_k with y0 + s u at k+1 values of s.
func (p *polyModel) ActionJet(x0 []float64, u kernels.Matrix[float64], order int) *jet.Jet {
	d := len(p.c)
	j := jet.New(u.Rows, 1, order)
	y0 := make([]float64, d)
	for i := range d {
		y0[i] = x0[i] - p.c[i]
	}
	for _, tk := range p.t {
		j.V0[0] += tk.Contract(y0)
	}
	for b := range u.Rows {
		ub := u.Data[b*u.Stride : b*u.Stride+d]
		for _, tk := range p.t {
			// g(s) = T_k[(y0 + s u)^k] is a polynomial of degree k in s:
			// its coefficients by exact interpolation at s = 0..k.
			k := tk.N
			vals := make([]float64, k+1)
			for s := 0; s <= k; s++ {
				y := make([]float64, d)
				for i := range d {
					y[i] = y0[i] + float64(s)*ub[i]
				}
				vals[s] = tk.Contract(y)
			}
			co := newtonToMonomial(vals)
			for q := 1; q <= min(k, order); q++ {
				j.Hi[(q-1)*u.Rows+b] += co[q]
			}
		}
	}
	return j
}

// newtonToMonomial returns the monomial coefficients of the polynomial
// through (s, vals[s]), s = 0..n (divided differences, then expansion).
func newtonToMonomial(vals []float64) []float64 {
	n := len(vals) - 1
	dd := append([]float64(nil), vals...)
	for l := 1; l <= n; l++ {
		for i := n; i >= l; i-- {
			dd[i] = (dd[i] - dd[i-1]) / float64(l)
		}
	}
	co := make([]float64, n+1)
	for i := n; i >= 0; i-- {
		// co = co * (s - i) + dd[i]
		for q := n; q >= 1; q-- {
			co[q] = co[q-1] - float64(i)*co[q]
		}
		co[0] = -float64(i)*co[0] + dd[i]
	}
	return co
}

func randomSym(d, n int, g *kernels.Normal) *Sym {
	s := &Sym{D: d, N: n, Data: make([]float64, SymLen(d, n))}
	for i := range s.Data {
		s.Data[i] = g.Float64()
	}
	return s
}

// TestPolarization recovers every entry of known random tensors of orders
// 0..4 on d = 5 (expanded at the polynomial's own centre) from directional
// coefficients alone.
func TestPolarization(t *testing.T) {
	const d = 5
	g := kernels.NewNormal(1, 0)
	p := &polyModel{c: make([]float64, d)}
	for k := range 5 {
		p.t = append(p.t, randomSym(d, k, &g))
	}
	e, err := Expand(p, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	check := func(what string, got, want float64) {
		worst = math.Max(worst, math.Abs(got-want))
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("A0", e.A0(), p.t[0].Data[0])
	for i, v := range e.A1() {
		check("A1", v, p.t[1].At(i))
	}
	a2 := e.A2()
	for i := range d {
		for j := range d {
			check("A2", a2[i*d+j], p.t[2].At(i, j))
		}
	}
	for n := 3; n <= 4; n++ {
		full, err := e.Full(n)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range full.Data {
			check("Full", v, p.t[n].Data[i])
		}
	}
	check("A3(4,0,2)", e.A3(4, 0, 2), p.t[3].At(0, 2, 4))
	check("A4(1,3,1,0)", e.A4(1, 3, 1, 0), p.t[4].At(0, 1, 1, 3))
	for i, v := range e.A4Diag() {
		check("A4Diag", v, p.t[4].At(i, i, i, i))
	}
	t.Logf("largest error over every entry of A0..A4 (d = 5): %.2g", worst)
}

// TestPolarizationCounts pins the number of model directions an entry
// costs (beyond the stored diagonals).
func TestPolarizationCounts(t *testing.T) {
	for _, tc := range []struct {
		ix   []int
		want int
	}{
		{[]int{0, 1, 2, 3}, 8}, {[]int{0, 0, 1, 1}, 2}, {[]int{0, 0, 0, 1}, 4}, {[]int{0, 0, 1, 2}, 6},
		{[]int{0, 1, 2}, 4}, {[]int{0, 0, 1}, 2}, {[]int{3, 3, 3}, 1},
	} {
		n := 0
		for _, p := range polarize(tc.ix) {
			if len(p.dir) > 1 {
				n++
			}
		}
		if allEqual(tc.ix) {
			n = len(polarize(tc.ix))
		}
		if n != tc.want {
			t.Errorf("%v: %d directions, want %d", tc.ix, n, tc.want)
		}
	}
}

// phi4Model is lattice phi^4 as a Model: S(t u) = t^2 u.A2 u + t^4 lambda
// sum u^4 at x0 = 0 (the model is only expanded there).
type phi4Model struct{ th *phi4.Theory }

func (m phi4Model) Dim() int { return m.th.Sites() }

func (m phi4Model) ActionJet(x0 []float64, u kernels.Matrix[float64], order int) *jet.Jet {
	v := m.th.Sites()
	a2 := m.th.A2()
	j := jet.New(u.Rows, 1, order)
	for b := range u.Rows {
		ub := u.Data[b*u.Stride : b*u.Stride+v]
		q, f := 0.0, 0.0
		for x := range v {
			for y := range v {
				q += ub[x] * a2[x*v+y] * ub[y]
			}
			f += ub[x] * ub[x] * ub[x] * ub[x]
		}
		j.Hi[u.Rows+b] = q
		if order >= 4 {
			j.Hi[3*u.Rows+b] = m.th.Lambda() * f
		}
	}
	return j
}

// TestPhi4 expands lattice phi^4 on 8x8 (d = 64) and recovers its true A2
// exactly, A4_xxxx = lambda, and zeros elsewhere.
func TestPhi4(t *testing.T) {
	th, err := phi4.New([]int{8, 8}, -4, 8)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Expand(phi4Model{th}, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := th.A2()
	for i, v := range e.A2() {
		if v != want[i] {
			t.Fatalf("A2[%d] = %v, want %v", i, v, want[i])
		}
	}
	for i, v := range e.A4Diag() {
		if v != 8 {
			t.Fatalf("A4(%d,%d,%d,%d) = %v, want 8", i, i, i, i, v)
		}
	}
	// nearest neighbours, A3 and a few A4 patterns: all zero
	idx := [][]int{{0, 0, 1, 1}, {0, 1, 1, 1}, {0, 8, 0, 8}, {0, 1, 8, 9}, {5, 6, 7, 8}}
	for i, v := range e.Entries(4, idx) {
		if v != 0 {
			t.Errorf("A4%v = %v, want 0", idx[i], v)
		}
	}
	if v := e.A3(0, 1, 2); v != 0 {
		t.Errorf("A3(0,1,2) = %v", v)
	}
	if _, err := e.Full(4); err == nil {
		t.Error("Full(4) on d = 64 (766480 entries): no error")
	}
}

// flowWith returns the float64 flow of sp with parameters perturbed by
// 0.3 N(0, 1) (ActNorm marked initialised).
func flowWith(t *testing.T, sp flow.Spec, seed uint64) *flow.Flow[float64] {
	t.Helper()
	for i := range sp.Layers {
		if sp.Layers[i].Kind == flow.KindActNorm {
			sp.Layers[i].Initialized = true
		}
	}
	f, err := flow.New[float64](sp, seed)
	if err != nil {
		t.Fatal(err)
	}
	g := kernels.NewNormal(seed, 77)
	p := f.Params()
	for i := range p {
		p[i] += float64(0.3 * g.Float64()) // rounded: no fma on arm64
	}
	return f
}

// TestLinearFlow: a flow of linear layers only is z = W x + c, so S is the
// exact quadratic |W x + c|^2/2 + (d/2) log 2pi - log|det W|: A2 = W^T W / 2,
// A1 = W^T c, A0 as written, and A3 = A4 = 0 exactly.
func TestLinearFlow(t *testing.T) {
	const d = 5
	sp := flow.Spec{Dim: d, Layers: []flow.LayerSpec{
		{Kind: flow.KindActNorm}, {Kind: flow.KindLU}, {Kind: flow.KindReverse}, {Kind: flow.KindShuffle},
		{Kind: flow.KindLU}, {Kind: flow.KindScale},
	}}
	f := flowWith(t, sp, 2)
	// W and c from the flow's own Forward: c = f(0), column j = f(e_j) - c.
	x := flow.Matrix[float64]{Rows: d + 1, Cols: d, Data: make([]float64, (d+1)*d), Stride: d}
	for j := range d {
		x.Data[(j+1)*d+j] = 1
	}
	z := flow.Matrix[float64]{Rows: d + 1, Cols: d, Data: make([]float64, (d+1)*d), Stride: d}
	ld := make([]float64, d+1)
	f.Forward(z, x, ld)
	c := z.Data[:d]
	w := make([]float64, d*d) // w[i*d+j] = W_ij
	for j := range d {
		for i := range d {
			w[i*d+j] = z.Data[(j+1)*d+i] - c[i]
		}
	}
	e, err := Coefficients(f, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	a2 := e.A2()
	for i := range d {
		for j := range d {
			want := 0.0
			for r := range d {
				want += w[r*d+i] * w[r*d+j]
			}
			want /= 2
			worst = math.Max(worst, math.Abs(a2[i*d+j]-want)/math.Max(1, math.Abs(want)))
		}
		want := 0.0
		for r := range d {
			want += w[r*d+i] * c[r]
		}
		worst = math.Max(worst, math.Abs(e.A1()[i]-want)/math.Max(1, math.Abs(want)))
	}
	cc := 0.0
	for _, v := range c {
		cc += v * v
	}
	a0 := cc/2 + float64(d)/2*math.Log(2*math.Pi) - ld[0]
	worst = math.Max(worst, math.Abs(e.A0()-a0)/math.Max(1, math.Abs(a0)))
	t.Logf("A0, A1, A2 against W and c: max relative error %.2g", worst)
	if worst > 1e-12 {
		t.Errorf("linear flow: coefficients differ from W^T W/2, W^T c by %.3g", worst)
	}
	for n := 3; n <= 4; n++ {
		full, err := e.Full(n)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range full.Data {
			if v != 0 {
				t.Errorf("A%d entry %d = %v, want exactly 0", n, i, v)
			}
		}
	}
}

// smallFlows are nonlinear flows on d variables with every scale map and
// smooth activation.
func smallFlows(t *testing.T, d int) map[string]flow.Spec {
	t.Helper()
	out := map[string]flow.Spec{}
	for name, mk := range map[string]func() (flow.Spec, error){
		"glow-atan-tanh": func() (flow.Spec, error) { return flow.Glow(d, 2, flow.Block{Hidden: []int{6}}) },
		"glow-sigmoid-silu": func() (flow.Spec, error) {
			return flow.Glow(d, 2, flow.Block{Hidden: []int{5}, Scale: flow.ScaleSigmoid, Activation: "silu", Mask: "alternating"})
		},
		"realnvp-tanh-gelu": func() (flow.Spec, error) {
			return flow.RealNVP(d, 2, flow.Block{Hidden: []int{6}, Scale: flow.ScaleTanh, Clamp: 1.5, Activation: "gelu"})
		},
		"realnvp-exp-softplus": func() (flow.Spec, error) {
			return flow.RealNVP(d, 2, flow.Block{Hidden: []int{6}, Scale: flow.ScaleExp, Activation: "softplus", Mask: "alternating"})
		},
		"nice": func() (flow.Spec, error) { return flow.NICE(d, 3, flow.Block{Hidden: []int{6}}) },
	} {
		sp, err := mk()
		if err != nil {
			t.Fatal(name, err)
		}
		out[name] = sp
	}
	return out
}

// TestA2Hessian compares A2 with half the central-difference Hessian of
// -LogProb (h = 1e-3 and 5e-4, Richardson-extrapolated), at a random
// point.
func TestA2Hessian(t *testing.T) {
	const d = 4
	specs := smallFlows(t, d)
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		sp := specs[name]
		f := flowWith(t, sp, 5)
		x0 := []float64{0.3, -0.2, 0.1, 0.4}
		e, err := Coefficients(f, x0, 4)
		if err != nil {
			t.Fatal(err)
		}
		s := func(dx []float64) float64 {
			x := flow.Matrix[float64]{Rows: 1, Cols: d, Data: make([]float64, d), Stride: d}
			for i := range d {
				x.Data[i] = x0[i] + dx[i]
			}
			lp := make([]float64, 1)
			f.LogProb(lp, x)
			return -lp[0]
		}
		hess := func(i, j int, h float64) float64 {
			at := func(a, b float64) float64 {
				dx := make([]float64, d)
				dx[i] += a
				dx[j] += b
				return s(dx)
			}
			return (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)
		}
		a2 := e.A2()
		worst, scale := 0.0, 0.0
		for i := range d {
			for j := range d {
				h1, h2 := hess(i, j, 1e-3), hess(i, j, 5e-4)
				want := (4*h2 - h1) / 3 / 2
				worst = math.Max(worst, math.Abs(a2[i*d+j]-want))
				scale = math.Max(scale, math.Abs(want))
			}
		}
		t.Logf("%-22s max |A2 - Hessian/2| = %.2g (max |A2| %.3g)", name, worst, scale)
		if worst > 1e-6*math.Max(1, scale) {
			t.Errorf("%s: A2 differs from the finite-difference Hessian by %.3g", name, worst)
		}
	}
}

// TestFullAgainstAlong: for random directions u, the recovered tensors
// contract to the model's own directional coefficients,
// A_n[u, ..., u] = f_n(u), n = 2, 3, 4 (the whole tensor is then right:
// the random u are more than its distinct entries).
func TestFullAgainstAlong(t *testing.T) {
	const d = 4
	g := kernels.NewNormal(9, 0)
	specs := smallFlows(t, d)
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		sp := specs[name]
		f := flowWith(t, sp, 6)
		e, err := Coefficients(f, []float64{0.1, 0.2, -0.3, 0}, 4)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for n := 2; n <= 4; n++ {
			full, err := e.Full(n)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 * SymLen(d, n) {
				u := make([]float64, d)
				for i := range u {
					u[i] = g.Float64()
				}
				want := e.Along(u)[n]
				got := full.Contract(u)
				worst = math.Max(worst, math.Abs(got-want)/math.Max(1, math.Abs(want)))
			}
			// symmetric access
			if n == 4 {
				if a, b := e.A4(0, 1, 2, 3), e.A4(3, 1, 0, 2); a != b || a != full.At(2, 0, 3, 1) {
					t.Errorf("%s: A4 not symmetric: %v %v %v", name, a, b, full.At(2, 0, 3, 1))
				}
			}
		}
		t.Logf("%-22s A2..A4 contracted vs f_n(u): max relative error %.2g", name, worst)
		if worst > 1e-11 {
			t.Errorf("%s: contraction differs from the directional coefficient by %.3g", name, worst)
		}
	}
}

// TestCoefficientsTiers requires the same bits of A0, A1, A2, the
// diagonals and a few A3/A4 entries on every tier.
func TestCoefficientsTiers(t *testing.T) {
	const d = 6
	sp, err := flow.Glow(d, 2, flow.Block{Hidden: []int{8}, Activation: "gelu"})
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	isatest.Each(t, func(t *testing.T) {
		f := flowWith(t, sp, 12)
		e, err := Coefficients(f, []float64{0.1, 0, -0.2, 0.3, 0, 0.5}, 4)
		if err != nil {
			t.Fatal(err)
		}
		got := append([]float64{e.A0()}, e.A1()...)
		got = append(got, e.A2()...)
		got = append(got, e.Diag(3)...)
		got = append(got, e.A4Diag()...)
		got = append(got, e.Entries(4, [][]int{{0, 1, 2, 3}, {0, 0, 1, 1}, {2, 3, 3, 5}})...)
		got = append(got, e.Entries(3, [][]int{{0, 1, 2}, {4, 4, 5}})...)
		if want == nil {
			want = got
			return
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("value %d differs from the first tier: %v vs %v", i, got[i], want[i])
			}
		}
	})
}

// goldenCoefficients is the SHA-256 of the bits of TestGolden's values,
// computed on amd64; arm64 (NEON, in qemu) must reproduce it.
const goldenCoefficients = "a3098cf25bf529c01ef8c055fa559487d46fbfa3159a66ba962aa30860b75d24"

// TestGolden pins the bits of expansions of small flows (every scale map
// and smooth activation: A0, A1, A2, the diagonals to order 5 and every
// entry of A3 and A4 on d = 4) across tiers and architectures.
func TestGolden(t *testing.T) {
	const d = 4
	specs := smallFlows(t, d)
	isatest.Each(t, func(t *testing.T) {
		h := sha256.New()
		for _, name := range slices.Sorted(maps.Keys(specs)) {
			f := flowWith(t, specs[name], 40)
			e, err := Coefficients(f, []float64{0.2, -0.1, 0, 0.3}, 5)
			if err != nil {
				t.Fatal(err)
			}
			vals := append([]float64{e.A0()}, e.A1()...)
			vals = append(vals, e.A2()...)
			for k := 3; k <= 5; k++ {
				vals = append(vals, e.Diag(k)...)
			}
			for n := 3; n <= 4; n++ {
				full, err := e.Full(n)
				if err != nil {
					t.Fatal(err)
				}
				vals = append(vals, full.Data...)
			}
			for _, v := range vals {
				binary.Write(h, binary.LittleEndian, math.Float64bits(v))
			}
		}
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != goldenCoefficients {
			t.Errorf("coefficients hash %s, want %s", got, goldenCoefficients)
		}
	})
}

// TestFloat32Flow: a float32 flow's coefficients are those of the float64
// flow with its parameters converted, bit for bit.
func TestFloat32Flow(t *testing.T) {
	const d = 4
	sp, err := flow.RealNVP(d, 2, flow.Block{Hidden: []int{6}, Activation: "silu"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sp.Layers {
		if sp.Layers[i].Kind == flow.KindActNorm {
			sp.Layers[i].Initialized = true
		}
	}
	f32, err := flow.New[float32](sp, 3)
	if err != nil {
		t.Fatal(err)
	}
	g := kernels.NewNormal(3, 1)
	for i := range f32.Params() {
		f32.Params()[i] += float32(0.3 * g.Float64())
	}
	f64, err := flow.New[float64](sp, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range f32.Params() {
		f64.Params()[i] = float64(v)
	}
	e32, err := Coefficients(f32, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	e64, err := Coefficients(f64, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	a, b := e32.A2(), e64.A2()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("A2[%d]: float32 flow %v, converted float64 flow %v", i, a[i], b[i])
		}
	}
	if x, y := e32.A4(0, 1, 2, 3), e64.A4(0, 1, 2, 3); x != y {
		t.Fatalf("A4(0,1,2,3): %v vs %v", x, y)
	}
}

func TestErrors(t *testing.T) {
	sp, err := flow.NICE(3, 1, flow.Block{Hidden: []int{4}})
	if err != nil {
		t.Fatal(err)
	}
	f := flowWith(t, sp, 1)
	for name, fn := range map[string]func() error{
		"order 1":   func() error { _, err := Coefficients(f, nil, 1); return err },
		"order 13":  func() error { _, err := Coefficients(f, nil, MaxOrder+1); return err },
		"short x0":  func() error { _, err := Coefficients(f, []float64{1, 2}, 4); return err },
		"NaN x0":    func() error { _, err := Coefficients(f, []float64{1, math.NaN(), 0}, 4); return err },
		"nil flow":  func() error { _, err := Coefficients[float64](nil, nil, 4); return err },
		"nil model": func() error { _, err := Expand(nil, nil, 4); return err },
		"Inf x0":    func() error { _, err := Coefficients(f, []float64{math.Inf(1), 0, 0}, 4); return err },
	} {
		if fn() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	e, err := Coefficients(f, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Full(4); err == nil {
		t.Error("Full(4) of an order-3 expansion: no error")
	}
	for name, fn := range map[string]func(){
		"A4 of order 3": func() { e.A4(0, 1, 2, 0) },
		"index":         func() { e.A3(0, 1, 3) },
		"Diag(4)":       func() { e.Diag(4) },
		"Along":         func() { e.Along([]float64{1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestSymRank(t *testing.T) {
	for _, dn := range [][2]int{{1, 4}, {3, 1}, {4, 3}, {5, 4}, {2, 6}} {
		d, n := dn[0], dn[1]
		seen := make([]bool, SymLen(d, n))
		Multisets(d, n, func(tp []int) {
			r := SymRank(tp)
			if r < 0 || r >= len(seen) || seen[r] {
				t.Fatalf("d %d n %d: rank %d of %v out of range or repeated", d, n, r, tp)
			}
			seen[r] = true
		})
	}
	if SymLen(64, 4) != 766480 {
		t.Errorf("SymLen(64, 4) = %d", SymLen(64, 4))
	}
}
