package kernels

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// Affine coupling layers (RealNVP, Glow) transform half of the features
// with a scale s and shift t computed from the other half:
//
//	forward:  y = x * exp(c(s)) + t   logdet[b] += sum_j c(s)[b,j]
//	inverse:  x = (y - t) * exp(-c(s)) logdet[b] -= sum_j c(s)[b,j]
//
// for every row b of a batch (all matrices B x d). Each kernel makes one pass
// over its rows, a block of at most 512 elements at a time: the clamp's
// kernel writes c for the block to L1 (without a clamp c is s), then one
// assembly loop runs exp and the rest of the element steps on c, and the
// row's log-determinant is summed in Sum's lanes: in registers by the same
// loop on AVX-512, elsewhere by Sum's kernel on the block of c.
//
// Canonical order, the same on every tier (bit-identical results): the
// element steps of internal/ref (coupling.go), exp being Exp's algorithm;
// the row sum S_b = Sum(c[b,:]) in Sum's lane order; then logdet[b] + S_b
// (forward) or logdet[b] - S_b (inverse), one rounding each.
//
// Outputs may be the same views as the inputs each kernel's doc names (y ==
// x updates in place; dx == dy, ds == s likewise); any other overlap of an
// output (logdet included) with an input or another output panics, naming
// the two. Inputs may overlap each other. NaN and Inf
// propagate as IEEE arithmetic says: an infinite scale gives Inf or NaN in
// its row, never a crash.

// ClampKind selects the scale clamp c(s) of an affine coupling.
type ClampKind int

// The values equal internal/ref's (TestClampKindsMatchRef), written out so
// that godoc shows them.
const (
	ClampNone ClampKind = 0 // c = s
	ClampTanh ClampKind = 1 // c = a*tanh(s/a), Glow-style soft clamp: |c| < a
	ClampAtan ClampKind = 2 // c = (2a/pi)*atan(s/a), FrEIA-style: |c| < a
)

// Clamp is a coupling's scale clamp: its kind and bound A > 0 (ignored for
// ClampNone). The kernels compute s/a as s*ia with ia = 1/A rounded to T,
// and multiply by m = A (tanh) or 2A/pi (atan) rounded to T.
type Clamp struct {
	Kind ClampKind
	A    float64
}

// params returns [ia, m] of c for T, panicking on an invalid clamp.
func (c Clamp) params(fn string) (ia, m float64) {
	switch c.Kind {
	case ClampNone:
		return 0, 0
	case ClampTanh, ClampAtan:
		if !(c.A > 0) || math.IsInf(c.A, 1) {
			panic(fmt.Sprintf("kernels: %s: clamp bound A = %v must be positive and finite", fn, c.A))
		}
		m = c.A
		if c.Kind == ClampAtan {
			m = 2 * c.A / math.Pi
		}
		return 1 / c.A, m
	}
	panic(fmt.Sprintf("kernels: %s: unknown clamp kind %d", fn, c.Kind))
}

// couplingOp is a coupling kernel of one direction and clamp: the
// unclamped stream kernel k (skFwdNone, skInvNone or skBwdNone) run on
// c = clamp(s), which the clamp's kernel writes to a block in L1 first.
// Fused into one loop, the clamp's and exp's dependency chains were too
// long for the out-of-order window: two loops take 0.65-0.82x its time in
// float64 (docs/perf-notes.md). The bits are the same: c is stored exactly.
type couplingOp struct {
	k     streamKernel
	clamp ClampKind
}

func fwdKernel(c ClampKind) couplingOp { return couplingOp{skFwdNone, c} }
func invKernel(c ClampKind) couplingOp { return couplingOp{skInvNone, c} }
func bwdKernel(c ClampKind) couplingOp { return couplingOp{skBwdNone, c} }

// clampKernel returns the kernel computing c = clamp(s), or with grad
// also dc/ds's factor (ref.CouplingScaleGrad).
func clampKernel(c ClampKind, grad bool) streamKernel {
	switch {
	case c == ClampTanh && grad:
		return skClampGradTanh
	case c == ClampTanh:
		return skClampTanh
	case grad:
		return skClampGradAtan
	}
	return skClampAtan
}

