package kernels

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// The batched matrix-vector kernels: a dense layer forward (MatVecs), its
// backward pass to the inputs (MatTVecs) and to the weights (AddOuters).
// Each row of a batch matrix is one vector; a batch of one is a plain
// matrix-vector product and takes the same code at memory speed.
//
// Every output has one canonical operation order (internal/ref/matvec.go),
// reproduced bit for bit by every tier and for any number of workers: an
// output never depends on the batch size, on which rows share a call, or on
// how the work is split. Large calls split their outputs (never a
// reduction) across goroutines; SetMaxWorkers caps them.
//
// Outputs must not share an element with an input (inputs may overlap each
// other): such a call panics naming the two operands. u is the unit roundoff, 2^-53
// for float64 and 2^-24 for float32; the error bounds are to first order.

// MatVecs sets Y[b] = W X[b] + bias for every row b of X: W is m x n, X is
// batch x n, Y is batch x m, and bias is nil or of length m.
//
// Canonical order: each Y[b][i] is a dot product of W row i and X row b in
// L = 8 (float64) or 16 (float32) lanes, all starting at +0, where element j
// goes to lane j%L as lane = fma(W[i][j], X[b][j], lane) in increasing j; the
// lanes are added by halving (lane[k] += lane[k+h] for h = L/2, ..., 1), and
// the bias, when given, is added last with one rounding. Without a bias an
// empty row (n = 0) gives +0.
//
// Error: |Y[b][i] - exact| <= (ceil(n/L) + log2 L) u sum_j |W[i][j] X[b][j]|
// before the bias is added, which then adds at most u |Y[b][i]|.
//
// It panics if a shape disagrees, a size is negative, a Stride is below
// Cols, or a Data slice is too short; the message names the operand.
func MatVecs[T Float](y, w, x Matrix[T], bias []T) {
	if w.valid() && x.valid() && y.valid() && x.Cols == w.Cols && y.Rows == x.Rows && y.Cols == w.Rows &&
		(bias == nil || len(bias) == w.Rows) {
		if sy := matSpan(&y); !sy.apart(matSpan(&w)) || !sy.apart(matSpan(&x)) || !sy.apart(vecSpan(bias)) {
			matVecsAlias(y, w, x, bias)
		}
		matVecsOn(active, workersFor(x.Rows*w.Rows*w.Cols), y, w, x, bias)
		return
	}
	const fn = "MatVecs"
	w.check(fn, "w")
	x.check(fn, "x")
	y.check(fn, "y")
	if x.Cols != w.Cols {
		panic(fmt.Sprintf("kernels: %s: x is %dx%d but w is %dx%d: x needs %d columns (x is batch x n for w m x n)",
			fn, x.Rows, x.Cols, w.Rows, w.Cols, w.Cols))
	}
	if y.Rows != x.Rows || y.Cols != w.Rows {
		panic(fmt.Sprintf("kernels: %s: y is %dx%d, want %dx%d (batch x m for x %dx%d, w %dx%d)",
			fn, y.Rows, y.Cols, x.Rows, w.Rows, x.Rows, x.Cols, w.Rows, w.Cols))
	}
	if bias != nil && len(bias) != w.Rows {
		panic(fmt.Sprintf("kernels: %s: len(bias) = %d, want nil or m = %d (w is %dx%d)",
			fn, len(bias), w.Rows, w.Rows, w.Cols))
	}
}

// matVecsAlias is MatVecs's exact overlap check, for operands in one buffer.
//
//go:noinline
func matVecsAlias[T Float](y, w, x Matrix[T], bias []T) {
	checkMats("MatVecs", "y", y, "w", w, false)
	checkMats("MatVecs", "y", y, "x", x, false)
	checkMatVec("MatVecs", "y", y, "bias", bias)
}

// MatTVecs sets Y[b] = W^T X[b] for every row b of X: W is m x n, X is
// batch x m and Y is batch x n (backpropagation through a dense layer to its
// inputs).
//
// Canonical order: each Y[b][j] starts at +0 and takes one fused
// multiply-add per row of W, Y[b][j] = fma(W[i][j], X[b][i], Y[b][j]) for
// i = 0, 1, ..., m-1; with m = 0 it is +0.
//
// Error: |Y[b][j] - exact| <= m u sum_i |W[i][j] X[b][i]|.
//
// It panics as MatVecs does.
func MatTVecs[T Float](y, w, x Matrix[T]) {
	if w.valid() && x.valid() && y.valid() && x.Cols == w.Rows && y.Rows == x.Rows && y.Cols == w.Cols {
		if !matsApart(&y, &w) {
			checkMats("MatTVecs", "y", y, "w", w, false)
		}
		if !matsApart(&y, &x) {
			checkMats("MatTVecs", "y", y, "x", x, false)
		}
		matTVecsOn(active, workersFor(x.Rows*w.Rows*w.Cols), y, w, x)
		return
	}
	const fn = "MatTVecs"
	w.check(fn, "w")
	x.check(fn, "x")
	y.check(fn, "y")
	if x.Cols != w.Rows {
		panic(fmt.Sprintf("kernels: %s: x is %dx%d but w is %dx%d: x needs %d columns (x is batch x m for w m x n)",
			fn, x.Rows, x.Cols, w.Rows, w.Cols, w.Rows))
	}
	if y.Rows != x.Rows || y.Cols != w.Cols {
		panic(fmt.Sprintf("kernels: %s: y is %dx%d, want %dx%d (batch x n for x %dx%d, w %dx%d)",
			fn, y.Rows, y.Cols, x.Rows, w.Cols, x.Rows, x.Cols, w.Rows, w.Cols))
	}
}

// AddOuters adds the outer products of a batch to a weight gradient:
// G += sum_b D[b] X[b]^T and, when gb is not nil, gb += sum_b D[b]. G is
// m x n, D is batch x m, X is batch x n and gb has length m.
//
// Canonical order: for b = 0, 1, ..., batch-1 in turn,
// G[i][j] = fma(D[b][i], X[b][j], G[i][j]) and gb[i] = gb[i] + D[b][i]. A
// batch of zero rows leaves G and gb as they are.
//
// Error: |G[i][j] - exact| <= batch u (|G0[i][j]| + sum_b |D[b][i] X[b][j]|),
// and likewise for gb.
//
// It panics as MatVecs does.
func AddOuters[T Float](g Matrix[T], gb []T, d, x Matrix[T]) { outers("AddOuters", g, gb, d, x, true) }

