//go:build !amd64 || purego || noasm

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// normals: no normal kernel in this build (the NEON tier draws its pairs in
// Go, as generic does).
func normals(cpu.Tier, []float64, *uint64) bool { return false }
