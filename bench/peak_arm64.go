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

// tierReader returns the read probe with the loads of a tier: the Go loop
// for generic; nil when this build has none for it.
func tierReader(tier string) func([]int) int {
	switch tier {
	case "generic":
		return readStreamGo
	case "neon":
		return asm.ReadStreamNEON
	}
	return nil
}

// streamReader returns the widest read probe the usable tiers allow, its
// name and the tier whose loads it has.
func streamReader(usable []string) (read func([]int) int, name, tier string) {
	if slices.Contains(usable, "neon") {
		return asm.ReadStreamNEON, "asm.ReadStreamNEON (64-byte LD1 loads)", "neon"
	}
	return readStreamGo, "a Go loop of 8-byte loads", "generic"
}