// SetOuters sets a weight gradient to the outer products of a batch:
// G = sum_b D[b] X[b]^T and, when gb is not nil, gb = sum_b D[b]. It gives
// the bits of clearing G and gb to +0 and calling AddOuters, without the
// pass over G that the clearing costs (a training step's first chunk of
// rows writes its gradients this way). G's old values are never read; a
// batch of zero rows sets G and gb to +0.
//
// It panics as AddOuters does.
func SetOuters[T Float](g Matrix[T], gb []T, d, x Matrix[T]) { outers("SetOuters", g, gb, d, x, false) }

// outers is AddOuters (load: G and gb start from their values) and
// SetOuters (from +0).
func outers[T Float](fn string, g Matrix[T], gb []T, d, x Matrix[T], load bool) {
	if g.valid() && d.valid() && x.valid() && d.Rows == x.Rows && g.Rows == d.Cols && g.Cols == x.Cols &&
		(gb == nil || len(gb) == g.Rows) {
		if !matsApart(&g, &d) {
			checkMats(fn, "g", g, "d", d, false)
		}
		if !matsApart(&g, &x) {
			checkMats(fn, "g", g, "x", x, false)
		}
		if !matVecApart(&g, gb) {
			checkMatVec(fn, "g", g, "gb", gb)
		}
		if !matVecApart(&d, gb) {
			checkMatVec(fn, "d", d, "gb", gb)
		}
		if !matVecApart(&x, gb) {
			checkMatVec(fn, "x", x, "gb", gb)
		}
		outersOn(active, workersFor(x.Rows*g.Rows*g.Cols), g, gb, d, x, load)
		return
	}
	g.check(fn, "g")
	d.check(fn, "d")
	x.check(fn, "x")
	if d.Rows != x.Rows {
		panic(fmt.Sprintf("kernels: %s: d is %dx%d and x is %dx%d: their batch sizes (rows) differ",
			fn, d.Rows, d.Cols, x.Rows, x.Cols))
	}
	if g.Rows != d.Cols || g.Cols != x.Cols {
		panic(fmt.Sprintf("kernels: %s: g is %dx%d, want %dx%d (d.Cols x x.Cols for d %dx%d, x %dx%d)",
			fn, g.Rows, g.Cols, d.Cols, x.Cols, d.Rows, d.Cols, x.Rows, x.Cols))
	}
	if gb != nil && len(gb) != g.Rows {
		panic(fmt.Sprintf("kernels: %s: len(gb) = %d, want nil or m = %d (g is %dx%d)",
			fn, len(gb), g.Rows, g.Rows, g.Cols))
	}
}

// valid reports whether check would accept m; the kernels test it first and
// run check, for its message, only when something is wrong. A pointer
// receiver: with a value one, Go copied the view (16-byte moves of the
// words its prologue had just stored one by one), which stalled store
// forwarding on Intel, 10% of AddOuters 16 x 16 x 16 (docs/perf-notes.md).
func (m *Matrix[T]) valid() bool {
	return m.Rows >= 0 && m.Cols >= 0 && m.Stride >= max(1, m.Cols) &&
		(m.Rows == 0 || m.Cols == 0 || len(m.Data) >= (m.Rows-1)*m.Stride+m.Cols)
}

// Blocking. callWork bounds the multiply-adds of one assembly call (which
// cannot be preempted) to some tens of microseconds.
const callWork = 1 << 20

// sub returns the rows r0..r0+rows-1 and columns c0..c0+cols-1 of m.
func (m Matrix[T]) sub(r0, c0, rows, cols int) Matrix[T] {
	if rows == 0 || cols == 0 {
		return Matrix[T]{Rows: rows, Cols: cols, Stride: m.Stride}
	}
	return Matrix[T]{Rows: rows, Cols: cols, Data: m.Data[r0*m.Stride+c0:], Stride: m.Stride}
}

func sizeOfT[T Float]() int {
	if is64[T]() {
		return 8
	}
	return 4
}

// matVecsOn runs MatVecs on tier t with up to workers goroutines, splitting
// the batch (or, for small batches, the rows of W) into contiguous parts.
func matVecsOn[T Float](t cpu.Tier, workers int, y, w, x Matrix[T], bias []T) {
	m, nb := w.Rows, x.Rows
	if m == 0 || nb == 0 {
		return
	}
	if workers > 1 {
		if nb >= 12*workers || nb >= m {
			parallel(workers, 4, nb, 12, func(b0, b1 int) {
				matVecsSerial(t, y.sub(b0, 0, b1-b0, m), w, x.sub(b0, 0, b1-b0, x.Cols), bias)
			})
		} else {
			parallel(workers, 4, m, 16, func(i0, i1 int) {
				var bs []T
				if bias != nil {
					bs = bias[i0:i1]
				}
				matVecsSerial(t, y.sub(0, i0, nb, i1-i0), w.sub(i0, 0, i1-i0, w.Cols), x, bs)
			})
		}
		return
	}
	matVecsSerial(t, y, w, x, bias)
}

