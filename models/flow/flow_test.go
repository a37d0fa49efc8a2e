package flow

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/kernels"
)

// randMat returns an n x d matrix of normals from seed.
func randMat[T kernels.Float](n, d int, seed uint64) Matrix[T] {
	g := kernels.NewNormal(seed, 99)
	m := Matrix[T]{Rows: n, Cols: d, Data: make([]T, n*d), Stride: d}
	for i := range m.Data {
		m.Data[i] = T(g.Float64())
	}
	return m
}

// testSpecs are small flows covering every layer kind, scale map, mask and
// a few activations; ActNorm is marked initialised so its random
// parameters are used as they are.
func testSpecs(t *testing.T, d int) map[string]Spec {
	t.Helper()
	specs := map[string]Spec{}
	add := func(name string, sp Spec, err error) {
		if err != nil {
			t.Fatal(name, err)
		}
		specs[name] = initialised(sp)
	}
	sp, err := Glow(d, 2, Block{Hidden: []int{7}})
	add("glow-atan", sp, err)
	sp, err = Glow(d, 2, Block{Hidden: []int{5, 6}, Scale: ScaleSigmoid, Activation: "silu", Mask: "alternating"})
	add("glow-sigmoid", sp, err)
	sp, err = Glow(d, 1, Block{Hidden: []int{5}, Scale: ScaleSigmoid, Clamp: 1e-3, Activation: "gelu"})
	add("glow-sigmoid-eps", sp, err)
	sp, err = RealNVP(d, 3, Block{Hidden: []int{6}, Scale: ScaleTanh, Clamp: 1.5, Activation: "softplus", Mask: "alternating"})
	add("realnvp-tanh", sp, err)
	sp, err = RealNVP(d, 2, Block{Hidden: []int{6}, Scale: ScaleExp})
	add("realnvp-exp", sp, err)
	sp, err = NICE(d, 3, Block{Hidden: []int{6}})
	add("nice", sp, err)
	sp.Layers = append([]LayerSpec{{Kind: KindReverse}, {Kind: KindShuffle}}, sp.Layers...)
	add("nice-permuted", sp, nil)
	return specs
}

// initialised marks sp's ActNorm layers as initialised, so that their
// parameters are used as they are.
func initialised(sp Spec) Spec {
	for i := range sp.Layers {
		if sp.Layers[i].Kind == KindActNorm {
			sp.Layers[i].Initialized = true
		}
	}
	return sp
}

// randomised returns the flow of sp with every parameter perturbed, so that
// no coupling is the identity.
func randomised[T kernels.Float](t *testing.T, sp Spec, seed uint64) *Flow[T] {
	t.Helper()
	f, err := New[T](sp, seed)
	if err != nil {
		t.Fatal(err)
	}
	g := kernels.NewNormal(seed, 1000)
	for i, v := range f.params {
		f.params[i] = v + T(0.3*g.Float64())
	}
	return f
}

func maxAbs[T kernels.Float](v []T) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	const d, n = 6, 17
	for name, sp := range testSpecs(t, d) {
		t.Run(name, func(t *testing.T) {
			f := randomised[float64](t, sp, 3)
			x := randMat[float64](n, d, 4)
			z := randMat[float64](n, d, 0)
			ld := make([]float64, n)
			f.Forward(z, x, ld)
			x2 := randMat[float64](n, d, 0)
			f.Inverse(x2, z)
			for i := range x.Data {
				if math.Abs(x2.Data[i]-x.Data[i]) > 1e-12*math.Max(1, maxAbs(x.Data)) {
					t.Fatalf("Inverse(Forward(x))[%d] = %v, x = %v", i, x2.Data[i], x.Data[i])
				}
			}
			// Each layer's Inverse undoes its log-determinant.
			in := x
			for i, l := range f.layers {
				out := randMat[float64](n, d, 0)
				ld1, ld2 := make([]float64, n), make([]float64, n)
				l.Forward(out, in, ld1)
				back := randMat[float64](n, d, 0)
				l.Inverse(back, out, ld2)
				for b := range n {
					if math.Abs(ld1[b]+ld2[b]) > 1e-12*math.Max(1, math.Abs(ld1[b])) {
						t.Fatalf("layer %d (%s): logdet %v forward, %v inverse", i, l.Spec().Kind, ld1[b], ld2[b])
					}
				}
				in = out
			}
		})
	}
}

