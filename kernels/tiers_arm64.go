//go:build arm64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// builtTiers are the assembly tiers of this build; each function below
// runs tier t's kernel, or the pure-Go one for any other tier.
var builtTiers = []cpu.Tier{cpu.NEON}

func dotF64(t cpu.Tier, x, y, acc []float64) float64 {
	switch t {
	case cpu.NEON:
		return asm.DotF64NEON(x, y, acc)
	}
	return dotGo64(x, y, acc)
}

func sumF64(t cpu.Tier, x, acc []float64) float64 {
	switch t {
	case cpu.NEON:
		return asm.SumF64NEON(x, acc)
	}
	return sumGo(x, acc)
}

func axpyF64(t cpu.Tier, alpha float64, x, y []float64) {
	switch t {
	case cpu.NEON:
		asm.AxpyF64NEON(alpha, x, y)
		return
	}
	axpyGo64(alpha, x, y)
}

func scaleF64(t cpu.Tier, alpha float64, x []float64) {
	switch t {
	case cpu.NEON:
		asm.ScaleF64NEON(alpha, x)
		return
	}
	scaleGo(alpha, x)
}

func binaryF64(t cpu.Tier, op binaryOp, dst, x, y []float64) {
	switch {
	case t == cpu.NEON && op == opAdd:
		asm.AddF64NEON(dst, x, y)
	case t == cpu.NEON && op == opMul:
		asm.MulF64NEON(dst, x, y)
	default:
		binaryGo(op, dst, x, y)
	}
}

func dotF32(t cpu.Tier, x, y, acc []float32) float32 {
	switch t {
	case cpu.NEON:
		return asm.DotF32NEON(x, y, acc)
	}
	return dotGo32(x, y, acc)
}

func sumF32(t cpu.Tier, x, acc []float32) float32 {
	switch t {
	case cpu.NEON:
		return asm.SumF32NEON(x, acc)
	}
	return sumGo(x, acc)
}

func axpyF32(t cpu.Tier, alpha float32, x, y []float32) {
	switch t {
	case cpu.NEON:
		asm.AxpyF32NEON(alpha, x, y)
		return
	}
	axpyGo32(alpha, x, y)
}

func scaleF32(t cpu.Tier, alpha float32, x []float32) {
	switch t {
	case cpu.NEON:
		asm.ScaleF32NEON(alpha, x)
		return
	}
	scaleGo(alpha, x)
}

func binaryF32(t cpu.Tier, op binaryOp, dst, x, y []float32) {
	switch {
	case t == cpu.NEON && op == opAdd:
		asm.AddF32NEON(dst, x, y)
	case t == cpu.NEON && op == opMul:
		asm.MulF32NEON(dst, x, y)
	default:
		binaryGo(op, dst, x, y)
	}
}