// matVecsSerial keeps a block of W rows (mvBlock bytes) in the L2 cache
// while the whole batch streams past it, in calls of at most callWork
// multiply-adds. Long rows are cut into pieces of mvPiece bytes, so that the
// block of X rows a kernel tile reuses (6 on AVX-512, 3 on AVX2) stays in L1; the lanes of the outputs wait in a
// buffer between pieces (the canonical order does not change).
func matVecsSerial[T Float](t cpu.Tier, y, w, x Matrix[T], bias []T) {
	m, n, nb := w.Rows, w.Cols, x.Rows
	if n == 1 && nb > 1 && hasOuter(t) && 2*m <= len(laneBuf[T]{}) {
		matVecsOne(t, y, w, x, bias)
		return
	}
	if nearPageEnd(bias) && hasMaskedTails(t) {
		// The tiles load bias in windows masked to their rows, which
		// can reach past its end (pageend.go): a copy with a tail block
		// of zeros after it.
		var buf []T
		if lb := getLaneBuf[T](); m+tailBlock[T]() <= len(lb) {
			defer putLaneBuf(lb)
			buf = lb[:m+tailBlock[T]()]
		} else {
			putLaneBuf(lb)
			buf = make([]T, m+tailBlock[T]())
		}
		copy(buf, bias)
		clear(buf[m:])
		bias = buf[:m]
	}
	size := sizeOfT[T]()
	if useWT(t, m, n, nb, size) {
		matVecsTransposed(t, y, w, x, bias)
		return
	}
	if nb == 1 && useSpaced(t, m, n, w.Stride, size) {
		matVecSpaced(t, y, w, x, bias)
		return
	}
	piece, wblock := mvPiece, mvBlock(t)
	if n*size <= piece && m*n*size <= wblock && m*n*nb <= callWork {
		// One call does it: skip the blocking (its divisions cost more
		// than a small product).
		matVecsTier(t, y.Data, y.Stride, w.Data, w.Stride, x.Data, x.Stride, bias, m, nb, n, nil, true, true)
		return
	}
	kc := n
	var lb *laneBuf[T]
	if n*size > piece && hasMatVecs(t) {
		kc = piece / size
		lb = getLaneBuf[T]()
		defer putLaneBuf(lb)
	}
	L := 64 / size
	mc := max(8, wblock/max(1, n*size)) &^ 7
	var wb *mvWBuf[T]
	if (lb != nil || w.Stride*size%4096 == 0) && mvCopyW(t, nb) && mc*(n+L*((n+kc-1)/kc)) <= len(mvWBuf[T]{}) {
		wb = getWBuf[T]()
		defer putWBuf(wb)
	}
	for i0 := 0; i0 < m; i0 += mc {
		mi := min(mc, m-i0)
		if wb != nil {
			// Piece p of row r of the block goes to p*mi*(kc+L) + r*(kn+L):
			// a stride of one cache line more than the piece.
			for j0 := 0; j0 < n; j0 += kc {
				kn := min(kc, n-j0)
				o := j0 / kc * mi * (kc + L)
				for r := range mi {
					copy(wb[o+r*(kn+L):o+r*(kn+L)+kn], w.Data[(i0+r)*w.Stride+j0:(i0+r)*w.Stride+j0+kn])
				}
			}
		}
		nc := max(12, callWork/max(1, mi*kc)/12*12)
		if lb != nil {
			nc = max(1, min(nc, len(lb)/(mi*L)))
		}
		var bs []T
		if len(bias) > 0 {
			bs = bias[i0 : i0+mi]
		}
		for b0 := 0; b0 < nb; b0 += nc {
			bn := min(nc, nb-b0)
			ys := y.sub(b0, i0, bn, mi)
			for j0 := 0; ; {
				kn := min(kc, n-j0)
				ws, xs := w.sub(i0, j0, mi, kn), x.sub(b0, j0, bn, kn)
				if wb != nil {
					ws = Matrix[T]{Rows: mi, Cols: kn, Data: wb[j0/kc*mi*(kc+L):], Stride: kn + L}
				}
				var lanes []T
				if lb != nil {
					lanes = lb[:]
				}
				matVecsTier(t, ys.Data, ys.Stride, ws.Data, ws.Stride, xs.Data, xs.Stride, bs, mi, bn, kn, lanes, j0 == 0, j0+kn >= n)
				if j0 += kn; j0 >= n {
					break
				}
			}
		}
	}
}

// useSpaced reports whether a single X row against W (m x n, row stride
// ldw) runs on tier t's MatVecSpaced kernel: when W fits in L2 (at most
// spacedMax bytes) and the eight row streams, an eighth of W apart, are at
// least spacedGap bytes apart (so W is at least 64 KiB, past L1). On AMD
// Zen 5 (docs/perf-notes.md) a W of 64 to 768 KiB (within L2) took
// 0.60-0.82x MatVecs' time on AVX-512 and 0.67-0.92x on AVX2, 1 MiB
// 0.80-1.0x; W in L1 (32-48 KiB) took 1.0-1.2x, the scatters' and stores'
// cost; W from L3 anywhere from 0.92x to 1.16x.
func useSpaced(t cpu.Tier, m, n, ldw, size int) bool {
	return hasMatVecSpaced(t) && m >= 16 && m*ldw*size <= spacedMax && m/8*ldw*size >= spacedGap
}

// spacedGap is the least distance (bytes) between the row streams of a
// spaced tile. spacedMax, the largest W, is this CPU's L2 cache, at most
// 1 MiB (the largest measured) and 512 KiB when cpuid does not say: from
// L3 the spaced tiles took anywhere from 0.92x to 1.16x MatVecs' time.
// Rows are then at most 64 KiB, and the kernel takes them whole: a single
// X row stays in L1 without MatVecs' pieces, which would cut the streams'
// runs (with pieces of 4 KiB, W of 64 x 1024 float64 took 1.6x the time of
// whole rows).
const spacedGap = 8 << 10

var spacedMax = spacedLimit(cpu.L2Size())

func spacedLimit(l2 int) int {
	if l2 <= 0 {
		return 512 << 10
	}
	return min(l2, 1<<20)
}

// matVecSpaced is MatVecs of one X row on the MatVecSpaced kernel, W's rows
// in tiles of eight spaced an eighth of W apart, so that each row stream
// runs on through its own eighth; the last rows (fewer than 8) go to the
// MatVecs kernel.
func matVecSpaced[T Float](t cpu.Tier, y, w, x Matrix[T], bias []T) {
	m, n := w.Rows, w.Cols
	sp := m / 8
	var bs, br []T
	if bias != nil {
		bs, br = bias[:8*sp], bias[8*sp:]
	}
	xs := x.Data[:n]
	if is64[T]() {
		matVecSpacedF64(t, f64(y.Data[:8*sp]), f64(w.Data), w.Stride, f64(xs), f64(bs), sp, n)
	} else {
		matVecSpacedF32(t, f32(y.Data[:8*sp]), f32(w.Data), w.Stride, f32(xs), f32(bs), sp, n)
	}
	if r := m - 8*sp; r > 0 {
		matVecsTier(t, y.Data[8*sp:m], 0, w.Data[8*sp*w.Stride:], w.Stride, xs, 0, br, r, 1, n, nil, true, true)
	}
}

// matVecSpacedGo is MatVecSpaced's pure-Go path (the tiers without the
// kernel, which MatVecs does not send there): whole rows, in the reference
// order, which the order of the rows does not change.
func matVecSpacedGo[T Float](y, w []T, ldw int, x, bias []T, s, n int) {
	if is64[T]() {
		matVecsGo64(f64(y), 0, f64(w), ldw, f64(x), 0, f64(bias), 8*s, 1, n)
	} else {
		matVecsGo32(f32(y), 0, f32(w), ldw, f32(x), 0, f32(bias), 8*s, 1, n)
	}
}

