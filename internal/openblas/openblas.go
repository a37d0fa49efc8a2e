//go:build openblas && cgo

package openblas

/*
#cgo pkg-config: openblas
#include <cblas.h>
*/
import "C"

import "unsafe"

func trans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

func p64(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

func p32(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

// Dgemm is cblas_dgemm, row-major: C = alpha op(A) op(B) + beta C.
func Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	C.cblas_dgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.double(alpha), p64(a), C.blasint(lda), p64(b), C.blasint(ldb), C.double(beta), p64(c), C.blasint(ldc))
}

// Sgemm is cblas_sgemm, row-major.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), p32(a), C.blasint(lda), p32(b), C.blasint(ldb), C.float(beta), p32(c), C.blasint(ldc))
}

// Dgemv is cblas_dgemv, row-major: y = alpha op(A) x + beta y, unit strides.
func Dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	C.cblas_dgemv(C.CblasRowMajor, trans(tA), C.blasint(m), C.blasint(n), C.double(alpha), p64(a), C.blasint(lda),
		p64(x), 1, C.double(beta), p64(y), 1)
}

// Sgemv is cblas_sgemv, row-major, unit strides.
func Sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	C.cblas_sgemv(C.CblasRowMajor, trans(tA), C.blasint(m), C.blasint(n), C.float(alpha), p32(a), C.blasint(lda),
		p32(x), 1, C.float(beta), p32(y), 1)
}

// Dger is cblas_dger, row-major: A += alpha x y^T, unit strides.
func Dger(m, n int, alpha float64, x, y []float64, a []float64, lda int) {
	C.cblas_dger(C.CblasRowMajor, C.blasint(m), C.blasint(n), C.double(alpha), p64(x), 1, p64(y), 1, p64(a), C.blasint(lda))
}

// Sger is cblas_sger, row-major, unit strides.
func Sger(m, n int, alpha float32, x, y []float32, a []float32, lda int) {
	C.cblas_sger(C.CblasRowMajor, C.blasint(m), C.blasint(n), C.float(alpha), p32(x), 1, p32(y), 1, p32(a), C.blasint(lda))
}
