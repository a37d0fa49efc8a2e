package ref

import "math"

// LUDenseMax is the largest D at which the LU layer applies W as one dense
// matrix, built at each Forward from its factors: W's construction and the
// gradients' conversion take 3 D^3 multiply-adds (dense products, the
// triangles' zeros included), half those of a 128-row training chunk at
// D = 64, but on the dense kernels, about twice as fast as the triangular
// ones there; the share grows with D. Larger layers apply the triangular
// factors row by row.
const LUDenseMax = 64

// LU is the specification of models/flow.LU (Glow's LU layer on the
// kernels' dense and triangular primitives), W = P L (U + diag(s)) with
// s[i] = Exp(LogS[i]) * Sign[i] (Exp and the product each rounded once): L
// unit lower triangular (its strictly lower part read, leading dimension
// LDL), U strictly upper (LDU), P the permutation with (P z)[i] = z[Perm[i]].
// Batches hold rows of D elements with leading dimension ld.
type LU[T Float] struct {
	D          int
	Perm       []int
	L          []T
	LDL        int
	U          []T
	LDU        int
	Sign, LogS []T
}

// scales returns s and U + diag(s) as a D x D matrix (NaN below the
// diagonal, never read).
func (l *LU[T]) scales() (s, ud []T) {
	d := l.D
	s, ud = make([]T, d), make([]T, d*d)
	for i := range d {
		s[i] = Exp(l.LogS[i]) * l.Sign[i]
		for k := range d {
			v := T(math.NaN())
			switch {
			case k == i:
				v = s[i]
			case k > i:
				v = l.U[i*l.LDU+k]
			}
			ud[i*d+k] = v
		}
	}
	return s, ud
}

// permute sets each row's x[i] = old x[Perm[i]] (gather), or x[Perm[i]] =
// old x[i] (scatter).
func (l *LU[T]) permute(x []T, ld, rows int, scatter bool) {
	if l.D == 0 {
		return
	}
	old := make([]T, l.D)
	for b := range rows {
		row := x[b*ld : b*ld+l.D]
		copy(old, row)
		for i, p := range l.Perm {
			if scatter {
				row[p] = old[i]
			} else {
				row[i] = old[p]
			}
		}
	}
}

// Dense returns, for D <= LUDenseMax, the factors as dense D x D
// row-major matrices, Ld = L (ones on the diagonal, zeros above) and Ud =
// U + diag(s) (zeros below), and W = P Ld Ud: M = Ld Ud in MatTVecs order
// (M[i][j] a chain over k of Ud[k][j] Ld[i][k], the zeros included), then
// W[i] = M[Perm[i]].
func (l *LU[T]) Dense() (ld, ud, w []T) {
	d := l.D
	s, _ := l.scales()
	ld, ud = make([]T, d*d), make([]T, d*d)
	for i := range d {
		for k := range i {
			ld[i*d+k] = l.L[i*l.LDL+k]
		}
		ld[i*d+i] = 1
		ud[i*d+i] = s[i]
		for j := i + 1; j < d; j++ {
			ud[i*d+j] = l.U[i*l.LDU+j]
		}
	}
	m := make([]T, d*d)
	MatTVecs(m, max(1, d), ud, max(1, d), ld, max(1, d), d, d, d)
	w = make([]T, d*d)
	for i, p := range l.Perm {
		copy(w[i*d:i*d+d], m[p*d:p*d+d])
	}
	return ld, ud, w
}

// Forward sets each row of x (in place) to W x and adds Sum(LogS) to each
// logdet[b]. Up to LUDenseMax features, x = W x with W from Dense
// (MatVecs order); above, x = (U + diag(s)) x, then L x (TriMatVecs
// orders), then the permutation.
func (l *LU[T]) Forward(x []T, ld, rows int, logdet []T) {
	if d := l.D; d <= LUDenseMax {
		if d == 0 {
			rows = 0
		}
		_, _, w := l.Dense()
		z := make([]T, rows*d)
		MatVecs(z, max(1, d), w, max(1, d), x, ld, nil, d, d, rows)
		for b := range rows {
			copy(x[b*ld:b*ld+d], z[b*d:b*d+d])
		}
	} else {
		_, ud := l.scales()
		TriMatVecs(x, ld, rows, ud, max(1, l.D), l.D, true, false, false)
		TriMatVecs(x, ld, rows, l.L, l.LDL, l.D, false, false, true)
		l.permute(x, ld, rows, false)
	}
	s := Sum(l.LogS)
	for b := range logdet {
		logdet[b] += s
	}
}

// Inverse sets each row of x (in place) to W⁻¹ x and subtracts Sum(LogS)
// from each logdet[b]: the inverse permutation, then the solves with L and
// U + diag(s) (TriSolveVecs orders).
func (l *LU[T]) Inverse(x []T, ld, rows int, logdet []T) {
	_, ud := l.scales()
	l.permute(x, ld, rows, true)
	TriSolveVecs(x, ld, rows, l.L, l.LDL, l.D, false, false, true)
	TriSolveVecs(x, ld, rows, ud, max(1, l.D), l.D, true, false, false)
	s := Sum(l.LogS)
	for b := range logdet {
		logdet[b] -= s
	}
}

