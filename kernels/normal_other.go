//go:build !(amd64 || arm64) || purego || noasm

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// normals: no normal kernel in this build (every tier draws its pairs in Go).
func normals(cpu.Tier, []float64, *uint64) bool { return false }
