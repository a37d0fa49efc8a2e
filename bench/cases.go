package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/kernels"
	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// A kernelCase is one kernel at one precision: how many flops and bytes of
// memory traffic it costs per element, how to run ours, and how to run each
// peer that has the same operation. A maker builds the data for length n
// and returns the call to time.
type kernelCase struct {
	kernel, prec string
	flops, bytes int // per element
	ours         maker
	peers        []peer
}

type maker func(n int) func()

type peer struct {
	name string
	make maker
}

// extraPeers are added by files built with the openblas or sleef tags.
var extraPeers = map[string][]peer{}

func caseKey(kernel, prec string) string { return kernel + "/" + prec }

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
	cs := []kernelCase{
		{"Dot", "float64", 2, 16,
			func(n int) func() { x, y := vectors64(n); return func() { sink64 = kernels.Dot(x, y) } },
			[]peer{
				{"gonum", func(n int) func() { x, y := vectors64(n); return func() { sink64 = blas64.Dot(v64(x), v64(y)) } }},
				{"vek", func(n int) func() { x, y := vectors64(n); return func() { sink64 = vek.Dot(x, y) } }},
			}},
		{"Dot", "float32", 2, 8,
			func(n int) func() { x, y := vectors32(n); return func() { sink32 = kernels.Dot(x, y) } },
			[]peer{
				{"gonum", func(n int) func() { x, y := vectors32(n); return func() { sink32 = blas32.Dot(v32(x), v32(y)) } }},
				{"vek", func(n int) func() { x, y := vectors32(n); return func() { sink32 = vek32.Dot(x, y) } }},
			}},
		{"Axpy", "float64", 2, 24,
			func(n int) func() { x, y := vectors64(n); return func() { kernels.Axpy(1e-9, x, y) } },
			[]peer{
				{"gonum", func(n int) func() { x, y := vectors64(n); return func() { blas64.Axpy(1e-9, v64(x), v64(y)) } }},
			}},
		{"Axpy", "float32", 2, 12,
			func(n int) func() { x, y := vectors32(n); return func() { kernels.Axpy(1e-9, x, y) } },
			[]peer{
				{"gonum", func(n int) func() { x, y := vectors32(n); return func() { blas32.Axpy(1e-9, v32(x), v32(y)) } }},
			}},
		{"Sum", "float64", 1, 8,
			func(n int) func() { x, _ := vectors64(n); return func() { sink64 = kernels.Sum(x) } },
			[]peer{
				{"gonum", func(n int) func() { x, _ := vectors64(n); return func() { sink64 = floats.Sum(x) } }},
				{"vek", func(n int) func() { x, _ := vectors64(n); return func() { sink64 = vek.Sum(x) } }},
			}},
		{"Sum", "float32", 1, 4,
			func(n int) func() { x, _ := vectors32(n); return func() { sink32 = kernels.Sum(x) } },
			[]peer{
				{"vek", func(n int) func() { x, _ := vectors32(n); return func() { sink32 = vek32.Sum(x) } }},
			}},
		{"Scale", "float64", 1, 16,
			func(n int) func() { x, _ := vectors64(n); return func() { kernels.Scale(1, x) } },
			[]peer{
				{"gonum", func(n int) func() { x, _ := vectors64(n); return func() { blas64.Scal(1, v64(x)) } }},
				{"vek", func(n int) func() { x, _ := vectors64(n); return func() { vek.MulNumber_Inplace(x, 1) } }},
			}},
		{"Scale", "float32", 1, 8,
			func(n int) func() { x, _ := vectors32(n); return func() { kernels.Scale(1, x) } },
			[]peer{
				{"gonum", func(n int) func() { x, _ := vectors32(n); return func() { blas32.Scal(1, v32(x)) } }},
				{"vek", func(n int) func() { x, _ := vectors32(n); return func() { vek32.MulNumber_Inplace(x, 1) } }},
			}},
		{"Add", "float64", 1, 24,
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Add(d, x, y) }
			},
			[]peer{
				{"gonum", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { floats.AddTo(d, x, y) }
				}},
				{"vek", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { vek.Add_Into(d, x, y) }
				}},
			}},
		{"Add", "float32", 1, 12,
			func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Add(d, x, y) }
			},
			[]peer{
				{"vek", func(n int) func() {
					x, y := vectors32(n)
					d := make([]float32, n)
					return func() { vek32.Add_Into(d, x, y) }
				}},
			}},
		{"Mul", "float64", 1, 24,
			func(n int) func() {
				x, y := vectors64(n)
				d := make([]float64, n)
				return func() { kernels.Mul(d, x, y) }
			},
			[]peer{
				{"gonum", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { floats.MulTo(d, x, y) }
				}},
				{"vek", func(n int) func() {
					x, y := vectors64(n)
					d := make([]float64, n)
					return func() { vek.Mul_Into(d, x, y) }
				}},
			}},
		{"Mul", "float32", 1, 12,
			func(n int) func() {
				x, y := vectors32(n)
				d := make([]float32, n)
				return func() { kernels.Mul(d, x, y) }
			},
			[]peer{
				{"vek", func(n int) func() {
					x, y := vectors32(n)
					d := make([]float32, n)
					return func() { vek32.Mul_Into(d, x, y) }
				}},
			}},
	}
	for i := range cs {
		cs[i].peers = append(cs[i].peers, extraPeers[caseKey(cs[i].kernel, cs[i].prec)]...)
	}
	return cs
}