// CouplingForward sets y = x*exp(c(s)) + t (one fused multiply-add) and, if
// logdet is not nil, logdet[b] += sum_j c(s)[b,j]. All matrices are B x d;
// len(logdet) == B. y may be x.
//
// Error: against Y = x*e^c + t with the exact exp of the rounded c,
//
//	|y - Y| <= ulp(y)/2 + eta |x| ulp(e^c)
//
// the fma's one rounding plus Exp's error carried by x, with eta Exp's
// largest known error (0.87 ulp float64, 0.80 float32). Where x*e^c and t
// do not cancel (t = 0 or of the same sign) that is at most (1/2 + 2 eta)
// ulp(y), 2.24 ulp (float64) or 2.1 (float32); the largest errors measured
// there are 1.50 and 1.47 ulp (TestCouplingForwardBound, 2^21 random
// inputs per case; the bound itself was reached to 0.999). Where they
// cancel, the error is small against |x| e^c, not against y. The clamp
// adds Tanh's or Atan's error and one rounding of each scaling.
func CouplingForward[T Float](y, x, s, t Matrix[T], logdet []T, c Clamp) {
	checkCoupling("CouplingForward", y, []Matrix[T]{x, s, t}, []string{"y", "x", "s", "t"}, logdet, "logdet")
	ia, m := c.params("CouplingForward")
	couplingAlias("CouplingForward", y, "y", x, "x", s, t, logdet)
	couplingRows(active, fwdKernel(c.Kind), +1, y, x, s, t, logdet, T(ia), T(m))
}

// CouplingInverse sets x = (y - t)*exp(-c(s)) and, if logdet is not nil,
// logdet[b] -= sum_j c(s)[b,j]: the inverse of CouplingForward with the same
// s, t and clamp. x may be y.
//
// Round trip: CouplingInverse(CouplingForward(x)) = x' with
// |x' - x| <= 6u|x| + 1.01u|y|exp(-c) (float64 u = 2^-53, float32 2^-24):
// Exp's error twice and three roundings on x, plus the rounding of y, which
// y - t exposes when |t| dominates |y|. TestCouplingRoundTrip checks it.
func CouplingInverse[T Float](x, y, s, t Matrix[T], logdet []T, c Clamp) {
	checkCoupling("CouplingInverse", x, []Matrix[T]{y, s, t}, []string{"x", "y", "s", "t"}, logdet, "logdet")
	ia, m := c.params("CouplingInverse")
	couplingAlias("CouplingInverse", x, "x", y, "y", s, t, logdet)
	couplingRows(active, invKernel(c.Kind), -1, x, y, s, t, logdet, T(ia), T(m))
}

// CouplingBackward returns the gradients of a loss L through
// CouplingForward: given dy = dL/dy and dlogdet[b] = dL/dlogdet[b] (nil: 0),
// it sets dx = dL/dx = dy*exp(c), ds = dL/ds = (dx*x + dlogdet[b]) * c'(s)
// and, if dt is not nil (a zero Matrix), dt = dL/dt = dy. The steps are those of
// internal/ref.CouplingBackward. dx may be dy and ds may be s; any other
// overlap of an output with an input or another output panics.
func CouplingBackward[T Float](dx, ds, dt, dy Matrix[T], dlogdet []T, x, s Matrix[T], c Clamp) {
	// Arrays, not append: appending dt to a literal grew it onto the heap,
	// two allocations a call (TestNoAllocsEveryKernel).
	ms, names := [5]Matrix[T]{ds, dy, x, s, dt}, [6]string{"dx", "ds", "dy", "x", "s", "dt"}
	k := 4
	if dt.Data != nil {
		k = 5
	}
	checkCoupling("CouplingBackward", dx, ms[:k], names[:k+1], dlogdet, "dlogdet")
	ia, m := c.params("CouplingBackward")
	const fn = "CouplingBackward"
	sdx, sds, sdt, sdy := matSpan(&dx), matSpan(&ds), matSpan(&dt), matSpan(&dy)
	sx, ss, sl := matSpan(&x), matSpan(&s), vecSpan(dlogdet)
	if !sdx.apart(sdy) {
		checkMats(fn, "dx", dx, "dy", dy, true)
	}
	if !sdx.apart(sx) {
		checkMats(fn, "dx", dx, "x", x, false)
	}
	if !sdx.apart(ss) {
		checkMats(fn, "dx", dx, "s", s, false)
	}
	if !sdx.apart(sds) {
		checkMats(fn, "dx", dx, "ds", ds, false)
	}
	if !sds.apart(ss) {
		checkMats(fn, "ds", ds, "s", s, true)
	}
	if !sds.apart(sdy) {
		checkMats(fn, "ds", ds, "dy", dy, false)
	}
	if !sds.apart(sx) {
		checkMats(fn, "ds", ds, "x", x, false)
	}
	if !sdx.apart(sl) {
		checkMatVec(fn, "dx", dx, "dlogdet", dlogdet)
	}
	if !sds.apart(sl) {
		checkMatVec(fn, "ds", ds, "dlogdet", dlogdet)
	}
	if k == 5 {
		if !sdt.apart(sdx) {
			checkMats(fn, "dt", dt, "dx", dx, false)
		}
		if !sdt.apart(sds) {
			checkMats(fn, "dt", dt, "ds", ds, false)
		}
		if !sdt.apart(sdy) {
			checkMats(fn, "dt", dt, "dy", dy, false)
		}
		if !sdt.apart(sx) {
			checkMats(fn, "dt", dt, "x", x, false)
		}
		if !sdt.apart(ss) {
			checkMats(fn, "dt", dt, "s", s, false)
		}
		if !sdt.apart(sl) {
			checkMatVec(fn, "dt", dt, "dlogdet", dlogdet)
		}
	}
	couplingBackwardOn(active, bwdKernel(c.Kind), dx, ds, dt, dy, dlogdet, x, s, T(ia), T(m))
}

