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
	s := p + float64(z)
	// Rounding s again is wrong only if s sits exactly halfway between two
	// float32 values (in the normal range: the 29 dropped bits are 1000...0)
	// and the float64 addition was inexact. Every other case is done here.
	b := math.Float64bits(s)
	if b&(1<<29-1) != 1<<28 && b&(0x7ff<<52) >= (1023-126)<<52 {
		return float32(s)
	}
	return slow32(p, float64(z), s)
}

// slow32 rounds p + c to odd, then to float32; s = p + c rounded to float64.
func slow32(p, c, s float64) float32 {
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
