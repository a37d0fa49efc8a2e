package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// The affine coupling kernels on a batch of 256 rows of n features (the
// issue's shape is n = 512), every clamp, both precisions: ours against the
// straightforward math-package loop (testkit.NaiveCoupling*, float64 only)
// and against the bare Exp kernel on the same number of elements, the cost
// the fused kernels should approach; and NICE's AdditiveInverse against the
// Go loop. The rate column reads in Gelem/s (elements of the batch per
// second).

func init() { caseSets = append(caseSets, couplingCases) }

const couplingRows = 256

type couplingData[T ref.Float] struct {
	x, s, t, y, dx, ds kernels.Matrix[T]
	logdet             []T
}

func newCouplingData[T ref.Float](n int) *couplingData[T] {
	r := rand.New(rand.NewPCG(5, uint64(n)))
	mk := func() kernels.Matrix[T] {
		m := kernels.Matrix[T]{Rows: couplingRows, Cols: n, Stride: n, Data: make([]T, couplingRows*n)}
		for i := range m.Data {
			m.Data[i] = T(r.NormFloat64())
		}
		return m
	}
	return &couplingData[T]{x: mk(), s: mk(), t: mk(), y: mk(), dx: mk(), ds: mk(), logdet: make([]T, couplingRows)}
}

// couplingClamps are the clamps measured, with the suffix of their
// manifest rows (CouplingClampTanh, CouplingClampGradTanh, ...).
var couplingClamps = []struct {
	name, row string
	c         kernels.Clamp
}{
	{"none", "None", kernels.Clamp{Kind: kernels.ClampNone}},
	{"tanh", "Tanh", kernels.Clamp{Kind: kernels.ClampTanh, A: 2}},
	{"atan", "Atan", kernels.Clamp{Kind: kernels.ClampAtan, A: 1.5}},
}

// couplingRuns returns the manifest rows a coupling in direction d ("Fwd",
// "Inv" or "Bwd") with the clamp of row runs: the clamp's kernel, then the
// unclamped one on c (forward and inverse with its fused row sum), then,
// backward, the chain rule through the clamp (Mul for tanh).
func couplingRuns(d, row string) []string {
	runs := []string{"Coupling" + d + "None"}
	if d != "Bwd" {
		runs = append(runs, "Coupling"+d+"NoneSum")
	}
	switch {
	case row == "None":
	case d != "Bwd":
		runs = append(runs, "CouplingClamp"+row)
	case row == "Tanh":
		runs = append(runs, "CouplingClampGradTanh", "Mul")
	default:
		runs = append(runs, "CouplingClampGrad"+row, "CouplingChain"+row)
	}
	return runs
}

func couplingCases() []kernelCase {
	return append(couplingCasesOf[float64]("float64"), couplingCasesOf[float32]("float32")...)
}

func couplingCasesOf[T ref.Float](prec string) []kernelCase {
	var cs []kernelCase
	var z T
	size := int(sizeOf(z))
	exp := peer{"Exp", func(n int) func() {
		d := newCouplingData[T](n)
		return func() { kernels.Exp(d.y.Data, d.s.Data) }
	}}
	// add appends a case; naive is the float64 math-package loop (nil: none).
	add := func(name string, runs []string, streams int, ours, naive func(d *couplingData[T])) {
		peers := []peer{exp}
		if naive != nil {
			peers = append([]peer{{"math", func(n int) func() { d := newCouplingData[T](n); return func() { naive(d) } }}}, peers...)
		}
		cs = append(cs, kernelCase{kernel: name, prec: prec, elems: true, runs: runs,
			work:  func(n int) (int, int) { return couplingRows * n, couplingRows * n * size * streams },
			sizes: []int{512}, quickSizes: []int{64}, side: true,
			ours:  func(n int) func() { d := newCouplingData[T](n); return func() { ours(d) } },
			peers: peers})
	}
	// naiveOf returns the float64 loop, nil for float32.
	naiveOf := func(f func(d *couplingData[float64])) func(d *couplingData[T]) {
		if _, ok := any(z).(float64); !ok {
			return nil
		}
		return func(d *couplingData[T]) { f(any(d).(*couplingData[float64])) }
	}
	for _, cl := range couplingClamps {
		c, kind := cl.c, int(cl.c.Kind)
		add("CouplingForward-"+cl.name, couplingRuns("Fwd", cl.row), 4,
			func(d *couplingData[T]) { kernels.CouplingForward(d.y, d.x, d.s, d.t, d.logdet, c) },
			naiveOf(func(d *couplingData[float64]) {
				testkit.NaiveCouplingForward(d.y.Data, d.x.Data, d.s.Data, d.t.Data, d.logdet, d.x.Cols, kind, c.A)
			}))
		add("CouplingInverse-"+cl.name, couplingRuns("Inv", cl.row), 4,
			func(d *couplingData[T]) { kernels.CouplingInverse(d.x, d.y, d.s, d.t, d.logdet, c) },
			naiveOf(func(d *couplingData[float64]) {
				testkit.NaiveCouplingInverse(d.x.Data, d.y.Data, d.s.Data, d.t.Data, d.logdet, d.x.Cols, kind, c.A)
			}))
		add("CouplingBackward-"+cl.name, couplingRuns("Bwd", cl.row), 5,
			func(d *couplingData[T]) {
				kernels.CouplingBackward(d.dx, d.ds, kernels.Matrix[T]{}, d.y, d.logdet, d.x, d.s, c)
			},
			naiveOf(func(d *couplingData[float64]) {
				testkit.NaiveCouplingBackward(d.dx.Data, d.ds.Data, d.y.Data, d.logdet, d.x.Data, d.s.Data, d.x.Cols, kind, c.A)
			}))
	}
	// The math peer of AdditiveInverse is the subtraction loop, in either
	// precision.
	cs = append(cs, kernelCase{kernel: "CouplingAdditiveInverse", prec: prec, elems: true, runs: []string{"CouplingSub"},
		work:  func(n int) (int, int) { return couplingRows * n, couplingRows * n * size * 3 },
		sizes: []int{512}, quickSizes: []int{64}, side: true,
		ours: func(n int) func() {
			d := newCouplingData[T](n)
			return func() { kernels.AdditiveInverse(d.x, d.y, d.t) }
		},
		peers: []peer{{"math", func(n int) func() {
			d := newCouplingData[T](n)
			return func() { subLoop(d.x.Data, d.y.Data, d.t.Data) }
		}}}})
	return cs
}

//go:noinline
func subLoop[T ref.Float](x, y, t []T) {
	for i, v := range y {
		x[i] = v - t[i]
	}
}

func sizeOf[T ref.Float](T) uintptr {
	if _, ok := any(T(0)).(float64); ok {
		return 8
	}
	return 4
}
