//go:build sleef && cgo && amd64

package sleef

import (
	"math"
	"testing"
)

// TestAgainstMath checks that every loop computes its function (within a
// few ulps of the math package) on lengths that exercise the tail.
func TestAgainstMath(t *testing.T) {
	ref := map[string]func(float64) float64{"Exp": math.Exp, "Log": math.Log, "Expm1": math.Expm1,
		"Log1p": math.Log1p, "Tanh": math.Tanh, "Atan": math.Atan}
	for name, tiers := range Funcs64 {
		for tier, f := range tiers {
			for _, n := range []int{0, 1, 7, 8, 9, 33} {
				x, dst := make([]float64, n), make([]float64, n)
				for i := range x {
					x[i] = 0.1 + float64(i)/10
				}
				f(dst, x)
				for i := range x {
					if w := ref[name](x[i]); math.Abs(dst[i]-w) > 4e-16*math.Abs(w) {
						t.Fatalf("%s %s n=%d: f(%v) = %v, math %v", name, tier, n, x[i], dst[i], w)
					}
				}
			}
		}
	}
	for name, tiers := range Funcs32 {
		for tier, f := range tiers {
			x, dst := make([]float32, 19), make([]float32, 19)
			for i := range x {
				x[i] = 0.1 + float32(i)/10
			}
			f(dst, x)
			for i := range x {
				if w := ref[name](float64(x[i])); math.Abs(float64(dst[i])-w) > 3e-7*math.Abs(w) {
					t.Fatalf("%s %s: f(%v) = %v, math %v", name, tier, x[i], dst[i], w)
				}
			}
		}
	}
}
