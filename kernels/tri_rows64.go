package kernels

import "math"

// The row-by-row paths for float64 with A not transposed: each output's
// chain runs along row i of A, four outputs at a time so that their chains
// overlap. (Plain float64 code: a generic fma is not inlined, and float32
// takes the transposed column path instead.) dg holds M's diagonal.

// triMulRows64Lower sets x = A x for A lower, in place from the last
// output: output i is the chain over k = 0..i, the diagonal last.
func triMulRows64Lower(x, a []float64, lda int, dg []float64) {
	n := len(x)
	row := func(i int) []float64 { return a[i*lda : i*lda+n] }
	i0 := n - 4
	for ; i0 >= 0; i0 -= 4 {
		r0, r1, r2, r3 := row(i0), row(i0+1), row(i0+2), row(i0+3)
		var s0, s1, s2, s3 float64
		for k, xk := range x[:i0] {
			s0 = math.FMA(r0[k], xk, s0)
			s1 = math.FMA(r1[k], xk, s1)
			s2 = math.FMA(r2[k], xk, s2)
			s3 = math.FMA(r3[k], xk, s3)
		}
		x0, x1, x2, x3 := x[i0], x[i0+1], x[i0+2], x[i0+3]
		s0 = math.FMA(dg[i0], x0, s0)
		s1 = math.FMA(dg[i0+1], x1, math.FMA(r1[i0], x0, s1))
		s2 = math.FMA(dg[i0+2], x2, math.FMA(r2[i0+1], x1, math.FMA(r2[i0], x0, s2)))
		s3 = math.FMA(dg[i0+3], x3, math.FMA(r3[i0+2], x2, math.FMA(r3[i0+1], x1, math.FMA(r3[i0], x0, s3))))
		x[i0], x[i0+1], x[i0+2], x[i0+3] = s0, s1, s2, s3
	}
	for i := i0 + 3; i >= 0; i-- {
		ri := row(i)
		var s float64
		for k, xk := range x[:i] {
			s = math.FMA(ri[k], xk, s)
		}
		x[i] = math.FMA(dg[i], x[i], s)
	}
}

// triMulRows64Upper sets x = A x for A upper, in place from the first
// output: output i is the chain over k = i..n-1, the diagonal first.
func triMulRows64Upper(x, a []float64, lda int, dg []float64) {
	n := len(x)
	row := func(i int) []float64 { return a[i*lda : i*lda+n] }
	i0 := 0
	for ; i0+4 <= n; i0 += 4 {
		r0, r1, r2, r3 := row(i0), row(i0+1), row(i0+2), row(i0+3)
		x0, x1, x2, x3 := x[i0], x[i0+1], x[i0+2], x[i0+3]
		s0 := math.FMA(r0[i0+3], x3, math.FMA(r0[i0+2], x2, math.FMA(r0[i0+1], x1, math.FMA(dg[i0], x0, 0))))
		s1 := math.FMA(r1[i0+3], x3, math.FMA(r1[i0+2], x2, math.FMA(dg[i0+1], x1, 0)))
		s2 := math.FMA(r2[i0+3], x3, math.FMA(dg[i0+2], x2, 0))
		s3 := math.FMA(dg[i0+3], x3, 0)
		for k := i0 + 4; k < n; k++ {
			xk := x[k]
			s0 = math.FMA(r0[k], xk, s0)
			s1 = math.FMA(r1[k], xk, s1)
			s2 = math.FMA(r2[k], xk, s2)
			s3 = math.FMA(r3[k], xk, s3)
		}
		x[i0], x[i0+1], x[i0+2], x[i0+3] = s0, s1, s2, s3
	}
	for i := i0; i < n; i++ {
		ri := row(i)
		s := math.FMA(dg[i], x[i], 0)
		for k := i + 1; k < n; k++ {
			s = math.FMA(ri[k], x[k], s)
		}
		x[i] = s
	}
}

// triSolveRows64Lower solves A x = b in place for A lower (forward): each
// unknown is its chain over k = 0..i-1, times the reciprocal diagonal.
func triSolveRows64Lower(x, a []float64, lda int, dg []float64) {
	n := len(x)
	row := func(i int) []float64 { return a[i*lda : i*lda+n] }
	i0 := 0
	for ; i0+4 <= n; i0 += 4 {
		r0, r1, r2, r3 := row(i0), row(i0+1), row(i0+2), row(i0+3)
		s0, s1, s2, s3 := x[i0], x[i0+1], x[i0+2], x[i0+3]
		for k, xk := range x[:i0] {
			s0 = math.FMA(-r0[k], xk, s0)
			s1 = math.FMA(-r1[k], xk, s1)
			s2 = math.FMA(-r2[k], xk, s2)
			s3 = math.FMA(-r3[k], xk, s3)
		}
		x0 := s0 * (1 / dg[i0])
		x1 := math.FMA(-r1[i0], x0, s1) * (1 / dg[i0+1])
		x2 := math.FMA(-r2[i0+1], x1, math.FMA(-r2[i0], x0, s2)) * (1 / dg[i0+2])
		x3 := math.FMA(-r3[i0+2], x2, math.FMA(-r3[i0+1], x1, math.FMA(-r3[i0], x0, s3))) * (1 / dg[i0+3])
		x[i0], x[i0+1], x[i0+2], x[i0+3] = x0, x1, x2, x3
	}
	for i := i0; i < n; i++ {
		ri, s := row(i), x[i]
		for k, xk := range x[:i] {
			s = math.FMA(-ri[k], xk, s)
		}
		x[i] = s * (1 / dg[i])
	}
}

// triSolveRows64Upper solves A x = b in place for A upper (backward): each
// unknown is its chain over k = n-1 down to i+1, times the reciprocal
// diagonal.
func triSolveRows64Upper(x, a []float64, lda int, dg []float64) {
	n := len(x)
	row := func(i int) []float64 { return a[i*lda : i*lda+n] }
	i0 := n - 4
	for ; i0 >= 0; i0 -= 4 {
		r0, r1, r2, r3 := row(i0), row(i0+1), row(i0+2), row(i0+3)
		s0, s1, s2, s3 := x[i0], x[i0+1], x[i0+2], x[i0+3]
		for k := n - 1; k >= i0+4; k-- {
			xk := x[k]
			s0 = math.FMA(-r0[k], xk, s0)
			s1 = math.FMA(-r1[k], xk, s1)
			s2 = math.FMA(-r2[k], xk, s2)
			s3 = math.FMA(-r3[k], xk, s3)
		}
		x3 := s3 * (1 / dg[i0+3])
		x2 := math.FMA(-r2[i0+3], x3, s2) * (1 / dg[i0+2])
		x1 := math.FMA(-r1[i0+2], x2, math.FMA(-r1[i0+3], x3, s1)) * (1 / dg[i0+1])
		x0 := math.FMA(-r0[i0+1], x1, math.FMA(-r0[i0+2], x2, math.FMA(-r0[i0+3], x3, s0))) * (1 / dg[i0])
		x[i0], x[i0+1], x[i0+2], x[i0+3] = x0, x1, x2, x3
	}
	for i := i0 + 3; i >= 0; i-- {
		ri, s := row(i), x[i]
		for k := n - 1; k > i; k-- {
			s = math.FMA(-ri[k], x[k], s)
		}
		x[i] = s * (1 / dg[i])
	}
}
