package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
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

func init() { caseSets = append(caseSets, vecCases) }

// vecCases are the vector building blocks. Axpy and Scale use factors that
// keep repeated calls finite and out of the subnormal range; Scale's is -1,
// not 1, which BLAS implementations (OpenBLAS among them) skip as a no-op.
func vecCases() []kernelCase {
	return []kernelCase{
		{kernel: "Dot", prec: "float64", work: linear(2, 16),
			ours: func(n int) func() { x, y := vectors64(n); return func() { sink64 = kernels.Dot(x, y) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, y := vectors64(n); return func() { sink64 = blas64.Dot(v64(x), v64(y)) } }},
			}},
		{kernel: "Dot", prec: "float32", work: linear(2, 8),
			ours: func(n int) func() { x, y := vectors32(n); return func() { sink32 = kernels.Dot(x, y) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, y := vectors32(n); return func() { sink32 = blas32.Dot(v32(x), v32(y)) } }},
			}},
		{kernel: "Axpy", prec: "float64", written: perElem(8), work: linear(2, 24),
			ours: func(n int) func() { x, y := vectors64(n); return func() { kernels.Axpy(1e-9, x, y) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, y := vectors64(n); return func() { blas64.Axpy(1e-9, v64(x), v64(y)) } }},
			}},
		{kernel: "Axpy", prec: "float32", written: perElem(4), work: linear(2, 12),
			ours: func(n int) func() { x, y := vectors32(n); return func() { kernels.Axpy(1e-9, x, y) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, y := vectors32(n); return func() { blas32.Axpy(1e-9, v32(x), v32(y)) } }},
			}},
		{kernel: "Sum", prec: "float64", work: linear(1, 8),
			ours: func(n int) func() { x, _ := vectors64(n); return func() { sink64 = kernels.Sum(x) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, _ := vectors64(n); return func() { sink64 = floats.Sum(x) } }},
			}},
		{kernel: "Sum", prec: "float32", work: linear(1, 4),
			ours:  func(n int) func() { x, _ := vectors32(n); return func() { sink32 = kernels.Sum(x) } },
			peers: []peer{}},
		{kernel: "Scale", prec: "float64", written: perElem(8), work: linear(1, 16),
			ours: func(n int) func() { x, _ := vectors64(n); return func() { kernels.Scale(-1, x) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, _ := vectors64(n); return func() { blas64.Scal(-1, v64(x)) } }},
			}},
		{kernel: "Scale", prec: "float32", written: perElem(4), work: linear(1, 8),
			ours: func(n int) func() { x, _ := vectors32(n); return func() { kernels.Scale(-1, x) } },
			peers: []peer{
				{"gonum", func(n int) func() { x, _ := vectors32(n); return func() { blas32.Scal(-1, v32(x)) } }},
			}},
		{kernel: "Add", prec: "float64", written: perElem(8), work: linear(1, 24),
			ours: func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Add(d, x, y) }
			},
			peers: []peer{
				{"gonum", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { floats.AddTo(d, x, y) }
				}},
			}},
		{kernel: "Add", prec: "float32", written: perElem(4), work: linear(1, 12),
			ours: func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Add(d, x, y) }
			},
			peers: []peer{}},
		{kernel: "Mul", prec: "float64", written: perElem(8), work: linear(1, 24),
			ours: func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Mul(d, x, y) }
			},
			peers: []peer{
				{"gonum", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { floats.MulTo(d, x, y) }
				}},
			}},
		{kernel: "Mul", prec: "float32", written: perElem(4), work: linear(1, 12),
			ours: func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Mul(d, x, y) }
			},
			peers: []peer{}},
		// tanh's backward pass, g = g (1 - y^2); no peer has the kernel.
		{kernel: "TanhGrad", prec: "float64", written: perElem(8), work: linear(3, 24),
			ours: func(n int) func() {
				g, y := vectors64(n)
				return func() { kernels.TanhGrad(g, g, y) }
			},
			peers: []peer{}},
		{kernel: "TanhGrad", prec: "float32", written: perElem(4), work: linear(3, 12),
			ours: func(n int) func() {
				g, y := vectors32(n)
				return func() { kernels.TanhGrad(g, g, y) }
			},
			peers: []peer{}},
		// ReLU's backward pass, g = g where y > 0; no peer has the kernel.
		{kernel: "KeepPositive", prec: "float64", written: perElem(8), work: linear(1, 24),
			ours: func(n int) func() {
				g, y := vectors64(n)
				return func() { kernels.KeepPositive(g, g, y) }
			},
			peers: []peer{}},
		{kernel: "KeepPositive", prec: "float32", written: perElem(4), work: linear(1, 12),
			ours: func(n int) func() {
				g, y := vectors32(n)
				return func() { kernels.KeepPositive(g, g, y) }
			},
			peers: []peer{}},
	}
}
