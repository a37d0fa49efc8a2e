package kernels

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/cpu"
)

// lanes is the number of partial sums a reduction over T keeps: the lanes
// of four 512-bit registers (32 float64, 64 float32).
func lanes[T Float]() int {
	if is64[T]() {
		return 32
	}
	return 64
}

// Dot returns the dot product sum_i x[i]*y[i]. It panics if the lengths
// differ. x and y may overlap in any way (both are only read).
//
// Canonical order: L = 32 (float64) or 64 (float32) partial sums, all
// starting at +0; element i goes to lane i%L as lane = fma(x[i], y[i], lane);
// the lanes are then added by halving (lane[k] += lane[k+w] for w = L/2, ...,
// 1). Error: |Dot - exact| <= (ceil(n/L) + log2 L) * u * sum_i |x[i]*y[i]|
// to first order, u = 2^-53 (float64) or 2^-24 (float32).
func Dot[T Float](x, y []T) T {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels: Dot: len(x) = %d != len(y) = %d", len(x), len(y)))
	}
	if len(x) <= chunk && tailsClear(x, y) {
		// The common case straight to the tier's kernel: no chunk loop,
		// no lane buffer on the stack, two calls fewer (three on the
		// generic tier, which skips the tier switch; the Go loop per
		// precision, not sumGo's or a dotGo's wrapper, whose frame was
		// 1 ns of a 7 ns Sum of 16).
		if is64[T]() {
			if active == cpu.Generic {
				return T(dotGo64(f64(x), f64(y), nil))
			}
			return T(dotF64(active, f64(x), f64(y), nil))
		}
		if active == cpu.Generic {
			return T(dotGo32(f32(x), f32(y), nil))
		}
		return T(dotF32(active, f32(x), f32(y), nil))
	}
	return dotOn(active, x, y)
}

// dotOn is Dot on tier t. Long slices go in chunks, their L lanes through
// acc between the calls.
func dotOn[T Float](t cpu.Tier, x, y []T) T {
	if !tailsClear(x, y) && hasMaskedTails(t) {
		return dotPageTail(t, x, y)
	}
	if len(x) <= chunk {
		return dotTier(t, x, y, nil) // nil: +0 lanes, not stored back
	}
	var buf [64]T
	acc := buf[:lanes[T]()]
	x, y = dotLead(t, x, y, acc)
	return dotTier(t, x, y, acc)
}

// dotLead runs every chunk of x and y but the last into the lanes acc and
// returns the last.
func dotLead[T Float](t cpu.Tier, x, y, acc []T) ([]T, []T) {
	for len(x) > chunk {
		dotTier(t, x[:chunk], y[:chunk], acc)
		x, y = x[chunk:], y[chunk:]
	}
	return x, y
}

// dotPageTail is dotOn with the last elements on stack copies (see
// vmathPageTail): a tail block is L elements, so every element keeps its
// lane.
//
//go:noinline
func dotPageTail[T Float](t cpu.Tier, x, y []T) T {
	b := tailStart[T](len(x))
	var buf [64]T
	acc := buf[:lanes[T]()]
	if b > 0 {
		hx, hy := dotLead(t, x[:b], y[:b], acc)
		dotTier(t, hx, hy, acc)
	}
	var bx, by tailBuf[T]
	r := copy(bx[:], x[b:])
	copy(by[:], y[b:])
	return dotTier(t, bx[:r], by[:r], acc)
}

func dotTier[T Float](t cpu.Tier, x, y, acc []T) T {
	if is64[T]() {
		return T(dotF64(t, f64(x), f64(y), f64(acc)))
	}
	return T(dotF32(t, f32(x), f32(y), f32(acc)))
}

// Sum returns sum_i x[i].
//
// Canonical order: as Dot, with lane = lane + x[i]. Error: |Sum - exact| <=
// (ceil(n/L) + log2 L) * u * sum_i |x[i]| to first order. The lanes start at
// +0, so a slice of -0 sums to +0.
func Sum[T Float](x []T) T {
	if len(x) <= chunk && tailsClear(x, nil) { // as in Dot
		if is64[T]() {
			if active == cpu.Generic {
				return T(sumGo64(f64(x), nil))
			}
			return T(sumF64(active, f64(x), nil))
		}
		if active == cpu.Generic {
			return T(sumGo32(f32(x), nil))
		}
		return T(sumF32(active, f32(x), nil))
	}
	return sumOn(active, x)
}

