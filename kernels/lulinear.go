package kernels

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/fma"
)

// LULinear is the invertible linear layer of Glow in LU form,
//
//	W = P L (U + diag(Sign * exp(LogS)))
//
// applied to each row of a batch: P is the permutation matrix with its 1 of
// row i in column Perm[i] ((P z)[i] = z[Perm[i]]), L is unit lower
// triangular (its strictly lower part is read), U strictly upper (its
// strictly upper part is read); L and U may be the same matrix, whose
// diagonal is then never read. Sign holds the signs of the diagonal (+1 or
// -1; any value is used as it is), LogS its log-magnitudes, so that
// log|det W| = sum_i LogS[i].
//
// The methods run on the triangular kernels (TriMatVecs and TriSolveVecs
// orders, with diagonal s[i] = Sign[i] * Exp(LogS[i]), Exp and the product
// each rounded once), so every tier gives the same bits. Their scratch
// comes from an internal pool: steady-state calls do not allocate (on one
// goroutine). Perm must be a permutation of 0..d-1 (checked when d <=
// 4096; for larger d only the range is checked).
type LULinear[T Float] struct {
	Perm       []int
	L, U       Matrix[T]
	Sign, LogS []T
}

// LULinearGrad receives the parameter gradients of an LULinear: L and U
// (d x d; only the strictly lower part of L and the strictly upper part of
// U are written, so they may be one matrix) and LogS (length d).
type LULinearGrad[T Float] struct {
	L, U Matrix[T]
	LogS []T
}

// Dim returns d, the size of the layer.
func (l *LULinear[T]) Dim() int { return len(l.LogS) }

// check panics unless the parameters are consistent, and returns d.
func (l *LULinear[T]) check(fn string) int {
	d := len(l.LogS)
	if len(l.Sign) != d || len(l.Perm) != d {
		panic(fmt.Sprintf("kernels: %s: len(LogS) = %d, len(Sign) = %d, len(Perm) = %d differ", fn, d, len(l.Sign), len(l.Perm)))
	}
	for _, p := range []struct {
		m    Matrix[T]
		name string
	}{{l.L, "L"}, {l.U, "U"}} {
		p.m.check(fn, p.name)
		if p.m.Rows != d || p.m.Cols != d {
			panic(fmt.Sprintf("kernels: %s: %s is %dx%d, want %dx%d (d = len(LogS))", fn, p.name, p.m.Rows, p.m.Cols, d, d))
		}
	}
	var seen [64]uint64
	for i, p := range l.Perm {
		if p < 0 || p >= d {
			panic(fmt.Sprintf("kernels: %s: Perm[%d] = %d is out of range [0, %d)", fn, i, p, d))
		}
		if d <= 64*64 {
			if seen[p/64]&(1<<(p%64)) != 0 {
				panic(fmt.Sprintf("kernels: %s: Perm[%d] = %d repeats: Perm is not a permutation", fn, i, p))
			}
			seen[p/64] |= 1 << (p % 64)
		}
	}
	return d
}

// checkRows panics unless every matrix is a valid batch x d view with the
// same batch as the first, and logdet is nil or has one element per row.
func checkRows[T Float](fn string, d int, logdet []T, logName string, ms ...namedMat[T]) {
	for _, p := range ms {
		p.m.check(fn, p.name)
		if p.m.Cols != d || p.m.Rows != ms[0].m.Rows {
			panic(fmt.Sprintf("kernels: %s: %s is %dx%d, want %dx%d (batch x d)", fn, p.name, p.m.Rows, p.m.Cols, ms[0].m.Rows, d))
		}
	}
	if logdet != nil && len(logdet) != ms[0].m.Rows {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, want nil or the batch size %d", fn, logName, len(logdet), ms[0].m.Rows))
	}
}

// namedMat is an operand and its name for the panic messages.
type namedMat[T Float] struct {
	m    Matrix[T]
	name string
}

// checkInOut panics unless out is the same view as in or shares no element
// with it, and unless out and the per-row vector v (in/out or input; nil
// skips it) share no element with each other, in or the parameters.
func (l *LULinear[T]) checkInOut(fn string, out Matrix[T], outName string, in Matrix[T], inName string, v []T, vName string) {
	if !matsApart(out, in) {
		checkMats(fn, outName, out, inName, in, true)
	}
	l.checkVecs(fn, out, outName, v, vName)
	if !matVecApart(in, v) {
		checkMatVec(fn, inName, in, vName, v)
	}
	checkVecs(fn, vName, v, "Sign", l.Sign, false)
	checkVecs(fn, vName, v, "LogS", l.LogS, false)
	if !matVecApart(l.L, v) {
		checkMatVec(fn, "L", l.L, vName, v)
	}
	if !matVecApart(l.U, v) {
		checkMatVec(fn, "U", l.U, vName, v)
	}
}

