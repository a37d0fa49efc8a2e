package ref

import "math"

// The triangular kernels (kernels.TriMatVecs, TriSolveVecs, TriLogDet). A
// is n x n with leading dimension lda; M = op(A) is A, or its transpose when
// trans is set; only M's triangle is read (lower when upper == trans), its
// diagonal unless unit (then 1). X holds rows of n elements with leading
// dimension ldx.

// triAt returns M[i][k].
func triAt[T Float](a []T, lda int, trans bool, i, k int) T {
	if trans {
		i, k = k, i
	}
	return a[i*lda+k]
}

// TriMatVecs sets X[b] = M X[b] for b < rows, in the canonical order: each
// output is one chain of fused multiply-adds from +0 over the triangle's
// k in increasing order, out[i] = fma(M[i][k], x[k], out[i]).
func TriMatVecs[T Float](x []T, ldx, rows int, a []T, lda, n int, upper, trans, unit bool) {
	if n == 0 {
		return
	}
	lower := upper == trans
	y := make([]T, n)
	for b := range rows {
		row := x[b*ldx : b*ldx+n]
		for i := range n {
			k0, k1 := 0, i+1
			if !lower {
				k0, k1 = i, n
			}
			var s T
			for k := k0; k < k1; k++ {
				m := triAt(a, lda, trans, i, k)
				if k == i && unit {
					m = 1
				}
				s = FMA(m, row[k], s)
			}
			y[i] = s
		}
		copy(row, y)
	}
}

// TriSolveVecs sets X[b] = M⁻¹ X[b] for b < rows by substitution in the
// order the unknowns become known: M lower, i = 0, ..., n-1 and k = 0, ...,
// i-1; M upper, i = n-1, ..., 0 and k = n-1, ..., i+1; s = fma(-M[i][k],
// x[k], s) from s = X[b][i], then x[i] = s * (1/M[i][i]) (s when unit).
func TriSolveVecs[T Float](x []T, ldx, rows int, a []T, lda, n int, upper, trans, unit bool) {
	if n == 0 {
		return
	}
	lower := upper == trans
	for b := range rows {
		row := x[b*ldx : b*ldx+n]
		for ii := range n {
			i := ii
			if !lower {
				i = n - 1 - ii
			}
			s := row[i]
			if lower {
				for k := 0; k < i; k++ {
					s = FMA(-triAt(a, lda, trans, i, k), row[k], s)
				}
			} else {
				for k := n - 1; k > i; k-- {
					s = FMA(-triAt(a, lda, trans, i, k), row[k], s)
				}
			}
			if !unit {
				s *= 1 / triAt(a, lda, trans, i, i)
			}
			row[i] = s
		}
	}
}

// TriLogDet returns sum_i log|A[i][i]| in the canonical order: the Log
// kernel's log of each |A[i][i]|, summed as Sum.
func TriLogDet[T Float](a []T, lda, n int) T {
	logs := make([]T, n)
	for i := range logs {
		d := math.Abs(float64(a[i*lda+i]))
		if _, ok := any(T(0)).(float32); ok {
			logs[i] = T(Log32(float32(d)))
		} else {
			logs[i] = T(Log64(d))
		}
	}
	return Sum(logs)
}
