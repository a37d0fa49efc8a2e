//go:build !purego && !noasm

package asm

import "github.com/flowkern/flowkern/internal/cpu"

// dotHalvesFrom is the length of x, in bytes, from which the AVX-512 Dot
// (dotF64AVX512, dotF32AVX512) loads each vector as two 32-byte halves; the
// generated code reads it at each call, and internal/cpu chooses it for
// this CPU. Both loops give the same bits: only the loads differ.
var dotHalvesFrom = cpu.DotHalvesFrom()

// SetDotHalvesFrom sets the length of x (bytes) from which the AVX-512 Dot
// loads each vector in halves, and returns the previous length; tests set it
// to run both of its loops on any CPU. It must not change while a Dot runs.
func SetDotHalvesFrom(bytes int) (previous int) {
	previous, dotHalvesFrom = dotHalvesFrom, bytes
	return previous
}