// matVecsOne is MatVecs for W of one column, as Outer's chains: the
// canonical order leaves only lane 0 = fma(W[i][0], X[b][0], +0), plus the
// +0 of the other lanes, plus the bias, and a chain over k of
// C = fma(A[b][k], B[k][i], C) gives exactly that with A = [X[b][0], 1, 1]
// and B = [W column 0; +0; bias]: fma(1, +0, s) is s + 0 (which turns -0
// into +0, as the lane tree does) and fma(1, bias, s) is s + bias, one
// rounding. The dot-product kernel would spend a whole lane reduction on
// each single product (docs/perf-notes.md). Two Outer calls, since A's
// first column comes from X and the others are ones.
func matVecsOne[T Float](t cpu.Tier, y, w, x Matrix[T], bias []T) {
	m, nb := w.Rows, x.Rows
	lb := getLaneBuf[T]()
	defer putLaneBuf(lb)
	// buf: +0 (m), bias (m); W's column goes through the end of buf when
	// its stride is not 1.
	buf := lb[:]
	clear(buf[:m])
	k := 1
	if bias != nil {
		copy(buf[m:2*m], bias)
		k = 2
	}
	wc := w.Data[:m]
	if w.Stride != 1 {
		if 3*m > len(buf) {
			wc = make([]T, m)
		} else {
			wc = buf[2*m : 3*m]
		}
		for i := range wc {
			wc[i] = w.Data[i*w.Stride]
		}
	}
	outerSerial(t, &y, &Matrix[T]{Rows: nb, Cols: 1, Data: x.Data, Stride: x.Stride}, 1,
		&Matrix[T]{Rows: 1, Cols: m, Data: wc, Stride: m}, false)
	// A of k columns of ones: one 1 repeated (row stride and inca 0).
	outerSerial(t, &y, &Matrix[T]{Rows: nb, Cols: k, Data: one[T](), Stride: 0}, 0,
		&Matrix[T]{Rows: k, Cols: m, Data: buf, Stride: m}, true)
}

// useWT reports whether MatVecs of W m x n and nb X rows runs on tier t's
// MatVecsWT kernel: rows short enough that their lane reductions cost about
// as much as their products (n <= 4 vectors: 32 float64, 64 float32; or 8
// vectors for a batch of at least 2n rows where cpu.WTLongRows says so), W
// at least a vector wide (at half a vector it lost) and at most 32 KiB (its
// transposed copy, made at every call, lost from 48-64 KiB on: 256 x 32
// float64 ran 1.23-1.33x MatVecs' time), and a batch that pays for that
// copy: at n = 64 float32 it lost at 16 rows and won at 64
// (docs/perf-notes.md).
func useWT(t cpu.Tier, m, n, nb, size int) bool {
	L := 64 / size
	short := n <= 4*L && nb >= max(16, n) || wtLongRows && n <= 8*L && nb >= 2*n
	return hasMatVecsWT(t) && short && m >= L && m*n*size <= 32<<10
}

// wtLongRows is cpu.WTLongRows: on Intel MatVecsWT takes rows of up to 8
// vectors for a batch of 2n rows. A variable, so that the tests run both
// ways on any CPU.
var wtLongRows = cpu.WTLongRows()

// matVecsTransposed copies W transposed to a buffer and runs MatVecsWT on
// it, in calls of at most callWork multiply-adds.
func matVecsTransposed[T Float](t cpu.Tier, y, w, x Matrix[T], bias []T) {
	m, n, nb := w.Rows, w.Cols, x.Rows
	lb := getLaneBuf[T]()
	defer putLaneBuf(lb)
	wt := lb[:m*n]
	transpose(t, wt, 0, m, w.Data, 0, w.Stride, m, n)
	step := max(1, callWork/max(1, m*n))
	for b0 := 0; b0 < nb; b0 += step {
		bn := min(step, nb-b0)
		ys, xs := y.sub(b0, 0, bn, m), x.sub(b0, 0, bn, n)
		if is64[T]() {
			matVecsWTF64(t, f64(ys.Data), ys.Stride, f64(wt), m, f64(xs.Data), xs.Stride, f64(bias), m, bn, n)
		} else {
			matVecsWTF32(t, f32(ys.Data), ys.Stride, f32(wt), m, f32(xs.Data), xs.Stride, f32(bias), m, bn, n)
		}
	}
}

// mvPiece is the longest piece of a row (bytes) one MatVecs call takes.
const mvPiece = 4096

// mvBlock is the size (bytes) of the block of W rows that stays in the L2
// cache while the batch streams past it. AVX2 takes a quarter of a 512 KiB
// L2: there the tiles load two W rows per three X rows, and the W block
// must survive the X stream (a half-L2 block measured slower:
// docs/perf-notes.md).
func mvBlock(t cpu.Tier) int {
	if t == cpu.AVX2 {
		return 128 << 10
	}
	return 512 << 10
}

// mvCopyW reports whether tier t copies the W block of a call of nb X rows
// to a buffer, piece by piece with a row stride of one cache line more than
// the piece, when the call has pieces or W's stride is a multiple of 4 KiB.
// On AVX2 the rows of a W block of a 4 KiB-multiple stride fall in the
// same L1 sets as each other and as the X rows of a tile; shifted by a
// line each, MatVecs runs faster (docs/perf-notes.md). The copy reads W
// once per call, so it needs a batch to pay for it.
func mvCopyW(t cpu.Tier, nb int) bool { return t == cpu.AVX2 && nb >= 32 }

// mvWBuf holds the copy of one W block (mvCopyW): mvBlock(AVX2) bytes plus
// a cache line per row and piece.
type mvWBuf[T Float] [(128<<10)/4 + 1<<12]T

var wBufPools = [2]sync.Pool{
	{New: func() any { return new(mvWBuf[float64]) }},
	{New: func() any { return new(mvWBuf[float32]) }},
}

func getWBuf[T Float]() *mvWBuf[T] {
	if is64[T]() {
		return wBufPools[0].Get().(*mvWBuf[T])
	}
	return wBufPools[1].Get().(*mvWBuf[T])
}

func putWBuf[T Float](b *mvWBuf[T]) {
	if is64[T]() {
		wBufPools[0].Put(b)
	} else {
		wBufPools[1].Put(b)
	}
}