// AdditiveForward sets y = x + t, the additive coupling of NICE (its
// log-determinant is 0). y may be x; any other overlap of y with x or t
// panics.
func AdditiveForward[T Float](y, x, t Matrix[T]) {
	checkCoupling("AdditiveForward", y, []Matrix[T]{x, t}, []string{"y", "x", "t"}, nil, "")
	if !matsApart(&y, &x) {
		checkMats("AdditiveForward", "y", y, "x", x, true)
	}
	if !matsApart(&y, &t) {
		checkMats("AdditiveForward", "y", y, "t", t, false)
	}
	if y.Cols < 16 {
		// Rows of a few elements (the 2-D flows: one): a kernel call per
		// row cost more than its sums, which are Add's, x + t.
		for b := range y.Rows {
			yr := row(y, b)
			xr, tr := row(x, b)[:len(yr)], row(t, b)[:len(yr)]
			for j, v := range xr {
				yr[j] = v + tr[j]
			}
		}
		return
	}
	for b := range y.Rows {
		binaryOn(active, opAdd, row(y, b), row(x, b), row(t, b))
	}
}

// AdditiveInverse sets x = y - t. x may be y; any other overlap of x with y
// or t panics.
func AdditiveInverse[T Float](x, y, t Matrix[T]) {
	checkCoupling("AdditiveInverse", x, []Matrix[T]{y, t}, []string{"x", "y", "t"}, nil, "")
	if !matsApart(&x, &y) {
		checkMats("AdditiveInverse", "x", x, "y", y, true)
	}
	if !matsApart(&x, &t) {
		checkMats("AdditiveInverse", "x", x, "t", t, false)
	}
	var p [0]T
	for b := range x.Rows {
		streamRun(active, skSub, row(x, b), nil, row(y, b), row(t, b), nil, p[:])
	}
}

// AdditiveBackward sets dx = dy and dt = dy, the gradients through
// AdditiveForward (either may be a zero Matrix to skip it). Either may be
// dy itself; any other overlap (dx with dt included) panics.
func AdditiveBackward[T Float](dx, dt, dy Matrix[T]) {
	if dx.Data != nil && dt.Data != nil {
		dx.check("AdditiveBackward", "dx")
		dt.check("AdditiveBackward", "dt")
		if !matsApart(&dx, &dt) {
			checkMats("AdditiveBackward", "dx", dx, "dt", dt, false)
		}
	}
	for _, m := range []struct {
		d    Matrix[T]
		name string
	}{{dx, "dx"}, {dt, "dt"}} {
		if m.d.Data == nil {
			continue
		}
		checkCoupling("AdditiveBackward", m.d, []Matrix[T]{dy}, []string{m.name, "dy"}, nil, "")
		if !matsApart(&m.d, &dy) {
			checkMats("AdditiveBackward", m.name, m.d, "dy", dy, true)
		}
		for b := range dy.Rows {
			copy(row(m.d, b), row(dy, b))
		}
	}
}

