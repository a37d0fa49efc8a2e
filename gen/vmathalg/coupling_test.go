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
	var ia, m T
	switch {
	case k.Name == "CouplingSub":
		return []float64{float64(in[0] - in[1])}
	case k.Name == "TanhGrad":
		return []float64{float64(ref.TanhGrad(in[0], in[1]))}
	case len(k.Params) == 3:
		ia, m = pr[1], pr[2]
	case len(k.Params) == 2:
		ia, m = pr[0], pr[1]
	}
	var a, b T
	outs := 1
	switch k.Name[:11] {
	case "CouplingFwd":
		a, b = ref.CouplingForward(k.Clamp, in[0], in[1], in[2], ia, m)
	case "CouplingInv":
		a, b = ref.CouplingInverse(k.Clamp, in[0], in[1], in[2], ia, m)
	case "CouplingBwd":
		a, b = ref.CouplingBackward(k.Clamp, in[0], in[1], in[2], pr[0], ia, m)
		outs = 2
	}
	if k.Clamp != ref.ClampNone {
		outs = 2
	}
	return []float64{float64(a), float64(b)}[:outs]
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
