package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
)

// The pure-Go tier of the vector kernels: the Go path gen/manifest names
// for tiers without assembly, taking the same arguments as the assembly
// (acc: the running lanes, empty for lanes of +0 not stored back). Their
// contract is the public function's doc and internal/ref.

// The fused multiply-add is spelled out per precision: a generic wrapper
// around math.FMA and fma.F32 is not inlined and costs 3x. Float32 loops
// round the float64 sum once where fma.Exact32 says that is the fused
// result, and take fma.Odd32 (no call) otherwise.

// The reductions keep their lanes in registers, eight at a time: a pass
// (fmaPass64, fmaPass32) runs one group of eight lanes over a block of the
// input (small enough to stay in L1 for the next group), so each lane still
// takes its elements in increasing order and the bits are the canonical
// ones. Lanes in an array, updated through memory, ran 1.3x slower than a
// plain loop (float64); docs/perf-notes.md has the measurements.

// blockElems is the block a pass covers: 2 x 8 KiB for a float64 Dot.
const blockElems = 1024

// fmaPass64 runs a[k] = fma(x[i+k], y[i+k], a[k]) for k < 8 and i = 0,
// step, 2 step, ... while i+8 <= len(x): the lanes a[k] of a reduction
// whose lane count is step.
func fmaPass64(a *[8]float64, x, y []float64, step int) {
	a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	for i := 0; i+8 <= len(x); i += step {
		xs, ys := (*[8]float64)(x[i:i+8]), (*[8]float64)(y[i:i+8])
		a0 = math.FMA(xs[0], ys[0], a0)
		a1 = math.FMA(xs[1], ys[1], a1)
		a2 = math.FMA(xs[2], ys[2], a2)
		a3 = math.FMA(xs[3], ys[3], a3)
		a4 = math.FMA(xs[4], ys[4], a4)
		a5 = math.FMA(xs[5], ys[5], a5)
		a6 = math.FMA(xs[6], ys[6], a6)
		a7 = math.FMA(xs[7], ys[7], a7)
	}
	*a = [8]float64{a0, a1, a2, a3, a4, a5, a6, a7}
}

// fmaPass32 is fmaPass64 for float32 (a lane waits for one addition and
// the conversions per update).
func fmaPass32(a *[8]float32, x, y []float32, step int) {
	a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	for i := 0; i+8 <= len(x); i += step {
		xs, ys := (*[8]float32)(x[i:i+8]), (*[8]float32)(y[i:i+8])
		if s := float64(xs[0])*float64(ys[0]) + float64(a0); fma.Exact32(s) {
			a0 = float32(s)
		} else {
			a0 = fma.Odd32(xs[0], ys[0], a0)
		}
		if s := float64(xs[1])*float64(ys[1]) + float64(a1); fma.Exact32(s) {
			a1 = float32(s)
		} else {
			a1 = fma.Odd32(xs[1], ys[1], a1)
		}
		if s := float64(xs[2])*float64(ys[2]) + float64(a2); fma.Exact32(s) {
			a2 = float32(s)
		} else {
			a2 = fma.Odd32(xs[2], ys[2], a2)
		}
		if s := float64(xs[3])*float64(ys[3]) + float64(a3); fma.Exact32(s) {
			a3 = float32(s)
		} else {
			a3 = fma.Odd32(xs[3], ys[3], a3)
		}
		if s := float64(xs[4])*float64(ys[4]) + float64(a4); fma.Exact32(s) {
			a4 = float32(s)
		} else {
			a4 = fma.Odd32(xs[4], ys[4], a4)
		}
		if s := float64(xs[5])*float64(ys[5]) + float64(a5); fma.Exact32(s) {
			a5 = float32(s)
		} else {
			a5 = fma.Odd32(xs[5], ys[5], a5)
		}
		if s := float64(xs[6])*float64(ys[6]) + float64(a6); fma.Exact32(s) {
			a6 = float32(s)
		} else {
			a6 = fma.Odd32(xs[6], ys[6], a6)
		}
		if s := float64(xs[7])*float64(ys[7]) + float64(a7); fma.Exact32(s) {
			a7 = float32(s)
		} else {
			a7 = fma.Odd32(xs[7], ys[7], a7)
		}
	}
	*a = [8]float32{a0, a1, a2, a3, a4, a5, a6, a7}
}

