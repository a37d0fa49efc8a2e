//go:build openblas && cgo

package main

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/openblas"
)

// OpenBLAS (single-threaded, through cgo) joins the matrix-vector cases:
// gemv and ger for a batch of one, gemm for larger batches.
func init() {
	add := func(kernel string, batch int, prec string, m maker) {
		key := caseKey(fmt.Sprintf("%s-batch=%d", kernel, batch), prec)
		extraPeers[key] = append(extraPeers[key], peer{"openblas", m})
	}
	for _, batch := range matvecBatches {
		add("MatVecs", batch, "float64", func(n int) func() {
			d := newMatData[float64](n, batch)
			if batch == 1 {
				return func() { openblas.Dgemv(false, n, n, 1, d.w, n, d.x, 0, d.y) }
			}
			return func() { openblas.Dgemm(false, true, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
		})
		add("MatVecs", batch, "float32", func(n int) func() {
			d := newMatData[float32](n, batch)
			if batch == 1 {
				return func() { openblas.Sgemv(false, n, n, 1, d.w, n, d.x, 0, d.y) }
			}
			return func() { openblas.Sgemm(false, true, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
		})
		add("MatTVecs", batch, "float64", func(n int) func() {
			d := newMatData[float64](n, batch)
			if batch == 1 {
				return func() { openblas.Dgemv(true, n, n, 1, d.w, n, d.x, 0, d.y) }
			}
			return func() { openblas.Dgemm(false, false, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
		})
		add("MatTVecs", batch, "float32", func(n int) func() {
			d := newMatData[float32](n, batch)
			if batch == 1 {
				return func() { openblas.Sgemv(true, n, n, 1, d.w, n, d.x, 0, d.y) }
			}
			return func() { openblas.Sgemm(false, false, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
		})
		add("AddOuters", batch, "float64", func(n int) func() {
			d := newMatData[float64](n, batch)
			if batch == 1 {
				return func() { openblas.Dger(n, n, 1, d.d, d.x, d.g, n) }
			}
			return func() { openblas.Dgemm(true, false, n, n, batch, 1, d.d, n, d.x, n, 1, d.g, n) }
		})
		add("AddOuters", batch, "float32", func(n int) func() {
			d := newMatData[float32](n, batch)
			if batch == 1 {
				return func() { openblas.Sger(n, n, 1, d.d, d.x, d.g, n) }
			}
			return func() { openblas.Sgemm(true, false, n, n, batch, 1, d.d, n, d.x, n, 1, d.g, n) }
		})
	}
}
