//go:build arm64 && !purego && !noasm

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// Until the assembly kernels exist every tier runs the pure-Go code.

func vmathF64(t cpu.Tier, f vfunc, dst, x []float64) { vmathGo64(f, dst, x) }
func vmathF32(t cpu.Tier, f vfunc, dst, x []float32) { vmathGo32(f, dst, x) }