func dotGo64(x, y, acc []float64) float64 {
	if len(acc) == 0 && len(x) <= 16 {
		return dotShort(x, y)
	}
	if len(acc) == 0 && len(x) <= 64 {
		return dotShort64(x, y)
	}
	return dotLanes64(x, y, acc)
}

// dotShort64 is the float64 Dot of 17 to 64 elements from lanes of +0:
// lane k < 32 holds the plain product x[k]*y[k] where the canonical lane
// holds fma(x[k], y[k], +0), then takes element k+32 by a fused update.
// As in dotShort32, the lanes and their halving sums agree with the
// canonical ones up to the signs of zeros, so a nonzero result is the
// canonical one and a zero one is computed again. From 32 elements on,
// every lane holds a product and the lanes are formed pair by pair in
// registers, the halving's first two steps with them (no lane array to
// clear, fill and read back: n = 64 took 1.8x a plain loop that way).
func dotShort64(x, y []float64) float64 {
	n := len(x)
	y = y[:n]
	if n < 32 {
		var l [32]float64
		for k := range x {
			l[k] = float64(x[k] * y[k]) // float64(): not fused into a later addition
		}
		if s := reduce64(&l); s != 0 {
			return s
		}
		return dotLanes64(x, y, nil)
	}
	x0, y0 := (*[32]float64)(x[:32]), (*[32]float64)(y[:32])
	x1, y1 := x[32:], y[32:]
	var v [8]float64
	for j := range 8 {
		// Lanes j, j+16 (the first halving), then j+8, j+24 (the second).
		v[j] = (dotLane64(x0, y0, x1, y1, j) + dotLane64(x0, y0, x1, y1, j+16)) +
			(dotLane64(x0, y0, x1, y1, j+8) + dotLane64(x0, y0, x1, y1, j+24))
	}
	if s := ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); s != 0 {
		return s
	}
	return dotLanes64(x, y, nil)
}

// dotLane64 is lane k of dotShort64: x0[k]*y0[k], then element k of x1, y1
// (if any) by a fused update.
func dotLane64(x0, y0 *[32]float64, x1, y1 []float64, k int) float64 {
	l := float64(x0[k] * y0[k]) // float64(): not fused into a later addition
	if k < len(x1) {
		l = math.FMA(x1[k], y1[k], l)
	}
	return l
}

// dotLanes64 is the float64 Dot in the canonical order, lane by lane.
func dotLanes64(x, y, acc []float64) float64 {
	var l [32]float64
	if len(acc) != 0 {
		copy(l[:], acc[:32])
	}
	y = y[:len(x)]
	n := len(x) &^ 31
	for b0 := 0; b0 < n; b0 += blockElems {
		b1 := min(b0+blockElems, n)
		for g := 0; g < 32; g += 8 {
			fmaPass64((*[8]float64)(l[g:g+8]), x[b0+g:b1], y[b0+g:b1], 32)
		}
	}
	for k, i := 0, n; i < len(x); k, i = k+1, i+1 {
		l[k] = math.FMA(x[i], y[i], l[k])
	}
	if len(acc) != 0 {
		copy(acc, l[:])
	}
	return reduce64(&l)
}

// dotGo32 only picks the path: with nothing live after its calls, none of
// them makes it save its arguments first.
func dotGo32(x, y, acc []float32) float32 {
	if len(acc) == 0 && len(x) <= 16 {
		return dotShort(x, y)
	}
	if len(acc) == 0 && len(x) <= 64 {
		return dotShort32(x, y)
	}
	return dotLanes32(x, y, acc)
}

