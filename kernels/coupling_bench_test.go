package kernels

import (
	"fmt"
	"math"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The coupling benchmarks on the shape, B x d = 256 x 512 float64:
// ours against a straightforward pure-Go loop with the math package, and
// against the bare Exp kernel on the same number of elements (the bound the
// fused kernels should approach). Compare the ns/op of one run.

type couplingBench struct {
	x, s, t, y, dx, ds Matrix[float64]
	logdet             []float64
	flat, flatOut      []float64
}

func newCouplingBench(rows, cols int) *couplingBench {
	r := tk.NewRand(21)
	mk := func() Matrix[float64] {
		m := Matrix[float64]{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		for i := range m.Data {
			m.Data[i] = r.NormFloat64()
		}
		return m
	}
	b := &couplingBench{x: mk(), s: mk(), t: mk(), y: mk(), dx: mk(), ds: mk(), logdet: make([]float64, rows)}
	b.flat, b.flatOut = b.s.Data, b.dx.Data
	return b
}

//go:noinline
func couplingForwardMath(y, x, s, t Matrix[float64], logdet []float64, c Clamp) {
	for b := range x.Rows {
		sum := 0.0
		for j := range x.Cols {
			sv := s.Data[b*s.Stride+j]
			switch c.Kind {
			case ClampTanh:
				sv = c.A * math.Tanh(sv/c.A)
			case ClampAtan:
				sv = 2 * c.A / math.Pi * math.Atan(sv/c.A)
			}
			y.Data[b*y.Stride+j] = x.Data[b*x.Stride+j]*math.Exp(sv) + t.Data[b*t.Stride+j]
			sum += sv
		}
		logdet[b] += sum
	}
}

//go:noinline
func couplingInverseMath(x, y, s, t Matrix[float64], logdet []float64, c Clamp) {
	for b := range x.Rows {
		sum := 0.0
		for j := range x.Cols {
			sv := s.Data[b*s.Stride+j]
			switch c.Kind {
			case ClampTanh:
				sv = c.A * math.Tanh(sv/c.A)
			case ClampAtan:
				sv = 2 * c.A / math.Pi * math.Atan(sv/c.A)
			}
			x.Data[b*x.Stride+j] = (y.Data[b*y.Stride+j] - t.Data[b*t.Stride+j]) * math.Exp(-sv)
			sum += sv
		}
		logdet[b] -= sum
	}
}

//go:noinline
func couplingBackwardMath(dx, ds, dy Matrix[float64], dl []float64, x, s Matrix[float64], c Clamp) {
	for b := range x.Rows {
		for j := range x.Cols {
			sv := s.Data[b*s.Stride+j]
			cv, dc := sv, 1.0
			switch c.Kind {
			case ClampTanh:
				h := math.Tanh(sv / c.A)
				cv, dc = c.A*h, 1-h*h
			case ClampAtan:
				u := sv / c.A
				cv, dc = 2*c.A/math.Pi*math.Atan(u), 2/math.Pi/(1+u*u)
			}
			g := dy.Data[b*dy.Stride+j] * math.Exp(cv)
			dx.Data[b*dx.Stride+j] = g
			ds.Data[b*ds.Stride+j] = (g*x.Data[b*x.Stride+j] + dl[b]) * dc
		}
	}
}

//go:noinline
func couplingForwardOurs(y, x, s, t Matrix[float64], logdet []float64, c Clamp) {
	CouplingForward(y, x, s, t, logdet, c)
}

//go:noinline
func couplingInverseOurs(x, y, s, t Matrix[float64], logdet []float64, c Clamp) {
	CouplingInverse(x, y, s, t, logdet, c)
}

//go:noinline
func couplingBackwardOurs(dx, ds, dy Matrix[float64], dl []float64, x, s Matrix[float64], c Clamp) {
	CouplingBackward(dx, ds, Matrix[float64]{}, dy, dl, x, s, c)
}

//go:noinline
func expOurs(dst, x []float64) { Exp(dst, x) }

func BenchmarkCoupling(b *testing.B) {
	const rows, cols = 256, 512
	d := newCouplingBench(rows, cols)
	elems := float64(rows * cols)
	b.Run("Exp", func(b *testing.B) {
		for b.Loop() {
			expOurs(d.flatOut, d.flat)
		}
		b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	for _, c := range testClamps {
		name := map[ClampKind]string{ClampNone: "none", ClampTanh: "tanh", ClampAtan: "atan"}[c.Kind]
		for _, impl := range []string{"ours", "math"} {
			b.Run(fmt.Sprintf("Forward/%s/%s", name, impl), func(b *testing.B) {
				f := couplingForwardOurs
				if impl == "math" {
					f = couplingForwardMath
				}
				for b.Loop() {
					f(d.y, d.x, d.s, d.t, d.logdet, c)
				}
				b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
			b.Run(fmt.Sprintf("Inverse/%s/%s", name, impl), func(b *testing.B) {
				f := couplingInverseOurs
				if impl == "math" {
					f = couplingInverseMath
				}
				for b.Loop() {
					f(d.y, d.x, d.s, d.t, d.logdet, c)
				}
				b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
			b.Run(fmt.Sprintf("Backward/%s/%s", name, impl), func(b *testing.B) {
				f := couplingBackwardOurs
				if impl == "math" {
					f = couplingBackwardMath
				}
				for b.Loop() {
					f(d.dx, d.ds, d.y, d.logdet, d.x, d.s, c)
				}
				b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
		}
	}
}
