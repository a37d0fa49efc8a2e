// Package fma computes fused multiply-adds in pure Go for both precisions.
package fma

import "math"

// F64 returns x*y+z rounded once.
func F64(x, y, z float64) float64 { return math.FMA(x, y, z) }

// F32 returns x*y+z rounded once to float32, as VFMADD...PS and FMLA do.
//
// The product of two float32 is exact in float64, but rounding the sum to
// float64 and then to float32 can round twice. Rounding the sum to odd
// first keeps what the second rounding needs (53 >= 24+2 bits), so the
// conversion to float32 is then correctly rounded.
func F32(x, y, z float32) float32 {
	p := float64(x) * float64(y) // exact
	c := float64(z)
	s := p + c
	if s-s != 0 { // Inf or NaN: nothing to correct
		return float32(s)
	}
	// TwoSum: e is exactly (p + c) - s.
	pv := s - c
	cv := s - pv
	e := (p - pv) + (c - cv)
	if e == 0 {
		return float32(s)
	}
	b := math.Float64bits(s)
	if b&1 == 0 {
		// s is inexact with an even last bit: its neighbour towards the
		// exact sum is the round-to-odd result.
		if (e > 0) == (s > 0) {
			b++
		} else {
			b--
		}
		s = math.Float64frombits(b)
	}
	return float32(s)
}
