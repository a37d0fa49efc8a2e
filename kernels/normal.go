package kernels

import (
	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// Normal is a seeded generator of standard normal numbers: the noise of
// samplers (diffusion models, the base distribution of flows), the same
// bits on every tier and architecture.
//
// Uniform bits: a 64-bit Weyl sequence s += g (g odd, so the period is
// 2^64) mixed by the 128-bit product s*(s^k) folded as hi^lo (the "wyrand"
// construction). Normals: the ziggurat method of Marsaglia and Tsang (2000)
// with 256 layers of equal area under f(x) = exp(-x^2/2), one 64-bit word
// per draw on the fast path (8 bits pick the layer, 1 the sign, 53 the
// abscissa) and Marsaglia's exponential rejection for the tail x > r.
// internal/ref (Normals) specifies it word by word.
//
// Fill runs the fast path on the tier's vector kernel (AVX-512 and AVX2:
// eight or four consecutive words at a time, which the Weyl sequence allows)
// up to the first draw outside its layer's rectangle (1.5% of draws); that
// draw, and the further words it may consume, are done in Go, with a
// squeeze that spares most wedge tests their exp (underCurve).
//
// A Normal is a value of 8 bytes; the zero value is a valid (fixed) stream.
// It is not safe for concurrent use.
type Normal struct{ s uint64 }

// NewNormal returns the generator of stream number stream under seed
// (ref.NormalSeed). Distinct (seed, stream) pairs start at unrelated points
// of the period, so streams do not overlap in practice (each is 2^64 long).
func NewNormal(seed, stream uint64) Normal { return Normal{s: ref.NormalSeed(seed, stream)} }

// Uint64 returns 64 uniformly distributed bits.
func (g *Normal) Uint64() uint64 {
	g.s += ref.WeylStep
	return ref.WyMix(g.s)
}

// Float64 returns one standard normal number.
func (g *Normal) Float64() float64 {
	var z [1]float64
	g.Fill(z[:])
	return z[0]
}

// Fill sets every element of dst to an independent standard normal
// number, in increasing index order. The numbers depend only on the
// generator's state, not on the tier or on how a stream is cut into calls.
func (g *Normal) Fill(dst []float64) { fillNormal(active, g, dst) }

// fillNormal is Fill on tier t.
func fillNormal(t cpu.Tier, g *Normal, dst []float64) {
	for k := 0; k < len(dst); {
		// The kernel call is not preemptible: at most chunk draws each.
		end := min(len(dst), k+chunk)
		k += zigFast(t, &g.s, dst[k:end])
		if k < end { // stopped before a draw that leaves the fast path
			dst[k] = ref.NormalSlow(&g.s, g.Uint64(), underCurve)
			k++
		}
	}
}

// zigFastGo is the fast path of the ziggurat on dst, stopping before the
// first word that leaves it (which stays unconsumed); it returns the count
// of draws made.
func zigFastGo(s *uint64, dst []float64) int {
	st := *s
	for k := range dst {
		next := st + ref.WeylStep
		x, ok := ref.ZigFast(ref.WyMix(next))
		if !ok {
			*s = st
			return k
		}
		st = next
		dst[k] = x
	}
	*s = st
	return len(dst)
}

// underCurve is ref.WedgeExp, y < exp(-x^2/2) as ref.Exp64 computes it,
// for x in the wedge of layer i. On a layer where f is convex (x >= 1) or
// concave (x <= 1) throughout, f lies between its chord over the wedge and
// its tangent at x[i], and a y outside both by a relative 2^-40 is decided
// without the exp: ref.Exp64 and the two lines' rounding err by less than
// 2^-50, so the answer is the exp's.
func underCurve(i uint64, x, y float64) bool {
	if c := wedge.curve[i]; c != 0 {
		d := ref.Zig.X[i] - x // >= 0, but for rounding
		chord := ref.Zig.F[i] + d*wedge.slope[i]
		tangent := ref.Zig.F[i] + d*wedge.tslope[i]
		lo, hi := tangent, chord // convex: the tangent below f, the chord above
		if c < 0 {
			lo, hi = chord, tangent
		}
		switch {
		case y < lo*(1-0x1p-40):
			return true
		case y >= hi*(1+0x1p-40):
			return false
		}
	}
	return ref.WedgeExp(i, x, y)
}

// wedge holds underCurve's bounds per layer: the slopes of the chord and of
// the tangent at x[i] (as f grows leftwards), and +1 where f is convex on
// the wedge, -1 where concave, 0 where neither (or layer 0, the tail).
var wedge struct {
	slope, tslope [ref.ZigLayers]float64
	curve         [ref.ZigLayers]int8
}

func init() {
	z := &ref.Zig
	for i := 1; i < ref.ZigLayers; i++ {
		wedge.slope[i] = z.DF[i] / (z.X[i] - z.X[i+1])
		wedge.tslope[i] = z.X[i] * z.F[i]
		switch {
		case z.X[i+1] >= 1:
			wedge.curve[i] = 1
		case z.X[i] <= 1:
			wedge.curve[i] = -1
		}
	}
}