// laneBuf holds the lanes of the outputs of one call between pieces.
type laneBuf[T Float] [1 << 14]T

var lanePools = [2]sync.Pool{
	{New: func() any { return new(laneBuf[float64]) }},
	{New: func() any { return new(laneBuf[float32]) }},
}

func getLaneBuf[T Float]() *laneBuf[T] {
	if is64[T]() {
		return lanePools[0].Get().(*laneBuf[T])
	}
	return lanePools[1].Get().(*laneBuf[T])
}

func putLaneBuf[T Float](b *laneBuf[T]) {
	if is64[T]() {
		lanePools[0].Put(b)
	} else {
		lanePools[1].Put(b)
	}
}

// outerPanel is the number of columns of a panel of B in tier t's Outer
// kernel (256 bytes on AVX-512, 64 on AVX2 and NEON: gen/manifest), or 0
// where the pure-Go path reads B row-major, unpacked.
func outerPanel(t cpu.Tier, size int) int {
	switch {
	case !hasOuter(t):
		return 0
	case t == cpu.AVX512:
		return 256 / size
	}
	return 64 / size
}

func matVecsTier[T Float](t cpu.Tier, y []T, ldy int, w []T, ldw int, x []T, ldx int, bias []T, m, nb, n int, lanes []T, first, last bool) {
	if is64[T]() {
		matVecsF64(t, f64(y), ldy, f64(w), ldw, f64(x), ldx, f64(bias), m, nb, n, f64(lanes), first, last)
	} else {
		matVecsF32(t, f32(y), ldy, f32(w), ldw, f32(x), ldx, f32(bias), m, nb, n, f32(lanes), first, last)
	}
}

// matTVecsOn runs MatTVecs: Y = X W as sums of outer products, split over
// the batch (or, for small batches, the columns of Y).
func matTVecsOn[T Float](t cpu.Tier, workers int, y, w, x Matrix[T]) {
	if w.Cols == 0 || x.Rows == 0 {
		return
	}
	if workers > 1 {
		matTVecsParallel(t, workers, y, w, x)
		return
	}
	outerSerial(t, &y, &x, 1, &w, false)
}

// matTVecsParallel is matTVecsOn on more than one worker, in a function of
// its own: its closures capture the views, which would move to the heap if
// the serial path took their addresses in the same function.
func matTVecsParallel[T Float](t cpu.Tier, workers int, y, w, x Matrix[T]) {
	m, n, nb := w.Rows, w.Cols, x.Rows
	// By batch rows, unless W is large: then by columns, so that each
	// goroutine streams (and packs) only its own part of W.
	if (nb >= 12*workers || nb >= n) && n*sizeOfT[T]() < 4096 {
		parallel(workers, 4, nb, 12, func(b0, b1 int) {
			ys, xs, ws := y.sub(b0, 0, b1-b0, n), x.sub(b0, 0, b1-b0, m), w
			outerSerial(t, &ys, &xs, 1, &ws, false)
		})
		return
	}
	parallel(workers, 4, n, 64, func(j0, j1 int) {
		ys, ws, xs := y.sub(0, j0, nb, j1-j0), w.sub(0, j0, m, j1-j0), x
		outerSerial(t, &ys, &xs, 1, &ws, false)
	})
}

// addOutersOn runs AddOuters: G += D^T X as sums of outer products, split
// over the rows of G (or, for few rows, its columns). gb goes with the rows.
func addOutersOn[T Float](t cpu.Tier, workers int, g Matrix[T], gb []T, d, x Matrix[T]) {
	outersOn(t, workers, g, gb, d, x, true)
}

// outersOn runs AddOuters (load) or SetOuters on tier t with up to workers
// goroutines.
func outersOn[T Float](t cpu.Tier, workers int, g Matrix[T], gb []T, d, x Matrix[T], load bool) {
	m, n, nb := g.Rows, g.Cols, x.Rows
	if m == 0 {
		return
	}
	if nb == 0 {
		if !load { // SetOuters of no rows: +0 (G of no columns has no rows to clear)
			for i := 0; n > 0 && i < m; i++ {
				clear(g.Data[i*g.Stride : i*g.Stride+n])
			}
			clear(gb)
		}
		return
	}
	if workers > 1 {
		outersParallel(t, workers, g, gb, d, x, load)
		return
	}
	// addOutersRange of the whole of G, without its sub-matrices: 0.86x
	// the time of AddOuters 16 x 16, batch 16 (docs/perf-notes.md).
	if onTranspose(t, &g, nb) {
		outerTransposed(t, &g, &d, &x, load)
	} else {
		outerSerial(t, &g, &Matrix[T]{Rows: m, Cols: nb, Data: d.Data, Stride: 1}, d.Stride, &x, load)
	}
	if gb != nil {
		outerSerial(t, &Matrix[T]{Rows: 1, Cols: m, Data: gb, Stride: m}, &Matrix[T]{Rows: 1, Cols: nb, Data: one[T](), Stride: 1}, 0, &d, load)
	}
}

// outersParallel is outersOn on more than one worker, in a function of its
// own (matTVecsParallel says why).
func outersParallel[T Float](t cpu.Tier, workers int, g Matrix[T], gb []T, d, x Matrix[T], load bool) {
	m, n := g.Rows, g.Cols
	// One part per goroutine: every part reads (and may pack) all of
	// X (or all of D), so more parts would copy more.
	part := func(total, grain int) int { return max(grain, (total+workers*grain-1)/(workers*grain)*grain) }
	if m >= 12*workers || m >= n {
		parallel(workers, 1, m, part(m, 12), func(i0, i1 int) {
			var gbs []T
			if gb != nil {
				gbs = gb[i0:i1]
			}
			addOutersRange(t, g, gbs, d, x, i0, i1, 0, n, load)
		})
		return
	}
	parallel(workers, 1, n, part(n, 64), func(j0, j1 int) { addOutersRange(t, g, nil, d, x, 0, m, j0, j1, load) })
	addOutersRange(t, g, gb, d, x, 0, m, 0, 0, load)
}

