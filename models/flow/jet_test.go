package flow

import (
	"maps"
	"math"
	"math/cmplx"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/internal/jet"
	"github.com/flowkern/flowkern/kernels"
)

// jetSpecs are testSpecs (every layer kind, scale map and smooth
// activation) and a flow whose conditioners are affine (identity
// activation).
func jetSpecs(t *testing.T, d int) map[string]Spec {
	t.Helper()
	specs := testSpecs(t, d)
	sp, err := RealNVP(d, 2, Block{Hidden: []int{6}, Scale: ScaleExp, Activation: "identity"})
	if err != nil {
		t.Fatal(err)
	}
	specs["realnvp-exp-identity"] = initialised(sp)
	return specs
}

// directions returns n random directions of length about 1.
func directions(n, d int, seed uint64) Matrix[float64] {
	g := kernels.NewNormal(seed, 5)
	u := Matrix[float64]{Rows: n, Cols: d, Data: make([]float64, n*d), Stride: d}
	for i := range u.Data {
		u.Data[i] = g.Float64() / math.Sqrt(float64(d))
	}
	return u
}

// cLogProb is log p(x) of a float64 flow for complex x, written out from
// the layers' definitions with math/cmplx: the independent analytic
// continuation the jets are checked against.
func cLogProb(t *testing.T, f *Flow[float64], x []complex128) complex128 {
	d := f.d
	var ld complex128
	for _, l := range f.layers {
		z := make([]complex128, d)
		switch l := l.(type) {
		case *ActNorm[float64]:
			bias := l.bias()
			for j := range d {
				b := 0.0
				if bias != nil {
					b = bias[j]
				}
				z[j] = (x[j] + complex(b, 0)) * complex(math.Exp(l.logs()[j]), 0)
				ld += complex(l.logs()[j], 0)
			}
		case *LU[float64]:
			// W column by column: the layer's own map of the unit vectors.
			id := Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
			for j := range d {
				id.Data[j*d+j] = 1
			}
			w := Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
			l.Forward(w, id, nil) // row j = W e_j
			for i := range d {
				for j := range d {
					z[i] += complex(w.Data[j*d+i], 0) * x[j]
				}
			}
			for _, v := range l.logs {
				ld += complex(v, 0)
			}
		case *Permute[float64]:
			for i, p := range l.perm {
				z[i] = x[p]
			}
		case *Coupling[float64]:
			a, bcols := l.split.A(), l.split.B()
			in := make([]complex128, len(a))
			for i, c := range a {
				in[i] = x[c]
			}
			for li, dl := range l.net.Layers {
				out := make([]complex128, dl.W.Rows)
				for i := range dl.W.Rows {
					s := complex(dl.B[i], 0)
					for j := range dl.W.Cols {
						s += complex(dl.W.Data[i*dl.W.Stride+j], 0) * in[j]
					}
					out[i] = s
				}
				if li < len(l.net.Layers)-1 {
					for i, v := range out {
						out[i] = cAct(t, l.net.Act.String(), v)
					}
				}
				in = out
			}
			copy(z, x)
			nb := len(bcols)
			for i, c := range bcols {
				if l.additive {
					z[c] = x[c] + in[i]
					continue
				}
				cs := cScale(l.scale, l.clamp, in[i])
				z[c] = x[c]*cmplx.Exp(cs) + in[nb+i]
				ld += cs
			}
		default:
			t.Fatalf("no complex reference for %T", l)
		}
		x = z
	}
	var sq complex128
	for _, v := range x {
		sq += v * v
	}
	return ld - sq/2 - complex(float64(d)/2*math.Log(2*math.Pi), 0)
}

func cSigmoid(z complex128) complex128 { return 1 / (1 + cmplx.Exp(-z)) }

func cAct(t *testing.T, name string, v complex128) complex128 {
	switch name {
	case "identity":
		return v
	case "tanh":
		return cmplx.Tanh(v)
	case "softplus":
		return cmplx.Log(1 + cmplx.Exp(v))
	case "silu":
		return v * cSigmoid(v)
	case "gelu":
		c := 2 * math.Sqrt2 / math.SqrtPi
		return v * cSigmoid(complex(c, 0)*v+complex(c*0.044715, 0)*v*v*v)
	}
	t.Fatalf("no complex activation %q", name)
	return 0
}