// dotShort32 is the float32 Dot of 17 to 64 elements from lanes of +0.
// Each element has a lane of its own, so lane k holds fma(x[k], y[k], +0),
// the rounded product up to the sign of a zero, and the halving sums of
// the plain products agree with the canonical ones up to the signs of
// zeros (as in dotShort). A nonzero result is then the canonical one; a
// zero one may differ in its sign (64 products of -0 sum to -0 here, to +0
// canonically), so it is computed again. This takes the software fused
// multiply-adds out of short float32 dots (gonumblas's Snrm2 at n = 64
// ran at 0.66x gonum's).
func dotShort32(x, y []float32) float32 {
	y = y[:len(x)]
	// The halving's steps over the lanes, formed in registers: lanes j,
	// j+32, j+16, j+48 (the first two steps), then j+8 and its partners
	// (the third). A lane array (cleared, filled and read back) cost 2.2x
	// a plain loop at n = 64.
	var v [8]float32
	for j := range 8 {
		v[j] = ((prod32(x, y, j) + prod32(x, y, j+32)) + (prod32(x, y, j+16) + prod32(x, y, j+48))) +
			((prod32(x, y, j+8) + prod32(x, y, j+40)) + (prod32(x, y, j+24) + prod32(x, y, j+56)))
	}
	if s := ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); s != 0 {
		return s
	}
	return dotLanes32(x, y, nil)
}

// prod32 is lane k of dotShort32: the rounded product x[k]*y[k], or +0
// past the end.
func prod32(x, y []float32, k int) float32 {
	if k < len(x) {
		return float32(x[k] * y[k]) // float32(): not fused into a later addition
	}
	return 0
}

// dotLanes32 is the float32 Dot in the canonical order, lane by lane.
func dotLanes32(x, y, acc []float32) float32 {
	var l [64]float32
	y = y[:len(x)]
	if len(acc) == 0 && len(x) > 64 {
		// The first 64 elements as plain products, each in its own lane
		// (fma(x, y, +0) up to the sign of a zero, as in dotShort32), then
		// the fused updates; a zero result is computed again.
		x0, y0 := (*[64]float32)(x[:64]), (*[64]float32)(y[:64])
		for k := range l {
			l[k] = float32(x0[k] * y0[k]) // float32(): not fused into a later addition
		}
		lanesGo32(&l, x[64:], y[64:])
		if s := reduce32(&l, 64); s != 0 {
			return s
		}
		l = [64]float32{}
	}
	used := min(len(x), 64)
	if len(acc) != 0 {
		copy(l[:], acc[:64])
		used = 64
	}
	lanesGo32(&l, x, y)
	if len(acc) != 0 {
		copy(acc, l[:])
	}
	return reduce32(&l, used)
}

// lanesGo32 adds x[i]*y[i] into lane i mod 64 of l by fused updates, in
// order (len(y) >= len(x)).
func lanesGo32(l *[64]float32, x, y []float32) {
	y = y[:len(x)]
	n := len(x) &^ 63
	for b0 := 0; b0 < n; b0 += 2 * blockElems {
		b1 := min(b0+2*blockElems, n)
		for g := 0; g < 64; g += 8 {
			fmaPass32((*[8]float32)(l[g:g+8]), x[b0+g:b1], y[b0+g:b1], 64)
		}
	}
	for k, i := 0, n; i < len(x); k, i = k+1, i+1 {
		l[k] = fma.F32(x[i], y[i], l[k])
	}
}

func sumGo[T Float](x, acc []T) T {
	if is64[T]() {
		return T(sumGo64(f64(x), f64(acc)))
	}
	return T(sumGo32(f32(x), f32(acc)))
}

func sumGo64(x, acc []float64) float64 {
	if len(acc) == 0 && len(x) <= 16 {
		return sumShort(x)
	}
	if len(acc) == 0 && len(x) <= 64 {
		return sumShort64(x)
	}
	return sumLanes64(x, acc)
}

// sumShort64 is dotShort64 for Sum: lane k holds x[k] + x[k+32] where the
// canonical lane holds (+0 + x[k]) + x[k+32]; from 32 elements on the
// lanes are formed pair by pair in registers, as in dotShort64.
func sumShort64(x []float64) float64 {
	if len(x) < 32 {
		var l [32]float64
		copy(l[:], x)
		if s := reduce64(&l); s != 0 {
			return s
		}
		return sumLanes64(x, nil)
	}
	x0, x1 := (*[32]float64)(x[:32]), x[32:]
	var v [8]float64
	for j := range 8 {
		v[j] = (sumLane64(x0, x1, j) + sumLane64(x0, x1, j+16)) + (sumLane64(x0, x1, j+8) + sumLane64(x0, x1, j+24))
	}
	if s := ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); s != 0 {
		return s
	}
	return sumLanes64(x, nil)
}

