// Package fma computes fused multiply-adds in pure Go for both precisions.
package fma

import "math"

// F64 returns x*y+z rounded once.
func F64(x, y, z float64) float64 { return math.FMA(x, y, z) }

// F32 returns x*y+z rounded once to float32, as VFMADD...PS and FMLA do.
// It is not inlined (its rare case is a call); loops of independent
// updates inline Exact32 instead.
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
	if Exact32(s) {
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

// Odd32 is F32 by another route, for the rare case of a loop whose
// common case Exact32 settles: it has no call (F32's rare case is one), so
// the loop's values can stay in registers across it, and it inlines. Its
// result waits longer than F32's common case (about twice in a chain of
// dependent updates), which does not matter there.
//
// It always rounds the float64 sum to odd: TwoSum gives the sum's error e
// exactly; p, z and so s and e are multiples of 2^-298, so a nonzero m =
// e*s has e's sign times s's and does not underflow; m is NaN only when s
// is Inf or NaN, which stay. An arm64 build fusing the exact product into
// the additions changes nothing.
func Odd32(x, y, z float32) float32 {
	p := float64(x) * float64(y) // exact
	s := p + float64(z)
	pv := s - float64(z)
	if m := ((p - pv) + (float64(z) - (s - pv))) * s; m != 0 && m == m {
		// Truncate (one step towards zero when the exact sum is nearer
		// zero than s, i.e. m < 0), then set the last bit.
		s = math.Float64frombits((math.Float64bits(s) - math.Float64bits(m)>>63) | 1)
	}
	return float32(s)
}

// Exact32 reports whether float32(s) is x*y+z correctly rounded, for s =
// x*y+z rounded once to float64 (x, y, z float32; the product is exact in
// float64, so s may come from a fused or an unfused sum). It is unless s
// sits exactly halfway between two float32 values (its 29 low bits
// 1000...0) or below the float32 normal range: then call F32. Loops of
// independent fused multiply-adds use it as
//
//	if s := float64(x)*float64(y) + float64(z); fma.Exact32(s) {
//		r = float32(s)
//	} else {
//		r = fma.Odd32(x, y, z)
//	}
//
// whose result waits for one addition and the conversions only, where
// F32's waits for its rounding to odd as well. (Converting a loop's fixed
// factor to float64 once, before the loop, matters: the conversion writes
// only part of its register, so converting it again at each step makes
// each step wait for the one before.)
func Exact32(s float64) bool {
	b := math.Float64bits(s)
	// The exponent test compares b without its sign bit, one shift and a
	// compare (shift, mask and compare before: the float32 loops of
	// package kernels ran 3-8% faster this way, though the 64-bit
	// constant takes a register).
	return uint32(b)<<3 != 1<<31 && b<<1 >= (1023-126)<<53
}
