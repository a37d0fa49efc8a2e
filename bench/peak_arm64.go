//go:build arm64 && !purego && !noasm

package main

import "github.com/flowkern/flowkern/asm"

// peakFMA measures the FMA peak of the NEON tier on one core (24 independent
// FMLAs of 2 float64 or 4 float32 lanes per iteration).
func peakFMA(tier, prec string, quick bool) (float64, bool) {
	loops := map[string]peakLoop{
		"neon/float64": {asm.PeakFMAF64NEON, 24 * 2 * 2},
		"neon/float32": {asm.PeakFMAF32NEON, 24 * 2 * 4},
	}
	p, ok := loops[tier+"/"+prec]
	if !ok {
		return 0, false
	}
	return timePeak(p, quick), true
}