// sumLane64 is lane k of sumShort64.
func sumLane64(x0 *[32]float64, x1 []float64, k int) float64 {
	l := x0[k]
	if k < len(x1) {
		l += x1[k]
	}
	return l
}

// sumLanes64 is the float64 Sum in the canonical order, lane by lane.
func sumLanes64(x, acc []float64) float64 {
	var l [32]float64
	if len(acc) != 0 {
		copy(l[:], acc[:32])
	}
	n := len(x) &^ 31
	for b0 := 0; b0 < n; b0 += 2 * blockElems {
		b1 := min(b0+2*blockElems, n)
		for g := 0; g < 32; g += 8 {
			a := (*[8]float64)(l[g : g+8])
			a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
			for i := b0 + g; i < b1; i += 32 {
				xs := (*[8]float64)(x[i : i+8])
				a0 += xs[0]
				a1 += xs[1]
				a2 += xs[2]
				a3 += xs[3]
				a4 += xs[4]
				a5 += xs[5]
				a6 += xs[6]
				a7 += xs[7]
			}
			*a = [8]float64{a0, a1, a2, a3, a4, a5, a6, a7}
		}
	}
	for k, i := 0, n; i < len(x); k, i = k+1, i+1 {
		l[k] += x[i]
	}
	if len(acc) != 0 {
		copy(acc, l[:])
	}
	return reduce64(&l)
}

func sumGo32(x, acc []float32) float32 {
	if len(acc) == 0 && len(x) <= 16 {
		return sumShort(x)
	}
	if len(acc) == 0 && len(x) <= 64 {
		return sumShort32(x)
	}
	return sumLanes32(x, acc)
}

// sumShort32 is dotShort32 for Sum: lane k holds x[k], the canonical
// lane +0 + x[k].
//
// Its lanes are formed in registers, as dotShort32's.
func sumShort32(x []float32) float32 {
	var v [8]float32
	for j := range 8 {
		v[j] = ((elem32(x, j) + elem32(x, j+32)) + (elem32(x, j+16) + elem32(x, j+48))) +
			((elem32(x, j+8) + elem32(x, j+40)) + (elem32(x, j+24) + elem32(x, j+56)))
	}
	if s := ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); s != 0 {
		return s
	}
	return sumLanes32(x, nil)
}

// elem32 is lane k of sumShort32: x[k], or +0 past the end.
func elem32(x []float32, k int) float32 {
	if k < len(x) {
		return x[k]
	}
	return 0
}

// sumLanes32 is the float32 Sum in the canonical order, lane by lane.
func sumLanes32(x, acc []float32) float32 {
	var l [64]float32
	used := min(len(x), 64)
	if len(acc) != 0 {
		copy(l[:], acc[:64])
		used = 64
	}
	n := len(x) &^ 63
	for b0 := 0; b0 < n; b0 += 4 * blockElems {
		b1 := min(b0+4*blockElems, n)
		for g := 0; g < 64; g += 8 {
			a := (*[8]float32)(l[g : g+8])
			a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
			for i := b0 + g; i < b1; i += 64 {
				xs := (*[8]float32)(x[i : i+8])
				a0 += xs[0]
				a1 += xs[1]
				a2 += xs[2]
				a3 += xs[3]
				a4 += xs[4]
				a5 += xs[5]
				a6 += xs[6]
				a7 += xs[7]
			}
			*a = [8]float32{a0, a1, a2, a3, a4, a5, a6, a7}
		}
	}
	for k, i := 0, n; i < len(x); k, i = k+1, i+1 {
		l[k] += x[i]
	}
	if len(acc) != 0 {
		copy(acc, l[:])
	}
	return reduce32(&l, used)
}

