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
// A (triRows64); float32 does too for the products (triMulRowsA, on the
// outer-product kernel), and for the solve transposes A into scratch, whose
// rows are then M's columns.
func triRows[T Float](t cpu.Tier, x Matrix[T], s *triSpec[T], solve bool) {
	n := s.a.Rows
	if n == 0 {
		return
	}
	if !s.trans && is64[T]() {
		triRows64(x, s, solve)
		return
	}
	if !s.trans && !solve && n >= triRowsA {
		triMulRowsA(t, x, s)
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

// triRowsA is the order from which float32 products with M = A go by
// triMulRowsA rather than through a transposed copy of A: one row at n =
// 64 took 1.1 us transposed and 2.5-3.1 us by chains (a kernel call per
// output), at 256 about the same, at 512 2-3 times less by chains, at
// 1024 nine times less.
const triRowsA = 512

// triMulRowsA runs TriMatVecs with M = A on each row of x, through the
// scratch y (n elements): output i is a chain along row i of A, which the
// outer-product kernel runs with A as its left operand and the row of x
// as a one-column right operand, six outputs at a time. By diagonal blocks
// of triNB outputs: the block's terms outside it in one call (first when M
// is lower, last when upper), its own triangle one call per output, and
// the diagonal term fmaT(d(i), x[i], s) in its place (A's diagonal is not
// read when the diagonal is given or unit).
func triMulRowsA[T Float](t cpu.Tier, x Matrix[T], s *triSpec[T]) {
	n := s.a.Rows
	bp := getTriBuf[T](n)
	defer putTriBuf(bp)
	y := *bp
	a, ld := s.a.Data, s.a.Stride
	pw := outerPanel(t, sizeOfT[T]())
	lower := s.mLower()
	// chain adds to y[r0..r0+rows-1] the terms k = k0..k0+nk-1 (from +0
	// unless load): y[r] += A[r][k] xr[k].
	chain := func(xr []T, r0, rows, k0, nk int, load bool) {
		outerTier(t, y[r0:], 1, a[r0*ld+k0:], ld, 1, xr[k0:], 1, pw, rows, 1, nk, load)
	}
	for b := range x.Rows {
		xr := x.Data[b*x.Stride : b*x.Stride+n]
		for i0 := 0; i0 < n; i0 += triNB {
			i1 := min(i0+triNB, n)
			if lower {
				if i0 > 0 {
					chain(xr, i0, i1-i0, 0, i0, false)
				}
				for i := i0; i < i1; i++ {
					var v T // +0
					if i > i0 {
						chain(xr, i, 1, i0, i-i0, i0 > 0)
						v = y[i]
					} else if i0 > 0 {
						v = y[i]
					}
					y[i] = fmaT(s.d(i), xr[i], v)
				}
				continue
			}
			for i := i0; i < i1; i++ {
				y[i] = fmaT(s.d(i), xr[i], 0)
				if i+1 < i1 {
					chain(xr, i, 1, i+1, i1-i-1, true)
				}
			}
			if i1 < n {
				chain(xr, i0, i1-i0, i1, n-i1, true)
			}
		}
		copy(xr, y)
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