// couplingAlias panics if the output out overlaps an input other than
// being the same view as same, or if logdet overlaps any of them.
func couplingAlias[T Float](fn string, out Matrix[T], outName string, same Matrix[T], sameName string, s, t Matrix[T], logdet []T) {
	so, ssame, ss, st := matSpan(&out), matSpan(&same), matSpan(&s), matSpan(&t)
	if !so.apart(ssame) && !(out.Stride == same.Stride && so.lo == ssame.lo) { // not in place
		checkMats(fn, outName, out, sameName, same, true)
	}
	if !so.apart(ss) && !viewsApart(out, s) {
		checkMats(fn, outName, out, "s", s, false)
	}
	if !so.apart(st) && !viewsApart(out, t) {
		checkMats(fn, outName, out, "t", t, false)
	}
	if logdet != nil {
		sl := vecSpan(logdet)
		if !so.apart(sl) {
			checkMatVec(fn, outName, out, "logdet", logdet)
		}
		if !ssame.apart(sl) {
			checkMatVec(fn, sameName, same, "logdet", logdet)
		}
		if !ss.apart(sl) {
			checkMatVec(fn, "s", s, "logdet", logdet)
		}
		if !st.apart(sl) {
			checkMatVec(fn, "t", t, "logdet", logdet)
		}
	}
}

// checkCoupling panics unless every matrix is a valid view of out's shape
// and len(v) == out.Rows (v may be nil).
func checkCoupling[T Float](fn string, out Matrix[T], ms []Matrix[T], names []string, v []T, vname string) {
	out.check(fn, names[0])
	for i, m := range ms {
		m.check(fn, names[i+1])
		if m.Rows != out.Rows || m.Cols != out.Cols {
			panic(fmt.Sprintf("kernels: %s: %s is %dx%d, %s is %dx%d", fn, names[i+1], m.Rows, m.Cols,
				names[0], out.Rows, out.Cols))
		}
	}
	if v != nil && len(v) != out.Rows {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d != %s.Rows = %d", fn, vname, len(v), names[0], out.Rows))
	}
}

// row returns row b of m, Cols elements (nil for Cols == 0, where Data may
// be empty).
func row[T Float](m Matrix[T], b int) []T {
	if m.Cols == 0 {
		return nil
	}
	return m.Data[b*m.Stride : b*m.Stride+m.Cols : b*m.Stride+m.Cols]
}

// couplingBlock is the number of elements of a row each kernel call takes
// when c is written out: a multiple of every lane count, small enough for
// the c buffer to stay in L1.
const couplingBlock = 512

// couplingRows runs the forward (sign +1) or inverse (sign -1) op over
// every row and adds sign*S_b to logdet[b]. With logdet, whole lane groups
// of a block go to the fused kernel where the tier has one (c summed into
// the lanes in registers); the rest of a row, and every row on other
// tiers, is summed by Sum's kernel before the stream kernel runs.
func couplingRows[T Float](tier cpu.Tier, op couplingOp, sign T, out, in, s, t Matrix[T], logdet []T, ia, m T) {
	p := [2]T{ia, m}
	var cbuf *clampBuf[T]
	if op.clamp != ClampNone {
		cbuf = new(clampBuf[T])
	}
	if !couplingNarrow(tier, op, sign, out, in, s, t, logdet, p[:], cbuf) {
		couplingRowByRow(tier, op, sign, out, in, s, t, logdet, p[:], cbuf)
	}
}

// clampBuf holds a block of c, or of dc/ds's factor. The couplings
// allocate it (on the stack) only for a clamped op, and once per call:
// zeroed per row, two of them had cost a third of an unclamped backward
// pass of 256 x 512.
type clampBuf[T Float] [couplingBlock]T

// clampBlock returns s itself without a clamp, else clamp(s) written to
// buf (len(s) <= couplingBlock).
func clampBlock[T Float](tier cpu.Tier, c ClampKind, buf *clampBuf[T], s, p []T) []T {
	if c == ClampNone {
		return s
	}
	cb := buf[:len(s)]
	streamRun(tier, clampKernel(c, false), cb, nil, s, nil, nil, p)
	return cb
}

