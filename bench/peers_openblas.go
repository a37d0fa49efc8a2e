//go:build openblas && cgo

package main

import "github.com/flowkern/flowkern/internal/openblas"

// OpenBLAS (single-threaded, through cgo) joins the vector kernels it has.
func init() {
	add := func(kernel, prec string, m maker) {
		extraPeers[caseKey(kernel, prec)] = append(extraPeers[caseKey(kernel, prec)], peer{"openblas", m})
	}
	add("Dot", "float64", func(n int) func() { x, y := vectors64(n); return func() { sink64 = openblas.Ddot(x, y) } })
	add("Dot", "float32", func(n int) func() { x, y := vectors32(n); return func() { sink32 = openblas.Sdot(x, y) } })
	add("Axpy", "float64", func(n int) func() { x, y := vectors64(n); return func() { openblas.Daxpy(1e-9, x, y) } })
	add("Axpy", "float32", func(n int) func() { x, y := vectors32(n); return func() { openblas.Saxpy(1e-9, x, y) } })
	add("Scale", "float64", func(n int) func() { x, _ := vectors64(n); return func() { openblas.Dscal(-1, x) } })
	add("Scale", "float32", func(n int) func() { x, _ := vectors32(n); return func() { openblas.Sscal(-1, x) } })
}
