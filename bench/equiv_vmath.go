package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/dd"
	"github.com/flowkern/flowkern/internal/testkit"
)

// The vector math functions in the equivalence run: every element must
// equal internal/ref bit for bit, and the largest error against the
// double-double truth (internal/dd), in ulps of the exact result, is the
// row's MaxErr: the ulp table (function x tier x precision) that
// kernels/vmath_test.go measures the same way.

func init() { equivSets = append(equivSets, vmathChecks) }

func vmathChecks() []equivCheck {
	var cs []equivCheck
	for _, f := range vmathFuncs {
		cs = append(cs,
			equivCheck{f.name, "float64", "ulp", f.bound64, func(r *rand.Rand) (string, float64) { return vmathCase64(f, r) }, nil},
			equivCheck{f.name, "float32", "ulp", f.bound32, func(r *rand.Rand) (string, float64) { return vmathCase32(f, r) }, nil})
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
		want := f.ref64(v)
		if !testkit.Same(dst[i], want) && mismatch == "" {
			mismatch = fmt.Sprintf("n=%d %s(%v) = %v, reference %v", n, f.name, v, dst[i], want)
		}
		truth, k := f.truth(v)
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
		want := f.ref32(v)
		if !testkit.Same(dst[i], want) && mismatch == "" {
			mismatch = fmt.Sprintf("n=%d %s(%v) = %v, reference %v", n, f.name, v, dst[i], want)
		}
		truth, k := f.truth(float64(v))
		worst = max(worst, dd.ULPError(float64(dst[i]), truth, k, true))
	}
	return mismatch, worst
}
