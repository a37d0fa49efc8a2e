package kernels

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/cpu"
)

// The vector math functions set dst[i] = f(x[i]) for every i. dst may be x
// (in place); any other overlap of dst and x panics, as does len(dst) !=
// len(x).
//
// Each function has one algorithm per precision, written out in
// internal/ref (vmath.go) with the operation order every tier follows, so
// generic Go, AVX2, AVX-512 and NEON give bit-identical results. Special
// values are those of the math package: NaN gives NaN, the infinities and
// signed zeros map as math.Exp, math.Log, ... do, subnormal inputs and
// results are computed (gradual underflow), never flushed.
//
// The "max error" of each function is the largest error found, in ulps of
// the exact result (float32: float32 ulps), rounded up to two decimals: by
// TestVmathMaxErrorSearch (FLOWKERN_VMATH_SEARCH=2000000: the hard sweeps,
// 2,000,000 random and log-uniform inputs per precision, then local scans
// around the worst points at steps of 1 to 2^24 ulps of x, from a
// double-double reference), with each worst point recomputed with mpmath
// at 300 bits (testdata/vmath_check.py; the two agree to 4 decimals).
// Where it was found follows the figure. A search is not a proof: these are
// the largest errors known, not bounds. TestVmathAccuracy checks a smaller
// sweep against the contract: float64 1 ulp for Exp, Log, Expm1 and Log1p,
// 2 for the others; float32 1 ulp, so each float32 result is within 1 ulp
// of the correctly rounded one.

// Exp sets dst[i] = e^x[i]. Max error: float64 0.87 ulp (0.8615 at x =
// 589.5630041826197), float32 0.80 ulp (0.7941 at -5.858587).
//
// Algorithm: x = k ln2 + r with |r| <= ln2/2 (k rounded to even, r by a
// two-constant Cody-Waite reduction with FMA), e^r = 1 + r + r^2 q(r) with a
// degree-9 (float32: 4) minimax q, 1 + r summed exactly, then scaled by 2^k
// with one rounding, so results in the subnormal range round once. Overflow
// gives +Inf.
func Exp[T Float](dst, x []T) { vmathOn(active, fnExp, "Exp", dst, x) }

// Log sets dst[i] = ln x[i]: NaN for x < 0, -Inf for ±0, +Inf for +Inf.
// Max error: float64 0.71 ulp (0.7005 at x = 0.7210293809588166), float32
// 0.63 ulp (0.6211 at 1.4806961).
//
// Algorithm: x = m 2^e with m in [0.75, 1.5) (subnormals first scaled by a
// power of two), f = m-1 exactly, log(1+f) = f - f^2/2 + f^3 R(f) with a
// degree-19 (float32: 9) minimax R; f - f^2/2 and then e*ln2 plus it are
// summed exactly (Fast2Sum) before the small terms are added.
func Log[T Float](dst, x []T) { vmathOn(active, fnLog, "Log", dst, x) }

// Expm1 sets dst[i] = e^x[i] - 1, accurate also near 0. Max error: float64
// 0.98 ulp (0.9757 at x = 0.38430572585136347), float32 0.91 ulp (0.9037 at
// 0.3474566).
//
// Algorithm: the Exp reduction with the rounding of r carried separately,
// expm1(x) = 2^k (r + r^2 q(r)) + (2^k - 1) summed exactly (Fast2Sum) before
// the small terms; for k > 60 (float32: 30) the last factor 2^(k-60) is
// applied at the end, so large x overflow to +Inf as Exp does.
func Expm1[T Float](dst, x []T) { vmathOn(active, fnExpm1, "Expm1", dst, x) }

// Log1p sets dst[i] = log(1 + x[i]), accurate also near 0: NaN for x < -1,
// -Inf for x == -1. Max error: float64 0.78 ulp (0.7761 at x =
// -0.25943338317713377), float32 0.71 ulp (0.7072 at -0.258028).
//
// Algorithm: for -0.25 <= x < 0.5 Log's steps on f = x; otherwise u = 1 + x
// with its rounding error d (TwoSum), Log's steps on u, and d 2^-e / (1+f)
// added to the low word.
func Log1p[T Float](dst, x []T) { vmathOn(active, fnLog1p, "Log1p", dst, x) }

