//go:build amd64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// zigFast runs the ziggurat's fast path on tier t (see zigFastGo).
func zigFast(t cpu.Tier, s *uint64, dst []float64) int {
	switch t {
	case cpu.AVX512:
		return asm.ZigguratF64AVX512(dst, s, &ref.Zig.K, &ref.Zig.W)
	case cpu.AVX2:
		return asm.ZigguratF64AVX2(dst, s, &ref.Zig.K, &ref.Zig.W)
	}
	return zigFastGo(s, dst)
}
