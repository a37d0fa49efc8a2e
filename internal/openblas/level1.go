//go:build openblas && cgo

package openblas

/*
#cgo pkg-config: openblas
#include <cblas.h>
*/
import "C"

// Ddot is cblas_ddot with unit increments.
func Ddot(x, y []float64) float64 {
	return float64(C.cblas_ddot(C.blasint(len(x)), p64(x), 1, p64(y), 1))
}

// Sdot is cblas_sdot with unit increments.
func Sdot(x, y []float32) float32 {
	return float32(C.cblas_sdot(C.blasint(len(x)), p32(x), 1, p32(y), 1))
}

// Daxpy is cblas_daxpy with unit increments: y += alpha*x.
func Daxpy(alpha float64, x, y []float64) {
	C.cblas_daxpy(C.blasint(len(x)), C.double(alpha), p64(x), 1, p64(y), 1)
}

// Saxpy is cblas_saxpy with unit increments.
func Saxpy(alpha float32, x, y []float32) {
	C.cblas_saxpy(C.blasint(len(x)), C.float(alpha), p32(x), 1, p32(y), 1)
}

// Dscal is cblas_dscal with a unit increment: x *= alpha.
func Dscal(alpha float64, x []float64) { C.cblas_dscal(C.blasint(len(x)), C.double(alpha), p64(x), 1) }

// Sscal is cblas_sscal with a unit increment.
func Sscal(alpha float32, x []float32) { C.cblas_sscal(C.blasint(len(x)), C.float(alpha), p32(x), 1) }
