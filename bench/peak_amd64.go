//go:build amd64 && !purego && !noasm

package main

import (
	"slices"

	"github.com/flowkern/flowkern/asm"
)

// peakFMA measures the FMA peak of an assembly tier on one core (12
// independent FMAs of 4 or 8 float64, 8 or 16 float32 lanes per iteration).
func peakFMA(tier, prec string, quick bool) (Probe, bool) {
	loops := map[string]peakLoop{
		"avx2/float64":   {asm.PeakFMAF64AVX2, 12 * 2 * 4},
		"avx2/float32":   {asm.PeakFMAF32AVX2, 12 * 2 * 8},
		"avx512/float64": {asm.PeakFMAF64AVX512, 12 * 2 * 8},
		"avx512/float32": {asm.PeakFMAF32AVX512, 12 * 2 * 16},
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
	case "avx2":
		return asm.ReadStreamAVX2
	case "avx512":
		return asm.ReadStreamAVX512
	}
	return nil
}

// streamReader returns the widest read probe the usable tiers allow, its
// name and the tier whose loads it has.
func streamReader(usable []string) (read func([]int) int, name, tier string) {
	switch {
	case slices.Contains(usable, "avx512"):
		return asm.ReadStreamAVX512, "asm.ReadStreamAVX512 (64-byte loads)", "avx512"
	case slices.Contains(usable, "avx2"):
		return asm.ReadStreamAVX2, "asm.ReadStreamAVX2 (32-byte loads)", "avx2"
	}
	return readStreamGo, "a Go loop of 8-byte loads", "generic"
}