// addOutersRange does rows i0..i1-1 and columns j0..j1-1 of G, and
// gb[i0:i1] when gbs (that part of gb) is not nil, from their values (load)
// or from +0.
func addOutersRange[T Float](t cpu.Tier, g Matrix[T], gbs []T, d, x Matrix[T], i0, i1, j0, j1 int, load bool) {
	nb := x.Rows
	if j1 > j0 {
		gs, xs := g.sub(i0, j0, i1-i0, j1-j0), x.sub(0, j0, nb, j1-j0)
		if ds := d.sub(0, i0, nb, i1-i0); onTranspose(t, &gs, nb) {
			outerTransposed(t, &gs, &ds, &xs, load)
		} else {
			// Row r of D^T is column i0+r of D.
			dt := Matrix[T]{Rows: i1 - i0, Cols: nb, Data: ds.Data, Stride: 1}
			outerSerial(t, &gs, &dt, d.Stride, &xs, load)
		}
	}
	if gbs != nil {
		// gb[i] = fma(1, D[b][i], gb[i]) is gb[i] + D[b][i] exactly.
		gm := Matrix[T]{Rows: 1, Cols: len(gbs), Data: gbs, Stride: len(gbs)}
		ones := Matrix[T]{Rows: 1, Cols: nb, Data: one[T](), Stride: 1}
		ds := d.sub(0, i0, nb, i1-i0)
		outerSerial(t, &gm, &ones, 0, &ds, load)
	}
}

// outerTransposed is AddOuters (or SetOuters) of a narrow G (m x n) on its
// transpose: G[i][j] = fma(D[b][i], X[b][j], G[i][j]) for b in order is
// the chain of C = A B with C = G^T (n x m), A = X^T (row j is X's column
// j: stride 1, step x.Stride) and B = D (nb x m), which puts G's rows
// along the vector where G's own layout leaves most lanes of each vector
// unused. G^T goes through a lane buffer, unless G is one contiguous
// column, which is its own transpose. The same bits (fma is symmetric in
// its factors). AVX-512, batch 128: G of 64 x 1 0.15x the time in float32,
// 0.3x in float64; 32 x 4 0.56x and 0.6x (docs/perf-notes.md). The views
// come by pointer, as to outerSerial.
func outerTransposed[T Float](t cpu.Tier, g, d, x *Matrix[T], load bool) {
	m, n := g.Rows, g.Cols
	a := Matrix[T]{Rows: n, Cols: x.Rows, Data: x.Data, Stride: 1}
	if n == 1 && g.Stride == 1 {
		outerSerial(t, &Matrix[T]{Rows: 1, Cols: m, Data: g.Data, Stride: m}, &a, x.Stride, d, load)
		return
	}
	lb := getLaneBuf[T]()
	defer putLaneBuf(lb)
	if load {
		transpose(t, lb[:], 0, m, g.Data, 0, g.Stride, m, n)
	}
	outerSerial(t, &Matrix[T]{Rows: n, Cols: m, Data: lb[:], Stride: m}, &a, x.Stride, d, load)
	transpose(t, g.Data, 0, g.Stride, lb[:], 0, m, n, m)
}

// onTranspose reports whether AddOuters of G and a batch of nb rows runs on
// G's transpose (outerTransposed) on tier t: G one contiguous column, or at
// most 4 columns and at most half a vector (AVX2's float64 vectors hold 4,
// and there 4 columns lost), with the 32 rows and the batch of 128 that pay
// for the two copies (16 rows, or a batch of 64, lost as often as they
// won). Measured on AVX-512, AVX2 and the pure-Go tier (docs/perf-notes.md);
// NEON's vectors of 16 bytes follow the lane rule.
func onTranspose[T Float](t cpu.Tier, g *Matrix[T], nb int) bool {
	m, n := g.Rows, g.Cols
	if n == 1 && g.Stride == 1 {
		return true
	}
	if n > 4 { // most calls: nothing more to ask
		return false
	}
	lanes := 64 / sizeOfT[T]()
	switch t {
	case cpu.AVX2:
		lanes /= 2
	case cpu.NEON:
		lanes /= 4
	}
	return n <= min(4, lanes/2) && m >= 32 && nb >= 128 && m*n <= len(laneBuf[T]{})
}

// one64 and one32 are the single 1 that the bias gradient repeats (inca 0).
var (
	one64 = [1]float64{1}
	one32 = [1]float32{1}
)

func one[T Float]() []T {
	if is64[T]() {
		return unsafe.Slice((*T)(unsafe.Pointer(&one64[0])), 1)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&one32[0])), 1)
}

