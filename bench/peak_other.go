//go:build purego || noasm || !(amd64 || arm64)

package main

// peakFMA reports false: this build has no assembly peak loops.
func peakFMA(tier, prec string, quick bool) (Probe, bool) { return Probe{}, false }

// streamReader returns the Go read probe, its name and its tier.
func streamReader([]string) (read func([]int) int, name, tier string) {
	return readStreamGo, "a Go loop of 8-byte loads", "generic"
}

// tierReader returns the Go read probe for generic, nil for other tiers.
func tierReader(tier string) func([]int) int {
	if tier == "generic" {
		return readStreamGo
	}
	return nil
}
