// Package jet is truncated Taylor arithmetic on batches of univariate
// series, in float64: the forward mode that carries the expansion of a
// function along many directions through one point at once.
//
// A Jet holds N series of a row vector of Cols components,
//
//	v_b(t) = v_0 + v_1,b t + v_2,b t^2 + ... + v_K,b t^K,    b = 0..N-1,
//
// all through the same point: the order-0 row v_0 is stored once (V0) and
// shared by the N rows; orders 1..K are one (K*N) x Cols matrix (Hi), so
// that a linear map is two kernels.MatVecs calls, one for the point and one
// for every higher order of every row.
//
// The operations compute the Taylor coefficients of the composed function
// up to order K exactly in exact arithmetic: products by the Cauchy
// product, exp, log, tanh, sigmoid, softplus and atan by the recurrences of
// their differential equations (y' = y x', y' = x'/x, y' = (1 - y^2) x',
// y' = y (1 - y) x', y' = sigmoid(x) x', y' = x'/(1 + x^2)). Function
// values at order 0 come from the kernels (kernels.Exp, Tanh, Sigmoid,
// Softplus, Atan, Log); the recurrences are scalar Go in which every
// product that meets an addition is rounded by an explicit float64()
// conversion (Go fuses a*b + c into one fma on arm64, not on amd64), so a
// result has the same bits on every kernel tier and architecture.
//
// Operations take the destination first. A destination may be one of the
// operands (every element is read before it is written), and must have the
// operands' shape.
package jet

import (
	"fmt"

	"github.com/flowkern/flowkern/kernels"
)

// Jet is a batch of N truncated Taylor series of order K of a row of Cols
// components through one point (package doc). The coefficient of t^k of
// component c of row b is V0[c] for k = 0 and Hi[((k-1)*N + b)*Cols + c]
// for k >= 1.
type Jet struct {
	N, Cols, K int
	V0         []float64 // the point: Cols values, shared by every row
	Hi         []float64 // orders 1..K: (K*N) x Cols, row-major, order-major
}

// New returns a zero jet of n rows of cols components and order k.
func New(n, cols, k int) *Jet {
	if n < 0 || cols < 0 || k < 0 {
		panic(fmt.Sprintf("jet: New(%d, %d, %d): negative size", n, cols, k))
	}
	return &Jet{N: n, Cols: cols, K: k, V0: make([]float64, cols), Hi: make([]float64, k*n*cols)}
}

// Like returns a zero jet of j's rows and order with cols components.
func (j *Jet) Like(cols int) *Jet { return New(j.N, cols, j.K) }

// Order returns the coefficients of t^k: V0 for k = 0 (Cols values), else
// the N x Cols block of order k (a view into Hi).
func (j *Jet) Order(k int) []float64 {
	if k == 0 {
		return j.V0
	}
	s := j.N * j.Cols
	return j.Hi[(k-1)*s : k*s]
}

// At returns the coefficient of t^k of component c of row b.
func (j *Jet) At(k, b, c int) float64 {
	if k == 0 {
		return j.V0[c]
	}
	return j.Hi[((k-1)*j.N+b)*j.Cols+c]
}

// Point returns V0 as a 1 x Cols matrix: with High, what a row-wise linear
// map needs (apply it to both; a bias only to Point).
func (j *Jet) Point() kernels.Matrix[float64] {
	return kernels.Matrix[float64]{Rows: 1, Cols: j.Cols, Data: j.V0, Stride: max(1, j.Cols)}
}

// High returns Hi as a (K*N) x Cols matrix (orders 1..K of every row).
func (j *Jet) High() kernels.Matrix[float64] {
	return kernels.Matrix[float64]{Rows: j.K * j.N, Cols: j.Cols, Data: j.Hi, Stride: max(1, j.Cols)}
}

// same panics unless every jet has the rows, order and components of dst.
func same(fn string, dst *Jet, js ...*Jet) {
	for _, a := range js {
		if a.N != dst.N || a.K != dst.K || a.Cols != dst.Cols {
			panic(fmt.Sprintf("jet: %s: operand %dx%d of order %d, destination %dx%d of order %d",
				fn, a.N, a.Cols, a.K, dst.N, dst.Cols, dst.K))
		}
	}
}