// couplingRowByRow is couplingRows one row at a time.
func couplingRowByRow[T Float](tier cpu.Tier, op couplingOp, sign T, out, in, s, t Matrix[T], logdet, p []T, cbuf *clampBuf[T]) {
	var accBuf [64]T
	l := lanes[T]()
	acc := accBuf[:l]
	// Rows of w < l elements leave the lanes from w on at +0, and every
	// other lane is +0 + something, never -0: the halving steps that add
	// those +0 change nothing, so the first power of two >= w lanes are
	// folded (as couplingNarrow does).
	nl := l
	for nl > 1 && nl/2 >= out.Cols {
		nl /= 2
	}
	for b := range out.Rows {
		ob, ib, sb, tb := row(out, b), row(in, b), row(s, b), row(t, b)
		clear(acc)
		for j0 := 0; j0 < out.Cols; j0 += couplingBlock {
			e := min(j0+couplingBlock, out.Cols)
			o, i, c, tt := ob[j0:e], ib[j0:e], clampBlock(tier, op.clamp, cbuf, sb[j0:e], p), tb[j0:e]
			if logdet != nil {
				// j0 is a multiple of l, so the lanes line up with Sum's.
				if n0 := len(o) &^ (l - 1); n0 > 0 && streamSum(tier, op.k, o[:n0], i[:n0], c[:n0], tt[:n0], acc, nil) {
					o, i, c, tt = o[n0:], i[n0:], c[n0:], tt[n0:]
				}
				if len(o) == 0 {
					continue
				}
				sumTier(tier, c, acc)
			}
			streamRun(tier, op.k, o, nil, i, c, tt, nil)
		}
		if logdet != nil {
			logdet[b] += sign * foldLanes(acc[:nl])
		}
	}
}

// flat returns m's elements as one slice when its rows lie back to back
// (nil for no columns), and whether they do.
func flat[T Float](m Matrix[T]) ([]T, bool) {
	switch {
	case m.Cols == 0:
		return nil, true
	case m.Rows > 1 && m.Stride != m.Cols:
		return nil, false
	}
	n := m.Rows * m.Cols
	return m.Data[:n:n], true
}

// couplingNarrow is couplingRows for rows narrower than the lanes of Sum
// (the 2-D flows have one column per half) that either lie back to back or
// are narrower than one vector: whole groups of rows go through one stream
// call (the latter packed into contiguous buffers and unpacked) instead of
// one padded call per row, and each row's sum is Sum's lanes done in Go.
// It reports false, doing nothing, for other shapes. The bits are
// couplingRows': a row of w < lanes elements puts one element in each of
// its first w lanes (+0 + c, which only turns -0 into +0), and the halving
// steps of foldLanes that pair lanes at a distance of w or more add +0
// to those: they change nothing, so reducing the first power of two >= w
// lanes is the same sum.
func couplingNarrow[T Float](tier cpu.Tier, op couplingOp, sign T, out, in, s, t Matrix[T], logdet, p []T, cbuf *clampBuf[T]) bool {
	w := out.Cols
	if w == 0 || w >= lanes[T]() {
		return false
	}
	fo, ok0 := flat(out)
	fi, ok1 := flat(in)
	fs, ok2 := flat(s)
	ft, ok3 := flat(t)
	packed := !ok0 || !ok1 || !ok2 || !ok3
	if packed && w >= streamVec[T]() {
		return false
	}
	var bufs [4][narrowBlock]T
	g := narrowBlock / w
	for b0 := 0; b0 < out.Rows; b0 += g {
		b1 := min(b0+g, out.Rows)
		e0, e1 := b0*w, b1*w
		o, i, sv, tv := part(fo, e0, e1), part(fi, e0, e1), part(fs, e0, e1), part(ft, e0, e1)
		if packed {
			o = bufs[0][:e1-e0]
			i, sv, tv = pack(bufs[1][:], in, b0, b1), pack(bufs[2][:], s, b0, b1), pack(bufs[3][:], t, b0, b1)
		}
		c := clampBlock(tier, op.clamp, cbuf, sv, p)
		if logdet != nil {
			narrowSums(sign, c, w, logdet[b0:b1])
		}
		streamRun(tier, op.k, o, nil, i, c, tv, nil)
		if packed {
			unpack(out, b0, b1, o)
		}
	}
	return true
}

// foldLanes returns the sum of acc's lanes (a power of two of them) by
// halving, as Sum adds its lanes, leaving acc clobbered.
func foldLanes[T Float](acc []T) T {
	for h := len(acc) / 2; h >= 1; h /= 2 {
		for k := range h {
			acc[k] += acc[k+h]
		}
	}
	return acc[0]
}

// narrowBlock is the element count of couplingNarrow's groups of rows.
const narrowBlock = 256

// pack copies rows b0..b1-1 of m back to back into buf and returns them
// (nil for a matrix without columns): packPanels with one panel.
func pack[T Float](buf []T, m Matrix[T], b0, b1 int) []T {
	w := m.Cols
	if w == 0 {
		return nil
	}
	n := (b1 - b0) * w
	if w > narrowCopy {
		packPanels(buf[:n], m.sub(b0, 0, b1-b0, w), w)
		return buf[:n]
	}
	copyRows(buf[:n], w, m.Data[b0*m.Stride:], m.Stride, w)
	return buf[:n]
}

