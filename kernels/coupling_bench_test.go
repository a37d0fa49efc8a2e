package kernels

import (
	"fmt"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The coupling benchmarks on the shape, B x d = 256 x 512 float64:
// ours against a straightforward pure-Go loop with the math package (testkit.NaiveCoupling*), and
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

func couplingForwardMath(y, x, s, t Matrix[float64], logdet []float64, c Clamp) {
	tk.NaiveCouplingForward(y.Data, x.Data, s.Data, t.Data, logdet, x.Cols, int(c.Kind), c.A)
}

func couplingInverseMath(x, y, s, t Matrix[float64], logdet []float64, c Clamp) {
	tk.NaiveCouplingInverse(x.Data, y.Data, s.Data, t.Data, logdet, x.Cols, int(c.Kind), c.A)
}

func couplingBackwardMath(dx, ds, dy Matrix[float64], dl []float64, x, s Matrix[float64], c Clamp) {
	tk.NaiveCouplingBackward(dx.Data, ds.Data, dy.Data, dl, x.Data, s.Data, x.Cols, int(c.Kind), c.A)
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
func additiveInverseOurs(x, y, t Matrix[float64]) { AdditiveInverse(x, y, t) }

//go:noinline
func additiveInverseLoop(x, y, t Matrix[float64]) {
	for i, v := range y.Data {
		x.Data[i] = v - t.Data[i]
	}
}

//go:noinline
func expOurs(dst, x []float64) { Exp(dst, x) }

func BenchmarkCoupling(b *testing.B) {
	const rows, cols = 256, 512
	d := newCouplingBench(rows, cols)
	elems := float64(rows * cols)
	b.Run("Exp", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			expOurs(d.flatOut, d.flat)
		}
		b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	// NICE's inverse, y - t row by row (the CouplingSub kernel), against
	// the Go loop.
	for _, impl := range []string{"ours", "math"} {
		b.Run("AdditiveInverse/"+impl, func(b *testing.B) {
			f := additiveInverseOurs
			if impl == "math" {
				f = additiveInverseLoop
			}
			defer tk.CPUTime(b)()
			for b.Loop() {
				f(d.dx, d.y, d.t)
			}
			b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
	for _, c := range testClamps {
		name := map[ClampKind]string{ClampNone: "none", ClampTanh: "tanh", ClampAtan: "atan"}[c.Kind]
		for _, impl := range []string{"ours", "math"} {
			b.Run(fmt.Sprintf("Forward/%s/%s", name, impl), func(b *testing.B) {
				f := couplingForwardOurs
				if impl == "math" {
					f = couplingForwardMath
				}
				defer tk.CPUTime(b)()
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
				defer tk.CPUTime(b)()
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
				defer tk.CPUTime(b)()
				for b.Loop() {
					f(d.dx, d.ds, d.y, d.logdet, d.x, d.s, c)
				}
				b.ReportMetric(elems*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
		}
	}
}
