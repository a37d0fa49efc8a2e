package ref

import "math"

// LU is the specification of models/flow.LU (Glow's LU layer on the
// kernels' triangular primitives), W = P L (U + diag(s)) with
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

// Forward sets each row of x (in place) to W x and adds Sum(LogS) to each
// logdet[b]: x = (U + diag(s)) x, then L x (TriMatVecs orders), then the
// permutation.
func (l *LU[T]) Forward(x []T, ld, rows int, logdet []T) {
	_, ud := l.scales()
	TriMatVecs(x, ld, rows, ud, max(1, l.D), l.D, true, false, false)
	TriMatVecs(x, ld, rows, l.L, l.LDL, l.D, false, false, true)
	l.permute(x, ld, rows, false)
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
// +0, and finally dx = (U + diag(s))ᵀ dz.
func (l *LU[T]) Backward(dx []T, lddx int, x []T, ldx, rows int, dlogdet []T, gL []T, ldgl int, gU []T, ldgu int, gLogS []T) {
	d := l.D
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