// outerSerial sets C = C0 + A B as sums of outer products, where row r of A
// is a[r*A.Stride + k*inca] for k < A.Cols (inca = 1 for a row-major A,
// D's stride for D^T, 0 to repeat one value), B is A.Cols x C.Cols and C0
// is C (load) or +0. Each output is one chain over k; cutting k into
// chunks, with C stored between them, keeps the chain. The views come by
// pointer (Matrix.valid says why).
func outerSerial[T Float](t cpu.Tier, c, a *Matrix[T], inca int, b *Matrix[T], load bool) {
	rows, cols, k := c.Rows, c.Cols, a.Cols
	if rows == 0 || cols == 0 {
		return
	}
	if rows == 1 && useOuterRow(t, cols, k, sizeOfT[T]()) {
		outerRows(t, *c, *a, inca, *b, load)
		return
	}
	// Strides of a multiple of 4 KiB (a 512 x float64 matrix; 2 KiB on
	// AVX2, below) put all the rows of a block column in a few cache sets.
	// With enough rows to reuse the copies, such blocks of B are packed panel by panel (contiguous),
	// and such blocks of D^T row by row with a stride of an odd number of
	// cache lines. (Packing other strides measured slower.)
	size := sizeOfT[T]()
	pw := outerPanel(t, size)
	// On AVX2 a stride of a multiple of 2 KiB already aliases: its panels of
	// B (or rows of D^T) fall in two of the 64 L1 sets; packing them
	// helps there (docs/perf-notes.md).
	alias := 4096
	if t == cpu.AVX2 {
		alias = 2048
	}
	aliased := func(stride int) bool { return stride*size&(alias-1) == 0 } // alias: a power of two
	packB := rows >= 12 && pw > 0 && aliased(b.Stride) && outerPacksB(t, rows, min(k, outerKC), b.Stride*size)
	packA := rows >= 12 && pw > 0 && a.Stride == 1 && inca > 1 && aliased(inca)
	// On AVX2 a row-major A of a 4 KiB-multiple stride (MatTVecs: the rows
	// of X at m = 1024) puts the six rows a tile broadcasts from in one L1
	// set: such blocks of A are copied row by row with a stride of an odd
	// number of cache lines, as packA does. At a 2 KiB stride the copy
	// lost, so the rule is 4 KiB (docs/perf-notes.md).
	copyA := t == cpu.AVX2 && rows >= 12 && inca == 1 && a.Stride*size%4096 == 0
	ncb := outerNCFor(t)
	if k >= 1 && k <= outerThinK && cols*size > ncb {
		// The column chunk keeps a block of kc rows of B in L2; a thin B
		// is that small at any width, and C is read once whatever the
		// chunk, so the chunk takes whole rows (as many bytes of B as
		// kc rows of ncb would hold at most). Narrower rows fit the chunk
		// as it is, without the division (tens of cycles: 5% of an
		// AddOuters 16 x 16 of one row).
		ncb = min(cols*size, ncb*outerKC/k)
	}
	if k == 0 || (!packA && !packB && !copyA && k <= outerKC && cols*size <= ncb && rows*cols*k <= outerWork) {
		// One call does it: skip the blocking (its divisions cost more
		// than a small product).
		outerTier(t, c.Data, c.Stride, a.Data, a.Stride, inca, b.Data, b.Stride, pw, rows, cols, k, load)
		return
	}
	// BLIS-like blocking: a block of kc rows of B by nc columns stays in
	// L2; the kernel holds the broadcasts of a row tile of A (6 x kc) in L1
	// and streams the panels of B past them.
	kc, nc := outerBlockK(rows, inca, packB, b.Stride*size), ncb/size
	if rows == 1 && cols*size > 4096 {
		// A single row with a large B: stream B row by row, a few whole
		// rows per call, so that B is read in order; C stays in L1 or L2.
		kc, nc = 8, cols
	}
	mc := max(6, outerWork/(min(k, kc)*min(cols, nc))/6*6)
	var buf *packBuf[T]
	if packA || packB || copyA {
		buf = getPackBuf[T]()
		defer putPackBuf(buf)
	}
	if packA || copyA {
		mc = min(mc, outerMC)
	}
	for j0 := 0; j0 < cols; j0 += nc {
		jn := min(nc, cols-j0)
		for k0 := 0; k0 < k; k0 += kc {
			kn := min(kc, k-k0)
			bs := b.sub(k0, j0, kn, jn)
			ldb, ldp := bs.Stride, pw
			if packB {
				packPanels(buf.b[:], bs, pw)
				bs.Data, ldb, ldp = buf.b[:], pw, kn*pw
			}
			for r0 := 0; r0 < rows; r0 += mc {
				rn := min(mc, rows-r0)
				cs := c.sub(r0, j0, rn, jn)
				as, lda, inc := a.Data[r0*a.Stride+k0*inca:], a.Stride, inca
				if packA {
					// Row r of this block of D^T is column r of D's rows.
					p := packRows(buf.a[:], Matrix[T]{Rows: kn, Cols: rn, Data: as, Stride: inca})
					as, inc = p.Data, p.Stride
				}
				if copyA {
					p := packRows(buf.a[:], Matrix[T]{Rows: rn, Cols: kn, Data: as, Stride: lda})
					as, lda = p.Data, p.Stride
				}
				outerTier(t, cs.Data, cs.Stride, as, lda, inc, bs.Data, ldb, ldp, rn, jn, kn, load || k0 > 0)
			}
		}
	}
}

// useOuterRow reports whether a single row of C (cols columns, k rows of
// B) runs on tier t's OuterRow kernel: rows of B long enough for the pass
// over C to hide its store-to-load chains, and B past L1. On AMD Zen 5
// (MatTVecs of one X row, docs/perf-notes.md) the AVX-512 kernel took
// 0.65-0.82x the time of Outer's tiles for rows of 1 KiB or more and B of
// 64 KiB to 2 MiB (0.81-0.93x at 8 MiB); rows of 768 bytes measured the
// same, of 512 bytes or less 1.1-4x. The AVX2 kernel gained only with
// rows of 4 KiB and B of 512 KiB or more (0.55-0.96x). On Intel it never
// pays (outerRowPays).
func useOuterRow(t cpu.Tier, cols, k, size int) bool {
	switch row, b := cols*size, k*cols*size; {
	case !outerRowPays || !hasOuterRow(t):
		return false
	case t == cpu.AVX2:
		return row >= 4<<10 && b >= 512<<10
	default:
		return row >= 1<<10 && b >= 64<<10
	}
}

// outerRowPays is cpu.OuterRowPays: on Intel the tiles were faster at every
// shape measured but one (B of 8 MiB from L3, 1.08x behind). Tests set it
// to run both paths on any CPU.
var outerRowPays = cpu.OuterRowPays()

// orPiece is the longest piece of C's row (bytes) one OuterRow call
// updates: it stays in L1 while the rows of B stream past.
const orPiece = 16 << 10

// outerRows is outerSerial for a single row on the OuterRow kernel (k >=
// 1): C in pieces of orPiece bytes, the rows of B in calls of at most
// callWork multiply-adds.
func outerRows[T Float](t cpu.Tier, c, a Matrix[T], inca int, b Matrix[T], load bool) {
	cols, k := c.Cols, a.Cols
	nc := min(cols, orPiece/sizeOfT[T]())
	kc := max(1, callWork/nc)
	for j0 := 0; j0 < cols; j0 += nc {
		jn := min(nc, cols-j0)
		for k0 := 0; k0 < k; k0 += kc {
			kn := min(kc, k-k0)
			cs, as, bs := c.Data[j0:j0+jn], a.Data[k0*inca:], b.Data[k0*b.Stride+j0:]
			if is64[T]() {
				outerRowF64(t, f64(cs), f64(as), inca, f64(bs), b.Stride, jn, kn, load || k0 > 0)
			} else {
				outerRowF32(t, f32(cs), f32(as), inca, f32(bs), b.Stride, jn, kn, load || k0 > 0)
			}
		}
	}
}

// Blocking of Outer: k chunks, column chunks (bytes; the most of any
// tier, outerNCFor) and the largest row chunk of a packed A.
const (
	outerKC = 128
	outerNC = 8192
	outerMC = 96
)

// outerThinK is the most rows of B (the batch of AddOuters) for which
// Outer's column chunk takes whole rows of C. On Intel Emerald Rapids,
// AddOuters of 1024 x 1024 float64 on AVX-512 split into two chunks of
// half rows took 1.1x the time of whole rows (AVX2's chunk, already whole
// rows there) at batch 1 and 4; at 16 the two measured the same
// (docs/perf-notes.md).
const outerThinK = 4

