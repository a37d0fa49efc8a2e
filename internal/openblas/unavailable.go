//go:build !(openblas && cgo)

package openblas

// Available reports whether this build links OpenBLAS.
const Available = false

// Without OpenBLAS the functions exist so that callers compile; they are
// never reached behind Available.

func unavailable() { panic("openblas: built without the openblas tag (or without cgo)") }

// Corename, Picked and Version describe the library; without it they are
// empty.
func Corename() string { return "" }
func Picked() string   { return "" }
func Version() string  { return "" }

func Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	unavailable()
}

func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	unavailable()
}

func Dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	unavailable()
}

func Sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	unavailable()
}

func Dger(m, n int, alpha float64, x, y []float64, a []float64, lda int) { unavailable() }

func Sger(m, n int, alpha float32, x, y []float32, a []float32, lda int) { unavailable() }
