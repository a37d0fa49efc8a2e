package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/fma"
)

// triSmall is the batch below which the triangular kernels go row by row:
// along a shorter batch the transposed layout's vectors would be shorter
// than a register, and its calls would cost more than the arithmetic.
const triSmall = 8

// triRows runs TriMatVecs (solve false) or TriSolveVecs on each row of x,
// in the canonical order. With A transposed, column k of M = Aᵀ is row k
// of A: the terms in x[k] go to every output at once as one Axpy over it
// (each output still receives them in increasing k, or decreasing in the
// backward solve). Without, float64 runs each output's chain along a row of
// A (triRows64), and float32 transposes A into scratch, whose rows are then
// M's columns.
func triRows[T Float](t cpu.Tier, x Matrix[T], s *triSpec[T], solve bool) {
	n := s.a.Rows
	if n == 0 {
		return
	}
	if !s.trans && is64[T]() {
		triRows64(x, s, solve)
		return
	}
	cs := *s
	need := 0
	if !solve {
		need += n // the products go to scratch: x is read to the end
	}
	if !s.trans {
		need += n * n
	}
	bp := getTriBuf[T](need)
	defer putTriBuf(bp)
	buf := *bp
	if !s.trans {
		// Aᵀ, whose transpose is A: the same M, read by rows.
		at := buf[len(buf)-n*n:]
		transpose(t, at, 0, n, s.a.Data, 0, s.a.Stride, n, n)
		cs.a, cs.trans, cs.upper = Matrix[T]{Rows: n, Cols: n, Data: at, Stride: n}, true, !s.upper
	}
	lower := cs.mLower()
	for b := range x.Rows {
		xr := x.Data[b*x.Stride : b*x.Stride+n]
		if solve {
			triSolveCols(t, xr, &cs, lower)
		} else {
			triMulCols(t, xr, buf[:n], &cs, lower)
		}
	}
}

// triRows64 is triRows for float64 with A not transposed: M's rows are
// A's, and each output's chain runs along one (tri_rows64.go).
func triRows64[T Float](x Matrix[T], s *triSpec[T], solve bool) {
	n := s.a.Rows
	bp := getTriBuf[T](n)
	defer putTriBuf(bp)
	dg := f64((*bp)[:n])
	for i := range dg {
		dg[i] = float64(s.d(i))
	}
	a, lower := f64(s.a.Data), s.mLower()
	for b := range x.Rows {
		xr := f64(x.Data[b*x.Stride : b*x.Stride+n])
		switch {
		case solve && lower:
			triSolveRows64Lower(xr, a, s.a.Stride, dg)
		case solve:
			triSolveRows64Upper(xr, a, s.a.Stride, dg)
		case lower:
			triMulRows64Lower(xr, a, s.a.Stride, dg)
		default:
			triMulRows64Upper(xr, a, s.a.Stride, dg)
		}
	}
}

// rd is the reciprocal of M's diagonal element i (1 when unit).
func (s *triSpec[T]) rd(i int) T { return 1 / s.d(i) }

// aRow returns row i of A, n long.
func (s *triSpec[T]) aRow(i, n int) []T { return s.a.Data[i*s.a.Stride : i*s.a.Stride+n] }

// triMulCols sets xr = M xr for M = Aᵀ, through the scratch y.
func triMulCols[T Float](t cpu.Tier, xr, y []T, s *triSpec[T], lower bool) {
	n := len(xr)
	clear(y)
	for k := range n {
		ak, xk := s.aRow(k, n), xr[k]
		if lower { // M[i][k] = A[k][i] for i >= k: output k's last term
			y[k] = fmaT(s.d(k), xk, y[k])
			axpyOn(t, xk, ak[k+1:], y[k+1:])
		} else { // i <= k: output k's first term
			axpyOn(t, xk, ak[:k], y[:k])
			y[k] = fmaT(s.d(k), xk, y[k])
		}
	}
	copy(xr, y)
}

// triSolveCols solves M x = xr in place for M = Aᵀ: each unknown, once
// known, updates the unknowns after it by one Axpy: fma(-x[k], M[i][k], s)
// is fma(-M[i][k], x[k], s) exactly.
func triSolveCols[T Float](t cpu.Tier, xr []T, s *triSpec[T], lower bool) {
	n := len(xr)
	if lower {
		for k := range n {
			xr[k] *= s.rd(k)
			axpyOn(t, -xr[k], s.aRow(k, n)[k+1:], xr[k+1:])
		}
		return
	}
	for k := n - 1; k >= 0; k-- {
		xr[k] *= s.rd(k)
		axpyOn(t, -xr[k], s.aRow(k, n)[:k], xr[:k])
	}
}

// fmaT returns a*b + c rounded once, in T's precision.
func fmaT[T Float](a, b, c T) T {
	if is64[T]() {
		return T(math.FMA(float64(a), float64(b), float64(c)))
	}
	return T(fma.F32(float32(a), float32(b), float32(c)))
}
