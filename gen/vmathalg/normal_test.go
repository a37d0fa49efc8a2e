package vmathalg

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
)

// The recorded Box-Muller program, run with ref's scalar operations, is
// ref.BoxMuller bit for bit: at the quadrant edges of v2, at v1 = 0 and
// near 1, and on random uniforms of 52 bits.
func TestBoxMullerMatchesRef(t *testing.T) {
	p := RecordKernel(BoxMuller, true)
	vs := []float64{0, 0x1p-52, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1 - 0x1p-52}
	for _, v := range append([]float64(nil), vs...) {
		vs = append(vs, math.Nextafter(v, 0), math.Nextafter(v, 1))
	}
	s := ref.NormalSeed(1, 2)
	for range 20000 {
		s += ref.WeylStep
		vs = append(vs, ref.Uniform52(ref.Mix64(s)))
	}
	for i, v1 := range vs {
		for _, v2 := range []float64{vs[(i*7+3)%len(vs)], vs[len(vs)-1-i]} {
			if v1 < 0 || v1 >= 1 || v2 < 0 || v2 >= 1 {
				continue
			}
			got := evalAll(p, true, []float64{v1, v2}, nil)
			w0, w1 := ref.BoxMuller(v1, v2)
			if !same(got[0], w0) || !same(got[1], w1) {
				t.Fatalf("v1 = %v, v2 = %v: program %v %v, ref %v %v", v1, v2, got[0], got[1], w0, w1)
			}
		}
	}
}
