//go:build arm64 && !purego && !noasm

package main

import (
	"slices"

	"github.com/flowkern/flowkern/asm"
)

// peakFMA measures the FMA peak of the NEON tier on one core (24 independent
// FMLAs of 2 float64 or 4 float32 lanes per iteration).
func peakFMA(tier, prec string, quick bool) (Probe, bool) {
	loops := map[string]peakLoop{
		"neon/float64": {asm.PeakFMAF64NEON, 24 * 2 * 2},
		"neon/float32": {asm.PeakFMAF32NEON, 24 * 2 * 4},
	}
	p, ok := loops[tier+"/"+prec]
	if !ok {
		return Probe{}, false
	}
	return timePeak(p, quick), true
}

// streamReader returns the read probe of the NEON tier, and its name.
func streamReader(usable []string) (func([]int) int, string) {
	if slices.Contains(usable, "neon") {
		return asm.ReadStreamNEON, "asm.ReadStreamNEON (64-byte LD1 loads)"
	}
	return readStreamGo, "a Go loop of 8-byte loads"
}