// copyRows copies the first w elements of each row of src (row stride ls)
// to the rows of dst (row stride ld), as many rows as dst holds, by
// running offsets; rows of 1 to 4 elements (the columns of the 2-D flows,
// narrow lattices) are written out element by element, longer rows by
// copy.
func copyRows[T Float](dst []T, ld int, src []T, ls, w int) {
	rows := (len(dst) + ld - w) / ld
	if rows <= 0 || w <= 0 {
		return
	}
	_ = src[(rows-1)*ls+w-1]
	do, so := 0, 0
	switch w {
	case 1:
		for range rows {
			dst[do] = src[so]
			do, so = do+ld, so+ls
		}
	case 2:
		for range rows {
			d, s := dst[do:do+2], src[so:so+2]
			d[0], d[1] = s[0], s[1]
			do, so = do+ld, so+ls
		}
	case 3:
		for range rows {
			d, s := dst[do:do+3], src[so:so+3]
			d[0], d[1], d[2] = s[0], s[1], s[2]
			do, so = do+ld, so+ls
		}
	case 4:
		for range rows {
			d, s := dst[do:do+4], src[so:so+4]
			d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
			do, so = do+ld, so+ls
		}
	default:
		for range rows {
			copy(dst[do:do+w], src[so:so+w])
			do, so = do+ld, so+ls
		}
	}
}

// narrowCopy is the row width up to which pack copies rows with copyRows,
// element by element, rather than by panels: a copy call per row of one
// or two elements (the 2-D flows) cost more than the coupling's arithmetic.
const narrowCopy = 4

// unpack copies v, rows b0..b1-1 of m back to back, into m.
func unpack[T Float](m Matrix[T], b0, b1 int, v []T) {
	w := m.Cols
	if b1 <= b0 || w == 0 {
		return
	}
	copyRows(m.Data[b0*m.Stride:(b1-1)*m.Stride+w], m.Stride, v[:(b1-b0)*w], w, w)
}

// narrowSums adds sign * (Sum's lanes of row r of c) to ld[r] for rows of
// w < lanes elements (see couplingNarrow).
func narrowSums[T Float](sign T, c []T, w int, ld []T) {
	var zero T // +0: a lane's first addition turns -0 into +0
	switch w {
	case 1: // the 2-D flows: one lane
		c = c[:len(ld)]
		for r, v := range c {
			ld[r] += sign * (zero + v)
		}
		return
	case 2: // two lanes, one halving step
		c = c[:2*len(ld)]
		for r := range ld {
			ld[r] += sign * ((zero + c[2*r]) + (zero + c[2*r+1]))
		}
		return
	}
	n := 1
	for n < w {
		n *= 2
	}
	var acc [64]T
	for r := range ld {
		clear(acc[:n])
		for k, v := range c[r*w : r*w+w] {
			acc[k] += v
		}
		ld[r] += sign * foldLanes(acc[:n])
	}
}

// streamSum runs the fused kernel of k (streamSumF64/F32) if the tier has
// one.
func streamSum[T Float](tier cpu.Tier, k streamKernel, o, i0, i1, i2, acc, p []T) bool {
	if is64[T]() {
		return streamSumF64(tier, k, f64(o), f64(i0), f64(i1), f64(i2), f64(acc), f64(p))
	}
	return streamSumF32(tier, k, f32(o), f32(i0), f32(i1), f32(i2), f32(acc), f32(p))
}

// couplingBackwardOn runs op's backward pass over every row.
func couplingBackwardOn[T Float](tier cpu.Tier, op couplingOp, dx, ds, dt, dy Matrix[T], dlogdet []T, x, s Matrix[T], ia, m T) {
	var bufs *[2]clampBuf[T]
	if op.clamp != ClampNone {
		bufs = new([2]clampBuf[T])
	}
	if !couplingBackwardFlat(tier, op, dx, ds, dt, dy, dlogdet, x, s, ia, m, bufs) {
		couplingBackwardRows(tier, op, dx, ds, dt, dy, dlogdet, x, s, ia, m, bufs)
	}
}