// checkVecs panics if the output m shares an element with the parameters
// L, U, Sign, LogS or with v.
func (l *LULinear[T]) checkVecs(fn string, m Matrix[T], name string, v []T, vName string) {
	if !matsApart(m, l.L) {
		checkMats(fn, name, m, "L", l.L, false)
	}
	if !matsApart(m, l.U) {
		checkMats(fn, name, m, "U", l.U, false)
	}
	if !matVecApart(m, l.Sign) {
		checkMatVec(fn, name, m, "Sign", l.Sign)
	}
	if !matVecApart(m, l.LogS) {
		checkMatVec(fn, name, m, "LogS", l.LogS)
	}
	if !matVecApart(m, v) {
		checkMatVec(fn, name, m, vName, v)
	}
}

// scales sets s[i] = Sign[i] * Exp(LogS[i]).
func (l *LULinear[T]) scales(t cpu.Tier, s []T) {
	vmathTier(t, fnExp, s, l.LogS)
	binaryOn(t, opMul, s, s, l.Sign)
}

// LogDet returns log|det W| = sum_i LogS[i], in Sum's canonical order.
func (l *LULinear[T]) LogDet() T {
	l.check("LULinear.LogDet")
	return sumOn(active, l.LogS)
}

// Forward sets Y[b] = W X[b] for every row b and, when logdet is not nil,
// adds LogDet() to each logdet[b] (one rounding). Y may be X (in place);
// any other overlap of Y or logdet with X, with each other or with the
// parameters panics, naming the two.
//
// Order: Y[b] = X[b]; Y[b] = (U + diag(s)) Y[b] as TriMatVecs (upper,
// diagonal s); Y[b] = L Y[b] as TriMatVecs (lower, unit); then Y[b][i] =
// Y[b][Perm[i]]. Error: each step as its kernel states.
func (l *LULinear[T]) Forward(y, x Matrix[T], logdet []T) {
	const fn = "LULinear.Forward"
	d := l.check(fn)
	checkRows(fn, d, logdet, "logdet", namedMat[T]{x, "x"}, namedMat[T]{y, "y"})
	l.checkInOut(fn, y, "y", x, "x", logdet, "logdet")
	t, nb := active, x.Rows
	bp := getTriBuf[T](2 * d)
	defer putTriBuf(bp)
	s, tmp := (*bp)[:d], (*bp)[d:]
	l.scales(t, s)
	copyRows(y, x)
	workers := workersFor(nb * d * d / 2)
	triMulOn(t, workers, y, &triSpec[T]{a: l.U, upper: true, diag: s})
	triMulOn(t, workers, y, &triSpec[T]{a: l.L, unit: true})
	permuteRows(y, y, l.Perm, tmp, false)
	if logdet != nil {
		ld := sumOn(t, l.LogS)
		for b := range logdet {
			logdet[b] += ld
		}
	}
}

// Inverse sets X[b] = W⁻¹ Y[b] for every row b and, when logdet is not
// nil, subtracts LogDet() from each logdet[b]. X may be Y (in place);
// any other overlap of X or logdet with Y, with each other or with the
// parameters panics, naming the two.
//
// Order: X[b][Perm[i]] = Y[b][i]; X[b] = L⁻¹ X[b] as TriSolveVecs (lower,
// unit); X[b] = (U + diag(s))⁻¹ X[b] as TriSolveVecs (upper, diagonal s).
// Error: Inverse(Forward(x)) returns x within about 2 (d+1) u cond(W) |x|
// (each solve is backward stable; TestLULinearRoundTrip checks 16 d u
// cond(W) max|x|).
func (l *LULinear[T]) Inverse(x, y Matrix[T], logdet []T) {
	const fn = "LULinear.Inverse"
	d := l.check(fn)
	checkRows(fn, d, logdet, "logdet", namedMat[T]{y, "y"}, namedMat[T]{x, "x"})
	l.checkInOut(fn, x, "x", y, "y", logdet, "logdet")
	t, nb := active, x.Rows
	bp := getTriBuf[T](2 * d)
	defer putTriBuf(bp)
	s, tmp := (*bp)[:d], (*bp)[d:]
	l.scales(t, s)
	permuteRows(x, y, l.Perm, tmp, true)
	workers := workersFor(nb * d * d / 2)
	triSolveOn(t, workers, x, &triSpec[T]{a: l.L, unit: true})
	triSolveOn(t, workers, x, &triSpec[T]{a: l.U, upper: true, diag: s})
	if logdet != nil {
		ld := sumOn(t, l.LogS)
		for b := range logdet {
			logdet[b] -= ld
		}
	}
}

