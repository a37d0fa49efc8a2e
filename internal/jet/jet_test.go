package jet

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/flowkern/flowkern/kernels"
)

// cauchyCoeffs returns the Taylor coefficients 0..k of the analytic
// function g at 0 by the Cauchy integral on the circle |t| = r, M-point
// trapezoid rule (exact up to aliasing of order M and rounding).
func cauchyCoeffs(g func(complex128) complex128, k int, r float64, m int) []float64 {
	out := make([]float64, k+1)
	vals := make([]complex128, m)
	for p := range m {
		vals[p] = g(complex(r, 0) * cmplx.Exp(complex(0, 2*math.Pi*float64(p)/float64(m))))
	}
	for q := 0; q <= k; q++ {
		var s complex128
		for p := range m {
			s += vals[p] * cmplx.Exp(complex(0, -2*math.Pi*float64(p*q)/float64(m)))
		}
		out[q] = real(s) / float64(m) / math.Pow(r, float64(q))
	}
	return out
}

// input returns a jet of n rows, cols components, order k whose rows are
// random cubic polynomials in t around a random point.
func input(n, cols, k int, seed uint64) *Jet {
	g := kernels.NewNormal(seed, 0)
	j := New(n, cols, k)
	for c := range cols {
		j.V0[c] = 0.8 * g.Float64()
	}
	for kk := 1; kk <= min(k, 3); kk++ {
		o := j.Order(kk)
		for i := range o {
			o[i] = 0.5 * g.Float64() / float64(kk)
		}
	}
	return j
}

// poly returns the complex polynomial of row b, component c of j.
func poly(j *Jet, b, c int) func(complex128) complex128 {
	co := make([]float64, j.K+1)
	for k := range co {
		co[k] = j.At(k, b, c)
	}
	return func(t complex128) complex128 {
		var s complex128
		for k := len(co) - 1; k >= 0; k-- {
			s = s*t + complex(co[k], 0)
		}
		return s
	}
}

func csigmoid(z complex128) complex128 { return 1 / (1 + cmplx.Exp(-z)) }

// TestUnaryAgainstCauchy compares every unary jet with the Taylor
// coefficients of the composed function from the Cauchy integral of its
// complex extension (math/cmplx), at random points along random cubics.
func TestUnaryAgainstCauchy(t *testing.T) {
	const n, cols, K = 3, 5, 8
	cases := []struct {
		name string
		op   func(dst, a *Jet)
		f    func(complex128) complex128
		pos  bool // needs a positive argument
	}{
		{"exp", Exp, cmplx.Exp, false},
		{"log", Log, cmplx.Log, true},
		{"tanh", Tanh, cmplx.Tanh, false},
		{"sigmoid", Sigmoid, csigmoid, false},
		{"softplus", Softplus, func(z complex128) complex128 { return cmplx.Log(1 + cmplx.Exp(z)) }, false},
		{"atan", Atan, cmplx.Atan, false},
	}
	for _, tc := range cases {
		a := input(n, cols, K, 7)
		if tc.pos {
			for c := range a.V0 {
				a.V0[c] = 1.5 + math.Abs(a.V0[c])
			}
		}
		y := New(n, cols, K)
		tc.op(y, a)
		worst := 0.0
		for b := range n {
			for c := range cols {
				x := poly(a, b, c)
				want := cauchyCoeffs(func(z complex128) complex128 { return tc.f(x(z)) }, K, 0.5, 128)
				for k := range want {
					err := math.Abs(y.At(k, b, c)-want[k]) / math.Max(1, math.Abs(want[k]))
					worst = math.Max(worst, err)
				}
			}
		}
		t.Logf("%-8s max relative error over %d coefficients: %.2g", tc.name, n*cols*(K+1), worst)
		if worst > 1e-11 {
			t.Errorf("%s: jet differs from the Cauchy integral by %.3g", tc.name, worst)
		}
		// in place gives the same bits
		z := New(n, cols, K)
		Copy(z, a)
		tc.op(z, z)
		for i := range z.Hi {
			if z.Hi[i] != y.Hi[i] {
				t.Fatalf("%s: in-place result differs at %d", tc.name, i)
			}
		}
	}
}

// TestKnownSeries checks the jets of t (the identity series) against the
// textbook Maclaurin series.
func TestKnownSeries(t *testing.T) {
	const K = 7
	id := New(1, 1, K)
	id.Hi[0] = 1 // x(t) = t
	shift := New(1, 1, K)
	shift.V0[0], shift.Hi[0] = 1, 1 // x(t) = 1 + t
	cases := []struct {
		name string
		op   func(dst, a *Jet)
		x    *Jet
		want []float64
	}{
		{"exp", Exp, id, []float64{1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040}},
		{"log(1+t)", Log, shift, []float64{0, 1, -1.0 / 2, 1.0 / 3, -1.0 / 4, 1.0 / 5, -1.0 / 6, 1.0 / 7}},
		{"tanh", Tanh, id, []float64{0, 1, 0, -1.0 / 3, 0, 2.0 / 15, 0, -17.0 / 315}},
		{"atan", Atan, id, []float64{0, 1, 0, -1.0 / 3, 0, 1.0 / 5, 0, -1.0 / 7}},
		{"sigmoid", Sigmoid, id, []float64{0.5, 1.0 / 4, 0, -1.0 / 48, 0, 1.0 / 480, 0, -17.0 / 80640}},
		{"softplus", Softplus, id, []float64{math.Ln2, 1.0 / 2, 1.0 / 8, 0, -1.0 / 192, 0, 1.0 / 2880, 0}},
	}
	for _, tc := range cases {
		y := New(1, 1, K)
		tc.op(y, tc.x)
		for k, w := range tc.want {
			if got := y.At(k, 0, 0); math.Abs(got-w) > 4e-16*math.Max(1, math.Abs(w)) {
				t.Errorf("%s: coefficient %d = %.17g, want %.17g", tc.name, k, got, w)
			}
		}
	}
}

