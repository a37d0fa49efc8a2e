package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/ref"
)

// normalsGo is the pure-Go tier of the normal kernels: the pairs of dst
// (even length) from state *s. It computes ref.NormalPair with the log's
// special cases left out (its argument 1 - v1 is normal, in [2^-52, 1])
// and no calls in the loop, so consecutive pairs overlap in the CPU; the
// bits are ref's (TestNormalTiers).
func normalsGo(dst []float64, s *uint64) {
	st := *s
	for k := 0; k+1 < len(dst); k += 2 {
		s1 := st + ref.WeylStep
		st = s1 + ref.WeylStep
		v1 := math.Float64frombits(ref.Mix64(s1)>>12|0x3ff<<52) - 1
		v2 := math.Float64frombits(ref.Mix64(st)>>12|0x3ff<<52) - 1

		// log(1 - v1) as ref.Log64: x = m 2^e, m in [0.75, 1.5).
		ix := math.Float64bits(1 - v1)
		eb := (ix - 0x3fe8000000000000 + 1024<<52) >> 52
		f := math.Float64frombits(ix-eb<<52+1024<<52) - 1
		e := float64(int64(eb) - 1024)
		f2 := f * f
		f2l := math.FMA(f, f, -f2)
		h := float64(-0.5 * f2)
		sum := f + h
		sl := (f - sum) + h
		c := &ref.LogR64
		even, odd := c[len(c)-1-(len(c)-1)%2], c[len(c)-1-len(c)%2]
		for i := len(c) - 3 - (len(c)-1)%2; i >= 0; i -= 2 {
			even = math.FMA(even, f2, c[i])
		}
		for i := len(c) - 3 - len(c)%2; i >= 1; i -= 2 {
			odd = math.FMA(odd, f2, c[i])
		}
		rest := math.FMA(float64(f*f2), math.FMA(odd, f, even), math.FMA(-0.5, f2l, sl))
		hi := math.FMA(e, ref.Ln2Hi64, sum)
		lo := math.FMA(e, ref.Ln2Hi64, -hi) + sum
		r := math.Sqrt(-2 * (hi + (lo + math.FMA(e, ref.Ln2Lo64, rest))))

		// cos and sin of 2 pi v2 as ref.SinCos2Pi.
		t := 4 * v2
		q := math.RoundToEven(t)
		g := t - q
		g2 := g * g
		sp, cq := ref.SinP[len(ref.SinP)-1], ref.CosQ[len(ref.CosQ)-1]
		for i := len(ref.SinP) - 2; i >= 0; i-- {
			sp = math.FMA(sp, g2, ref.SinP[i])
		}
		for i := len(ref.CosQ) - 2; i >= 0; i-- {
			cq = math.FMA(cq, g2, ref.CosQ[i])
		}
		sn := g * sp
		cs, ss := cq, sn
		switch q {
		case 1:
			cs, ss = -sn, cq
		case 2:
			cs, ss = -cq, -sn
		case 3:
			cs, ss = sn, -cq
		}
		dst[k], dst[k+1] = r*cs, r*ss
	}
	*s = st
}
