package flow

import (
	"math"

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
// the signs ("sign") are fixed buffers. The products and solves are
// kernels.LULinear's.
//
// The initial W is a random orthogonal matrix (Glow's choice): Gram-Schmidt
// (twice) on a Gaussian matrix, then its LU factorisation with partial
// pivoting, all on the kernels so that every architecture draws the same.
type LU[T kernels.Float] struct {
	d    int
	perm []int
	sign []T
	lin  kernels.LULinear[T]
	grad kernels.LULinearGrad[T]
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
	m := Matrix[T]{Rows: d, Cols: d, Data: p[:d*d], Stride: max(1, d)}
	gm := Matrix[T]{Rows: d, Cols: d, Data: g[:d*d], Stride: max(1, d)}
	l.lin = kernels.LULinear[T]{Perm: l.perm, L: m, U: m, Sign: l.sign, LogS: p[d*d:]}
	l.grad = kernels.LULinearGrad[T]{L: gm, U: gm, LogS: g[d*d:]}
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
		l.lin.L.Data[i] = T(v)
	}
	for i, v := range logs {
		l.lin.LogS[i] = T(v)
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

func (l *LU[T]) Forward(z, x Matrix[T], logdet []float64) {
	checkShapes("LU.Forward", l.d, ldLen(logdet), nm(x, "x"), nm(z, "z"))
	l.lin.Forward(z, x, nil)
	if logdet != nil {
		ld := float64(kernels.Sum(l.lin.LogS))
		for b := range logdet {
			logdet[b] += ld
		}
	}
}

func (l *LU[T]) Inverse(x, z Matrix[T], logdet []float64) {
	checkShapes("LU.Inverse", l.d, ldLen(logdet), nm(z, "z"), nm(x, "x"))
	l.lin.Inverse(x, z, nil)
	if logdet != nil {
		ld := float64(kernels.Sum(l.lin.LogS))
		for b := range logdet {
			logdet[b] -= ld
		}
	}
}

func (l *LU[T]) Backward(dx, dz, x Matrix[T], dlogdet []T) {
	checkShapes("LU.Backward", l.d, ldLen(dlogdet), nm(x, "x"), nm(dz, "dz"), nm(dx, "dx"))
	l.lin.Backward(dx, dz, x, dlogdet, &l.grad)
}