// outerPacksB reports whether tier t packs a block of B of kc rows, at an
// aliasing row stride of ldb bytes, that rows rows of C reuse. On AVX-512
// (AMD Zen 5) the copy paid for short panels, whose rows all fall in one L1
// set (AddOuters' X of a small batch), and for blocks that many row tiles
// reuse at strides of 8 KiB and more; MatTVecs' W read in place ran as fast
// or faster at a 4 KiB stride at every batch (1.5x at 16), and at 8 KiB
// below 128 rows; Intel's AVX-512 packs a 4 KiB stride too from 256 rows
// (outerPacks4K) (docs/perf-notes.md). The other tiers pack every such
// block (measured on Zen 3's AVX2).
func outerPacksB(t cpu.Tier, rows, kc, ldb int) bool {
	if t != cpu.AVX512 {
		return true
	}
	return kc <= 64 || rows >= 128 && ldb%8192 == 0 || outerPacks4K && rows >= 256 && ldb%4096 == 0
}

// outerPacks4K is cpu.OuterPacks4K: Intel packs B at a 4 KiB stride too,
// when at least 256 rows of C reuse it.
var outerPacks4K = cpu.OuterPacks4K()

// outerBlockK returns the rows of B in one block of Outer's blocking for
// rows rows of C, A's element stride inca, B packed or not and B's row
// stride ldb (bytes): outerKC, or outerStreamKC for a B read in place at a
// stride of a page or more, a row-major A (MatTVecs: B is the weight
// matrix) and fewer than outerStreamRows rows of C, where cpu.OuterStreamK
// says so: each row of such a block is a stream of its own from L3 or
// memory, and Intel's L2 prefetcher follows 32 (docs/perf-notes.md).
func outerBlockK(rows, inca int, packB bool, ldb int) int {
	if outerStreamK && inca == 1 && !packB && ldb >= 4096 && rows < outerStreamRows {
		return outerStreamKC
	}
	return outerKC
}

// outerStreamK is cpu.OuterStreamK; a variable, so that the tests run both
// ways on any CPU.
var outerStreamK = cpu.OuterStreamK()

const (
	outerStreamKC   = 32
	outerStreamRows = 64
)

// outerNCFor is the column chunk (bytes) of Outer's blocking on tier t. On
// AVX-512 a block of B of 128 rows by 4 KiB (512 KiB, half of AMD Zen 5's
// L2) ran MatTVecs and AddOuters of rows past 4 KiB 0.98-1.08x as fast as
// 8 KiB, mostly 1.02-1.05x (docs/perf-notes.md); on AVX2 the same machine
// gained or lost up to 8% by size, so it keeps 8 KiB.
func outerNCFor(t cpu.Tier) int {
	if t == cpu.AVX512 {
		return 4096
	}
	return outerNC
}

// packBuf holds the packed blocks of one outerSerial call: kc rows of up
// to nc columns of B (in panels), and of up to mc columns of D.
type packBuf[T Float] struct {
	b [outerKC * (outerNC/4 + 64)]T
	a [outerKC * (outerMC + 32)]T
}

// packPanels copies m to dst panel by panel: panel p (columns p*pw to
// p*pw+pw-1) is m.Rows rows of pw elements, contiguous.
func packPanels[T Float](dst []T, m Matrix[T], pw int) {
	// Row by row: the source is read in order, which the prefetchers
	// follow; the writes go to a few streams, one per panel.
	for r := range m.Rows {
		row := m.Data[r*m.Stride : r*m.Stride+m.Cols]
		for p := 0; p*pw < m.Cols; p++ {
			copy(dst[(p*m.Rows+r)*pw:(p*m.Rows+r)*pw+min(pw, m.Cols-p*pw)], row[p*pw:])
		}
	}
}

// packRows copies m to dst with a row stride of an odd number of cache
// lines and returns the copy.
func packRows[T Float](dst []T, m Matrix[T]) Matrix[T] {
	per := 64 / sizeOfT[T]()
	ld := ((m.Cols+per-1)/per | 1) * per
	for r := range m.Rows {
		copy(dst[r*ld:r*ld+m.Cols], m.Data[r*m.Stride:r*m.Stride+m.Cols])
	}
	return Matrix[T]{Rows: m.Rows, Cols: m.Cols, Data: dst, Stride: ld}
}

var packPools = [2]sync.Pool{
	{New: func() any { return new(packBuf[float64]) }},
	{New: func() any { return new(packBuf[float32]) }},
}

func getPackBuf[T Float]() *packBuf[T] {
	if is64[T]() {
		return packPools[0].Get().(*packBuf[T])
	}
	return packPools[1].Get().(*packBuf[T])
}

func putPackBuf[T Float](b *packBuf[T]) {
	if is64[T]() {
		packPools[0].Put(b)
	} else {
		packPools[1].Put(b)
	}
}

// outerWork bounds the multiply-adds of one Outer call: larger than
// callWork, since a call must cover whole L2 blocks.
const outerWork = 1 << 22

func outerTier[T Float](t cpu.Tier, c []T, ldc int, a []T, lda, inca int, b []T, ldb, ldp int, rows, cols, k int, load bool) {
	if is64[T]() {
		outerF64(t, f64(c), ldc, f64(a), lda, inca, f64(b), ldb, ldp, rows, cols, k, load)
	} else {
		outerF32(t, f32(c), ldc, f32(a), lda, inca, f32(b), ldb, ldp, rows, cols, k, load)
	}
}

// matVecsWTGo is MatVecsWT's pure-Go path (the tiers without the kernel;
// MatVecs calls it only where the kernel runs): the reference order on W
// read from its transposed copy.
func matVecsWTGo[T Float](y []T, ldy int, wt []T, ldt int, x []T, ldx int, bias []T, m, nb, n int) {
	var lanes [16]T
	acc := lanes[:ref.MatVecLanes[T]()]
	for b := range nb {
		for i := range m {
			clear(acc)
			for j := range n {
				k := j % len(acc)
				acc[k] = ref.FMA(wt[j*ldt+i], x[b*ldx+j], acc[k])
			}
			for h := len(acc) / 2; h >= 1; h /= 2 {
				for k := range h {
					acc[k] += acc[k+h]
				}
			}
			s := acc[0]
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}
