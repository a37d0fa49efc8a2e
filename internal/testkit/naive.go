package testkit

// The straightforward pure-Go loops with the math package that the
// benchmarks (go test -bench and the bench report) compare the coupling
// kernels with: what a user would write without flowkern.

import "math"

// Clamp kinds of the naive loops, numbered as kernels.ClampKind.
const (
	naiveClampNone = iota
	naiveClampTanh
	naiveClampAtan
)

func naiveClamp(kind int, a, s float64) (c, dc float64) {
	switch kind {
	case naiveClampTanh:
		h := math.Tanh(s / a)
		return a * h, 1 - h*h
	case naiveClampAtan:
		u := s / a
		return 2 * a / math.Pi * math.Atan(u), 2 / math.Pi / (1 + u*u)
	}
	return s, 1
}

// NaiveCouplingForward sets y = x*exp(c(s)) + t and logdet[b] += sum_j c over
// rows of cols elements (contiguous).
//
//go:noinline
func NaiveCouplingForward(y, x, s, t, logdet []float64, cols, kind int, a float64) {
	for b := range logdet {
		sum := 0.0
		for j := b * cols; j < (b+1)*cols; j++ {
			c, _ := naiveClamp(kind, a, s[j])
			y[j] = x[j]*math.Exp(c) + t[j]
			sum += c
		}
		logdet[b] += sum
	}
}

// NaiveCouplingInverse sets x = (y - t)*exp(-c(s)) and logdet[b] -= sum_j c.
//
//go:noinline
func NaiveCouplingInverse(x, y, s, t, logdet []float64, cols, kind int, a float64) {
	for b := range logdet {
		sum := 0.0
		for j := b * cols; j < (b+1)*cols; j++ {
			c, _ := naiveClamp(kind, a, s[j])
			x[j] = (y[j] - t[j]) * math.Exp(-c)
			sum += c
		}
		logdet[b] -= sum
	}
}

// NaiveCouplingBackward sets dx = dy*exp(c) and ds = (dx*x + dl[b]) * c'(s).
//
//go:noinline
func NaiveCouplingBackward(dx, ds, dy, dl, x, s []float64, cols, kind int, a float64) {
	for b := range dl {
		for j := b * cols; j < (b+1)*cols; j++ {
			c, dc := naiveClamp(kind, a, s[j])
			dx[j] = dy[j] * math.Exp(c)
			ds[j] = (dx[j]*x[j] + dl[b]) * dc
		}
	}
}
