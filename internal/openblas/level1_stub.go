//go:build !(openblas && cgo)

package openblas

// Ddot and the other Level 1 wrappers are unreachable without OpenBLAS.
func Ddot(x, y []float64) float64         { unavailable(); return 0 }
func Sdot(x, y []float32) float32         { unavailable(); return 0 }
func Daxpy(alpha float64, x, y []float64) { unavailable() }
func Saxpy(alpha float32, x, y []float32) { unavailable() }
func Dscal(alpha float64, x []float64)    { unavailable() }
func Sscal(alpha float32, x []float32)    { unavailable() }
