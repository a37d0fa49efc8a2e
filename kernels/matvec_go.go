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

// Rows of at most one element per lane (n <= 16 in float32, 8 in float64)
// sum the plain products by the same halving: a lane's fma(w, x, +0) is
// the rounded product w*x up to the sign of a zero (an exact zero product
// with a negative sign gives +0 there, -0 here), and sums of values that
// agree up to the signs of zeros agree in the same way, so a nonzero result
// is the canonical one. A zero result (s == 0 below, which longer rows also
// start from) is computed again in the canonical order. This takes the
// software rounding of the fused multiply-adds out of small float32 rows,
// and rowGo64's call and its eight checked fmas out of float64 rows of 8
// (n = 8 took 1.9-2.0x a plain loop, now 1.04-1.12x).

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
			var s float64
			switch {
			case n == 8: // the lanes in registers
				ws, xs := (*[8]float64)(wr), (*[8]float64)(xr)
				p0, p1, p2, p3 := float64(ws[0]*xs[0]), float64(ws[1]*xs[1]), float64(ws[2]*xs[2]), float64(ws[3]*xs[3])
				p4, p5, p6, p7 := float64(ws[4]*xs[4]), float64(ws[5]*xs[5]), float64(ws[6]*xs[6]), float64(ws[7]*xs[7])
				s = ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7))
			case n < 8:
				var l [8]float64
				for k, v := range wr {
					l[k] = float64(v * xr[k]) // float64(): not fused into a later addition
				}
				s = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
			}
			if s == 0 {
				s = rowGo64(wr, xr)
			}
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}

// rowGo64 is one output of MatVecs before its bias: 8 lanes, lane k taking
// the elements j with j%8 == k. (The loop is fmaPass64's, kept here: a call
// to fmaPass64 per row measured 1.1-2.5x slower, n = 8 to 512.)
func rowGo64(wr, xr []float64) float64 {
	n := len(wr)
	xr = xr[:n]
	n8 := n &^ 7
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	for j := 0; j < n8; j += 8 {
		ws, xs := (*[8]float64)(wr[j:j+8]), (*[8]float64)(xr[j:j+8])
		a0 = math.FMA(ws[0], xs[0], a0)
		a1 = math.FMA(ws[1], xs[1], a1)
		a2 = math.FMA(ws[2], xs[2], a2)
		a3 = math.FMA(ws[3], xs[3], a3)
		a4 = math.FMA(ws[4], xs[4], a4)
		a5 = math.FMA(ws[5], xs[5], a5)
		a6 = math.FMA(ws[6], xs[6], a6)
		a7 = math.FMA(ws[7], xs[7], a7)
	}
	if n8 < n {
		l := [8]float64{a0, a1, a2, a3, a4, a5, a6, a7}
		for k, j := 0, n8; j < n; k, j = k+1, j+1 {
			l[k] = math.FMA(wr[j], xr[j], l[k])
		}
		a0, a1, a2, a3, a4, a5, a6, a7 = l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]
	}
	return ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7))
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
			var s float32
			switch {
			case n <= 8:
				// Lanes 8-15 hold +0: the 8-lane halving of lanes 0-7
				// agrees with the 16-lane one up to the signs of zeros.
				var l [8]float32
				for k, v := range wr {
					l[k] = float32(v * xr[k])
				}
				s = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
			case n <= 16:
				var l [16]float32
				for k, v := range wr {
					l[k] = float32(v * xr[k])
				}
				s = tree16(l[:])
			}
			if s == 0 {
				s = rowGo32(wr, xr)
			}
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}

// rowShort32 is rowProducts32 for rows of 17 to 32 elements, its lanes
// formed in registers pair by pair (lane j with lane j+8, the halving's
// first step) instead of in a lane array: lane k < 16 is the plain product
// of element k, then element k+16 (if any) by a fused update.
func rowShort32(wr, xr []float32) float32 {
	n := len(wr)
	xr = xr[:n]
	w0, x0 := (*[16]float32)(wr[:16]), (*[16]float32)(xr[:16])
	w1, x1 := wr[16:], xr[16:]
	var v [8]float32
	for j := range 8 {
		a := float32(w0[j] * x0[j]) // float32(): not fused into a later addition
		if j < len(w1) {
			if s := float64(w1[j])*float64(x1[j]) + float64(a); fma.Exact32(s) {
				a = float32(s)
			} else {
				a = fma.Odd32(w1[j], x1[j], a)
			}
		}
		b := float32(w0[j+8] * x0[j+8])
		if j+8 < len(w1) {
			if s := float64(w1[j+8])*float64(x1[j+8]) + float64(b); fma.Exact32(s) {
				b = float32(s)
			} else {
				b = fma.Odd32(w1[j+8], x1[j+8], b)
			}
		}
		v[j] = a + b
	}
	return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
}

