//go:build amd64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

func matVecsF64(t cpu.Tier, y []float64, ldy int, w []float64, ldw int, x []float64, ldx int, bias []float64, m, nb, n int) {
	switch t {
	case cpu.AVX512:
		asm.MatVecsF64AVX512(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	case cpu.AVX2:
		asm.MatVecsF64AVX2(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	default:
		matVecsGo64(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	}
}

func matVecsF32(t cpu.Tier, y []float32, ldy int, w []float32, ldw int, x []float32, ldx int, bias []float32, m, nb, n int) {
	switch t {
	case cpu.AVX512:
		asm.MatVecsF32AVX512(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	case cpu.AVX2:
		asm.MatVecsF32AVX2(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	default:
		matVecsGo32(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
	}
}

func outerF64(t cpu.Tier, c []float64, ldc int, a []float64, lda, inca int, b []float64, ldb int, rows, cols, k int, load bool) {
	switch t {
	case cpu.AVX512:
		asm.OuterF64AVX512(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	case cpu.AVX2:
		asm.OuterF64AVX2(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	default:
		outerGo64(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	}
}

func outerF32(t cpu.Tier, c []float32, ldc int, a []float32, lda, inca int, b []float32, ldb int, rows, cols, k int, load bool) {
	switch t {
	case cpu.AVX512:
		asm.OuterF32AVX512(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	case cpu.AVX2:
		asm.OuterF32AVX2(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	default:
		outerGo32(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
	}
}
