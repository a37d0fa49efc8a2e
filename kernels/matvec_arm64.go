//go:build arm64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

func matVecsF64(t cpu.Tier, y []float64, ldy int, w []float64, ldw int, x []float64, ldx int, bias []float64, m, nb, n int, lanes []float64, first, last bool) {
	if t == cpu.NEON {
		asm.MatVecsF64NEON(y, ldy, w, ldw, x, ldx, bias, m, nb, n, lanes, first, last)
		return
	}
	matVecsGo64(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
}

func matVecsF32(t cpu.Tier, y []float32, ldy int, w []float32, ldw int, x []float32, ldx int, bias []float32, m, nb, n int, lanes []float32, first, last bool) {
	if t == cpu.NEON {
		asm.MatVecsF32NEON(y, ldy, w, ldw, x, ldx, bias, m, nb, n, lanes, first, last)
		return
	}
	matVecsGo32(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
}

func outerF64(t cpu.Tier, c []float64, ldc int, a []float64, lda, inca int, b []float64, ldb, ldp int, rows, cols, k int, load bool) {
	if t == cpu.NEON {
		asm.OuterF64NEON(c, ldc, a, lda, inca, b, ldb, ldp, rows, cols, k, load)
		return
	}
	outerGo64(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
}

func outerF32(t cpu.Tier, c []float32, ldc int, a []float32, lda, inca int, b []float32, ldb, ldp int, rows, cols, k int, load bool) {
	if t == cpu.NEON {
		asm.OuterF32NEON(c, ldc, a, lda, inca, b, ldb, ldp, rows, cols, k, load)
		return
	}
	outerGo32(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
}

// outerPanel is the number of columns of a panel of B in the Outer kernel
// of tier t (the layout packed blocks take), or 0 for no packing.
func outerPanel(t cpu.Tier, size int) int {
	if t == cpu.NEON {
		return 64 / size
	}
	return 0
}

// matVecsPieces reports whether tier t's MatVecs kernel can cut long rows
// into pieces (keeping the lanes between calls).
func matVecsPieces(t cpu.Tier) bool { return t == cpu.NEON }