// rowProducts32 is rowLanes32 for n > 16 when it returns a nonzero value:
// lane k's first update, fma(w[k], x[k], +0), is the plain product up to
// the sign of a zero, a fused update of lanes that agree up to the signs
// of zeros gives results that agree in the same way, and so does the
// halving (see above); a zero result is computed again by rowLanes32. One
// rounded product in place of a software fma for each of the first 16
// elements: at n = 32 half the row's fmas.
func rowProducts32(wr, xr []float32) float32 {
	n := len(wr)
	xr = xr[:n]
	n16 := n &^ 15
	var l [16]float32
	w0, x0 := (*[16]float32)(wr[:16]), (*[16]float32)(xr[:16])
	for k := range l {
		l[k] = float32(w0[k] * x0[k]) // float32(): not fused into a later addition
	}
	if n >= 64 {
		// Long rows keep eight lanes at a time in registers.
		if n16 > 16 {
			fmaPass32((*[8]float32)(l[:8]), wr[16:n16], xr[16:n16], 16)
			fmaPass32((*[8]float32)(l[8:]), wr[24:n16], xr[24:n16], 16)
		}
	} else {
		// Short ones update the lanes in memory, 16 independent updates
		// a block: the passes' calls cost more at n = 32 (3.3x a plain
		// loop, 2.1x this way).
		for j := 16; j < n16; j += 16 {
			ws, xs := (*[16]float32)(wr[j:j+16]), (*[16]float32)(xr[j:j+16])
			for k := range l {
				if s := float64(ws[k])*float64(xs[k]) + float64(l[k]); fma.Exact32(s) {
					l[k] = float32(s)
				} else {
					l[k] = fma.Odd32(ws[k], xs[k], l[k])
				}
			}
		}
	}
	for k, j := 0, max(n16, 16); j < n; k, j = k+1, j+1 {
		if s := float64(wr[j])*float64(xr[j]) + float64(l[k]); fma.Exact32(s) {
			l[k] = float32(s)
		} else {
			l[k] = fma.Odd32(wr[j], xr[j], l[k])
		}
	}
	return tree16(l[:])
}

// rowGo32 is one output of MatVecs before its bias, for rows of more than
// 16 elements or a zero sum of a shorter row's products (one call site in
// matVecsGo32's loop: a second one made the loop save its values on every
// row).
func rowGo32(wr, xr []float32) float32 {
	if len(wr) > 16 && len(wr) <= 32 {
		if s := rowShort32(wr, xr); s != 0 {
			return s
		}
		return rowLanes32(wr, xr)
	}
	if len(wr) > 16 {
		if s := rowProducts32(wr, xr); s != 0 {
			return s
		}
	}
	return rowLanes32(wr, xr)
}

// rowLanes32 is rowGo64 for float32: 16 lanes, lanes 0-7 taking the first
// half of each 16 elements, lanes 8-15 the second (two passes over the
// row).
func rowLanes32(wr, xr []float32) float32 {
	n := len(wr)
	xr = xr[:n]
	n16 := n &^ 15
	var l [16]float32
	fmaPass32((*[8]float32)(l[:8]), wr[:n16], xr[:n16], 16)
	if n16 > 0 {
		fmaPass32((*[8]float32)(l[8:]), wr[8:n16], xr[8:n16], 16)
	}
	for k, j := 0, n16; j < n; k, j = k+1, j+1 {
		if s := float64(wr[j])*float64(xr[j]) + float64(l[k]); fma.Exact32(s) {
			l[k] = float32(s)
		} else {
			l[k] = fma.Odd32(wr[j], xr[j], l[k])
		}
	}
	return tree16(l[:])
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
			a64 := float64(av) // converted once: see fma.Exact32
			br := b[kk*ldb : kk*ldb+cols]
			for j := range cr {
				if s := a64*float64(br[j]) + float64(cr[j]); fma.Exact32(s) {
					cr[j] = float32(s)
				} else {
					cr[j] = fma.Odd32(av, br[j], cr[j])
				}
			}
		}
	}
}
