package kernels

import (
	"fmt"
	"math"
	"sync"

	"github.com/flowkern/flowkern/internal/cpu"
)

// Triangular kernels: log-determinants of triangular factors, and batched
// triangular products and solves on the rows of a batch. They are built on
// the other kernels (Log, Sum, the outer-product kernel of MatTVecs and
// AddOuters), so every tier gives the same bits by construction: each
// output has one canonical operation order, stated below, that does not
// depend on the tier, the batch size, the blocking or the workers.
//
// A triangular matrix A is n x n; only its triangle (upper or lower, the
// diagonal included unless unit) is read, the other triangle never. op(A) is
// A, or its transpose Aᵀ when trans is set; M = op(A) below.

// triLogBlock is the number of diagonal elements gathered at once: a
// multiple of both lane counts, so that Sum's lanes continue across blocks.
const triLogBlock = 256

// TriLogDet returns sum_i log|A[i][i]| for a square matrix A: the log of
// |det A| when A is triangular (only the diagonal is read). A zero on the
// diagonal gives -Inf, NaN gives NaN, and an empty matrix +0.
//
// Canonical order: the logs are Log's (max error 0.71 ulp in float64, 0.63
// ulp in float32), summed as Sum sums the vector (log|A[0][0]|, ...,
// log|A[n-1][n-1]|): L = 32 (float64) or 64 (float32) lanes from +0,
// element i added to lane i%L in increasing i, the lanes added by halving.
// (The diagonal goes through a stack buffer in blocks of 256, a multiple of
// L, the lanes carried from block to block.)
//
// Error: |TriLogDet - exact| <= (ceil(n/L) + log2 L + 2) u sum_i |log|A[i][i]||
// to first order, u = 2^-53 (float64) or 2^-24 (float32).
//
// It panics if A is not square or not a valid view.
func TriLogDet[T Float](a Matrix[T]) T {
	if !a.valid() || a.Rows != a.Cols {
		checkSquare("TriLogDet", "a", a)
	}
	return triLogDetOn(active, a)
}

// TriLogDets sets dst[k] = TriLogDet(factors[k]) for every k: the
// log-determinants of a batch of triangular factors. It panics if the
// lengths differ, a factor is not square, or dst shares an element with a
// factor (the factors may overlap each other).
func TriLogDets[T Float](dst []T, factors []Matrix[T]) {
	if len(dst) != len(factors) {
		panic(fmt.Sprintf("kernels: TriLogDets: len(dst) = %d != len(factors) = %d", len(dst), len(factors)))
	}
	for k, a := range factors {
		if !a.valid() || a.Rows != a.Cols {
			checkSquare("TriLogDets", fmt.Sprintf("factors[%d]", k), a)
		}
		if matVecOverlap(a, dst) {
			overlapPanic("TriLogDets", fmt.Sprintf("factors[%d]", k), "dst", false)
		}
	}
	for k, a := range factors {
		dst[k] = triLogDetOn(active, a)
	}
}

func checkSquare[T Float](fn, name string, a Matrix[T]) {
	a.check(fn, name)
	if a.Rows != a.Cols {
		panic(fmt.Sprintf("kernels: %s: %s is %dx%d, not square", fn, name, a.Rows, a.Cols))
	}
}

func triLogDetOn[T Float](t cpu.Tier, a Matrix[T]) T {
	var buf [triLogBlock]T
	var lb [64]T
	acc := lb[:lanes[T]()]
	var s T
	for i0 := 0; i0 < a.Rows; i0 += triLogBlock {
		m := min(triLogBlock, a.Rows-i0)
		for i := range m {
			buf[i] = T(math.Abs(float64(a.Data[(i0+i)*(a.Stride+1)])))
		}
		vmathTier(t, fnLog, buf[:m], buf[:m])
		s = sumTier(t, buf[:m], acc)
	}
	return s
}

// AddRowSums adds the sum of each row of S to logdet: logdet[b] =
// logdet[b] + Sum(S[b][:]), the row summed in Sum's canonical order and
// the addition rounded once (the log-determinant of a layer whose Jacobian
// is diagonal with log-scales S). It panics if len(logdet) != S.Rows or if
// logdet shares an element with S.
func AddRowSums[T Float](logdet []T, s Matrix[T]) {
	if !s.valid() || len(logdet) != s.Rows {
		s.check("AddRowSums", "s")
		panic(fmt.Sprintf("kernels: AddRowSums: len(logdet) = %d, want s.Rows = %d (s is %dx%d)",
			len(logdet), s.Rows, s.Rows, s.Cols))
	}
	if !matVecApart(&s, logdet) {
		checkMatVec("AddRowSums", "s", s, "logdet", logdet)
	}
	addRowSumsOn(active, logdet, s)
}