// TestProducts checks Mul, SumSquares, RowSums, Linear, Affine, Axpy,
// Cols and ReLU against the same polynomials multiplied out directly.
func TestProducts(t *testing.T) {
	const n, cols, K = 2, 3, 5
	a, b := input(n, cols, K, 1), input(n, cols, K, 2)
	m := New(n, cols, K)
	Mul(m, a, b)
	sq := New(n, 1, K)
	SumSquares(sq, a)
	rs := New(n, 1, K)
	RowSums(rs, a)
	for r := range n {
		for k := 0; k <= K; k++ {
			wantSq, wantRs := 0.0, 0.0
			for c := range cols {
				want := 0.0
				for i := 0; i <= k; i++ {
					want += a.At(i, r, c) * b.At(k-i, r, c)
					wantSq += a.At(i, r, c) * a.At(k-i, r, c)
				}
				wantRs += a.At(k, r, c)
				if got := m.At(k, r, c); math.Abs(got-want) > 1e-14 {
					t.Errorf("Mul order %d row %d col %d: %v, want %v", k, r, c, got, want)
				}
			}
			if got := sq.At(k, r, 0); math.Abs(got-wantSq) > 1e-13 {
				t.Errorf("SumSquares order %d row %d: %v, want %v", k, r, got, wantSq)
			}
			if got := rs.At(k, r, 0); math.Abs(got-wantRs) > 1e-14 {
				t.Errorf("RowSums order %d row %d: %v, want %v", k, r, got, wantRs)
			}
		}
	}
	// Linear: W a + bias, the bias at order 0 only.
	w := kernels.Matrix[float64]{Rows: 2, Cols: cols, Data: []float64{1, 2, 3, -1, 0.5, 0.25}, Stride: cols}
	bias := []float64{10, 20}
	l := New(n, 2, K)
	Linear(l, w, bias, a)
	for r := range n {
		for k := 0; k <= K; k++ {
			for i := range 2 {
				want := 0.0
				for c := range cols {
					want += w.Data[i*cols+c] * a.At(k, r, c)
				}
				if k == 0 {
					want += bias[i]
				}
				if got := l.At(k, r, i); math.Abs(got-want) > 1e-13 {
					t.Errorf("Linear order %d row %d out %d: %v, want %v", k, r, i, got, want)
				}
			}
		}
	}
	// Affine, Axpy and Cols.
	af := New(n, cols, K)
	Affine(af, a, -2, 3)
	Axpy(af, 2, a) // back to the constant 3
	for k := 0; k <= K; k++ {
		want := 0.0
		if k == 0 {
			want = 3
		}
		for r := range n {
			for c := range cols {
				if got := af.At(k, r, c); math.Abs(got-want) > 1e-15 {
					t.Errorf("Affine+Axpy order %d: %v, want %v", k, got, want)
				}
			}
		}
	}
	c1 := Cols(a, 1, 2)
	for k := 0; k <= K; k++ {
		for r := range n {
			for c := range 2 {
				if c1.At(k, r, c) != a.At(k, r, c+1) {
					t.Errorf("Cols order %d row %d col %d", k, r, c)
				}
			}
		}
	}
	// ReLU: kept where the point is positive, zero elsewhere.
	rl := New(n, cols, K)
	ReLU(rl, a)
	for k := 0; k <= K; k++ {
		for r := range n {
			for c := range cols {
				want := 0.0
				if a.V0[c] > 0 {
					want = a.At(k, r, c)
				}
				if rl.At(k, r, c) != want {
					t.Errorf("ReLU order %d row %d col %d: %v, want %v", k, r, c, rl.At(k, r, c), want)
				}
			}
		}
	}
}

func TestShapePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Mul":   func() { Mul(New(1, 2, 3), New(1, 2, 3), New(1, 3, 3)) },
		"Add":   func() { Add(New(1, 2, 3), New(2, 2, 3), New(1, 2, 3)) },
		"Exp":   func() { Exp(New(1, 2, 3), New(1, 2, 2)) },
		"Rows":  func() { RowSums(New(1, 2, 3), New(1, 2, 3)) },
		"Cols":  func() { Cols(New(1, 2, 3), 1, 2) },
		"New":   func() { New(-1, 2, 3) },
		"Gathr": func() { Gather(New(2, 1, 3), New(1, 2, 3), []int{0}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
