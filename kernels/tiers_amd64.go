//go:build amd64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// builtTiers are the assembly tiers of this build; each function below
// runs tier t's kernel, or the pure-Go one for any other tier.
var builtTiers = []cpu.Tier{cpu.AVX512, cpu.AVX2}

func dotF64(t cpu.Tier, x, y, acc []float64) float64 {
	switch t {
	case cpu.AVX512:
		return asm.DotF64AVX512(x, y, acc)
	case cpu.AVX2:
		return asm.DotF64AVX2(x, y, acc)
	}
	return dotGo64(x, y, acc)
}

func sumF64(t cpu.Tier, x, acc []float64) float64 {
	switch t {
	case cpu.AVX512:
		return asm.SumF64AVX512(x, acc)
	case cpu.AVX2:
		return asm.SumF64AVX2(x, acc)
	}
	return sumGo(x, acc)
}

func axpyF64(t cpu.Tier, alpha float64, x, y []float64) {
	switch t {
	case cpu.AVX512:
		asm.AxpyF64AVX512(alpha, x, y)
		return
	case cpu.AVX2:
		asm.AxpyF64AVX2(alpha, x, y)
		return
	}
	axpyGo64(alpha, x, y)
}

func scaleF64(t cpu.Tier, alpha float64, x []float64) {
	switch t {
	case cpu.AVX512:
		asm.ScaleF64AVX512(alpha, x)
		return
	case cpu.AVX2:
		asm.ScaleF64AVX2(alpha, x)
		return
	}
	scaleGo(alpha, x)
}

func binaryF64(t cpu.Tier, op binaryOp, dst, x, y []float64) {
	switch {
	case t == cpu.AVX512 && op == opAdd:
		asm.AddF64AVX512(dst, x, y)
	case t == cpu.AVX512 && op == opMul:
		asm.MulF64AVX512(dst, x, y)
	case t == cpu.AVX2 && op == opAdd:
		asm.AddF64AVX2(dst, x, y)
	case t == cpu.AVX2 && op == opMul:
		asm.MulF64AVX2(dst, x, y)
	default:
		binaryGo(op, dst, x, y)
	}
}

func dotF32(t cpu.Tier, x, y, acc []float32) float32 {
	switch t {
	case cpu.AVX512:
		return asm.DotF32AVX512(x, y, acc)
	case cpu.AVX2:
		return asm.DotF32AVX2(x, y, acc)
	}
	return dotGo32(x, y, acc)
}

func sumF32(t cpu.Tier, x, acc []float32) float32 {
	switch t {
	case cpu.AVX512:
		return asm.SumF32AVX512(x, acc)
	case cpu.AVX2:
		return asm.SumF32AVX2(x, acc)
	}
	return sumGo(x, acc)
}

func axpyF32(t cpu.Tier, alpha float32, x, y []float32) {
	switch t {
	case cpu.AVX512:
		asm.AxpyF32AVX512(alpha, x, y)
		return
	case cpu.AVX2:
		asm.AxpyF32AVX2(alpha, x, y)
		return
	}
	axpyGo32(alpha, x, y)
}

func scaleF32(t cpu.Tier, alpha float32, x []float32) {
	switch t {
	case cpu.AVX512:
		asm.ScaleF32AVX512(alpha, x)
		return
	case cpu.AVX2:
		asm.ScaleF32AVX2(alpha, x)
		return
	}
	scaleGo(alpha, x)
}

func binaryF32(t cpu.Tier, op binaryOp, dst, x, y []float32) {
	switch {
	case t == cpu.AVX512 && op == opAdd:
		asm.AddF32AVX512(dst, x, y)
	case t == cpu.AVX512 && op == opMul:
		asm.MulF32AVX512(dst, x, y)
	case t == cpu.AVX2 && op == opAdd:
		asm.AddF32AVX2(dst, x, y)
	case t == cpu.AVX2 && op == opMul:
		asm.MulF32AVX2(dst, x, y)
	default:
		binaryGo(op, dst, x, y)
	}
}
