package flow

import (
	"math"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// LU is Glow's invertible linear layer in LU form, z = W x with
//
//	W = P L (U + diag(sign * exp(logs))),
//
// P a fixed permutation, L unit lower triangular, U strictly upper
// triangular: log|det W| = sum_i logs[i], and W can never turn singular
// (openai/glow#40). L and U share one d x d parameter tensor "lu" (strictly
// lower part = L, strictly upper part = U; its diagonal is unused and stays
// 0), the diagonal is "logs", and P ("perm", (P v)[i] = v[perm[i]]) and
// the signs ("sign") are fixed buffers.
//
// The layer runs on the kernels, in the order that internal/ref.LU
// specifies (so every tier gives the same bits), with the diagonal s[i] =
// sign[i] * exp(logs[i]) (kernels.Exp, then kernels.Mul). Up to
// ref.LUDenseMax (64) features, W is built at each Forward and applied as
// one dense matrix, as Glow and nflows do: at d = 64 the triangular
// kernels ran at about half the dense ones' speed:
//
//	Forward:  W = P L (U + diag(s)) (one dense product of the two factors
//	          made dense), z = W x (MatVecs);
//	Inverse:  the factors' solves, as for larger layers below;
//	Backward: dx = Wᵀ dz (MatTVecs), G = sum_b dz[b] x[b]ᵀ (SetOuters), Gm = Pᵀ G,
//	          g.L += Gm (U + diag(s))ᵀ (MatVecs, strictly lower), g.U += Lᵀ Gm
//	          (SetOuters, strictly upper), g.logs[i] = fma((Lᵀ Gm)[i][i], s[i], g.logs[i])
//	          + Sum(dlogdet).
//
// Larger layers apply the factors to the rows (W's construction and the
// conversion of the gradients, 3 d^3 multiply-adds, would outgrow the
// products of a batch):
//
//	Forward:  w = (U + diag(s)) x, w = L w (TriMatVecsDiag), z[i] = w[perm[i]] (Gather);
//	Inverse:  x[perm[i]] = z[i] (Scatter), x = L⁻¹ x, x = (U + diag(s))⁻¹ x (TriSolveVecsDiag);
//	Backward: dz2 = Pᵀ dz, z1 = (U + diag(s)) x, g.L += sum_b dz2[b] z1[b]ᵀ (strictly
//	          lower, AddOutersTri), dz1 = Lᵀ dz2, g.U += sum_b dz1[b] x[b]ᵀ (strictly upper)
//	          with ds[i] = sum_b dz1[b][i] x[b][i], g.logs[i] = fma(ds[i], s[i], g.logs[i]) +
//	          Sum(dlogdet), dx = (U + diag(s))ᵀ dz1.
//
// The initial W is a random orthogonal matrix (Glow's choice): Gram-Schmidt
// (twice) on a Gaussian matrix, then its LU factorisation with partial
// pivoting, all on the kernels so that every architecture draws the same.
type LU[T kernels.Float] struct {
	d    int
	perm []int
	sign []T
	// lu holds L (strictly lower part) and U (strictly upper part), logs
	// the log-magnitudes of U's diagonal; glu and glogs their gradients.
	lu, glu     Matrix[T]
	logs, glogs []T
	// Scratch: the diagonal s and its gradient ds (d each), and batch x d
	// work matrices (w: Forward's product, z: (U + diag(s)) x of the last
	// Forward's zRows rows, which Backward reads).
	s, ds, w, z []T
	zRows       int
	// The dense form (d <= ref.LUDenseMax): the factors L and U + diag(s)
	// as dense matrices and W = P L (U + diag(s)), from the last Forward
	// (haveW); g and gm are d x d gradient scratch.
	ld, ud, wm, g, gm []T
	haveW             bool
	// infer is set while the flow runs inference (no Backward follows):
	// Forward then skips keeping (U + diag(s)) x.
	infer bool
}

// NewLU returns an LU layer on d features.
func NewLU[T kernels.Float](d int) *LU[T] {
	l := &LU[T]{d: d, perm: make([]int, d), sign: make([]T, d)}
	for i := range d {
		l.perm[i], l.sign[i] = i, 1
	}
	return l
}

func (l *LU[T]) Dim() int        { return l.d }
func (l *LU[T]) Spec() LayerSpec { return LayerSpec{Kind: KindLU} }
func (l *LU[T]) NumParams() int  { return l.d*l.d + l.d }

func (l *LU[T]) tensors() []tensor {
	return []tensor{{"lu", []int{l.d, l.d}, 0}, {"logs", []int{l.d}, l.d * l.d}}
}

func (l *LU[T]) buffers() []buffer {
	s := make([]float64, l.d)
	for i, v := range l.sign {
		s[i] = float64(v)
	}
	return []buffer{{name: "perm", ints: l.perm}, {name: "sign", float: s}}
}

func (l *LU[T]) bind(p, g []T) {
	d := l.d
	l.haveW = false
	m := Matrix[T]{Rows: d, Cols: d, Data: p[:d*d], Stride: max(1, d)}
	gm := Matrix[T]{Rows: d, Cols: d, Data: g[:d*d], Stride: max(1, d)}
	l.lu, l.logs = m, p[d*d:d*d+d]
	l.glu, l.glogs = gm, g[d*d:d*d+d]
}

func (l *LU[T]) clone() Layer[T] { return &LU[T]{d: l.d, perm: l.perm, sign: l.sign} }

// init draws W orthogonal and stores its P L U factors.
func (l *LU[T]) init(g *kernels.Normal) {
	d := l.d
	if d == 0 {
		return
	}
	q := make([]float64, d*d)
	g.Fill(q)
	orthonormalRows(q, d)
	piv := luFactor(q, d)
	for i, p := range piv {
		l.perm[p] = i
	}
	logs := make([]float64, d)
	for i := range d {
		u := q[i*d+i]
		l.sign[i] = 1
		if u < 0 {
			l.sign[i] = -1
		}
		logs[i] = math.Abs(u)
		q[i*d+i] = 0
	}
	kernels.Log(logs, logs)
	for i, v := range q {
		l.lu.Data[i] = T(v)
	}
	for i, v := range logs {
		l.logs[i] = T(v)
	}
}

// orthonormalRows makes the d rows of the d x d matrix q orthonormal by
// modified Gram-Schmidt, run twice (the second pass restores orthogonality
// to rounding).
func orthonormalRows(q []float64, d int) {
	for j := range d {
		qj := q[j*d : j*d+d]
		for range 2 {
			for i := range j {
				qi := q[i*d : i*d+d]
				kernels.Axpy(-kernels.Dot(qi, qj), qi, qj)
			}
		}
		kernels.Scale(1/math.Sqrt(kernels.Dot(qj, qj)), qj)
	}
}

// luFactor overwrites the d x d matrix a with its LU factors (partial
// pivoting, L unit lower below the diagonal, U on and above it) and returns
// piv: row i of the factored matrix is row piv[i] of a.
func luFactor(a []float64, d int) []int {
	piv := make([]int, d)
	for i := range piv {
		piv[i] = i
	}
	for k := range d {
		p := k
		for i := k + 1; i < d; i++ {
			if math.Abs(a[i*d+k]) > math.Abs(a[p*d+k]) {
				p = i
			}
		}
		if p != k {
			for j := range d {
				a[k*d+j], a[p*d+j] = a[p*d+j], a[k*d+j]
			}
			piv[k], piv[p] = piv[p], piv[k]
		}
		for i := k + 1; i < d; i++ {
			f := a[i*d+k] / a[k*d+k]
			a[i*d+k] = f
			kernels.Axpy(-f, a[k*d+k+1:k*d+d], a[i*d+k+1:i*d+d])
		}
	}
	return piv
}

// scales returns s[i] = sign[i] * exp(logs[i]) (Exp, then the product,
// each rounded once) in the layer's scratch.
func (l *LU[T]) scales() []T {
	s := grow(&l.s, l.d)
	kernels.Exp(s, l.logs)
	kernels.Mul(s, s, l.sign)
	return s
}

// apply sets z = W x for every row, through the scratch w (z must not
// share memory with it; it may be x). It keeps (U + diag(s)) x in the
// scratch z for Backward, which would otherwise recompute that product
// (one of the layer's seven triangular passes per training step), unless
// the flow runs inference (infer): the copy costs about 1% of a LogProb.
func (l *LU[T]) apply(z, x Matrix[T]) {
	s := l.scales()
	w := dense(&l.w, x.Rows, l.d)
	if l.infer { // no Backward follows: w alone
		l.zRows = 0
		copyRows(w, x)
		kernels.TriMatVecsDiag(w, l.lu, s, true, false)
	} else {
		u := dense(&l.z, x.Rows, l.d)
		copyRows(u, x)
		kernels.TriMatVecsDiag(u, l.lu, s, true, false)
		l.zRows = x.Rows
		copy(w.Data, u.Data)
	}
	kernels.TriMatVecsDiag(w, l.lu, nil, false, false)
	kernels.Gather(z, w, l.perm)
}

// copyRows copies the rows of src to dst (same shape).
func copyRows[T kernels.Float](dst, src Matrix[T]) {
	if src.Cols == 0 || src.Rows == 0 {
		return
	}
	if src.Stride == src.Cols && dst.Stride == dst.Cols {
		n := src.Rows * src.Cols
		copy(dst.Data[:n], src.Data[:n])
		return
	}
	if src.Cols == 1 {
		// A column of the 2-D flows: a copy call per element cost 5 ns.
		d, s := dst.Data, src.Data
		_, _ = d[(src.Rows-1)*dst.Stride], s[(src.Rows-1)*src.Stride]
		for b := range src.Rows {
			d[b*dst.Stride] = s[b*src.Stride]
		}
		return
	}
	for b := range src.Rows {
		copy(dst.Data[b*dst.Stride:b*dst.Stride+dst.Cols], src.Data[b*src.Stride:b*src.Stride+src.Cols])
	}
}

// denseW reports whether the layer applies W as a dense matrix.
func (l *LU[T]) denseW() bool { return l.d <= ref.LUDenseMax }

// buildW sets the scratch ld, ud and wm to the dense factors and W
// (ref.LU.Dense), and s to the scales, and returns W.
func (l *LU[T]) buildW() Matrix[T] {
	d := l.d
	s := l.scales()
	lm, um := dense(&l.ld, d, d), dense(&l.ud, d, d)
	for i := range d {
		lr, ur := lm.Data[i*d:i*d+d], um.Data[i*d:i*d+d]
		copy(lr[:i], l.lu.Data[i*l.lu.Stride:])
		lr[i] = 1
		clear(lr[i+1:])
		clear(ur[:i])
		ur[i] = s[i]
		copy(ur[i+1:], l.lu.Data[i*l.lu.Stride+i+1:i*l.lu.Stride+d])
	}
	m := dense(&l.g, d, d)
	kernels.MatTVecs(m, um, lm)
	w := dense(&l.wm, d, d)
	for i, p := range l.perm {
		copy(w.Data[i*d:i*d+d], m.Data[p*d:p*d+d])
	}
	l.haveW = true
	return w
}

func (l *LU[T]) Forward(z, x Matrix[T], logdet []float64) {
	checkShapes("LU.Forward", l.d, ldLen(logdet), nm(x, "x"), nm(z, "z"))
	if l.denseW() {
		if l.d > 0 {
			kernels.MatVecs(z, l.buildW(), x, nil)
		}
	} else {
		l.apply(z, x)
	}
	if logdet != nil {
		ld := float64(kernels.Sum(l.logs))
		for b := range logdet {
			logdet[b] += ld
		}
	}
}

func (l *LU[T]) Inverse(x, z Matrix[T], logdet []float64) {
	checkShapes("LU.Inverse", l.d, ldLen(logdet), nm(z, "z"), nm(x, "x"))
	s := l.scales()
	kernels.Scatter(x, z, l.perm)
	kernels.TriSolveVecsDiag(x, l.lu, nil, false, false)
	kernels.TriSolveVecsDiag(x, l.lu, s, true, false)
	if logdet != nil {
		ld := float64(kernels.Sum(l.logs))
		for b := range logdet {
			logdet[b] -= ld
		}
	}
}

func (l *LU[T]) Backward(dx, dz, x Matrix[T], dlogdet []T) {
	checkShapes("LU.Backward", l.d, ldLen(dlogdet), nm(x, "x"), nm(dz, "dz"), nm(dx, "dx"))
	if l.denseW() {
		l.backwardDense(dx, dz, x, dlogdet)
		return
	}
	s := l.scales()
	ds := grow(&l.ds, l.d)
	kernels.Scatter(dx, dz, l.perm)
	z := dense(&l.z, x.Rows, l.d)
	if l.zRows != x.Rows { // no Forward of this batch to take it from
		copyRows(z, x)
		kernels.TriMatVecsDiag(z, l.lu, s, true, false)
	}
	kernels.AddOutersTri(l.glu, nil, dx, z, true)
	kernels.TriMatVecsDiag(dx, l.lu, nil, false, true)
	kernels.AddOutersTri(l.glu, ds, dx, x, false)
	var c T
	if dlogdet != nil {
		c = kernels.Sum(dlogdet)
	}
	for i, g := range l.glogs {
		v := ref.FMA(ds[i], s[i], g)
		if dlogdet != nil {
			v += c
		}
		l.glogs[i] = v
	}
	kernels.TriMatVecsDiag(dx, l.lu, s, true, true)
}

// backwardDense is Backward for d <= ref.LUDenseMax (ref.LU.backwardDense),
// on the matrices of the last Forward.
func (l *LU[T]) backwardDense(dx, dz, x Matrix[T], dlogdet []T) {
	d := l.d
	if d == 0 {
		return
	}
	if !l.haveW {
		l.buildW()
	}
	sq := func(s []T) Matrix[T] { return Matrix[T]{Rows: d, Cols: d, Data: s, Stride: d} }
	lm, um, w := sq(l.ld), sq(l.ud), sq(l.wm)
	s := l.s[:d] // the scales buildW made W with
	var c T
	if dlogdet != nil {
		c = kernels.Sum(dlogdet)
	}
	kernels.MatTVecs(dx, w, dz)
	g, gm := dense(&l.g, d, d), dense(&l.gm, d, d)
	kernels.SetOuters(g, nil, dz, x)
	for i, p := range l.perm {
		copy(gm.Data[p*d:p*d+d], g.Data[i*d:i*d+d])
	}
	// g.L += Gm (U + diag(s))ᵀ, strictly lower.
	kernels.MatVecs(g, um, gm, nil)
	glu, ldg := l.glu.Data, l.glu.Stride
	for i := range d {
		gi, vi := glu[i*ldg:i*ldg+i], g.Data[i*d:i*d+i]
		for k, v := range vi {
			gi[k] += v
		}
	}
	// g.U += Lᵀ Gm, strictly upper; its diagonal scales g.logs.
	kernels.SetOuters(g, nil, lm, gm)
	for k := range d {
		gk, ck := glu[k*ldg+k+1:k*ldg+d], g.Data[k*d+k+1:k*d+d]
		for j, v := range ck {
			gk[j] += v
		}
		v := ref.FMA(g.Data[k*d+k], s[k], l.glogs[k])
		if dlogdet != nil {
			v += c
		}
		l.glogs[k] = v
	}
}