func cScale(scale string, a float64, s complex128) complex128 {
	ca := complex(a, 0)
	switch scale {
	case ScaleTanh:
		return ca * cmplx.Tanh(s/ca)
	case ScaleAtan:
		return complex(2*a/math.Pi, 0) * cmplx.Atan(s/ca)
	case ScaleSigmoid:
		if a == 0 {
			return -cmplx.Log(1 + cmplx.Exp(-(s + 2)))
		}
		return cmplx.Log(cSigmoid(s+2) + ca)
	}
	return s
}

// cauchy returns the Taylor coefficients 0..k of g at 0 by the M-point
// trapezoid rule of the Cauchy integral on |t| = r.
func cauchy(g func(complex128) complex128, k int, r float64, m int) []float64 {
	vals := make([]complex128, m)
	for p := range m {
		vals[p] = g(complex(r, 0) * cmplx.Exp(complex(0, 2*math.Pi*float64(p)/float64(m))))
	}
	out := make([]float64, k+1)
	for q := range out {
		var s complex128
		for p := range m {
			s += vals[p] * cmplx.Exp(complex(0, -2*math.Pi*float64(p*q)/float64(m)))
		}
		out[q] = real(s) / float64(m) / math.Pow(r, float64(q))
	}
	return out
}

// TestLogProbJetAnalytic compares LogProbJet (orders 0..6, 4 directions)
// with the Taylor coefficients of the complex continuation of log p along
// the same directions (Cauchy integral, r = 0.25, 256 points), for every
// layer kind, scale map and smooth activation.
func TestLogProbJetAnalytic(t *testing.T) {
	const d, K, n = 5, 6, 4
	specs := jetSpecs(t, d)
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		sp := specs[name]
		f := randomised[float64](t, sp, 3)
		g := kernels.NewNormal(4, 0)
		x0 := make([]float64, d)
		for i := range x0 {
			x0[i] = 0.5 * g.Float64()
		}
		u := directions(n, d, 6)
		j := f.LogProbJet(x0, u, K)
		worst := 0.0
		for b := range n {
			want := cauchy(func(s complex128) complex128 {
				x := make([]complex128, d)
				for i := range d {
					x[i] = complex(x0[i], 0) + s*complex(u.Data[b*d+i], 0)
				}
				return cLogProb(t, f, x)
			}, K, 0.25, 256)
			for k, w := range want {
				e := math.Abs(j.At(k, b, 0)-w) / math.Max(1, math.Abs(w))
				worst = math.Max(worst, e)
			}
		}
		t.Logf("%-22s orders 0..%d: max relative error %.2g", name, K, worst)
		if worst > 1e-10 {
			t.Errorf("%s: LogProbJet differs from the analytic coefficients by %.3g", name, worst)
		}
	}
}

// fitCoeffs returns the coefficients 0..k of the degree-2m polynomial
// through S(t_j), t_j = h j, j = -m..m (a Vandermonde solve in j/m).
func fitCoeffs(t *testing.T, s func(float64) float64, k, m int, h float64) []float64 {
	n := 2*m + 1
	v := mat.NewDense(n, n, nil)
	y := mat.NewVecDense(n, nil)
	for r := range n {
		j := float64(r - m)
		p := 1.0
		for c := range n {
			v.Set(r, c, p)
			p *= j / float64(m)
		}
		y.SetVec(r, s(h*j))
	}
	var c mat.VecDense
	if err := c.SolveVec(v, y); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, k+1)
	for q := range out {
		out[q] = c.AtVec(q) / math.Pow(h*float64(m), float64(q))
	}
	return out
}

// TestLogProbJetFiniteDifferences compares LogProbJet (orders 0..4) with
// the coefficients of a degree-12 polynomial through LogProb itself at 13
// points t = -0.18..0.18 along each direction: the flow's own Forward code,
// not a rewrite of it.
func TestLogProbJetFiniteDifferences(t *testing.T) {
	const d, K, n = 5, 4, 3
	specs := jetSpecs(t, d)
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		sp := specs[name]
		f := randomised[float64](t, sp, 8)
		x0 := make([]float64, d)
		u := directions(n, d, 9)
		j := f.LogProbJet(x0, u, K)
		worst := 0.0
		lp := make([]float64, 1)
		for b := range n {
			s := func(tt float64) float64 {
				x := Matrix[float64]{Rows: 1, Cols: d, Data: make([]float64, d), Stride: d}
				for i := range d {
					x.Data[i] = x0[i] + tt*u.Data[b*d+i]
				}
				f.LogProb(lp, x)
				return lp[0]
			}
			want := fitCoeffs(t, s, K, 6, 0.03)
			for k, w := range want {
				worst = math.Max(worst, math.Abs(j.At(k, b, 0)-w)/math.Max(1, math.Abs(w)))
			}
		}
		t.Logf("%-22s orders 0..%d: max relative difference %.2g", name, K, worst)
		if worst > 1e-6 {
			t.Errorf("%s: LogProbJet differs from the fitted LogProb by %.3g", name, worst)
		}
	}
}

