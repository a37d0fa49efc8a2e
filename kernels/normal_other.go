//go:build !amd64 || purego || noasm

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// zigFast: no ziggurat kernel in this build (the NEON tier runs the Go
// loop too).
func zigFast(_ cpu.Tier, s *uint64, dst []float64) int { return zigFastGo(s, dst) }