// rows panics unless a has the rows and order of dst.
func rows(fn string, dst, a *Jet) {
	if a.N != dst.N || a.K != dst.K {
		panic(fmt.Sprintf("jet: %s: operand of %d rows and order %d, destination %d rows and order %d",
			fn, a.N, a.K, dst.N, dst.K))
	}
}

// Copy sets dst = a.
func Copy(dst, a *Jet) {
	same("Copy", dst, a)
	copy(dst.V0, a.V0)
	copy(dst.Hi, a.Hi)
}

// Linear sets dst = W a + bias for every row: order 0 with the bias, every
// higher order without it (kernels.MatVecs, its canonical order). W is
// dst.Cols x a.Cols; bias is nil or of length dst.Cols. dst and a must not
// share memory.
func Linear(dst *Jet, w kernels.Matrix[float64], bias []float64, a *Jet) {
	rows("Linear", dst, a)
	kernels.MatVecs(dst.Point(), w, a.Point(), bias)
	if dst.K*dst.N > 0 {
		kernels.MatVecs(dst.High(), w, a.High(), nil)
	}
}

// Gather sets dst's component i to a's component cols[i] (kernels.Gather).
// dst and a must not share memory.
func Gather(dst, a *Jet, cols []int) {
	rows("Gather", dst, a)
	kernels.Gather(dst.Point(), a.Point(), cols)
	if dst.K*dst.N > 0 {
		kernels.Gather(dst.High(), a.High(), cols)
	}
}

// GatherSplit sets xa and xb to the column sets A and B of x
// (kernels.GatherSplit). The outputs must not share memory with x.
func GatherSplit(xa, xb, x *Jet, s kernels.Split) {
	rows("GatherSplit", xa, x)
	rows("GatherSplit", xb, x)
	kernels.GatherSplit(xa.Point(), xb.Point(), x.Point(), s)
	if x.K*x.N > 0 {
		kernels.GatherSplit(xa.High(), xb.High(), x.High(), s)
	}
}

// ScatterSplit sets x's columns A to xa and B to xb (kernels.ScatterSplit).
func ScatterSplit(x, xa, xb *Jet, s kernels.Split) {
	rows("ScatterSplit", x, xa)
	rows("ScatterSplit", x, xb)
	kernels.ScatterSplit(x.Point(), xa.Point(), xb.Point(), s)
	if x.K*x.N > 0 {
		kernels.ScatterSplit(x.High(), xa.High(), xb.High(), s)
	}
}

// Cols returns the jet of components [from, from+n) of a: a copy.
func Cols(a *Jet, from, n int) *Jet {
	if from < 0 || n < 0 || from+n > a.Cols {
		panic(fmt.Sprintf("jet: Cols(%d, %d) of %d components", from, n, a.Cols))
	}
	dst := a.Like(n)
	copy(dst.V0, a.V0[from:from+n])
	for r := range a.K * a.N {
		copy(dst.Hi[r*n:(r+1)*n], a.Hi[r*a.Cols+from:r*a.Cols+from+n])
	}
	return dst
}

// Affine sets dst = alpha a + beta: every order scaled by alpha (one
// rounding), beta added to order 0 only.
func Affine(dst, a *Jet, alpha, beta float64) {
	same("Affine", dst, a)
	for c, v := range a.V0 {
		dst.V0[c] = float64(alpha*v) + beta
	}
	for i, v := range a.Hi {
		dst.Hi[i] = alpha * v
	}
}

// Axpy sets dst = dst + alpha a, every product rounded before the sum.
func Axpy(dst *Jet, alpha float64, a *Jet) {
	same("Axpy", dst, a)
	for c, v := range a.V0 {
		dst.V0[c] += float64(alpha * v)
	}
	for i, v := range a.Hi {
		dst.Hi[i] += float64(alpha * v)
	}
}

// Add sets dst = a + b.
func Add(dst, a, b *Jet) {
	same("Add", dst, a, b)
	kernels.Add(dst.V0, a.V0, b.V0)
	kernels.Add(dst.Hi, a.Hi, b.Hi)
}

