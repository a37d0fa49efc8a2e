//go:build purego || noasm || !(amd64 || arm64)

package main

// peakFMA reports false: this build has no assembly peak loops.
func peakFMA(tier, prec string, quick bool) (float64, bool) { return 0, false }