// Backward propagates dY = dL/dY (and dlogdet = dL/dlogdet, per row, or
// nil) back through Forward at input X: it sets dX = Wᵀ dY and, when g is
// not nil, adds the parameter gradients to g (+=, as AddOuters does). dX
// may be dY (in place) and g.L may be g.U; any other overlap of an output
// (dX, g.L, g.U, g.LogS) with an input (dY, X, dlogdet, the parameters) or
// another output panics, naming the two.
//
// With z1 = (U + diag(s)) x, z2 = L z1, y = P z2 per row:
//
//	dz2 = Pᵀ dy, dz1 = Lᵀ dz2, dx = (U + diag(s))ᵀ dz1,
//	g.L[i][k] += sum_b dz2[b][i] z1[b][k]  (i > k),
//	g.U[i][k] += sum_b dz1[b][i] x[b][k]   (i < k),
//	g.LogS[i]  = fma(ds[i], s[i], g.LogS[i]) + Sum(dlogdet),
//	ds[i]      = sum_b dz1[b][i] x[b][i],
//
// the products as TriMatVecs, the sums over b as AddOuters (ds from +0), the
// last addition only when dlogdet is not nil. Without g, Backward computes
// dx only.
func (l *LULinear[T]) Backward(dx, dy, x Matrix[T], dlogdet []T, g *LULinearGrad[T]) {
	const fn = "LULinear.Backward"
	d := l.check(fn)
	checkRows(fn, d, dlogdet, "dlogdet", namedMat[T]{x, "x"}, namedMat[T]{dy, "dy"}, namedMat[T]{dx, "dx"})
	if g != nil {
		for _, p := range []namedMat[T]{{g.L, "g.L"}, {g.U, "g.U"}} {
			p.m.check(fn, p.name)
			if p.m.Rows != d || p.m.Cols != d {
				panic(fmt.Sprintf("kernels: %s: %s is %dx%d, want %dx%d", fn, p.name, p.m.Rows, p.m.Cols, d, d))
			}
		}
		if len(g.LogS) != d {
			panic(fmt.Sprintf("kernels: %s: len(g.LogS) = %d, want d = %d", fn, len(g.LogS), d))
		}
	}
	// dlogdet is an input here: only the outputs must avoid it.
	l.checkInOut(fn, dx, "dx", dy, "dy", nil, "dlogdet")
	if !matVecApart(dx, dlogdet) {
		checkMatVec(fn, "dx", dx, "dlogdet", dlogdet)
	}
	if !matsApart(dx, x) {
		checkMats(fn, "dx", dx, "x", x, false)
	}
	if g != nil {
		if !matsApart(g.L, g.U) {
			checkMats(fn, "g.L", g.L, "g.U", g.U, true)
		}
		for _, o := range [2]namedMat[T]{{g.L, "g.L"}, {g.U, "g.U"}} {
			for _, in := range [5]namedMat[T]{{dx, "dx"}, {dy, "dy"}, {x, "x"}, {l.L, "L"}, {l.U, "U"}} {
				if !matsApart(o.m, in.m) {
					checkMats(fn, o.name, o.m, in.name, in.m, false)
				}
			}
			l.checkVecs(fn, o.m, o.name, dlogdet, "dlogdet")
			if !matVecApart(o.m, g.LogS) {
				checkMatVec(fn, o.name, o.m, "g.LogS", g.LogS)
			}
		}
		for _, in := range [5]namedMat[T]{{dx, "dx"}, {dy, "dy"}, {x, "x"}, {l.L, "L"}, {l.U, "U"}} {
			if !matVecApart(in.m, g.LogS) {
				checkMatVec(fn, in.name, in.m, "g.LogS", g.LogS)
			}
		}
		checkVecs(fn, "g.LogS", g.LogS, "Sign", l.Sign, false)
		checkVecs(fn, "g.LogS", g.LogS, "LogS", l.LogS, false)
		checkVecs(fn, "g.LogS", g.LogS, "dlogdet", dlogdet, false)
	}
	t, nb := active, x.Rows
	need := 3*d + triNB*triNB
	if g != nil {
		need += nb * d
	}
	bp := getTriBuf[T](need)
	defer putTriBuf(bp)
	buf := *bp
	s, tmp, ds, tb := buf[:d], buf[d:2*d], buf[2*d:3*d], buf[3*d:3*d+triNB*triNB]
	l.scales(t, s)
	workers := workersFor(nb * d * d / 2)
	permuteRows(dx, dy, l.Perm, tmp, true)
	if g != nil {
		z := Matrix[T]{Rows: nb, Cols: d, Data: buf[3*d+triNB*triNB:], Stride: max(1, d)}
		copyRows(z, x)
		triMulOn(t, workers, z, &triSpec[T]{a: l.U, upper: true, diag: s})
		addOutersTri(t, g.L, dx, z, true, nil, tb)
	}
	triMulOn(t, workers, dx, &triSpec[T]{a: l.L, trans: true, unit: true})
	if g != nil {
		addOutersTri(t, g.U, dx, x, false, ds, tb)
		var c T
		if dlogdet != nil {
			c = sumOn(t, dlogdet)
		}
		for i := range d {
			v := fmaT(ds[i], s[i], g.LogS[i])
			if dlogdet != nil {
				v += c
			}
			g.LogS[i] = v
		}
	}
	triMulOn(t, workers, dx, &triSpec[T]{a: l.U, upper: true, trans: true, diag: s})
}

