package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// The affine coupling kernels on a batch of 256 rows of n features
// (float64; the shape is n = 512): ours against the straightforward
// math-package loop (testkit.NaiveCoupling*) and against the bare Exp kernel on the
// same number of elements, the cost the fused kernels should approach. The
// rate column reads in Gelem/s (elements of the batch per second).

func init() { caseSets = append(caseSets, couplingCases) }

const couplingRows = 256

type couplingData struct {
	x, s, t, y, dx, ds kernels.Matrix[float64]
	logdet             []float64
}

func newCouplingData(n int) *couplingData {
	r := rand.New(rand.NewPCG(5, uint64(n)))
	mk := func() kernels.Matrix[float64] {
		m := kernels.Matrix[float64]{Rows: couplingRows, Cols: n, Stride: n, Data: make([]float64, couplingRows*n)}
		for i := range m.Data {
			m.Data[i] = r.NormFloat64()
		}
		return m
	}
	return &couplingData{x: mk(), s: mk(), t: mk(), y: mk(), dx: mk(), ds: mk(), logdet: make([]float64, couplingRows)}
}

func couplingCases() []kernelCase {
	var cs []kernelCase
	clamps := []struct {
		name string
		c    kernels.Clamp
	}{{"none", kernels.Clamp{Kind: kernels.ClampNone}}, {"tanh", kernels.Clamp{Kind: kernels.ClampTanh, A: 2}}}
	exp := peer{"Exp", func(n int) func() {
		d := newCouplingData(n)
		return func() { kernels.Exp(d.y.Data, d.s.Data) }
	}}
	for _, cl := range clamps {
		c, kind := cl.c, int(cl.c.Kind)
		add := func(name string, streams int, ours, naiveRun func(d *couplingData)) {
			cs = append(cs, kernelCase{kernel: name + "-" + cl.name, prec: "float64", elems: true,
				work:  func(n int) (int, int) { return couplingRows * n, couplingRows * n * 8 * streams },
				sizes: []int{512}, quickSizes: []int{64},
				ours:  func(n int) func() { d := newCouplingData(n); return func() { ours(d) } },
				peers: []peer{{"math", func(n int) func() { d := newCouplingData(n); return func() { naiveRun(d) } }}, exp}})
		}
		add("CouplingForward", 4, func(d *couplingData) { kernels.CouplingForward(d.y, d.x, d.s, d.t, d.logdet, c) },
			func(d *couplingData) {
				testkit.NaiveCouplingForward(d.y.Data, d.x.Data, d.s.Data, d.t.Data, d.logdet, d.x.Cols, kind, c.A)
			})
		add("CouplingInverse", 4, func(d *couplingData) { kernels.CouplingInverse(d.x, d.y, d.s, d.t, d.logdet, c) },
			func(d *couplingData) {
				testkit.NaiveCouplingInverse(d.x.Data, d.y.Data, d.s.Data, d.t.Data, d.logdet, d.x.Cols, kind, c.A)
			})
		add("CouplingBackward", 5, func(d *couplingData) {
			kernels.CouplingBackward(d.dx, d.ds, kernels.Matrix[float64]{}, d.y, d.logdet, d.x, d.s, c)
		}, func(d *couplingData) {
			testkit.NaiveCouplingBackward(d.dx.Data, d.ds.Data, d.y.Data, d.logdet, d.x.Data, d.s.Data, d.x.Cols, kind, c.A)
		})
	}
	return cs
}
