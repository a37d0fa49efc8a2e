//go:build purego || noasm || !(amd64 || arm64)

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// Without assembly only the pure-Go tier exists.

func matVecsF64(_ cpu.Tier, y []float64, ldy int, w []float64, ldw int, x []float64, ldx int, bias []float64, m, nb, n int, lanes []float64, first, last bool) {
	matVecsGo64(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
}

func matVecsF32(_ cpu.Tier, y []float32, ldy int, w []float32, ldw int, x []float32, ldx int, bias []float32, m, nb, n int, lanes []float32, first, last bool) {
	matVecsGo32(y, ldy, w, ldw, x, ldx, bias, m, nb, n)
}

func outerF64(_ cpu.Tier, c []float64, ldc int, a []float64, lda, inca int, b []float64, ldb, ldp int, rows, cols, k int, load bool) {
	outerGo64(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
}

func outerF32(_ cpu.Tier, c []float32, ldc int, a []float32, lda, inca int, b []float32, ldb, ldp int, rows, cols, k int, load bool) {
	outerGo32(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)
}

// outerPanel: the pure-Go tier reads B row-major, unpacked.
func outerPanel(cpu.Tier, int) int { return 0 }

// matVecsPieces: the pure-Go tier takes whole rows.
func matVecsPieces(cpu.Tier) bool { return false }
