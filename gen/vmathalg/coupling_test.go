package vmathalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
)

// couplingRef runs internal/ref's coupling step of kernel k on one element.
func couplingRef[T ref.Float](k Kernel, ins, params []float64) []float64 {
	in := make([]T, len(ins))
	for i, v := range ins {
		in[i] = T(v)
	}
	pr := make([]T, len(params))
	for i, v := range params {
		pr[i] = T(v)
	}
	switch k.Name {
	case "CouplingSub":
		return []float64{float64(in[0] - in[1])}
	case "TanhGrad":
		return []float64{float64(ref.TanhGrad(in[0], in[1]))}
	case "CouplingFwdNone":
		y, _ := ref.CouplingForward(ref.ClampNone, in[0], in[1], in[2], 0, 0)
		return []float64{float64(y)}
	case "CouplingInvNone":
		x, _ := ref.CouplingInverse(ref.ClampNone, in[0], in[1], in[2], 0, 0)
		return []float64{float64(x)}
	case "CouplingBwdNone":
		dx, ds := ref.CouplingBackward(ref.ClampNone, in[0], in[1], in[2], pr[0], 0, 0)
		return []float64{float64(dx), float64(ds)}
	case "CouplingChainAtan":
		return []float64{float64(ref.CouplingChain(ref.ClampAtan, in[0], in[1]))}
	}
	if len(k.Outs) == 1 { // CouplingClamp*
		return []float64{float64(ref.CouplingScale(k.Clamp, in[0], pr[0], pr[1]))}
	}
	c, f := ref.CouplingScaleGrad(k.Clamp, in[0], pr[0], pr[1])
	return []float64{float64(c), float64(f)}
}

// TestCouplingKernelsMatchRef checks every recorded coupling kernel against
// internal/ref's element steps, bit for bit, on random and special inputs.
func TestCouplingKernelsMatchRef(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	specials := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), 30, -30, 800, -800}
	pick := func() float64 {
		if r.IntN(10) == 0 {
			return specials[r.IntN(len(specials))]
		}
		return r.NormFloat64() * math.Ldexp(1, r.IntN(6)-2)
	}
	for _, k := range Kernels {
		for _, is64 := range []bool{true, false} {
			p := RecordKernel(k, is64)
			if len(p.Results) != len(k.Outs) {
				t.Fatalf("%s: %d results for %d outputs", k.Name, len(p.Results), len(k.Outs))
			}
			for range 20000 {
				ins := make([]float64, len(k.Ins))
				for i := range ins {
					ins[i] = pick()
				}
				a := 0.5 + 3*r.Float64()
				params := make([]float64, len(k.Params))
				for i, name := range k.Params {
					switch name {
					case "dl":
						params[i] = pick()
					case "ia":
						params[i] = 1 / a
					case "m":
						params[i] = a
					}
				}
				if !is64 {
					for _, s := range [][]float64{ins, params} {
						for i := range s {
							s[i] = float64(float32(s[i]))
						}
					}
				}
				got := evalAll(p, is64, ins, params)
				for i, f := range evalAll(p.FoldNeg(), is64, ins, params) { // the program amd64 replays
					if !same(f, got[i]) {
						t.Fatalf("%s (64-bit %v) output %s at ins %v params %v: folded program %v, program %v",
							k.Name, is64, k.Outs[i], ins, params, f, got[i])
					}
				}
				var want []float64
				if is64 {
					want = couplingRef[float64](k, ins, params)
				} else {
					want = couplingRef[float32](k, ins, params)
				}
				for i := range want {
					if !same(got[i], want[i]) {
						t.Fatalf("%s (64-bit %v) output %s at ins %v params %v: program %v, ref %v",
							k.Name, is64, k.Outs[i], ins, params, got[i], want[i])
					}
				}
			}
		}
	}
}