// dotShort is the canonical Dot of at most 16 elements. Lane k < n holds
// fma(x[k], y[k], +0), which is the rounded product x[k]*y[k] up to the
// sign of a zero, and every other lane +0. The halving sums of values that
// agree up to the signs of zeros agree in the same way, and the canonical
// result is never -0 here (its first step adds +0 to every lane), so the
// halving over the products, plus +0, gives its bits.
//
// Sixteen elements, the common case, form the lanes pair by pair (lane j
// with lane j+8, the halving's first step) without a lane array.
func dotShort[T Float](x, y []T) T {
	y = y[:len(x)]
	if len(x) == 16 {
		x0, y0 := (*[16]T)(x), (*[16]T)(y)
		var v [8]T
		for j := range 8 {
			v[j] = T(x0[j]*y0[j]) + T(x0[j+8]*y0[j+8]) // T(): not fused into the sum
		}
		return (((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))) + 0
	}
	var l [16]T
	for k := range x {
		l[k] = T(x[k] * y[k]) // T(): not fused into a later addition
	}
	return tree16(l[:]) + 0
}

// sumShort is dotShort for Sum: lane k < n holds +0 + x[k].
func sumShort[T Float](x []T) T {
	if len(x) == 16 {
		return tree16(x) + 0 // no copy: tree16 only reads its lanes
	}
	var l [16]T
	copy(l[:], x)
	return tree16(l[:]) + 0
}

// reduce64 adds the 32 lanes by halving (shorter inputs took dotShort or
// sumShort).
func reduce64(l *[32]float64) float64 {
	for k := range 16 {
		l[k] += l[k+16]
	}
	return tree16(l[:16])
}

// tree16 adds 16 lanes by halving, the last three steps unrolled.
func tree16[T Float](l []T) T {
	l = l[:16]
	v0, v1, v2, v3 := l[0]+l[8], l[1]+l[9], l[2]+l[10], l[3]+l[11]
	v4, v5, v6, v7 := l[4]+l[12], l[5]+l[13], l[6]+l[14], l[7]+l[15]
	return ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7))
}

// reduce32 adds the 64 lanes by halving, of which only the first used can
// differ from +0. With used <= 32 the first step (lane k += lane k+32) only
// adds +0, which changes nothing but a -0 into +0; adding +0 to the result
// instead gives the same bits (as in dotShort).
func reduce32(l *[64]float32, used int) float32 {
	if used > 32 {
		for k := range 32 {
			l[k] += l[k+32]
		}
	}
	for k := range 16 {
		l[k] += l[k+16]
	}
	s := tree16(l[:16])
	if used <= 32 {
		s += 0
	}
	return s
}

// Axpy is unrolled by four: math.FMA checks the CPU for an FMA instruction
// at each call, and the loop's own overhead then shows.
func axpyGo64(alpha float64, x, y []float64) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, ys := (*[4]float64)(x[i:i+4]), (*[4]float64)(y[i:i+4])
		ys[0] = math.FMA(alpha, xs[0], ys[0])
		ys[1] = math.FMA(alpha, xs[1], ys[1])
		ys[2] = math.FMA(alpha, xs[2], ys[2])
		ys[3] = math.FMA(alpha, xs[3], ys[3])
	}
	for ; i < len(x); i++ {
		y[i] = math.FMA(alpha, x[i], y[i])
	}
}

func axpyGo32(alpha float32, x, y []float32) {
	y = y[:len(x)]
	a := float64(alpha) // converted once: see fma.Exact32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, ys := (*[4]float32)(x[i:i+4]), (*[4]float32)(y[i:i+4])
		if s := a*float64(xs[0]) + float64(ys[0]); fma.Exact32(s) {
			ys[0] = float32(s)
		} else {
			ys[0] = fma.Odd32(alpha, xs[0], ys[0])
		}
		if s := a*float64(xs[1]) + float64(ys[1]); fma.Exact32(s) {
			ys[1] = float32(s)
		} else {
			ys[1] = fma.Odd32(alpha, xs[1], ys[1])
		}
		if s := a*float64(xs[2]) + float64(ys[2]); fma.Exact32(s) {
			ys[2] = float32(s)
		} else {
			ys[2] = fma.Odd32(alpha, xs[2], ys[2])
		}
		if s := a*float64(xs[3]) + float64(ys[3]); fma.Exact32(s) {
			ys[3] = float32(s)
		} else {
			ys[3] = fma.Odd32(alpha, xs[3], ys[3])
		}
	}
	x, y = x[i:], y[i:]
	for i, v := range x {
		if s := a*float64(v) + float64(y[i]); fma.Exact32(s) {
			y[i] = float32(s)
		} else {
			y[i] = fma.Odd32(alpha, v, y[i])
		}
	}
}

