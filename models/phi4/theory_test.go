package phi4

import (
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// testShapes cover both dimensions and the degenerate extents 1 and 2,
// where x+mu and x-mu coincide.
var testShapes = [][]int{{1}, {2}, {3}, {4}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {2, 3}, {1, 4}, {4, 1}, {3, 2}}

// normals returns n standard normal numbers of stream (seed, 99).
func normals(seed uint64, n int) []float64 {
	g := kernels.NewNormal(seed, 99)
	x := make([]float64, n)
	g.Fill(x)
	return x
}

// naiveAction is the action written out literally, term by term, from
// coordinates: sum_x [sum_mu (2 phi_x^2 - phi_x phi_{x+mu} - phi_x phi_{x-mu})
// + m2 phi_x^2 + lambda phi_x^4]. It shares no code with Theory.
func naiveAction(shape []int, m2, lambda float64, phi []float64) float64 {
	l0, l1 := shape[0], 1
	if len(shape) == 2 {
		l1 = shape[1]
	}
	at := func(t, s int) float64 { return phi[((t+l0)%l0)*l1+(s+l1)%l1] }
	var sum float64
	for t := range l0 {
		for s := range l1 {
			p := at(t, s)
			sum += 2*p*p - p*at(t+1, s) - p*at(t-1, s)
			if len(shape) == 2 {
				sum += 2*p*p - p*at(t, s+1) - p*at(t, s-1)
			}
			sum += m2*p*p + lambda*p*p*p*p
		}
	}
	return sum
}

func batch(rows, cols int, data []float64) kernels.Matrix[float64] {
	return kernels.Matrix[float64]{Rows: rows, Cols: cols, Data: data, Stride: cols}
}

// Action equals the literal formula, and x^T A2 x + sum_x A4_xxxx x^4
// equals Action: the coefficients are the action as a polynomial.
func TestActionAndCoefficients(t *testing.T) {
	const m2, lambda = -0.7, 0.9
	for _, shape := range testShapes {
		th, err := New(shape, m2, lambda)
		if err != nil {
			t.Fatal(err)
		}
		v, rows := th.Sites(), 5
		phi := normals(uint64(v), rows*v)
		for i := range phi {
			phi[i] *= 1.5
		}
		s := make([]float64, rows)
		if err := th.Action(s, batch(rows, v, phi)); err != nil {
			t.Fatal(err)
		}
		a2, a4 := th.A2(), th.A4Diag()
		for i := range v {
			for j := range v {
				if a2[i*v+j] != a2[j*v+i] {
					t.Fatalf("%v: A2 not symmetric at (%d, %d)", shape, i, j)
				}
			}
		}
		for r := range rows {
			x := phi[r*v : (r+1)*v]
			want := naiveAction(shape, m2, lambda, x)
			var poly, scale float64
			for i := range v {
				for j := range v {
					poly += x[i] * a2[i*v+j] * x[j]
					scale += math.Abs(x[i] * a2[i*v+j] * x[j])
				}
				poly += a4[i] * x[i] * x[i] * x[i] * x[i]
				scale += math.Abs(a4[i] * x[i] * x[i] * x[i] * x[i])
			}
			if d := math.Abs(s[r] - want); d > 1e-13*scale {
				t.Errorf("%v row %d: Action %v, literal formula %v", shape, r, s[r], want)
			}
			if d := math.Abs(poly - want); d > 1e-13*scale {
				t.Errorf("%v row %d: polynomial %v, literal formula %v", shape, r, poly, want)
			}
		}
	}
}

// The A2 of small lattices, written out: the degenerate extents.
func TestA2Small(t *testing.T) {
	cases := []struct {
		shape []int
		want  []float64
	}{
		{[]int{1}, []float64{0.5}},
		{[]int{2}, []float64{2.5, -2, -2, 2.5}},
		{[]int{3}, []float64{2.5, -1, -1, -1, 2.5, -1, -1, -1, 2.5}},
		{[]int{1, 2}, []float64{2.5, -2, -2, 2.5}},
		{[]int{2, 2}, []float64{4.5, -2, -2, 0, -2, 4.5, 0, -2, -2, 0, 4.5, -2, 0, -2, -2, 4.5}},
	}
	for _, c := range cases {
		th, _ := New(c.shape, 0.5, 0)
		if got := th.A2(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%v: A2 = %v, want %v", c.shape, got, c.want)
		}
	}
}

// Force matches central finite differences of Action.
func TestForceFiniteDifferences(t *testing.T) {
	const h = 1e-5
	for _, shape := range testShapes {
		th, _ := New(shape, -0.7, 0.9)
		v, rows := th.Sites(), 3
		phi := normals(uint64(10+v), rows*v)
		g := make([]float64, rows*v)
		if err := th.Force(batch(rows, v, g), batch(rows, v, phi)); err != nil {
			t.Fatal(err)
		}
		s := make([]float64, 1)
		for r := range rows {
			x := append([]float64(nil), phi[r*v:(r+1)*v]...)
			for i := range v {
				old := x[i]
				x[i] = old + h
				th.Action(s, batch(1, v, x))
				sp := s[0]
				x[i] = old - h
				th.Action(s, batch(1, v, x))
				sm := s[0]
				x[i] = old
				fd := (sp - sm) / (2 * h)
				if d := math.Abs(fd - g[r*v+i]); d > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%v row %d site %d: Force %v, finite difference %v", shape, r, i, g[r*v+i], fd)
				}
			}
		}
	}
}

// FreePropagator (the Fourier sum) is the inverse of 2 A2 (gonum).
func TestFreePropagator(t *testing.T) {
	for _, shape := range testShapes {
		th, _ := New(shape, 0.3, 0)
		v := th.Sites()
		g, err := th.FreePropagator()
		if err != nil {
			t.Fatal(err)
		}
		a := mat.NewDense(v, v, th.A2())
		a.Scale(2, a)
		var inv mat.Dense
		if err := inv.Inverse(a); err != nil {
			t.Fatal(err)
		}
		tab := th.shifts()
		for r := range v {
			for x := range v {
				if d := math.Abs(inv.At(x, tab[r*v+x]) - g[r]); d > 1e-12*math.Abs(g[0]) {
					t.Errorf("%v: G(%d) = %v, (2 A2)^-1[%d][%d] = %v", shape, r, g[r], x, tab[r*v+x], inv.At(x, tab[r*v+x]))
				}
			}
		}
	}
}
