//go:build arm64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// The switches call the assembly directly (no function values), so the
// slices do not escape.

func vmathF64(t cpu.Tier, f vfunc, dst, x []float64) {
	switch {
	case t == cpu.NEON && f == fnExp:
		asm.ExpF64NEON(dst, x)
	case t == cpu.NEON && f == fnLog:
		asm.LogF64NEON(dst, x)
	case t == cpu.NEON && f == fnExpm1:
		asm.Expm1F64NEON(dst, x)
	case t == cpu.NEON && f == fnLog1p:
		asm.Log1pF64NEON(dst, x)
	case t == cpu.NEON && f == fnTanh:
		asm.TanhF64NEON(dst, x)
	case t == cpu.NEON && f == fnSigmoid:
		asm.SigmoidF64NEON(dst, x)
	case t == cpu.NEON && f == fnSoftplus:
		asm.SoftplusF64NEON(dst, x)
	case t == cpu.NEON && f == fnAtan:
		asm.AtanF64NEON(dst, x)
	default:
		vmathGo64(f, dst, x)
	}
}

func vmathF32(t cpu.Tier, f vfunc, dst, x []float32) {
	switch {
	case t == cpu.NEON && f == fnExp:
		asm.ExpF32NEON(dst, x)
	case t == cpu.NEON && f == fnLog:
		asm.LogF32NEON(dst, x)
	case t == cpu.NEON && f == fnExpm1:
		asm.Expm1F32NEON(dst, x)
	case t == cpu.NEON && f == fnLog1p:
		asm.Log1pF32NEON(dst, x)
	case t == cpu.NEON && f == fnTanh:
		asm.TanhF32NEON(dst, x)
	case t == cpu.NEON && f == fnSigmoid:
		asm.SigmoidF32NEON(dst, x)
	case t == cpu.NEON && f == fnSoftplus:
		asm.SoftplusF32NEON(dst, x)
	case t == cpu.NEON && f == fnAtan:
		asm.AtanF32NEON(dst, x)
	default:
		vmathGo32(f, dst, x)
	}
}