// scaleGo and binaryGo go four elements a step: a one-element loop is
// bound by its own overhead, and its speed then hangs on where the linker
// places it. The one-element Mul loop here took 1.5x as long as the same
// instructions in a plain function of the benchmark (n = 256, Zen 5).
func scaleGo[T Float](alpha T, x []T) {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := (*[4]T)(x[i : i+4])
		v[0], v[1], v[2], v[3] = v[0]*alpha, v[1]*alpha, v[2]*alpha, v[3]*alpha
	}
	for ; i < len(x); i++ {
		x[i] *= alpha
	}
}

func binaryGo[T Float](op binaryOp, dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	switch op {
	case opAdd:
		i := 0
		for ; i+4 <= len(dst); i += 4 {
			d, a, b := (*[4]T)(dst[i:i+4]), (*[4]T)(x[i:i+4]), (*[4]T)(y[i:i+4])
			d[0] = a[0] + b[0]
			d[1] = a[1] + b[1]
			d[2] = a[2] + b[2]
			d[3] = a[3] + b[3]
		}
		for ; i < len(dst); i++ {
			dst[i] = x[i] + y[i]
		}
	case opMul:
		i := 0
		for ; i+4 <= len(dst); i += 4 {
			d, a, b := (*[4]T)(dst[i:i+4]), (*[4]T)(x[i:i+4]), (*[4]T)(y[i:i+4])
			d[0] = a[0] * b[0]
			d[1] = a[1] * b[1]
			d[2] = a[2] * b[2]
			d[3] = a[3] * b[3]
		}
		for ; i < len(dst); i++ {
			dst[i] = x[i] * y[i]
		}
	case opKeepPositive:
		if d, ok := any(dst).([]float64); ok {
			keepPositive64(d, any(x).([]float64), any(y).([]float64))
		} else {
			keepPositive32(any(dst).([]float32), any(x).([]float32), any(y).([]float32))
		}
	}
}

// keepPositive64 and keepPositive32 are KeepPositive by a select on the
// bits, four elements a step: the signs of pre-activations are
// unpredictable, so a branch per element would mispredict half the time,
// and the loop's own overhead is most of a one-element step.
func keepPositive64(dst, x, y []float64) {
	x, y = x[:len(dst)], y[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, s, c := dst[i:i+4:i+4], x[i:i+4:i+4], y[i:i+4:i+4]
		b0, b1, b2, b3 := math.Float64bits(s[0]), math.Float64bits(s[1]), math.Float64bits(s[2]), math.Float64bits(s[3])
		if c[0] <= 0 {
			b0 = 0
		}
		if c[1] <= 0 {
			b1 = 0
		}
		if c[2] <= 0 {
			b2 = 0
		}
		if c[3] <= 0 {
			b3 = 0
		}
		d[0], d[1], d[2], d[3] = math.Float64frombits(b0), math.Float64frombits(b1), math.Float64frombits(b2), math.Float64frombits(b3)
	}
	for ; i < len(dst); i++ {
		b := math.Float64bits(x[i])
		if y[i] <= 0 {
			b = 0
		}
		dst[i] = math.Float64frombits(b)
	}
}

func keepPositive32(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, s, c := dst[i:i+4:i+4], x[i:i+4:i+4], y[i:i+4:i+4]
		b0, b1, b2, b3 := math.Float32bits(s[0]), math.Float32bits(s[1]), math.Float32bits(s[2]), math.Float32bits(s[3])
		if c[0] <= 0 {
			b0 = 0
		}
		if c[1] <= 0 {
			b1 = 0
		}
		if c[2] <= 0 {
			b2 = 0
		}
		if c[3] <= 0 {
			b3 = 0
		}
		d[0], d[1], d[2], d[3] = math.Float32frombits(b0), math.Float32frombits(b1), math.Float32frombits(b2), math.Float32frombits(b3)
	}
	for ; i < len(dst); i++ {
		b := math.Float32bits(x[i])
		if y[i] <= 0 {
			b = 0
		}
		dst[i] = math.Float32frombits(b)
	}
}
