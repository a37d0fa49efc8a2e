package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
)

// The pure-Go tier of the matrix-vector kernels: the Go path gen/manifest
// names for MatVecs and Outer on tiers without assembly (B row-major, no
// panels; whole rows, no lanes between calls). Their contract is the
// public functions' docs and internal/ref (MatVecs, MatTVecs, AddOuters).
//
// Precisions are spelled out, as in vec_go.go, so the FMA inlines.

func matVecsGo64(y []float64, ldy int, w []float64, ldw int, x []float64, ldx int, bias []float64, m, nb, n int) {
	var xr, wr []float64
	for b := range nb {
		if n > 0 {
			xr = x[b*ldx : b*ldx+n]
		}
		for i := range m {
			if n > 0 {
				wr = w[i*ldw : i*ldw+n]
			}
			var a0, a1, a2, a3, a4, a5, a6, a7 float64
			j := 0
			for ; j+8 <= n; j += 8 {
				ws, xs := wr[j:j+8], xr[j:j+8]
				a0 = math.FMA(ws[0], xs[0], a0)
				a1 = math.FMA(ws[1], xs[1], a1)
				a2 = math.FMA(ws[2], xs[2], a2)
				a3 = math.FMA(ws[3], xs[3], a3)
				a4 = math.FMA(ws[4], xs[4], a4)
				a5 = math.FMA(ws[5], xs[5], a5)
				a6 = math.FMA(ws[6], xs[6], a6)
				a7 = math.FMA(ws[7], xs[7], a7)
			}
			acc := [8]float64{a0, a1, a2, a3, a4, a5, a6, a7}
			for k := 0; j < n; j, k = j+1, k+1 {
				acc[k] = math.FMA(wr[j], xr[j], acc[k])
			}
			s := ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}

func matVecsGo32(y []float32, ldy int, w []float32, ldw int, x []float32, ldx int, bias []float32, m, nb, n int) {
	var xr, wr []float32
	for b := range nb {
		if n > 0 {
			xr = x[b*ldx : b*ldx+n]
		}
		for i := range m {
			if n > 0 {
				wr = w[i*ldw : i*ldw+n]
			}
			var acc [16]float32
			j := 0
			for ; j+16 <= n; j += 16 {
				ws, xs := wr[j:j+16], xr[j:j+16]
				for k := range acc {
					acc[k] = fma.F32(ws[k], xs[k], acc[k])
				}
			}
			for k := 0; j < n; j, k = j+1, k+1 {
				acc[k] = fma.F32(wr[j], xr[j], acc[k])
			}
			s := reduceLanes(acc[:])
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}

func outerGo64(c []float64, ldc int, a []float64, lda, inca int, b []float64, ldb int, rows, cols, k int, load bool) {
	for r := range rows {
		cr := c[r*ldc : r*ldc+cols]
		if !load {
			clear(cr)
		}
		for kk := range k {
			av := a[r*lda+kk*inca]
			br := b[kk*ldb : kk*ldb+cols]
			for j := range cr {
				cr[j] = math.FMA(av, br[j], cr[j])
			}
		}
	}
}

func outerGo32(c []float32, ldc int, a []float32, lda, inca int, b []float32, ldb int, rows, cols, k int, load bool) {
	for r := range rows {
		cr := c[r*ldc : r*ldc+cols]
		if !load {
			clear(cr)
		}
		for kk := range k {
			av := a[r*lda+kk*inca]
			br := b[kk*ldb : kk*ldb+cols]
			for j := range cr {
				cr[j] = fma.F32(av, br[j], cr[j])
			}
		}
	}
}