func addRowSumsOn[T Float](t cpu.Tier, logdet []T, s Matrix[T]) {
	for b := range logdet {
		var row []T
		if s.Cols > 0 {
			row = s.Data[b*s.Stride : b*s.Stride+s.Cols]
		}
		logdet[b] += sumOn(t, row)
	}
}

// TriMatVecs sets X[b] = op(A) X[b] for every row b of X, in place: A is n
// x n triangular (lower, or upper if upper is set; with a unit diagonal,
// not read, if unit is set), op(A) is A or Aᵀ (trans), X is batch x n.
//
// Canonical order: with M = op(A) and M[i][i] = 1 when unit, each output
// is one chain of fused multiply-adds over the row's triangle in increasing
// k, starting at +0: s = fma(M[i][k], X[b][k], s) for k = 0, ..., i when M
// is lower, k = i, ..., n-1 when M is upper. (A unit diagonal thus adds
// X[b][i] with one rounding.)
//
// Error: |out - exact| <= n u sum_k |M[i][k] X[b][k]|.
//
// It panics if A is not square, X does not have n columns, or a view is
// invalid; the message names the shapes. X must not share an element with
// A (it panics naming them).
func TriMatVecs[T Float](x, a Matrix[T], upper, trans, unit bool) {
	triCheck("TriMatVecs", x, a)
	s := triSpec[T]{a: a, upper: upper, trans: trans, unit: unit}
	triMulOn(active, workersFor(x.Rows*a.Rows*a.Rows/2), x, &s)
}

// TriSolveVecs sets X[b] = op(A)⁻¹ X[b] for every row b of X, in place
// (the same A, upper, trans, unit as TriMatVecs): each row is solved by
// substitution. A singular A gives Inf and NaN as IEEE division does; no
// element is tested for zero.
//
// Canonical order: with M = op(A), substitution in the order the unknowns
// become known, each update one fused multiply-add, each diagonal a
// multiplication by its rounded reciprocal. M lower (forward): for i = 0,
// ..., n-1, s = X[b][i], then s = fma(-M[i][k], x[k], s) for k = 0, ...,
// i-1, and x[i] = s * (1/M[i][i]) (s when unit). M upper (backward): for
// i = n-1, ..., 0, the same with k = n-1, n-2, ..., i+1. (The reciprocal,
// not a division, lets the batch be scaled by the Scale kernel; 1/M[i][i]
// is computed once per call.)
//
// Error: the computed x solves (M + E) x = X[b] with |E| <= (n+1) u |M|
// elementwise to first order (componentwise backward stable, as any
// substitution), unless 1/M[i][i] overflows or is subnormal.
//
// It panics as TriMatVecs does.
func TriSolveVecs[T Float](x, a Matrix[T], upper, trans, unit bool) {
	triCheck("TriSolveVecs", x, a)
	s := triSpec[T]{a: a, upper: upper, trans: trans, unit: unit}
	triSolveOn(active, workersFor(x.Rows*a.Rows*a.Rows/2), x, &s)
}

// TriMatVecsDiag is TriMatVecs with the diagonal of M = op(A) given as a
// vector: M[i][i] = diag[i], or 1 when diag is nil (TriMatVecs with unit
// set). A's diagonal is never read, so A may hold another factor there (a
// strictly lower and a strictly upper factor can share one matrix). It is
// the product of a layer whose triangular factor is stored without its
// diagonal, such as Glow's U + diag(sign * exp(logs)).
//
// Canonical order: TriMatVecs' with M[i][i] = diag[i] (each output one
// chain of fused multiply-adds from +0 in increasing k, the diagonal term
// fma(diag[i], X[b][i], s) in its place). Error: as TriMatVecs.
//
// It panics as TriMatVecs does, and if diag is neither nil nor of length
// n. X must not share an element with A or diag (it panics naming them);
// A and diag may overlap.
func TriMatVecsDiag[T Float](x, a Matrix[T], diag []T, upper, trans bool) {
	triDiagCheck("TriMatVecsDiag", x, a, diag)
	s := triSpec[T]{a: a, upper: upper, trans: trans, unit: diag == nil, diag: diag}
	triMulOn(active, workersFor(x.Rows*a.Rows*a.Rows/2), x, &s)
}

