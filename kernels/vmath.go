package kernels

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/cpu"
)

// The vector math functions set dst[i] = f(x[i]) for every i. dst may be x
// (in place); any other overlap is not allowed. They panic if len(dst) !=
// len(x).
//
// Each function has one algorithm per precision, written out in
// internal/ref (vmath.go) with the operation order every tier follows, so
// generic Go, AVX2, AVX-512 and NEON give bit-identical results. Special
// values are those of the math package: NaN gives NaN, the infinities and
// signed zeros map as math.Exp, math.Log, ... do, subnormal inputs and
// results are computed (gradual underflow), never flushed.
//
// The error bounds below are the largest errors the tests measure against a
// double-double reference, in ulps of the exact result (float32: of the
// float32 result), over dense sweeps of the hard regions and random inputs
// over the whole range.

// Exp sets dst[i] = e^x[i]. Max error: float64 0.76 ulp, float32 0.78 ulp.
//
// Algorithm: x = k ln2 + r with |r| <= ln2/2 (k rounded to even, r by a
// two-constant Cody-Waite reduction with FMA), e^r = 1 + r + r^2 q(r) with a
// degree-9 (float32: 4) minimax q, then scaled by 2^k with one rounding, so
// results in the subnormal range round once. Overflow gives +Inf.
func Exp[T Float](dst, x []T) { vmathOn(active, fnExp, "Exp", dst, x) }

// Log sets dst[i] = ln x[i]: NaN for x < 0, -Inf for ±0, +Inf for +Inf.
// Max error: float64 0.66 ulp, float32 0.73 ulp.
//
// Algorithm: x = m 2^e with m in [0.75, 1.5) (subnormals first scaled by a
// power of two), f = m-1 exactly, log(1+f) = f + f^2 Q(f) with a degree-20
// (float32: 10) minimax Q; e*ln2 + f is summed exactly (Fast2Sum) before the
// small terms are added.
func Log[T Float](dst, x []T) { vmathOn(active, fnLog, "Log", dst, x) }

// vfunc names a vector math function.
type vfunc int

const (
	fnExp vfunc = iota
	fnLog
	numVfuncs
)

var vfuncNames = [...]string{fnExp: "Exp", fnLog: "Log"}

func (f vfunc) String() string { return vfuncNames[f] }

func vmathOn[T Float](t cpu.Tier, f vfunc, name string, dst, x []T) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("kernels: %s: len(dst) = %d != len(x) = %d", name, len(dst), len(x)))
	}
	vmathTier(t, f, dst, x)
}

// vmathTier runs f on tier t, in chunks (assembly is not preemptible).
func vmathTier[T Float](t cpu.Tier, f vfunc, dst, x []T) {
	for len(dst) > 0 {
		n := min(len(dst), chunk)
		if is64[T]() {
			vmathF64(t, f, f64(dst[:n]), f64(x[:n]))
		} else {
			vmathF32(t, f, f32(dst[:n]), f32(x[:n]))
		}
		dst, x = dst[n:], x[n:]
	}
}