// Backward sets each row of dx (in place; it holds dy) to Wᵀ dy, and, when
// gL is not nil, adds the parameter gradients into gL (strictly lower
// part, leading dimension ldgl), gU (strictly upper, ldgu) and gLogS:
// with z = (U + diag(s)) x, gL += sum_b dz[b] z[b]ᵀ where dz = Pᵀ dy, then
// dz = Lᵀ dz, gU += sum_b dz[b] x[b]ᵀ (AddOuters order, from the values of
// gL and gU), gLogS[i] = fma(diag_i, s[i], gLogS[i]) (+ Sum(dlogdet) when
// dlogdet is not nil) with diag_i the diagonal of sum_b dz[b] x[b]ᵀ from
// +0, and finally dx = (U + diag(s))ᵀ dz. Up to LUDenseMax features it
// runs backwardDense instead.
func (l *LU[T]) Backward(dx []T, lddx int, x []T, ldx, rows int, dlogdet []T, gL []T, ldgl int, gU []T, ldgu int, gLogS []T) {
	d := l.D
	if d <= LUDenseMax {
		l.backwardDense(dx, lddx, x, ldx, rows, dlogdet, gL, ldgl, gU, ldgu, gLogS)
		return
	}
	s, ud := l.scales()
	l.permute(dx, lddx, rows, true)
	if gL != nil {
		z := make([]T, rows*d)
		for b := range rows {
			if d > 0 {
				copy(z[b*d:b*d+d], x[b*ldx:])
			}
		}
		TriMatVecs(z, max(1, d), rows, ud, max(1, d), d, true, false, false)
		AddOutersTri(gL, ldgl, d, dx, lddx, z, max(1, d), rows, true)
	}
	TriMatVecs(dx, lddx, rows, l.L, l.LDL, d, false, true, true)
	if gL != nil {
		ds := AddOutersTri(gU, ldgu, d, dx, lddx, x, ldx, rows, false)
		c := Sum(dlogdet)
		for i := range d {
			v := FMA(ds[i], s[i], gLogS[i])
			if dlogdet != nil {
				v += c
			}
			gLogS[i] = v
		}
	}
	TriMatVecs(dx, lddx, rows, ud, max(1, d), d, true, true, false)
}

// backwardDense is Backward for D <= LUDenseMax, on Dense's matrices:
//
//	dx = Wᵀ dy (MatTVecs order on W); G = sum_b dy[b] x[b]ᵀ from +0
//	(AddOuters order); Gm = Pᵀ G (Gm[Perm[i]] = G[i]);
//	V = Gm Udᵀ (MatVecs order: row i is Ud Gm[i]): gL[i][k] += V[i][k]
//	for k < i, one rounding each;
//	C = Ldᵀ Gm (AddOuters order from +0, the rows of Ld and Gm as the
//	batch): gU[k][j] += C[k][j] for j > k; gLogS[k] =
//	fma(C[k][k], s[k], gLogS[k]) (+ Sum(dlogdet)).
func (l *LU[T]) backwardDense(dx []T, lddx int, x []T, ldx, rows int, dlogdet []T, gL []T, ldgl int, gU []T, ldgu int, gLogS []T) {
	d := l.D
	if d == 0 {
		return
	}
	ld := max(1, d)
	s, _ := l.scales()
	lm, um, w := l.Dense()
	nd := make([]T, rows*d)
	MatTVecs(nd, ld, w, ld, dx, lddx, d, d, rows)
	if gL != nil {
		g := make([]T, d*d)
		AddOuters(g, ld, nil, dx, lddx, x, ldx, d, d, rows)
		gm := make([]T, d*d)
		for i, p := range l.Perm {
			copy(gm[p*d:p*d+d], g[i*d:i*d+d])
		}
		v := make([]T, d*d)
		MatVecs(v, ld, um, ld, gm, ld, nil, d, d, d)
		for i := range d {
			for k := range i {
				gL[i*ldgl+k] += v[i*d+k]
			}
		}
		c := make([]T, d*d)
		AddOuters(c, ld, nil, lm, ld, gm, ld, d, d, d)
		sd := Sum(dlogdet)
		for k := range d {
			for j := k + 1; j < d; j++ {
				gU[k*ldgu+j] += c[k*d+j]
			}
			v := FMA(c[k*d+k], s[k], gLogS[k])
			if dlogdet != nil {
				v += sd
			}
			gLogS[k] = v
		}
	}
	for b := range rows {
		copy(dx[b*lddx:b*lddx+d], nd[b*d:b*d+d])
	}
}

// AddOutersTri is the specification of kernels.AddOutersTri: it adds
// sum_b dm[b][i] xm[b][k] to the strictly lower (low) or upper part of g
// with AddOuters, and returns the diagonal of the sum from +0 (ds).
func AddOutersTri[T Float](g []T, ldg, d int, dm []T, lddm int, xm []T, ldxm, rows int, low bool) []T {
	full := make([]T, d*d)
	in := func(i, k int) bool { return (low && k < i) || (!low && k > i) }
	for i := range d {
		for k := range d {
			if in(i, k) {
				full[i*d+k] = g[i*ldg+k]
			}
		}
	}
	AddOuters(full, max(1, d), nil, dm, lddm, xm, ldxm, d, d, rows)
	diag := make([]T, d)
	for i := range d {
		diag[i] = full[i*d+i]
		for k := range d {
			if in(i, k) {
				g[i*ldg+k] = full[i*d+k]
			}
		}
	}
	return diag
}