// TriSolveVecsDiag is TriSolveVecs with the diagonal of M = op(A) given as
// a vector, as TriMatVecsDiag: M[i][i] = diag[i], or 1 when diag is nil.
// A's diagonal is never read.
//
// Canonical order: TriSolveVecs' with M[i][i] = diag[i] (each unknown
// multiplied by the rounded reciprocal 1/diag[i], computed once per call;
// nothing when diag is nil). Error: as TriSolveVecs.
//
// It panics as TriMatVecsDiag does.
func TriSolveVecsDiag[T Float](x, a Matrix[T], diag []T, upper, trans bool) {
	triDiagCheck("TriSolveVecsDiag", x, a, diag)
	s := triSpec[T]{a: a, upper: upper, trans: trans, unit: diag == nil, diag: diag}
	triSolveOn(active, workersFor(x.Rows*a.Rows*a.Rows/2), x, &s)
}

func triDiagCheck[T Float](fn string, x, a Matrix[T], diag []T) {
	triCheck(fn, x, a)
	if diag != nil && len(diag) != a.Rows {
		panic(fmt.Sprintf("kernels: %s: len(diag) = %d, want nil or n = %d (a is %dx%d)", fn, len(diag), a.Rows, a.Rows, a.Cols))
	}
	if !matVecApart(&x, diag) {
		checkMatVec(fn, "x", x, "diag", diag)
	}
}

// AddOutersTri adds the outer products of a batch to one strict triangle
// of a square gradient: G[i][k] += sum_b D[b][i] X[b][k] for k < i (lower)
// or k > i (upper), without reading or writing G's diagonal or its other
// triangle, so that the gradients of a strictly lower and a strictly upper
// factor can share one matrix. When ds is not nil, it also sets ds[i] =
// sum_b D[b][i] X[b][i] (the diagonal of the sum, from +0): the gradient
// of a diagonal given apart, as TriMatVecsDiag's. G is n x n, D and X are
// batch x n, ds has length n.
//
// Canonical order: AddOuters' for each element (for b = 0, 1, ...,
// batch-1 in turn, G[i][k] = fma(D[b][i], X[b][k], G[i][k])), ds[i]
// likewise from +0. A batch of zero rows leaves G as it is and sets ds to
// +0. (Off the diagonal blocks of 64 it runs AddOuters in place; a
// diagonal block goes through pooled scratch, so steady-state calls on one
// goroutine do not allocate.) Error: as AddOuters.
//
// It panics if a matrix is not a valid view, G is not square, D or X is
// not batch x n, or ds is neither nil nor of length n; the message names
// the shapes. G and ds must not share an element with D, X or each other
// (it panics naming the two); D and X may overlap.
func AddOutersTri[T Float](g Matrix[T], ds []T, d, x Matrix[T], lower bool) {
	const fn = "AddOutersTri"
	if !g.valid() || !d.valid() || !x.valid() || g.Rows != g.Cols || d.Rows != x.Rows || d.Cols != g.Rows ||
		x.Cols != g.Rows || (ds != nil && len(ds) != g.Rows) {
		checkSquare(fn, "g", g)
		d.check(fn, "d")
		x.check(fn, "x")
		if d.Rows != x.Rows || d.Cols != g.Rows || x.Cols != g.Rows {
			panic(fmt.Sprintf("kernels: %s: d is %dx%d and x is %dx%d, want batch x %d both (g is %dx%d)",
				fn, d.Rows, d.Cols, x.Rows, x.Cols, g.Rows, g.Rows, g.Cols))
		}
		panic(fmt.Sprintf("kernels: %s: len(ds) = %d, want nil or n = %d (g is %dx%d)", fn, len(ds), g.Rows, g.Rows, g.Cols))
	}
	if !matsApart(&g, &d) {
		checkMats(fn, "g", g, "d", d, false)
	}
	if !matsApart(&g, &x) {
		checkMats(fn, "g", g, "x", x, false)
	}
	if !matVecApart(&g, ds) {
		checkMatVec(fn, "g", g, "ds", ds)
	}
	if !matVecApart(&d, ds) {
		checkMatVec(fn, "d", d, "ds", ds)
	}
	if !matVecApart(&x, ds) {
		checkMatVec(fn, "x", x, "ds", ds)
	}
	bp := getTriBuf[T](triNB * triNB)
	addOutersTri(active, g, d, x, lower, ds, *bp)
	putTriBuf(bp)
}

// addOutersTri is AddOutersTri on tier t: blocks off the diagonal go to
// AddOuters in place, diagonal blocks by addOutersTriDiag.
func addOutersTri[T Float](t cpu.Tier, g, dm, xm Matrix[T], lower bool, ds, tb []T) {
	n, nb := g.Rows, dm.Rows
	for i0 := 0; i0 < n; i0 += triNB {
		i1 := min(i0+triNB, n)
		w := i1 - i0
		if lower && i0 > 0 {
			addOutersOn(t, workersFor(nb*w*i0), g.sub(i0, 0, w, i0), nil, dm.sub(0, i0, nb, w), xm.sub(0, 0, nb, i0))
		}
		if !lower && i1 < n {
			addOutersOn(t, workersFor(nb*w*(n-i1)), g.sub(i0, i1, w, n-i1), nil, dm.sub(0, i0, nb, w), xm.sub(0, i1, nb, n-i1))
		}
		addOutersTriDiag(t, g, dm, xm, lower, ds, tb, i0, i1)
	}
}