// TestLogDetBruteForce compares each flow's log|det dz/dx| with the log
// of the determinant of its Jacobian by central differences (gonum's LU).
func TestLogDetBruteForce(t *testing.T) {
	const d, n = 5, 4
	for name, sp := range testSpecs(t, d) {
		t.Run(name, func(t *testing.T) {
			f := randomised[float64](t, sp, 5)
			x := randMat[float64](n, d, 6)
			ld := make([]float64, n)
			z := randMat[float64](n, d, 0)
			f.Forward(z, x, ld)
			const h = 1e-5
			xp := randMat[float64](1, d, 0)
			zp, zm := randMat[float64](1, d, 0), randMat[float64](1, d, 0)
			for b := range n {
				jac := mat.NewDense(d, d, nil)
				for k := range d {
					copy(xp.Data, rowOf(x, b))
					xp.Data[k] += h
					f.Forward(zp, xp, nil)
					xp.Data[k] -= 2 * h
					f.Forward(zm, xp, nil)
					for i := range d {
						jac.Set(i, k, (zp.Data[i]-zm.Data[i])/(2*h))
					}
				}
				var lu mat.LU
				lu.Factorize(jac)
				want, _ := lu.LogDet()
				if math.Abs(ld[b]-want) > 1e-7*math.Max(1, math.Abs(want)) {
					t.Errorf("row %d: logdet %v, brute force %v", b, ld[b], want)
				}
			}
		})
	}
}

// nll returns the mean negative log-likelihood of x.
func nll(f *Flow[float64], x Matrix[float64]) float64 {
	lp := make([]float64, x.Rows)
	f.LogProb(lp, x)
	return -mean(lp)
}

// TestGradients compares every parameter gradient and the input gradient
// of the mean NLL with central differences.
func TestGradients(t *testing.T) {
	const d, n = 4, 5
	for name, sp := range testSpecs(t, d) {
		t.Run(name, func(t *testing.T) {
			f := randomised[float64](t, sp, 7)
			x := randMat[float64](n, d, 8)
			clear(f.grads)
			gxm := randMat[float64](n, d, 0)
			loss := f.lossGrad(x, gxm)
			gx := gxm.Data
			if want := nll(f, x); math.Abs(loss-want) > 1e-12*math.Abs(want) {
				t.Fatalf("training loss %v, LogProb gives %v", loss, want)
			}
			check := func(what string, p *float64, g float64) {
				t.Helper()
				const h = 1e-6
				v := *p
				*p = v + h
				lp := nll(f, x)
				*p = v - h
				lm := nll(f, x)
				*p = v
				fd := (lp - lm) / (2 * h)
				if math.Abs(fd-g) > 2e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: gradient %v, central difference %v", what, g, fd)
				}
			}
			for i := range f.layers {
				p := f.LayerParams(i)
				for k := range p {
					check(fmt.Sprintf("layer %d (%s) parameter %d", i, f.layers[i].Spec().Kind, k), &p[k], f.grads[f.offs[i]+k])
				}
			}
			for i := range x.Data {
				check(fmt.Sprintf("x[%d][%d]", i/d, i%d), &x.Data[i], gx[i])
			}
		})
	}
}

// TestFloat32 checks the float32 flow against the float64 one with the
// same parameters.
func TestFloat32(t *testing.T) {
	const d, n = 6, 9
	for name, sp := range testSpecs(t, d) {
		t.Run(name, func(t *testing.T) {
			f64 := randomised[float64](t, sp, 9)
			f32, err := New[float32](sp, 9)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range f64.params {
				f32.params[i] = float32(v)
				f64.params[i] = float64(float32(v))
			}
			for i := range f64.layers {
				if lu, ok := f64.layers[i].(*LU[float64]); ok {
					lu32 := f32.layers[i].(*LU[float32])
					copy(lu32.perm, lu.perm)
					for k, s := range lu.sign {
						lu32.sign[k] = float32(s)
					}
				}
				if p, ok := f64.layers[i].(*Permute[float64]); ok {
					copy(f32.layers[i].(*Permute[float32]).perm, p.perm)
				}
			}
			x := randMat[float64](n, d, 10)
			x32 := randMat[float32](n, d, 10)
			for i := range x.Data {
				x.Data[i] = float64(x32.Data[i])
			}
			l64, l32 := make([]float64, n), make([]float64, n)
			f64.LogProb(l64, x)
			f32.LogProb(l32, x32)
			for b := range n {
				if math.Abs(l64[b]-l32[b]) > 1e-4*math.Max(1, math.Abs(l64[b])) {
					t.Errorf("row %d: float32 log p %v, float64 %v", b, l32[b], l64[b])
				}
			}
		})
	}
}

// TestTiers requires bit-identical log-densities, samples and gradients on
// every tier.
func TestTiers(t *testing.T) {
	const d, n = 6, 33
	sp := testSpecs(t, d)["glow-atan"]
	var want []uint64
	isatest.Each(t, func(t *testing.T) {
		f := randomised[float64](t, sp, 11)
		x := randMat[float64](n, d, 12)
		lp := make([]float64, n)
		f.LogProb(lp, x)
		s := randMat[float64](n, d, 0)
		f.Sample(s, 5)
		clear(f.grads)
		f.lossGrad(x, Matrix[float64]{})
		var got []uint64
		for _, v := range append(append(lp, s.Data...), f.grads...) {
			got = append(got, math.Float64bits(v))
		}
		if want == nil {
			want = got
			return
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("value %d differs from the first tier's: %v vs %v", i, math.Float64frombits(got[i]), math.Float64frombits(want[i]))
			}
		}
	})
}