// sumOn is Sum on tier t, chunked as dotOn.
func sumOn[T Float](t cpu.Tier, x []T) T {
	if !tailsClear(x, nil) && hasMaskedTails(t) {
		return sumPageTail(t, x)
	}
	if len(x) <= chunk {
		return sumTier(t, x, nil)
	}
	var buf [64]T
	acc := buf[:lanes[T]()]
	return sumTier(t, sumLead(t, x, acc), acc)
}

// sumLead runs every chunk of x but the last into the lanes acc and
// returns the last.
func sumLead[T Float](t cpu.Tier, x, acc []T) []T {
	for len(x) > chunk {
		sumTier(t, x[:chunk], acc)
		x = x[chunk:]
	}
	return x
}

// sumPageTail is sumOn with the last elements on stack copies, as
// dotPageTail.
//
//go:noinline
func sumPageTail[T Float](t cpu.Tier, x []T) T {
	b := tailStart[T](len(x))
	var buf [64]T
	acc := buf[:lanes[T]()]
	if b > 0 {
		sumTier(t, sumLead(t, x[:b], acc), acc)
	}
	var bx tailBuf[T]
	r := copy(bx[:], x[b:])
	return sumTier(t, bx[:r], acc)
}

func sumTier[T Float](t cpu.Tier, x, acc []T) T {
	if is64[T]() {
		return T(sumF64(t, f64(x), f64(acc)))
	}
	return T(sumF32(t, f32(x), f32(acc)))
}

// Axpy sets y[i] = alpha*x[i] + y[i], rounded once (a fused multiply-add).
// It panics if the lengths differ. Unlike BLAS it has no quick return for
// alpha == 0: NaN and Inf in x propagate into y as IEEE arithmetic says.
// y may be x (then y[i] = alpha*y[i] + y[i]); any other overlap of x and y
// panics.
func Axpy[T Float](alpha T, x, y []T) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels: Axpy: len(x) = %d != len(y) = %d", len(x), len(y)))
	}
	checkVecs("Axpy", "y", y, "x", x, true)
	axpyOn(active, alpha, x, y)
}

func axpyOn[T Float](t cpu.Tier, alpha T, x, y []T) {
	if t == cpu.Generic { // see binaryOn
		if is64[T]() {
			axpyGo64(float64(alpha), f64(x), f64(y))
		} else {
			axpyGo32(float32(alpha), f32(x), f32(y))
		}
		return
	}
	if !tailsClear(x, y) && hasMaskedTails(t) {
		axpyPageTail(t, alpha, x, y)
		return
	}
	axpyChunks(t, alpha, x, y)
}

// axpyPageTail is axpyOn with the last elements on stack copies (see
// vmathPageTail).
//
//go:noinline
func axpyPageTail[T Float](t cpu.Tier, alpha T, x, y []T) {
	b := tailStart[T](len(x))
	axpyChunks(t, alpha, x[:b], y[:b])
	var bx, by tailBuf[T]
	r := copy(bx[:], x[b:])
	copy(by[:], y[b:])
	axpyChunks(t, alpha, bx[:r], by[:r])
	copy(y[b:], by[:r])
}

func axpyChunks[T Float](t cpu.Tier, alpha T, x, y []T) {
	for len(x) > 0 {
		n := min(len(x), chunk)
		if is64[T]() {
			axpyF64(t, float64(alpha), f64(x[:n]), f64(y[:n]))
		} else {
			axpyF32(t, float32(alpha), f32(x[:n]), f32(y[:n]))
		}
		x, y = x[n:], y[n:]
	}
}

// Scale sets x[i] = alpha*x[i].
func Scale[T Float](alpha T, x []T) {
	scaleOn(active, alpha, x)
}

func scaleOn[T Float](t cpu.Tier, alpha T, x []T) {
	if t == cpu.Generic {
		scaleGo(alpha, x) // see binaryOn
		return
	}
	if !tailsClear(x, nil) && hasMaskedTails(t) {
		scalePageTail(t, alpha, x)
		return
	}
	scaleChunks(t, alpha, x)
}

// scalePageTail is scaleOn with the last elements on stack copies (see
// vmathPageTail).
//
//go:noinline
func scalePageTail[T Float](t cpu.Tier, alpha T, x []T) {
	b := tailStart[T](len(x))
	scaleChunks(t, alpha, x[:b])
	var bx tailBuf[T]
	r := copy(bx[:], x[b:])
	scaleChunks(t, alpha, bx[:r])
	copy(x[b:], bx[:r])
}

func scaleChunks[T Float](t cpu.Tier, alpha T, x []T) {
	for len(x) > 0 {
		n := min(len(x), chunk)
		if is64[T]() {
			scaleF64(t, float64(alpha), f64(x[:n]))
		} else {
			scaleF32(t, float32(alpha), f32(x[:n]))
		}
		x = x[n:]
	}
}