// addOutersTriDiag updates G's strict triangle in its diagonal block
// [lo, hi) and ds there: by halves, the block between them in place with
// AddOuters (each element's chain is the same whatever block it is
// computed in), and squares of up to 128 bytes a row through tb, read
// from and written back to the triangle only. (Smaller squares waste less
// of their product but run the kernel on shorter rows: at n = 64, batch
// 256, float32 measured 10% faster with squares of 32 than of 16, float64
// 6% slower.)
func addOutersTriDiag[T Float](t cpu.Tier, g, dm, xm Matrix[T], lower bool, ds, tb []T, lo, hi int) {
	nb := dm.Rows
	if w := hi - lo; w > 128/sizeOfT[T]() {
		mid := lo + triHalf(w)
		addOutersTriDiag(t, g, dm, xm, lower, ds, tb, lo, mid)
		if lower {
			addOutersOn(t, 1, g.sub(mid, lo, hi-mid, mid-lo), nil, dm.sub(0, mid, nb, hi-mid), xm.sub(0, lo, nb, mid-lo))
		} else {
			addOutersOn(t, 1, g.sub(lo, mid, mid-lo, hi-mid), nil, dm.sub(0, lo, nb, mid-lo), xm.sub(0, mid, nb, hi-mid))
		}
		addOutersTriDiag(t, g, dm, xm, lower, ds, tb, mid, hi)
		return
	}
	w := hi - lo
	// Row ii's part of the strict triangle is the block's columns [k0, k1).
	part := func(ii int) (int, int) {
		if lower {
			return 0, ii
		}
		return ii + 1, w
	}
	for ii := range w {
		k0, k1 := part(ii)
		tr, gr := tb[ii*w:ii*w+w], g.Data[(lo+ii)*g.Stride+lo:]
		clear(tr)
		copy(tr[k0:k1], gr[k0:k1])
	}
	addOutersOn(t, 1, Matrix[T]{Rows: w, Cols: w, Data: tb, Stride: w}, nil, dm.sub(0, lo, nb, w), xm.sub(0, lo, nb, w))
	for ii := range w {
		k0, k1 := part(ii)
		copy(g.Data[(lo+ii)*g.Stride+lo+k0:(lo+ii)*g.Stride+lo+k1], tb[ii*w+k0:ii*w+k1])
		if ds != nil {
			ds[lo+ii] = tb[ii*w+ii]
		}
	}
}

func triCheck[T Float](fn string, x, a Matrix[T]) {
	if a.valid() && x.valid() && a.Rows == a.Cols && x.Cols == a.Rows {
		if !matsApart(&x, &a) {
			checkMats(fn, "x", x, "a", a, false)
		}
		return
	}
	checkSquare(fn, "a", a)
	x.check(fn, "x")
	panic(fmt.Sprintf("kernels: %s: x is %dx%d but a is %dx%d: x needs %d columns (x is batch x n for a n x n)",
		fn, x.Rows, x.Cols, a.Rows, a.Cols, a.Rows))
}

// triSpec is one triangular operand: M = op(A) with its diagonal taken from
// A, from diag when that is not nil, or 1 (unit).
type triSpec[T Float] struct {
	a                  Matrix[T]
	upper, trans, unit bool
	diag               []T
}

// at returns M[i][k].
func (s *triSpec[T]) at(i, k int) T {
	if s.trans {
		i, k = k, i
	}
	return s.a.Data[i*s.a.Stride+k]
}

// d returns M[i][i].
func (s *triSpec[T]) d(i int) T {
	switch {
	case s.unit:
		return 1
	case s.diag != nil:
		return s.diag[i]
	}
	return s.a.Data[i*s.a.Stride+i]
}

