package main

import (
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/dd"
	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// The vector math functions against the math package loop (and SLEEF with
// -tags sleef). Work is counted as one "flop" per element, so the rate
// column of these rows reads in Gelem/s; the ratios compare implementations
// on the same inputs.

func init() { caseSets = append(caseSets, vmathCases) }

// vmathFunc is one vector math function with both precisions, its math
// package spelling and the input range its benchmark draws from, and for
// the equivalence run (equiv_vmath.go) its reference and its double-double
// truth. The name is its gen/manifest row: TestEveryKernelMeasured fails for
// a vector math kernel without a vmathFunc.
type vmathFunc struct {
	name             string
	k64              func(dst, x []float64)
	k32              func(dst, x []float32)
	math             func(float64) float64
	input            func(r *rand.Rand) float64 // an ordinary argument
	bound64, bound32 float64                    // error bounds in ulps
	ref64            func(float64) float64
	ref32            func(float32) float32
	truth            func(float64) (dd.DD, int) // exact value = DD * 2^int
}

var vmathFuncs = []vmathFunc{
	{"Exp", kernels.Exp[float64], kernels.Exp[float32], math.Exp, normal(4), 1, 1, ref.Exp64, ref.Exp32, dd.ExpScaled},
	{"Log", kernels.Log[float64], kernels.Log[float32], math.Log, logNormal(4), 1, 1, ref.Log64, ref.Log32, ofDD(dd.Log)},
	{"Expm1", kernels.Expm1[float64], kernels.Expm1[float32], math.Expm1, normal(4), 1, 1, ref.Expm1[float64], ref.Expm1[float32], plain(dd.Expm1)},
	{"Log1p", kernels.Log1p[float64], kernels.Log1p[float32], math.Log1p, log1pArg, 1, 1, ref.Log1p[float64], ref.Log1p[float32], ofDD(dd.Log1p)},
	{"Tanh", kernels.Tanh[float64], kernels.Tanh[float32], math.Tanh, normal(3), 2, 1, ref.Tanh[float64], ref.Tanh[float32], plain(dd.Tanh)},
	{"Sigmoid", kernels.Sigmoid[float64], kernels.Sigmoid[float32], sigmoid, normal(4), 2, 1, ref.Sigmoid[float64], ref.Sigmoid[float32], dd.SigmoidScaled},
	{"Softplus", kernels.Softplus[float64], kernels.Softplus[float32], softplus, normal(4), 2, 1, ref.Softplus[float64], ref.Softplus[float32], dd.SoftplusScaled},
	{"Atan", kernels.Atan[float64], kernels.Atan[float32], math.Atan, normal(4), 2, 1, ref.Atan[float64], ref.Atan[float32], plain(dd.Atan)},
}

// plain and ofDD are truths without a power-of-two scale.
func plain(f func(float64) dd.DD) func(float64) (dd.DD, int) {
	return func(x float64) (dd.DD, int) { return f(x), 0 }
}

func ofDD(f func(dd.DD) dd.DD) func(float64) (dd.DD, int) {
	return func(x float64) (dd.DD, int) { return f(dd.F(x)), 0 }
}

func normal(s float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return s * r.NormFloat64() }
}

func logNormal(s float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return math.Exp(s * r.NormFloat64()) }
}

func log1pArg(r *rand.Rand) float64 { return math.Exp(4*r.NormFloat64()) - 0.9 }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func vmathInputs64(f vmathFunc, n int) (dst, x []float64) {
	r := rand.New(rand.NewPCG(3, uint64(len(f.name))))
	x, dst = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = f.input(r)
	}
	return dst, x
}

func vmathInputs32(f vmathFunc, n int) (dst, x []float32) {
	d64, x64 := vmathInputs64(f, n)
	dst, x = make([]float32, len(d64)), make([]float32, n)
	for i := range x {
		x[i] = float32(x64[i])
	}
	return dst, x
}

func vmathCases() []kernelCase {
	var cs []kernelCase
	sizes := []int{4096, 1 << 20}
	for _, f := range vmathFuncs {
		cs = append(cs,
			kernelCase{kernel: f.name, prec: "float64", work: linear(1, 16), elems: true, sizes: sizes, quickSizes: sizes[:1],
				ours: func(n int) func() { d, x := vmathInputs64(f, n); return func() { f.k64(d, x) } },
				peers: []peer{{"math", func(n int) func() {
					d, x := vmathInputs64(f, n)
					return func() { mathLoop64(f.math, d, x) }
				}}}},
			kernelCase{kernel: f.name, prec: "float32", work: linear(1, 8), elems: true, sizes: sizes, quickSizes: sizes[:1],
				ours: func(n int) func() { d, x := vmathInputs32(f, n); return func() { f.k32(d, x) } },
				peers: []peer{{"math", func(n int) func() {
					d, x := vmathInputs32(f, n)
					return func() { mathLoop32(f.math, d, x) }
				}}}})
	}
	return cs
}

//go:noinline
func mathLoop64(g func(float64) float64, dst, x []float64) {
	for i, v := range x {
		dst[i] = g(v)
	}
}

//go:noinline
func mathLoop32(g func(float64) float64, dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(g(float64(v)))
	}
}