// Add sets dst[i] = x[i] + y[i]. dst may be x or y, and x and y may overlap
// in any way; any other overlap of dst with x or y panics, as do lengths
// that differ.
func Add[T Float](dst, x, y []T) {
	check3("Add", len(dst), len(x), len(y))
	checkVecs("Add", "dst", dst, "x", x, true)
	checkVecs("Add", "dst", dst, "y", y, true)
	binaryOn(active, opAdd, dst, x, y)
}

// Mul sets dst[i] = x[i] * y[i]. dst may be x or y, and x and y may overlap
// in any way; any other overlap of dst with x or y panics, as do lengths
// that differ.
func Mul[T Float](dst, x, y []T) {
	check3("Mul", len(dst), len(x), len(y))
	checkVecs("Mul", "dst", dst, "x", x, true)
	checkVecs("Mul", "dst", dst, "y", y, true)
	binaryOn(active, opMul, dst, x, y)
}

// KeepPositive sets dst[i] = x[i] where y[i] > 0 or y[i] is a NaN, and
// +0 where y[i] <= 0: ReLU is KeepPositive(a, z, z), its backward pass
// KeepPositive(g, g, z). It copies bits, so every tier agrees. dst may be x
// or y, and x and y may overlap in any way; any other overlap of dst with x
// or y panics, as do lengths that differ.
func KeepPositive[T Float](dst, x, y []T) {
	check3("KeepPositive", len(dst), len(x), len(y))
	checkVecs("KeepPositive", "dst", dst, "x", x, true)
	checkVecs("KeepPositive", "dst", dst, "y", y, true)
	binaryOn(active, opKeepPositive, dst, x, y)
}

// TanhGrad sets dst[i] = g[i] (1 - y[i]^2), the backward pass of
// y = tanh(z) given dL/dy = g, as g - (g y) y: two rounded products, then
// the difference rounded once (internal/ref.TanhGrad), in one pass where
// Mul, Mul and Axpy took three. dst may be g or y, and g and y may overlap
// in any way; any other overlap of dst with g or y panics, as do lengths
// that differ.
func TanhGrad[T Float](dst, g, y []T) {
	if len(dst) != len(g) || len(dst) != len(y) {
		panic(fmt.Sprintf("kernels: TanhGrad: len(dst) = %d, len(g) = %d, len(y) = %d differ", len(dst), len(g), len(y)))
	}
	checkVecs("TanhGrad", "dst", dst, "g", g, true)
	checkVecs("TanhGrad", "dst", dst, "y", y, true)
	var p [0]T
	streamRun(active, skTanhGrad, dst, nil, g, y, nil, p[:])
}

func check3(name string, nd, nx, ny int) {
	if nd != nx || nd != ny {
		panic(fmt.Sprintf("kernels: %s: len(dst) = %d, len(x) = %d, len(y) = %d differ", name, nd, nx, ny))
	}
}

// binaryOn, scaleOn and axpyOn hand the generic tier's call to its Go loop
// whole: Go code can be preempted, so it needs no chunks, and it skips the
// tier switch. Those two calls were a third of a 16-element Mul's time.
func binaryOn[T Float](t cpu.Tier, op binaryOp, dst, x, y []T) {
	if t == cpu.Generic {
		binaryGo(op, dst, x, y)
		return
	}
	if !(tailsClear(dst, x) && tailsClear(y, nil)) && hasMaskedTails(t) {
		binaryPageTail(t, op, dst, x, y)
		return
	}
	binaryChunks(t, op, dst, x, y)
}

// binaryPageTail is binaryOn with the last elements on stack copies (see
// vmathPageTail).
//
//go:noinline
func binaryPageTail[T Float](t cpu.Tier, op binaryOp, dst, x, y []T) {
	b := tailStart[T](len(dst))
	binaryChunks(t, op, dst[:b], x[:b], y[:b])
	var bd, bx, by tailBuf[T]
	r := copy(bx[:], x[b:])
	copy(by[:], y[b:])
	binaryChunks(t, op, bd[:r], bx[:r], by[:r])
	copy(dst[b:], bd[:r])
}

func binaryChunks[T Float](t cpu.Tier, op binaryOp, dst, x, y []T) {
	for len(dst) > 0 {
		n := min(len(dst), chunk)
		if is64[T]() {
			binaryF64(t, op, f64(dst[:n]), f64(x[:n]), f64(y[:n]))
		} else {
			binaryF32(t, op, f32(dst[:n]), f32(x[:n]), f32(y[:n]))
		}
		dst, x, y = dst[n:], x[n:], y[n:]
	}
}