// couplingBackwardRows is couplingBackwardOn one row at a time.
func couplingBackwardRows[T Float](tier cpu.Tier, op couplingOp, dx, ds, dt, dy Matrix[T], dlogdet []T, x, s Matrix[T], ia, m T, bufs *[2]clampBuf[T]) {
	for b := range dx.Rows {
		var dl T
		if dlogdet != nil {
			dl = dlogdet[b]
		}
		if dt.Data != nil {
			copy(row(dt, b), row(dy, b)) // before dx, which may be dy
		}
		backwardRun(tier, op, row(dx, b), row(ds, b), row(dy, b), row(x, b), row(s, b), [3]T{dl, ia, m}, bufs)
	}
}

// backwardRun runs op's backward pass over elements sharing the row
// gradient p[0] (p = [dl, ia, m]). With a clamp, block by block: c and
// dc/ds's factor f into bufs (ref.CouplingScaleGrad), the unclamped kernel
// on c, which leaves dL/dc in ds, then ds = ref.CouplingChain(ds, f). ds
// may be s: a block of s is read whole before ds is written.
func backwardRun[T Float](tier cpu.Tier, op couplingOp, dx, ds, dy, x, s []T, p [3]T, bufs *[2]clampBuf[T]) {
	if op.clamp == ClampNone {
		streamRun(tier, skBwdNone, dx, ds, dy, x, s, p[:1])
		return
	}
	for j := 0; j < len(dx); j += couplingBlock {
		e := min(j+couplingBlock, len(dx))
		c, f := bufs[0][:e-j], bufs[1][:e-j]
		streamRun(tier, clampKernel(op.clamp, true), c, f, s[j:e], nil, nil, p[1:])
		streamRun(tier, skBwdNone, dx[j:e], ds[j:e], dy[j:e], x[j:e], c, p[:1])
		if op.clamp == ClampTanh {
			binaryOn(tier, opMul, ds[j:e], ds[j:e], f)
		} else {
			streamRun(tier, skChainAtan, ds[j:e], nil, ds[j:e], f, nil, nil)
		}
	}
}

// couplingBackwardFlat is couplingBackwardOn for matrices whose rows lie
// back to back, or are narrower than one vector (packed into contiguous
// buffers and unpacked): runs of rows with the same dlogdet (all of them,
// in training) go through one stream call, instead of one call per row and
// a padded one for each row's tail; the kernel is element-wise, so the bits
// are the same. It reports false, doing nothing, for other shapes.
func couplingBackwardFlat[T Float](tier cpu.Tier, op couplingOp, dx, ds, dt, dy Matrix[T], dlogdet []T, x, s Matrix[T], ia, m T, cbufs *[2]clampBuf[T]) bool {
	w := dx.Cols
	fdx, ok0 := flat(dx)
	fds, ok1 := flat(ds)
	fdt, ok2 := flat(dt)
	fdy, ok3 := flat(dy)
	fx, ok4 := flat(x)
	fs, ok5 := flat(s)
	packed := !ok0 || !ok1 || !ok2 || !ok3 || !ok4 || !ok5
	if w == 0 || packed && w >= streamVec[T]() {
		return false
	}
	// Rows per call: enough to pay for the call, few enough to stay in L1.
	g := max(1, 4096/w)
	var bufs [5][narrowBlock]T
	if packed {
		g = narrowBlock / w
	}
	for b0 := 0; b0 < dx.Rows; {
		var dl T
		if dlogdet != nil {
			dl = dlogdet[b0]
		}
		b1 := b0 + 1
		for b1 < dx.Rows && b1-b0 < g && (dlogdet == nil || equalBits(dlogdet[b1], dl)) {
			b1++
		}
		e0, e1 := b0*w, b1*w
		p := [3]T{dl, ia, m}
		if !packed {
			if fdt != nil {
				copy(fdt[e0:e1], fdy[e0:e1]) // before dx, which may be dy
			}
			backwardRun(tier, op, fdx[e0:e1], fds[e0:e1], fdy[e0:e1], fx[e0:e1], fs[e0:e1], p, cbufs)
		} else {
			vy, vx, vs := pack(bufs[2][:], dy, b0, b1), pack(bufs[3][:], x, b0, b1), pack(bufs[4][:], s, b0, b1)
			if dt.Cols != 0 {
				unpack(dt, b0, b1, vy)
			}
			vdx, vds := bufs[0][:e1-e0], bufs[1][:e1-e0]
			backwardRun(tier, op, vdx, vds, vy, vx, vs, p, cbufs)
			unpack(dx, b0, b1, vdx)
			unpack(ds, b0, b1, vds)
		}
		b0 = b1
	}
	return true
}