// blockT sets dm[kk*w+ii] = M[i0+ii][i0+kk] for the strict triangle of
// the diagonal block [i0, i0+w) of M (kk < ii when lower, kk > ii when
// upper), reading only that triangle of A. With M = Aᵀ, row kk of dm is a
// piece of row i0+kk of A; with M = A, A's block goes transposed in strips
// of 8 rows: the part of a strip off the diagonal by the transpose kernel,
// the 8 x 8 tile on it element by element. (Element by element down dm's
// columns, the fill cost as much as the block's products at n = 64.)
func (s *triSpec[T]) blockT(t cpu.Tier, dm []T, i0, w int, lower bool) {
	a, ld := s.a.Data, s.a.Stride
	if s.trans {
		for kk := range w {
			lo, hi := kk+1, w // the rows ii of dm row kk
			if !lower {
				lo, hi = 0, kk
			}
			if lo < hi {
				copy(dm[kk*w+lo:kk*w+hi], a[(i0+kk)*ld+i0+lo:])
			}
		}
		return
	}
	const strip = 8
	for r0 := 0; r0 < w; r0 += strip {
		r1 := min(r0+strip, w)
		if lower { // rows r0..r1-1, columns 0..r0-1
			transpose(t, dm, r0, w, a, (i0+r0)*ld+i0, ld, r1-r0, r0)
		} else { // rows r0..r1-1, columns r1..w-1
			transpose(t, dm, r1*w+r0, w, a, (i0+r0)*ld+i0+r1, ld, r1-r0, w-r1)
		}
		for ii := r0; ii < r1; ii++ {
			k0, k1 := r0, ii
			if !lower {
				k0, k1 = ii+1, r1
			}
			row := a[(i0+ii)*ld+i0:]
			for kk := k0; kk < k1; kk++ {
				dm[kk*w+ii] = row[kk]
			}
		}
	}
}

// mLower reports whether M = op(A) is lower triangular.
func (s *triSpec[T]) mLower() bool { return s.upper == s.trans }

// Blocking of the triangular kernels: diagonal blocks of triNB, cut in
// halves down to triLeaf columns that the scalar loops do; triRC batch rows
// share a copied block. None of them changes a result.
const (
	triNB   = 64
	triLeaf = 8
	triRC   = 256
	triRow  = 16 // the least batch rows per goroutine
)

// Scratch of the triangular kernels: pooled, grown as needed, so that
// steady-state calls do not allocate.
var triPools [2]sync.Pool

func getTriBuf[T Float](n int) *[]T {
	p := &triPools[1]
	if is64[T]() {
		p = &triPools[0]
	}
	b, ok := p.Get().(*[]T)
	if !ok || cap(*b) < n {
		s := make([]T, n)
		b = &s
	}
	*b = (*b)[:n]
	return b
}

func putTriBuf[T Float](b *[]T) {
	if is64[T]() {
		triPools[0].Put(b)
	} else {
		triPools[1].Put(b)
	}
}

// padLD returns a leading dimension of at least n that is not a multiple
// of 4 KiB (which would make the outer-product kernel pack).
func padLD[T Float](n int) int {
	ld := max(1, n)
	if ld*sizeOfT[T]()%4096 == 0 {
		ld += 64 / sizeOfT[T]()
	}
	return ld
}

// triSolveOn runs TriSolveVecs on tier t, splitting the batch across up to
// workers goroutines (rows are independent).
func triSolveOn[T Float](t cpu.Tier, workers int, x Matrix[T], s *triSpec[T]) {
	if s.a.Rows == 0 || x.Rows == 0 {
		return
	}
	if workers > 1 && x.Rows >= 2*triRow {
		sc := *s // s itself stays on the caller's stack
		parallel(workers, 2, x.Rows, triRow, func(b0, b1 int) {
			triSolveSerial(t, x.sub(b0, 0, b1-b0, x.Cols), &sc)
		})
		return
	}
	triSolveSerial(t, x, s)
}

// triMulOn runs TriMatVecs on tier t, as triSolveOn.
func triMulOn[T Float](t cpu.Tier, workers int, x Matrix[T], s *triSpec[T]) {
	if s.a.Rows == 0 || x.Rows == 0 {
		return
	}
	if workers > 1 && x.Rows >= 2*triRow {
		sc := *s // s itself stays on the caller's stack
		parallel(workers, 2, x.Rows, triRow, func(b0, b1 int) {
			triMulSerial(t, x.sub(b0, 0, b1-b0, x.Cols), &sc)
		})
		return
	}
	triMulSerial(t, x, s)
}

