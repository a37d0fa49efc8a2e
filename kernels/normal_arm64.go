//go:build arm64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// normals draws the pairs of dst (of even length) on tier t's kernel, and
// reports whether t has one.
func normals(t cpu.Tier, dst []float64, s *uint64) bool {
	switch t {
	case cpu.NEON:
		asm.NormalsF64NEON(dst, s)
	default:
		return false
	}
	return true
}