// equalBits reports whether a and b have the same bits.
func equalBits[T Float](a, b T) bool {
	if is64[T]() {
		return math.Float64bits(float64(a)) == math.Float64bits(float64(b))
	}
	return math.Float32bits(float32(a)) == math.Float32bits(float32(b))
}

// streamVec is the element count every tier's vectors divide: the kernels
// take whole multiples of it, and the rest runs through padded buffers.
func streamVec[T Float]() int {
	if is64[T]() {
		return 8
	}
	return 16
}

// streamRun runs kernel k on n = len(o0) elements (o1, i1, i2 may be nil
// where k has no such stream).
func streamRun[T Float](tier cpu.Tier, k streamKernel, o0, o1, i0, i1, i2, p []T) {
	n := len(o0)
	n0 := n &^ (streamVec[T]() - 1)
	if n0 > 0 {
		streamTier(tier, k, o0[:n0], part(o1, 0, n0), i0[:n0], part(i1, 0, n0), part(i2, 0, n0), p)
	}
	if n0 == n {
		return
	}
	// The last n - n0 elements, padded with zeros to one multiple.
	var buf [5][16]T
	v := streamVec[T]()
	ins := [3][]T{i0, i1, i2}
	var pin [3][]T
	for i, in := range ins {
		if in != nil {
			copy(buf[2+i][:], in[n0:n])
			pin[i] = buf[2+i][:v]
		}
	}
	var po1 []T
	if o1 != nil {
		po1 = buf[1][:v]
	}
	streamTier(tier, k, buf[0][:v], po1, pin[0], pin[1], pin[2], p)
	copy(o0[n0:], buf[0][:n-n0])
	if o1 != nil {
		copy(o1[n0:], buf[1][:n-n0])
	}
}

// part returns s[i:j], or nil for a nil s.
func part[T Float](s []T, i, j int) []T {
	if s == nil {
		return nil
	}
	return s[i:j]
}

// streamTier runs kernel k on whole vectors: the tier's assembly, or the
// steps of internal/ref element by element (streamGo).
func streamTier[T Float](tier cpu.Tier, k streamKernel, o0, o1, i0, i1, i2, p []T) {
	if is64[T]() {
		streamF64(tier, k, f64(o0), f64(o1), f64(i0), f64(i1), f64(i2), f64(p))
	} else {
		streamF32(tier, k, f32(o0), f32(o1), f32(i0), f32(i1), f32(i2), f32(p))
	}
}

// streamGo is the pure-Go tier: internal/ref's steps per element.
func streamGo[T Float](k streamKernel, o0, o1, i0, i1, i2, p []T) {
	switch k {
	case skSub:
		for i := range o0 {
			o0[i] = i0[i] - i1[i]
		}
	case skTanhGrad:
		for i := range o0 {
			o0[i] = ref.TanhGrad(i0[i], i1[i])
		}
	case skFwdNone:
		for i := range o0 {
			o0[i], _ = ref.CouplingForward(ref.ClampNone, i0[i], i1[i], i2[i], 0, 0)
		}
	case skInvNone:
		for i := range o0 {
			o0[i], _ = ref.CouplingInverse(ref.ClampNone, i0[i], i1[i], i2[i], 0, 0)
		}
	case skBwdNone:
		for i := range o0 {
			o0[i], o1[i] = ref.CouplingBackward(ref.ClampNone, i0[i], i1[i], i2[i], p[0], 0, 0)
		}
	case skClampTanh, skClampAtan:
		clamp := clampOf(k)
		for i := range o0 {
			o0[i] = ref.CouplingScale(clamp, i0[i], p[0], p[1])
		}
	case skClampGradTanh, skClampGradAtan:
		clamp := clampOf(k)
		for i := range o0 {
			o0[i], o1[i] = ref.CouplingScaleGrad(clamp, i0[i], p[0], p[1])
		}
	case skChainAtan:
		for i := range o0 {
			o0[i] = ref.CouplingChain(ref.ClampAtan, i0[i], i1[i])
		}
	default:
		panic(fmt.Sprintf("kernels: no Go steps for stream kernel %v", k))
	}
}

// clampOf returns the ref clamp kind of a clamp kernel.
func clampOf(k streamKernel) int {
	if k == skClampTanh || k == skClampGradTanh {
		return ref.ClampTanh
	}
	return ref.ClampAtan
}