// TestLogProbJetFloat32: a float32 flow's jets are those of the float64
// function with its parameters converted (exactly) to float64: bit for bit
// the jets of that float64 flow.
func TestLogProbJetFloat32(t *testing.T) {
	const d, K = 5, 4
	specs := jetSpecs(t, d)
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		sp := specs[name]
		f32 := randomised[float32](t, sp, 11)
		f64, err := New[float64](sp, 11)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range f32.params {
			f64.params[i] = float64(v)
		}
		x0 := []float64{0.1, -0.2, 0.3, 0, 0.5}
		u := directions(3, d, 12)
		a, b := f32.LogProbJet(x0, u, K), f64.LogProbJet(x0, u, K)
		if a.V0[0] != b.V0[0] {
			t.Errorf("%s: order 0 %v vs %v", name, a.V0[0], b.V0[0])
		}
		for i := range a.Hi {
			if a.Hi[i] != b.Hi[i] {
				t.Errorf("%s: coefficient %d: %v vs %v", name, i, a.Hi[i], b.Hi[i])
			}
		}
		// and order 0 is the float32 flow's log p to float32 accuracy
		lp := make([]float64, 1)
		x := Matrix[float32]{Rows: 1, Cols: d, Data: make([]float32, d), Stride: d}
		for i, v := range x0 {
			x.Data[i] = float32(v)
		}
		f32.LogProb(lp, x)
		if e := math.Abs(lp[0]-a.V0[0]) / math.Max(1, math.Abs(lp[0])); e > 1e-5 {
			t.Errorf("%s: float32 LogProb %v, jet order 0 %v", name, lp[0], a.V0[0])
		}
	}
}

// TestLogProbJetTiers requires the same bits on every kernel tier.
func TestLogProbJetTiers(t *testing.T) {
	const d, K = 5, 5
	specs := jetSpecs(t, d)
	want := map[string]*jet.Jet{}
	isatest.Each(t, func(t *testing.T) {
		for name, sp := range specs {
			f := randomised[float64](t, sp, 21)
			j := f.LogProbJet([]float64{0.3, 0.1, -0.4, 0.2, 0}, directions(40, d, 22), K)
			w, ok := want[name]
			if !ok {
				want[name] = j
				continue
			}
			if j.V0[0] != w.V0[0] {
				t.Errorf("%s: order 0 differs from the first tier", name)
			}
			for i := range j.Hi {
				if j.Hi[i] != w.Hi[i] {
					t.Fatalf("%s: coefficient %d differs from the first tier: %v vs %v", name, i, j.Hi[i], w.Hi[i])
				}
			}
		}
	})
}

// TestLogProbJetReLU: a ReLU conditioner away from its kinks is piecewise
// affine, so its jets agree with the fitted LogProb too (the orders above
// one come from the scale map and the base term, not from the network).
func TestLogProbJetReLU(t *testing.T) {
	const d, K = 4, 4
	sp, err := RealNVP(d, 2, Block{Hidden: []int{6}, Activation: "relu"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sp.Layers {
		if sp.Layers[i].Kind == KindActNorm {
			sp.Layers[i].Initialized = true
		}
	}
	f := randomised[float64](t, sp, 30)
	x0 := []float64{0.2, -0.1, 0.4, 0.3}
	u := directions(2, d, 31)
	j := f.LogProbJet(x0, u, K)
	lp := make([]float64, 1)
	for b := range 2 {
		want := fitCoeffs(t, func(tt float64) float64 {
			x := Matrix[float64]{Rows: 1, Cols: d, Data: make([]float64, d), Stride: d}
			for i := range d {
				x.Data[i] = x0[i] + tt*u.Data[b*d+i]
			}
			f.LogProb(lp, x)
			return lp[0]
		}, K, 3, 1e-4)
		for k, w := range want[:3] {
			if e := math.Abs(j.At(k, b, 0)-w) / math.Max(1, math.Abs(w)); e > 1e-5 {
				t.Errorf("direction %d order %d: jet %v, fit %v", b, k, j.At(k, b, 0), w)
			}
		}
	}
}