// triSolveSerial solves right-looking by diagonal blocks in the order of
// substitution. With M upper, "virtual" index v stands for column n-1-v,
// so that every block is a forward (lower) solve. For each block J, the
// block's part of up to triRC rows is copied transposed (virtual order) to
// Tt, whose rows are then contiguous vectors along the batch: Tt is solved
// by halves (triSolveBlock: Axpy and Scale on its rows, the outer-product
// kernel between halves), copied back, and the columns still unknown are
// updated by C += Ttᵀ P with the outer-product kernel, where P holds
// -M[i][k] for k in J: each update is fma(-M[i][k], x[k], C) in the order
// of k.
func triSolveSerial[T Float](t cpu.Tier, x Matrix[T], s *triSpec[T]) {
	if x.Rows < triSmall {
		triRows(t, x, s, true)
		return
	}
	n, nb := s.a.Rows, x.Rows
	fwd := s.mLower()
	bw, rc := min(n, triNB), min(nb, triRC)
	ldp, ldt := padLD[T](n), oddLines[T](rc)
	bp := getTriBuf[T](bw*bw + bw + bw*(ldp+16) + bw*ldt)
	defer putTriBuf(bp)
	buf := *bp
	real := func(v int) int {
		if fwd {
			return v
		}
		return n - 1 - v
	}
	dm, rd := buf[:bw*bw], buf[bw*bw:bw*bw+bw]
	pm, tm := buf[bw*bw+bw:bw*bw+bw+bw*(ldp+16)], buf[bw*bw+bw+bw*(ldp+16):]
	for j0 := 0; j0 < n; j0 += bw {
		j1 := min(j0+bw, n)
		w, nt := j1-j0, n-j1
		// D[kk][ii] = -M'[ii][kk] for kk < ii, M' = M in virtual indices;
		// rd[ii] = 1/M'[ii][ii].
		for ii := range w {
			ri := real(j0 + ii)
			rd[ii] = 1 / s.d(ri)
			for kk := range ii {
				dm[kk*w+ii] = -s.at(ri, real(j0+kk))
			}
		}
		// P[kk][c] = -M[col c][k] for the unknown columns, in the order of
		// X's columns: j1, ..., n-1 (forward) or 0, ..., n-j1-1 (backward).
		c0 := 0
		if fwd {
			c0 = j1
		}
		ldq := padLD[T](nt)
		if s.trans {
			// M[c][k] = A[k][c]: a row of P is a piece of a row of A,
			// copied and negated by the kernels.
			for kk := range w {
				rk := real(j0 + kk)
				row := pm[kk*ldq : kk*ldq+nt]
				copy(row, s.a.Data[rk*s.a.Stride+c0:])
				scaleOn(t, -1, row)
			}
		} else {
			// M[c][k] = A[c][k]: the block of A's columns of J, rows c0..,
			// transposed by the kernels (a column walk of A misses the
			// cache on every element); backward, its rows come out in
			// increasing column order, the reverse of virtual order.
			k0 := j0
			if !fwd {
				k0 = n - j1
			}
			transpose(t, pm, 0, ldq, s.a.Data, c0*s.a.Stride+k0, s.a.Stride, nt, w)
			if !fwd {
				for kk := range w / 2 {
					a, b := pm[kk*ldq:kk*ldq+nt], pm[(w-1-kk)*ldq:(w-1-kk)*ldq+nt]
					for c := range a {
						a[c], b[c] = b[c], a[c]
					}
				}
			}
			for kk := range w {
				scaleOn(t, -1, pm[kk*ldq:kk*ldq+nt])
			}
		}
		for b0 := 0; b0 < nb; b0 += rc {
			r := min(rc, nb-b0)
			triTranspose(t, tm, ldt, x, b0, r, j0, w, fwd, false)
			tt := Matrix[T]{Rows: w, Cols: r, Data: tm, Stride: ldt}
			triSolveBlock(t, tt, dm, w, rd, 0, w, s.unit)
			triTranspose(t, tm, ldt, x, b0, r, j0, w, fwd, true)
			if nt > 0 {
				xs := x.sub(b0, c0, r, nt)
				outerSerial(t, &xs, &Matrix[T]{Rows: r, Cols: w, Data: tm, Stride: 1}, ldt,
					&Matrix[T]{Rows: w, Cols: nt, Data: pm, Stride: ldq}, true)
			}
		}
	}
}

// triTranspose copies the virtual columns j0..j0+w-1 of rows b0..b0+r-1
// of X to the rows of tm (stride ldt), transposed, or back (out). Virtual
// column v is column v (fwd) or n-1-v: tm row ii holds virtual column ii,
// so the backward order is a reversed walk over the rows of tm.
func triTranspose[T Float](t cpu.Tier, tm []T, ldt int, x Matrix[T], b0, r, j0, w int, fwd, out bool) {
	c0 := j0
	if !fwd {
		c0 = x.Cols - j0 - w
	}
	xo, to, ld := b0*x.Stride+c0, 0, ldt
	if !fwd {
		to, ld = (w-1)*ldt, -ldt
	}
	if out {
		transpose(t, x.Data, xo, x.Stride, tm, to, ld, w, r)
	} else {
		transpose(t, tm, to, ld, x.Data, xo, x.Stride, r, w)
	}
}