// TestSampleMatchesInverse checks Sample against Inverse of the normal
// stream, and that a longer sample extends a shorter one.
func TestSampleMatchesInverse(t *testing.T) {
	const d = 4
	f := randomised[float64](t, testSpecs(t, d)["realnvp-tanh"], 13)
	long := randMat[float64](300, d, 0)
	f.Sample(long, 21)
	short := randMat[float64](3, d, 0)
	f.Sample(short, 21)
	for i := range short.Data {
		if short.Data[i] != long.Data[i] {
			t.Fatalf("sample element %d: %v in a sample of 3, %v in one of 300", i, short.Data[i], long.Data[i])
		}
	}
	g := kernels.NewNormal(21, 0)
	z := randMat[float64](3, d, 0)
	g.Fill(z.Data)
	x := randMat[float64](3, d, 0)
	f.Inverse(x, z)
	for i := range x.Data {
		if x.Data[i] != short.Data[i] {
			t.Fatalf("Sample differs from Inverse of the normal stream at %d", i)
		}
	}
}

func TestShapePanics(t *testing.T) {
	f := randomised[float64](t, testSpecs(t, 4)["glow-atan"], 1)
	for name, call := range map[string]func(){
		"Forward x":   func() { f.Forward(randMat[float64](2, 4, 0), randMat[float64](2, 3, 0), nil) },
		"Forward z":   func() { f.Forward(randMat[float64](3, 4, 0), randMat[float64](2, 4, 0), nil) },
		"logdet":      func() { f.Forward(randMat[float64](2, 4, 0), randMat[float64](2, 4, 0), make([]float64, 3)) },
		"LogProb dst": func() { f.LogProb(make([]float64, 1), randMat[float64](2, 4, 0)) },
		"Inverse":     func() { f.Inverse(randMat[float64](2, 5, 0), randMat[float64](2, 4, 0)) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if s := fmt.Sprint(r); len(s) < 10 || s[:5] != "flow:" {
					t.Errorf("%s: panic %q does not name the problem", name, s)
				}
			}()
			call()
		}()
	}
}

func TestBadSpecs(t *testing.T) {
	good, _ := Glow(4, 1, Block{})
	for name, sp := range map[string]Spec{
		"dim 0":         {Dim: 0, Layers: good.Layers},
		"no layers":     {Dim: 4},
		"unknown kind":  {Dim: 4, Layers: []LayerSpec{{Kind: "conv"}}},
		"bad split":     {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{1, 2}, Activation: "tanh", Scale: "exp"}}},
		"empty B":       {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1, 2, 3}, Activation: "tanh", Scale: "exp"}}},
		"bad scale":     {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{2, 3}, Activation: "tanh", Scale: "cube"}}},
		"no clamp":      {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{2, 3}, Activation: "tanh", Scale: "tanh"}}},
		"bad act":       {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{2, 3}, Activation: "swish2", Scale: "exp"}}},
		"hidden 0":      {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{2, 3}, Hidden: []int{0}, Activation: "tanh", Scale: "exp"}}},
		"huge hidden":   {Dim: 4, Layers: []LayerSpec{{Kind: KindAffine, A: []int{0, 1}, B: []int{2, 3}, Hidden: []int{1 << 19, 1 << 19}, Activation: "tanh", Scale: "exp"}}},
		"huge dim (LU)": {Dim: 1 << 20, Layers: []LayerSpec{{Kind: KindLU}}},
	} {
		if _, err := New[float64](sp, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Glow(6, 1, Block{Mask: "checkerboard:2x2x2"}); err == nil {
		t.Error("checkerboard of the wrong size: no error")
	}
	if _, err := Glow(8, 1, Block{Mask: "checkerboard:2x2x2"}); err != nil {
		t.Error(err)
	}
}

// TestZeroRows runs every kind of layer, and the flow, on a batch of no
// rows with no data: nothing to do, and nothing may panic.
func TestZeroRows(t *testing.T) {
	for i, mask := range []string{"halves", "alternating"} {
		scale := []string{ScaleAtan, ScaleSigmoid}[i]
		sp, err := Glow(4, 1, Block{Hidden: []int{3}, Mask: mask, Scale: scale})
		if err != nil {
			t.Fatal(err)
		}
		sp2, err := NICE(4, 1, Block{Hidden: []int{3}, Mask: mask})
		if err != nil {
			t.Fatal(err)
		}
		sp.Layers = append(sp.Layers, sp2.Layers...)
		f, err := New[float64](sp, 1)
		if err != nil {
			t.Fatal(err)
		}
		z := Matrix[float64]{Rows: 0, Cols: 4, Stride: 4}
		x := Matrix[float64]{Rows: 0, Cols: 4, Stride: 4}
		for _, l := range f.layers {
			l.Forward(z, x, nil)
			l.Inverse(x, z, nil)
			l.Backward(x, z, x, nil)
		}
		f.LogProb(nil, x)
		f.Inverse(x, z)
	}
}