func fmaT[T Float](a, b, c T) T {
	if is64[T]() {
		return T(math.FMA(float64(a), float64(b), float64(c)))
	}
	return T(fma.F32(float32(a), float32(b), float32(c)))
}

// copyRows copies the rows of src to dst (same shape), unless they are
// the same view.
func copyRows[T Float](dst, src Matrix[T]) {
	if src.Rows == 0 || src.Cols == 0 || (&dst.Data[0] == &src.Data[0] && dst.Stride == src.Stride) {
		return
	}
	for b := range src.Rows {
		copy(dst.Data[b*dst.Stride:b*dst.Stride+dst.Cols], src.Data[b*src.Stride:b*src.Stride+src.Cols])
	}
}

// permuteRows sets dst[b][i] = src[b][perm[i]] (gather) or dst[b][perm[i]] =
// src[b][i] (scatter) for every row, through tmp, so dst may be src.
func permuteRows[T Float](dst, src Matrix[T], perm []int, tmp []T, scatter bool) {
	d := len(perm)
	if d == 0 {
		return
	}
	for b := range src.Rows {
		copy(tmp, src.Data[b*src.Stride:b*src.Stride+d])
		row := dst.Data[b*dst.Stride : b*dst.Stride+d]
		if scatter {
			for i, p := range perm {
				row[p] = tmp[i]
			}
		} else {
			for i, p := range perm {
				row[i] = tmp[p]
			}
		}
	}
}

// addOutersTri adds to the strictly lower (lower) or strictly upper part
// of G the outer products sum_b D[b] X[b]ᵀ, in AddOuters' order, without
// reading or writing G's other elements: blocks off the diagonal go to
// AddOuters in place, diagonal blocks through tb (triNB x triNB). When ds
// is not nil, ds[i] is set to sum_b D[b][i] X[b][i] (AddOuters' order from
// +0).
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
		for ii := range w {
			for kk := range w {
				var v T
				if (lower && kk < ii) || (!lower && kk > ii) {
					v = g.Data[(i0+ii)*g.Stride+i0+kk]
				}
				tb[ii*w+kk] = v
			}
		}
		addOutersOn(t, 1, Matrix[T]{Rows: w, Cols: w, Data: tb, Stride: w}, nil, dm.sub(0, i0, nb, w), xm.sub(0, i0, nb, w))
		for ii := range w {
			for kk := range w {
				if (lower && kk < ii) || (!lower && kk > ii) {
					g.Data[(i0+ii)*g.Stride+i0+kk] = tb[ii*w+kk]
				}
			}
			if ds != nil {
				ds[i0+ii] = tb[ii*w+ii]
			}
		}
	}
}