// oddLines returns a leading dimension of at least n elements that is an
// odd number of cache lines, so that the rows of a block spread over the
// cache sets.
func oddLines[T Float](n int) int {
	per := 64 / sizeOfT[T]()
	return ((n+per-1)/per | 1) * per
}

// triHalf returns where a block of n columns is cut: about half, a
// multiple of 8.
func triHalf(n int) int {
	if h := (n/2 + 7) &^ 7; h < n {
		return h
	}
	return n / 2
}

// triSolveBlock solves the unknowns lo..hi-1, the rows of tt (each a
// vector along the batch), forward with the strictly lower part given as
// dm[k*ldd+i] = -M[i][k] and the reciprocal diagonal rd: the first half,
// then the update of the second half by the first with the outer-product
// kernel (A = the block of Dᵀ, read with a stride), then the second half.
// A leaf does row i as Axpy(-M[i][k], row k, row i) for k = lo..i-1, then
// Scale(rd[i], row i).
func triSolveBlock[T Float](t cpu.Tier, tt Matrix[T], dm []T, ldd int, rd []T, lo, hi int, unit bool) {
	if hi-lo <= triLeaf {
		n := tt.Cols
		for i := lo; i < hi; i++ {
			ri := tt.Data[i*tt.Stride : i*tt.Stride+n]
			for k := lo; k < i; k++ {
				axpyOn(t, dm[k*ldd+i], tt.Data[k*tt.Stride:k*tt.Stride+n], ri)
			}
			if !unit {
				scaleOn(t, rd[i], ri)
			}
		}
		return
	}
	mid := lo + triHalf(hi-lo)
	triSolveBlock(t, tt, dm, ldd, rd, lo, mid, unit)
	cs, bs := tt.sub(mid, 0, hi-mid, tt.Cols), tt.sub(lo, 0, mid-lo, tt.Cols)
	outerSerial(t, &cs, &Matrix[T]{Rows: hi - mid, Cols: mid - lo, Data: dm[lo*ldd+mid:], Stride: 1}, ldd, &bs, true)
	triSolveBlock(t, tt, dm, ldd, rd, mid, hi, unit)
}

// triMulSerial multiplies by diagonal blocks I, in place: right to left when
// M is lower (each block reads the columns to its left, not yet
// overwritten), left to right when upper. For each block and up to triRC
// batch rows, the block's inputs are copied transposed to Tt (rows are
// vectors along the batch). With M lower, C = X[:, I] is first set to the
// products with the columns left of I (outer-product kernel from +0), then
// copied transposed to Ct, whose rows get the block's own triangle in
// increasing k (triMulBlock: Axpy along the batch, the outer-product kernel
// between halves), and copied back; with M upper, Ct gets the block's
// triangle first (its chains from +0), is copied back, then the columns
// right of I are added. (The leftmost block of a lower M has no columns
// to its left: its chains also start in the triangle.) P holds M[i][k] for
// the columns outside I, D inside.
func triMulSerial[T Float](t cpu.Tier, x Matrix[T], s *triSpec[T]) {
	if x.Rows < triSmall {
		triRows(t, x, s, false)
		return
	}
	n, nb := s.a.Rows, x.Rows
	lower := s.mLower()
	bw, rc := min(n, triNB), min(nb, triRC)
	ldt := oddLines[T](rc)
	bp := getTriBuf[T](bw*bw + bw + n*bw + 2*bw*ldt)
	defer putTriBuf(bp)
	buf := *bp
	dm, dg := buf[:bw*bw], buf[bw*bw:bw*bw+bw]
	pm, rest := buf[bw*bw+bw:bw*bw+bw+n*bw], buf[bw*bw+bw+n*bw:]
	tt, ct := rest[:bw*ldt], rest[bw*ldt:2*bw*ldt]
	blocks := (n + bw - 1) / bw
	for bi := range blocks {
		blk := bi
		if lower {
			blk = blocks - 1 - bi
		}
		i0 := blk * bw
		i1 := min(i0+bw, n)
		w := i1 - i0
		for ii := range w {
			dg[ii] = s.d(i0 + ii)
		}
		s.blockT(t, dm, i0, w, lower)
		// P[k - k0][ii] = M[i0+ii][k] for the columns k outside the block.
		k0, k1 := 0, i0
		if !lower {
			k0, k1 = i1, n
		}
		// Exact copies: a plain block copy for M = Aᵀ (M[i0+ii][k] =
		// A[k][i0+ii]), the block transposed for M = A; element by element
		// down A's columns, this packing cost more than the products of a
		// 64-row batch at n = 784.
		if s.trans {
			for k := k0; k < k1; k++ {
				copy(pm[(k-k0)*w:(k-k0)*w+w], s.a.Data[k*s.a.Stride+i0:k*s.a.Stride+i1])
			}
		} else {
			transpose(t, pm, 0, w, s.a.Data, i0*s.a.Stride+k0, s.a.Stride, w, k1-k0)
		}
		pmat := Matrix[T]{Rows: k1 - k0, Cols: w, Data: pm, Stride: w}
		for b0 := 0; b0 < nb; b0 += rc {
			r := min(rc, nb-b0)
			xo := b0*x.Stride + i0
			transpose(t, tt, 0, ldt, x.Data, xo, x.Stride, r, w)
			ttm := Matrix[T]{Rows: w, Cols: r, Data: tt, Stride: ldt}
			ctm := Matrix[T]{Rows: w, Cols: r, Data: ct, Stride: ldt}
			c := x.sub(b0, i0, r, w)
			if lower {
				if i0 > 0 {
					xs := x.sub(b0, 0, r, i0)
					outerSerial(t, &c, &xs, 1, &pmat, false)
					transpose(t, ct, 0, ldt, x.Data, xo, x.Stride, r, w)
				}
				triMulBlock(t, ctm, ttm, dm, w, dg, 0, w, true, i0 == 0)
				transpose(t, x.Data, xo, x.Stride, ct, 0, ldt, w, r)
			} else {
				triMulBlock(t, ctm, ttm, dm, w, dg, 0, w, false, true)
				transpose(t, x.Data, xo, x.Stride, ct, 0, ldt, w, r)
				if i1 < n {
					xs := x.sub(b0, i1, r, n-i1)
					outerSerial(t, &c, &xs, 1, &pmat, true)
				}
			}
		}
	}
}