// Tanh sets dst[i] = tanh(x[i]). Max error: float64 0.84 ulp (0.8311 at x =
// 0.031174185606773094), float32 0.89 ulp (0.8880 at 0.062576264).
//
// Algorithm: e = expm1(2|x|) as a double word (Expm1's steps), tanh =
// e/(e+2) by a reciprocal and one Newton correction on the double words,
// with the sign of x; |x| > 20 (float32: 10) gives ±1.
func Tanh[T Float](dst, x []T) { vmathOn(active, fnTanh, "Tanh", dst, x) }

// Sigmoid sets dst[i] = 1/(1 + e^-x[i]). Max error: float64 0.95 ulp
// (0.9444 at x = -707.3629024971838, a subnormal result), float32 0.81 ulp
// (0.8024 at -86.25338).
//
// Algorithm: E = e^-|x| as a double word (Exp's steps), then 1/(1+E) for x
// >= 0 and E/(1+E) for x < 0, divided as Tanh does; tiny results are
// subnormal, not flushed.
func Sigmoid[T Float](dst, x []T) { vmathOn(active, fnSigmoid, "Sigmoid", dst, x) }

// Softplus sets dst[i] = log(1 + e^x[i]). Max error: float64 0.93 ulp
// (0.9255 at x = -707.3824640320391, a subnormal result), float32 0.81 ulp
// (0.8024 at -86.25338).
//
// Algorithm: max(x, 0) + log1p(e^-|x|), the exponential as a double word
// and Log1p's steps on it, the final sum split exactly (TwoSum); x > 40
// (float32: 20) gives x.
func Softplus[T Float](dst, x []T) { vmathOn(active, fnSoftplus, "Softplus", dst, x) }

// Atan sets dst[i] = atan(x[i]). Max error: float64 0.71 ulp (0.7014 at x =
// 0.48547809361511124), float32 0.75 ulp (0.7418 at 0.4977774).
//
// Algorithm: |x| reduced to |a| <= 0.5 with one division (a = t, (t-1)/(t+1)
// + pi/4 or -1/t + pi/2), the quotient corrected to a double word, atan(a) =
// a + a^3 P(a^2) with a degree-11 (float32: 5) minimax P, the sign of x.
func Atan[T Float](dst, x []T) { vmathOn(active, fnAtan, "Atan", dst, x) }

func vmathOn[T Float](t cpu.Tier, f vfunc, name string, dst, x []T) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("kernels: %s: len(dst) = %d != len(x) = %d", name, len(dst), len(x)))
	}
	checkVecs(name, "dst", dst, "x", x, true)
	vmathTier(t, f, dst, x)
}

// vmathTier runs f on tier t, in chunks (assembly is not preemptible), the
// last elements on stack copies when a slice ends near its page's end.
func vmathTier[T Float](t cpu.Tier, f vfunc, dst, x []T) {
	if !tailsClear(dst, x) && hasMaskedTails(t) {
		vmathPageTail(t, f, dst, x)
		return
	}
	vmathChunks(t, f, dst, x)
}

// vmathPageTail is vmathTier with the last elements on stack copies, in a
// frame of its own: the copies, in vmathTier's frame, would be cleared at
// every call (pageend.go). Each funnel has a helper of its own: one helper
// taking the kernel as a func value would make every caller's slices
// escape to the heap (TestNoAllocsEveryKernel caught it).
//
//go:noinline
func vmathPageTail[T Float](t cpu.Tier, f vfunc, dst, x []T) {
	b := tailStart[T](len(dst))
	vmathChunks(t, f, dst[:b], x[:b])
	var bd, bx tailBuf[T]
	r := copy(bx[:], x[b:])
	vmathChunks(t, f, bd[:r], bx[:r])
	copy(dst[b:], bd[:r])
}

func vmathChunks[T Float](t cpu.Tier, f vfunc, dst, x []T) {
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
