package main

import (
	"fmt"
	"github.com/flowkern/flowkern/internal/testkit"
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/dd"
	"github.com/flowkern/flowkern/internal/ref"
)

// The vector math functions in the equivalence run: every element must
// equal internal/ref bit for bit, and the largest error against the
// double-double truth (internal/dd), in ulps of the exact result, is the
// row's MaxErr: the ulp table (function x tier x precision) that
// kernels/vmath_test.go measures the same way.

func init() { equivSets = append(equivSets, vmathChecks) }

var vmathTruth = map[string]func(float64) (dd.DD, int){
	"Exp":      dd.ExpScaled,
	"Log":      func(x float64) (dd.DD, int) { return dd.Log(dd.F(x)), 0 },
	"Expm1":    func(x float64) (dd.DD, int) { return dd.Expm1(x), 0 },
	"Log1p":    func(x float64) (dd.DD, int) { return dd.Log1p(dd.F(x)), 0 },
	"Tanh":     func(x float64) (dd.DD, int) { return dd.Tanh(x), 0 },
	"Sigmoid":  dd.SigmoidScaled,
	"Softplus": dd.SoftplusScaled,
	"Atan":     func(x float64) (dd.DD, int) { return dd.Atan(x), 0 },
}

var vmathRef64 = map[string]func(float64) float64{
	"Exp": ref.Exp64, "Log": ref.Log64, "Expm1": ref.Expm1[float64], "Log1p": ref.Log1p[float64],
	"Tanh": ref.Tanh[float64], "Sigmoid": ref.Sigmoid[float64], "Softplus": ref.Softplus[float64], "Atan": ref.Atan[float64],
}

var vmathRef32 = map[string]func(float32) float32{
	"Exp": ref.Exp32, "Log": ref.Log32, "Expm1": ref.Expm1[float32], "Log1p": ref.Log1p[float32],
	"Tanh": ref.Tanh[float32], "Sigmoid": ref.Sigmoid[float32], "Softplus": ref.Softplus[float32], "Atan": ref.Atan[float32],
}

func vmathChecks() []equivCheck {
	var cs []equivCheck
	for _, f := range vmathFuncs {
		cs = append(cs,
			equivCheck{f.name, "float64", "ulp", f.bound, func(r *rand.Rand) (string, float64) { return vmathCase64(f, r) }},
			equivCheck{f.name, "float32", "ulp", 1, func(r *rand.Rand) (string, float64) { return vmathCase32(f, r) }})
	}
	return cs
}

// vmathArg draws an argument: the function's ordinary range, a wide
// normal, or any bit pattern (NaN, Inf, subnormals included).
func vmathArg(f vmathFunc, r *rand.Rand) float64 {
	switch r.IntN(4) {
	case 0:
		return math.Float64frombits(r.Uint64())
	case 1:
		return r.NormFloat64() * math.Ldexp(1, r.IntN(24)-12)
	}
	return f.input(r)
}

func vmathCase64(f vmathFunc, r *rand.Rand) (string, float64) {
	n := 1 + r.IntN(200)
	x, dst := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = vmathArg(f, r)
	}
	f.k64(dst, x)
	worst, mismatch := 0.0, ""
	for i, v := range x {
		want := vmathRef64[f.name](v)
		if !testkit.Same(dst[i], want) && mismatch == "" {
			mismatch = fmt.Sprintf("n=%d %s(%v) = %v, reference %v", n, f.name, v, dst[i], want)
		}
		truth, k := vmathTruth[f.truthK](v)
		worst = max(worst, dd.ULPError(dst[i], truth, k, false))
	}
	return mismatch, worst
}

func vmathCase32(f vmathFunc, r *rand.Rand) (string, float64) {
	n := 1 + r.IntN(200)
	x, dst := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(vmathArg(f, r))
		if r.IntN(4) == 0 {
			x[i] = math.Float32frombits(r.Uint32())
		}
	}
	f.k32(dst, x)
	worst, mismatch := 0.0, ""
	for i, v := range x {
		want := vmathRef32[f.name](v)
		if !testkit.Same(dst[i], want) && mismatch == "" {
			mismatch = fmt.Sprintf("n=%d %s(%v) = %v, reference %v", n, f.name, v, dst[i], want)
		}
		truth, k := vmathTruth[f.truthK](float64(v))
		worst = max(worst, dd.ULPError(float64(dst[i]), truth, k, true))
	}
	return mismatch, worst
}