// RowSums sets dst (one component) to the sum of a's components, for every
// row and order, in increasing component order.
func RowSums(dst, a *Jet) {
	rows("RowSums", dst, a)
	if dst.Cols != 1 {
		panic(fmt.Sprintf("jet: RowSums: destination has %d components, want 1", dst.Cols))
	}
	dst.V0[0] = sum(a.V0)
	for r := range a.K * a.N {
		dst.Hi[r] = sum(a.Hi[r*a.Cols : (r+1)*a.Cols])
	}
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// SumSquares sets dst (one component) to the jet of sum_c a_c(t)^2, for
// every row: order k is sum_c sum_{i+j=k} a_c,i a_c,j, components in
// increasing order.
func SumSquares(dst, a *Jet) {
	rows("SumSquares", dst, a)
	if dst.Cols != 1 {
		panic(fmt.Sprintf("jet: SumSquares: destination has %d components, want 1", dst.Cols))
	}
	x := make([]float64, a.K+1)
	acc := make([]float64, a.K+1)
	for b := range a.N {
		clear(acc)
		for c := range a.Cols {
			a.load(x, b, c)
			for k := 1; k <= a.K; k++ {
				acc[k] += cauchy(x, x, k)
			}
		}
		for k := 1; k <= a.K; k++ {
			dst.Hi[(k-1)*a.N+b] = acc[k]
		}
	}
	s := 0.0
	for _, v := range a.V0 {
		s += float64(v * v)
	}
	dst.V0[0] = s
}

// load sets x[k] to the coefficient of t^k of component c of row b.
func (j *Jet) load(x []float64, b, c int) {
	x[0] = j.V0[c]
	s := j.N * j.Cols
	e := b*j.Cols + c
	for k := 1; k <= j.K; k++ {
		x[k] = j.Hi[(k-1)*s+e]
	}
}

// store writes y[1..K] to orders 1..K of component c of row b.
func (j *Jet) store(y []float64, b, c int) {
	s := j.N * j.Cols
	e := b*j.Cols + c
	for k := 1; k <= j.K; k++ {
		j.Hi[(k-1)*s+e] = y[k]
	}
}

// cauchy returns sum_{i=0..k} x_i y_{k-i}, each product rounded.
func cauchy(x, y []float64, k int) float64 {
	s := 0.0
	for i := 0; i <= k; i++ {
		s += float64(x[i] * y[k-i])
	}
	return s
}

// integ returns (1/k) sum_{j=1..k} j x_j w_{k-j}: the coefficient k of y
// when y' = w x'.
func integ(x, w []float64, k int) float64 {
	s := 0.0
	for j := 1; j <= k; j++ {
		s += float64(float64(j) * x[j] * w[k-j])
	}
	return s / float64(k)
}

// Mul sets dst = a * b component-wise (the Cauchy product).
func Mul(dst, a, b *Jet) {
	same("Mul", dst, a, b)
	K := dst.K
	x, y, z := make([]float64, K+1), make([]float64, K+1), make([]float64, K+1)
	for bb := range dst.N {
		for c := range dst.Cols {
			a.load(x, bb, c)
			b.load(y, bb, c)
			for k := 1; k <= K; k++ {
				z[k] = cauchy(x, y, k)
			}
			dst.store(z, bb, c)
		}
	}
	kernels.Mul(dst.V0, a.V0, b.V0)
}

// elementwise runs f on every component of every row: x holds a's
// coefficients, y[0] the value at the point (already in dst.V0), and f
// fills y[1..K]. The point's values must be computed by the caller into a
// separate slice y0 first, as dst may be a.
func elementwise(fn string, dst, a *Jet, y0 []float64, f func(c int, x, y []float64)) {
	same(fn, dst, a)
	K := dst.K
	x, y := make([]float64, K+1), make([]float64, K+1)
	for b := range dst.N {
		for c := range dst.Cols {
			a.load(x, b, c)
			y[0] = y0[c]
			f(c, x, y)
			dst.store(y, b, c)
		}
	}
	copy(dst.V0, y0)
}

// Exp sets dst = exp(a): y_k = (1/k) sum_j j x_j y_{k-j}.
func Exp(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Exp(y0, a.V0)
	elementwise("Exp", dst, a, y0, func(_ int, x, y []float64) {
		for k := 1; k < len(y); k++ {
			y[k] = integ(x, y, k)
		}
	})
}

// Log sets dst = log(a): y_k = (x_k - (1/k) sum_{j<k} j y_j x_{k-j}) / x_0.
func Log(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Log(y0, a.V0)
	elementwise("Log", dst, a, y0, func(_ int, x, y []float64) {
		for k := 1; k < len(y); k++ {
			s := 0.0
			for j := 1; j < k; j++ {
				s += float64(float64(j) * y[j] * x[k-j])
			}
			y[k] = (x[k] - s/float64(k)) / x[0]
		}
	})
}

// Tanh sets dst = tanh(a): y' = w x' with w = 1 - y^2, w_0 = (1 - y_0)(1 +
// y_0), w_k = -sum_{i+j=k} y_i y_j.
func Tanh(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Tanh(y0, a.V0)
	w := make([]float64, a.K+1)
	elementwise("Tanh", dst, a, y0, func(_ int, x, y []float64) {
		w[0] = float64((1 - y[0]) * (1 + y[0]))
		for k := 1; k < len(y); k++ {
			y[k] = integ(x, w, k)
			w[k] = -cauchy(y, y, k)
		}
	})
}

// Sigmoid sets dst = 1/(1 + exp(-a)): y' = w x' with w = y - y^2,
// w_0 = y_0 (1 - y_0), w_k = y_k - sum_{i+j=k} y_i y_j.
func Sigmoid(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Sigmoid(y0, a.V0)
	w := make([]float64, a.K+1)
	elementwise("Sigmoid", dst, a, y0, func(_ int, x, y []float64) {
		w[0] = float64(y[0] * (1 - y[0]))
		for k := 1; k < len(y); k++ {
			y[k] = integ(x, w, k)
			w[k] = y[k] - cauchy(y, y, k)
		}
	})
}

// Softplus sets dst = log(1 + exp(a)): y' = s x' with s = sigmoid(a)
// (whose own recurrence runs one order behind).
func Softplus(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Softplus(y0, a.V0)
	s0 := make([]float64, a.Cols)
	kernels.Sigmoid(s0, a.V0)
	s := make([]float64, a.K+1)
	w := make([]float64, a.K+1)
	elementwise("Softplus", dst, a, y0, func(c int, x, y []float64) {
		s[0] = s0[c]
		w[0] = float64(s[0] * (1 - s[0]))
		for k := 1; k < len(y); k++ {
			y[k] = integ(x, s, k)
			if k < len(y)-1 {
				s[k] = integ(x, w, k)
				w[k] = s[k] - cauchy(s, s, k)
			}
		}
	})
}

// Atan sets dst = atan(a): y' q = x' with q = 1 + x^2, so
// y_k = (x_k - (1/k) sum_{j<k} j y_j q_{k-j}) / q_0.
func Atan(dst, a *Jet) {
	y0 := make([]float64, a.Cols)
	kernels.Atan(y0, a.V0)
	q := make([]float64, a.K+1)
	elementwise("Atan", dst, a, y0, func(_ int, x, y []float64) {
		q[0] = 1 + float64(x[0]*x[0])
		for k := 1; k < len(y); k++ {
			q[k] = cauchy(x, x, k)
			s := 0.0
			for j := 1; j < k; j++ {
				s += float64(float64(j) * y[j] * q[k-j])
			}
			y[k] = (x[k] - s/float64(k)) / q[0]
		}
	})
}

// ReLU sets dst = max(a, 0), piecewise linear: where the point's value is
// > 0 every order is kept, elsewhere (0 included, as models/nn's
// derivative takes it) every order is 0. NaN at the point keeps its
// orders, as models/nn's ReLU keeps NaN.
func ReLU(dst, a *Jet) {
	same("ReLU", dst, a)
	on := make([]bool, a.Cols)
	for c, v := range a.V0 {
		on[c] = !(v <= 0)
		if !on[c] {
			dst.V0[c] = 0
		} else {
			dst.V0[c] = v
		}
	}
	for r := range a.K * a.N {
		for c := range a.Cols {
			i := r*a.Cols + c
			if on[c] {
				dst.Hi[i] = a.Hi[i]
			} else {
				dst.Hi[i] = 0
			}
		}
	}
}
