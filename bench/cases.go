package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// A kernelCase is one kernel at one precision: how many flops it does per
// element, how to run ours, and how to run gonum's equivalent (nil if gonum
// has none).
type kernelCase struct {
	kernel, prec string
	flops        int
	ours         func(n int) func()
	gonum        func(n int) func()
}

var (
	sink64 float64
	sink32 float32
)

func vectors64(n int) (x, y []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = r.NormFloat64(), 1e-3*r.NormFloat64()
	}
	return x, y
}

func vectors32(n int) (x, y []float32) {
	a, b := vectors64(n)
	x, y = make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(a[i]), float32(b[i])
	}
	return x, y
}

func v64(s []float64) blas64.Vector { return blas64.Vector{N: len(s), Inc: 1, Data: s} }
func v32(s []float32) blas32.Vector { return blas32.Vector{N: len(s), Inc: 1, Data: s} }

// cases lists every kernel the report measures. Axpy and Scale use factors
// that keep repeated calls finite and out of the subnormal range.
func cases() []kernelCase {
	return []kernelCase{
		{"Dot", "float64", 2,
			func(n int) func() { x, y := vectors64(n); return func() { sink64 = kernels.Dot(x, y) } },
			func(n int) func() { x, y := vectors64(n); return func() { sink64 = blas64.Dot(v64(x), v64(y)) } }},
		{"Dot", "float32", 2,
			func(n int) func() { x, y := vectors32(n); return func() { sink32 = kernels.Dot(x, y) } },
			func(n int) func() { x, y := vectors32(n); return func() { sink32 = blas32.Dot(v32(x), v32(y)) } }},
		{"Axpy", "float64", 2,
			func(n int) func() { x, y := vectors64(n); return func() { kernels.Axpy(1e-9, x, y) } },
			func(n int) func() { x, y := vectors64(n); return func() { blas64.Axpy(1e-9, v64(x), v64(y)) } }},
		{"Axpy", "float32", 2,
			func(n int) func() { x, y := vectors32(n); return func() { kernels.Axpy(1e-9, x, y) } },
			func(n int) func() { x, y := vectors32(n); return func() { blas32.Axpy(1e-9, v32(x), v32(y)) } }},
		{"Sum", "float64", 1,
			func(n int) func() { x, _ := vectors64(n); return func() { sink64 = kernels.Sum(x) } },
			func(n int) func() { x, _ := vectors64(n); return func() { sink64 = floats.Sum(x) } }},
		{"Sum", "float32", 1,
			func(n int) func() { x, _ := vectors32(n); return func() { sink32 = kernels.Sum(x) } }, nil},
		{"Scale", "float64", 1,
			func(n int) func() { x, _ := vectors64(n); return func() { kernels.Scale(1, x) } },
			func(n int) func() { x, _ := vectors64(n); return func() { blas64.Scal(1, v64(x)) } }},
		{"Scale", "float32", 1,
			func(n int) func() { x, _ := vectors32(n); return func() { kernels.Scale(1, x) } },
			func(n int) func() { x, _ := vectors32(n); return func() { blas32.Scal(1, v32(x)) } }},
		{"Add", "float64", 1,
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Add(d, x, y) }
			},
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { floats.AddTo(d, x, y) }
			}},
		{"Add", "float32", 1,
			func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Add(d, x, y) }
			}, nil},
		{"Mul", "float64", 1,
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Mul(d, x, y) }
			},
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { floats.MulTo(d, x, y) }
			}},
		{"Mul", "float32", 1,
			func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Mul(d, x, y) }
			}, nil},
	}
}
