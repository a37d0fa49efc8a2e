// Package ref is the specification of every kernel: a plain scalar loop in the
// canonical operation order that every tier (generic Go, AVX2, AVX-512, NEON)
// must reproduce bit for bit (NaN payloads aside).
//
// The canonical order of the reductions (Dot, Sum):
//
//   - L partial sums ("lanes"): L = 32 for float64 and 64 for float32, the
//     lanes of four 512-bit registers, eight 256-bit or sixteen 128-bit ones.
//     Lane k accumulates the elements i with i%L == k in increasing i.
//   - Every lane starts at +0. Dot updates a lane with one fused
//     multiply-add, acc = fma(x[i], y[i], acc); Sum with acc = acc + x[i].
//   - A lane that no element reaches keeps its bits. (Padding a short tail
//     with +0 would turn a -0 lane into +0; -0 is the exact additive identity,
//     so a tier that pads uses -0 for Sum and x = -0, y = +0 for Dot.)
//   - The lanes are combined by halving: for w = L/2, L/4, ..., 1,
//     lane[k] = lane[k] + lane[k+w] for k < w; the result is lane[0].
//
// Element-wise kernels round each element once per operation: Axpy is
// y[i] = fma(alpha, x[i], y[i]); Scale x[i] = alpha*x[i]; Add x[i]+y[i];
// Mul x[i]*y[i].
package ref

import "github.com/flowkern/flowkern/internal/fma"

// Float is the element type of every kernel.
type Float interface{ float32 | float64 }

// Lanes is the number of partial sums a reduction over T keeps.
func Lanes[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 64
	}
	return 32
}

// FMA returns x*y+z rounded once to T.
func FMA[T Float](x, y, z T) T {
	if _, ok := any(x).(float32); ok {
		return T(fma.F32(float32(x), float32(y), float32(z)))
	}
	return T(fma.F64(float64(x), float64(y), float64(z)))
}

// reduce combines the lanes by halving (see the package comment).
func reduce[T Float](acc []T) T {
	for w := len(acc) / 2; w >= 1; w /= 2 {
		for k := 0; k < w; k++ {
			acc[k] += acc[k+w]
		}
	}
	return acc[0]
}

// Dot returns sum_i x[i]*y[i] in the canonical order; len(y) >= len(x).
func Dot[T Float](x, y []T) T {
	acc := make([]T, Lanes[T]())
	for i := range x {
		k := i % len(acc)
		acc[k] = FMA(x[i], y[i], acc[k])
	}
	return reduce(acc)
}

// Sum returns sum_i x[i] in the canonical order.
func Sum[T Float](x []T) T {
	acc := make([]T, Lanes[T]())
	for i := range x {
		acc[i%len(acc)] += x[i]
	}
	return reduce(acc)
}

// Axpy sets y[i] = fma(alpha, x[i], y[i]); len(y) >= len(x).
func Axpy[T Float](alpha T, x, y []T) {
	for i := range x {
		y[i] = FMA(alpha, x[i], y[i])
	}
}

// Scale sets x[i] = alpha * x[i].
func Scale[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

// Add sets dst[i] = x[i] + y[i].
func Add[T Float](dst, x, y []T) {
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// Mul sets dst[i] = x[i] * y[i].
func Mul[T Float](dst, x, y []T) {
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// KeepPositive sets dst[i] = x[i] where !(y[i] <= 0) (y[i] > 0 or NaN)
// and +0 elsewhere: ReLU (x = y) and its gradient (x the incoming
// gradient, y the pre-activation). No arithmetic: every tier copies bits.
func KeepPositive[T Float](dst, x, y []T) {
	for i := range dst {
		if y[i] <= 0 {
			dst[i] = 0
		} else {
			dst[i] = x[i]
		}
	}
}
