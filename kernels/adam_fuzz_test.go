package kernels

import (
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// FuzzAdam: the first eight values are the coefficients (b1, a1, b2, a2,
// step, ic2, eps, keep), the rest four equal slices p, g, m, v; every
// usable tier must match internal/ref.Adam bit for bit in p, m and v, leave
// g alone and stay inside the guards.
func FuzzAdam(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzAdam[float32](t, data, off)
		} else {
			fuzzAdam[float64](t, data, off)
		}
	})
}

func fuzzAdam[T Float](t *testing.T, data []byte, off uint8) {
	vals := decode[T](data)
	if len(vals) < 8 {
		return
	}
	k := vals[:8]
	c := AdamCoef{B1: float64(k[0]), A1: float64(k[1]), B2: float64(k[2]), A2: float64(k[3]),
		Step: float64(k[4]), IC2: float64(k[5]), Eps: float64(k[6]), Keep: float64(k[7])}
	vals = vals[8:]
	n := len(vals) / 4
	p, g, m, v := vals[:n], vals[n:2*n], vals[2*n:3*n], vals[3*n:4*n]
	wp, wm, wv := clone(p), clone(m), clone(v)
	ref.Adam(wp, g, wm, wv, adamCoefs[T](c))
	for _, tier := range usableTiers() {
		gp, gg, gm, gv := guarded(p, off), guarded(g, off/2), guarded(m, off/4), guarded(v, off/8)
		adamOn(tier, gp.S(), gg.S(), gm.S(), gv.S(), c)
		for _, s := range []struct {
			name      string
			got, want []T
		}{{"p", gp.S(), wp}, {"m", gm.S(), wm}, {"v", gv.S(), wv}, {"g", gg.S(), g}} {
			if i := tk.FirstDiff(s.got, s.want); i >= 0 {
				t.Fatalf("%s: Adam n=%d coef %+v: %s[%d] = %v (%#x), reference %v (%#x)",
					tier, n, c, s.name, i, s.got[i], tk.Bits(s.got[i]), s.want[i], tk.Bits(s.want[i]))
			}
		}
		checkGuards(t, tier, gp, gg, gm, gv)
	}
}
