package kernels

import (
	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// Normal is a seeded generator of standard normal numbers: the noise of
// samplers (diffusion models, the base distribution of flows), the same
// bits on every tier and architecture.
//
// Uniform bits come from SplitMix64 (a 64-bit Weyl sequence through an
// xor-shift-multiply mixer, period 2^64); pairs of normals from the
// Box-Muller transform of pairs of 52-bit uniforms, with the kernels' Log
// and fixed sine and cosine polynomials. internal/ref (NormalPair)
// specifies it pair by pair. The transform has no branches and no tables,
// so the AVX-512, AVX2 and NEON kernels draw 8, 4 or 2 pairs per vector.
// Each draw is within a few ulps of the exact transform of its uniforms,
// and |z| <= 8.49.
//
// The stream is the sequence z0, z1 of pair 0, then of pair 1, and so on:
// Fill and Float64 consume it in order, keeping the second number of a pair
// for the next call when a call ends after the first, so the numbers do not
// depend on how a stream is cut into calls.
//
// A Normal is a small value; the zero value is a valid (fixed) stream. It is
// not safe for concurrent use.
type Normal struct {
	s     uint64  // Weyl state: the next pair takes the next two words
	spare float64 // the second number of the last pair, when has is set
	has   bool
}

// NewNormal returns the generator of stream number stream under seed
// (ref.NormalSeed). Distinct (seed, stream) pairs start at unrelated points
// of the period, so streams do not overlap in practice (each is 2^63 pairs).
func NewNormal(seed, stream uint64) Normal { return Normal{s: ref.NormalSeed(seed, stream)} }

// Uint64 returns 64 uniformly distributed bits: the next word of the Weyl
// sequence. (It advances the stream as half a pair does; the normals after
// it are those of a stream one word further on.)
func (g *Normal) Uint64() uint64 {
	g.s += ref.WeylStep
	return ref.Mix64(g.s)
}

// Uniform returns a uniformly distributed number in [0, 1): the top 53
// bits of the next Uint64 word times 2^-53 (exact). It advances the stream
// as Uint64 does.
func (g *Normal) Uniform() float64 { return float64(g.Uint64()>>11) * 0x1p-53 }

// Float64 returns one standard normal number.
func (g *Normal) Float64() float64 {
	var z [1]float64
	g.Fill(z[:])
	return z[0]
}

// Fill sets every element of dst to the next standard normal numbers of
// the stream, in increasing index order.
func (g *Normal) Fill(dst []float64) { fillNormal(active, g, dst) }

// fillNormal is Fill on tier t: whole pairs on the tier's kernel where it
// has one, each exactly as ref.NormalPair (the pure-Go tier is that
// specification itself).
func fillNormal(t cpu.Tier, g *Normal, dst []float64) {
	if len(dst) == 0 {
		return
	}
	if g.has {
		dst[0], g.has = g.spare, false
		dst = dst[1:]
	}
	even := len(dst) &^ 1
	for k := 0; k < even; {
		// The kernel call is not preemptible: at most chunk draws each.
		m := min(even-k, chunk)
		normalsF64(t, dst[k:k+m], &g.s)
		k += m
	}
	if even < len(dst) {
		var pair [2]float64
		normalsF64(t, pair[:], &g.s)
		dst[even], g.spare, g.has = pair[0], pair[1], true
	}
}