// triMulBlock adds to the rows lo..hi-1 of ct (each a vector along the
// batch) the block's triangle applied to the rows of tt, each output's
// chain in increasing k, with the strictly triangular part given as
// dm[k*ldd+i] = M[i][k] and the diagonal dg: lower adds k = lo..i (the
// diagonal last); upper adds k = i..hi-1 (the diagonal first). When fresh,
// the rows hold nothing yet: each row's first call starts its chain from +0
// instead of loading (no clearing pass). The first half, the other half's
// update by it with the outer-product kernel (A = the block of Dᵀ, read
// with a stride), then the other half; a leaf does each output as one
// outer-product call over its k in order (the same fused chain as an Axpy
// per k).
func triMulBlock[T Float](t cpu.Tier, ct, tt Matrix[T], dm []T, ldd int, dg []T, lo, hi int, lower, fresh bool) {
	nc := ct.Cols
	if hi-lo <= triLeaf {
		pw := outerPanel(t, sizeOfT[T]())
		// Each output row is one outer-product call over its k in order
		// (one call instead of one Axpy per k: at a 64-wide block the
		// calls cost more than the products). The diagonal goes into dm's
		// own diagonal slot, which nothing else reads.
		for i := lo; i < hi; i++ {
			dm[i*ldd+i] = dg[i]
			k0, k1 := lo, i+1
			if !lower {
				k0, k1 = i, hi
			}
			// One unblocked kernel call (what outerSerial would choose for
			// a row of nc <= triRC columns), without its blocking tests.
			outerTier(t, ct.Data[i*ct.Stride:], ct.Stride, dm[k0*ldd+i:], 1, ldd, tt.Data[k0*tt.Stride:], tt.Stride,
				pw, 1, nc, k1-k0, !fresh)
		}
		return
	}
	mid := lo + triHalf(hi-lo)
	triMulBlock(t, ct, tt, dm, ldd, dg, lo, mid, lower, fresh)
	if lower {
		// The first terms of the second half's rows when they are fresh.
		cs, bs := ct.sub(mid, 0, hi-mid, nc), tt.sub(lo, 0, mid-lo, nc)
		outerSerial(t, &cs, &Matrix[T]{Rows: hi - mid, Cols: mid - lo, Data: dm[lo*ldd+mid:], Stride: 1}, ldd, &bs, !fresh)
		fresh = false
	} else {
		cs, bs := ct.sub(lo, 0, mid-lo, nc), tt.sub(mid, 0, hi-mid, nc)
		outerSerial(t, &cs, &Matrix[T]{Rows: mid - lo, Cols: hi - mid, Data: dm[mid*ldd+lo:], Stride: 1}, ldd, &bs, true)
	}
	triMulBlock(t, ct, tt, dm, ldd, dg, mid, hi, lower, fresh)
}
