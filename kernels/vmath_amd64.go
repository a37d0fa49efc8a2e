//go:build amd64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// The switches call the assembly directly (no function values), so the
// slices do not escape.

func vmathF64(t cpu.Tier, f vfunc, dst, x []float64) {
	switch {
	case t == cpu.AVX512 && f == fnExp:
		asm.ExpF64AVX512(dst, x)
	case t == cpu.AVX512 && f == fnLog:
		asm.LogF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnExp:
		asm.ExpF64AVX2(dst, x)
	case t == cpu.AVX2 && f == fnLog:
		asm.LogF64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnExpm1:
		asm.Expm1F64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnExpm1:
		asm.Expm1F64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnLog1p:
		asm.Log1pF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnLog1p:
		asm.Log1pF64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnTanh:
		asm.TanhF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnTanh:
		asm.TanhF64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnSigmoid:
		asm.SigmoidF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnSigmoid:
		asm.SigmoidF64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnSoftplus:
		asm.SoftplusF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnSoftplus:
		asm.SoftplusF64AVX2(dst, x)
	case t == cpu.AVX512 && f == fnAtan:
		asm.AtanF64AVX512(dst, x)
	case t == cpu.AVX2 && f == fnAtan:
		asm.AtanF64AVX2(dst, x)
	default:
		vmathGo64(f, dst, x)
	}
}

func vmathF32(t cpu.Tier, f vfunc, dst, x []float32) {
	switch {
	case t == cpu.AVX512 && f == fnExp:
		asm.ExpF32AVX512(dst, x)
	case t == cpu.AVX512 && f == fnLog:
		asm.LogF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnExp:
		asm.ExpF32AVX2(dst, x)
	case t == cpu.AVX2 && f == fnLog:
		asm.LogF32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnExpm1:
		asm.Expm1F32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnExpm1:
		asm.Expm1F32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnLog1p:
		asm.Log1pF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnLog1p:
		asm.Log1pF32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnTanh:
		asm.TanhF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnTanh:
		asm.TanhF32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnSigmoid:
		asm.SigmoidF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnSigmoid:
		asm.SigmoidF32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnSoftplus:
		asm.SoftplusF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnSoftplus:
		asm.SoftplusF32AVX2(dst, x)
	case t == cpu.AVX512 && f == fnAtan:
		asm.AtanF32AVX512(dst, x)
	case t == cpu.AVX2 && f == fnAtan:
		asm.AtanF32AVX2(dst, x)
	default:
		vmathGo32(f, dst, x)
	}
}
