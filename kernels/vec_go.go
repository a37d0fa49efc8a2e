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
// around math.FMA and fma.F32 is not inlined and costs 3x.

func dotGo64(x, y, acc []float64) float64 {
	var buf [32]float64
	if len(acc) == 0 {
		acc = buf[:]
	}
	y = y[:len(x)]
	acc = acc[:32]
	i := 0
	for ; i+32 <= len(x); i += 32 {
		xs, ys := x[i:i+32], y[i:i+32]
		for k := range acc {
			acc[k] = math.FMA(xs[k], ys[k], acc[k])
		}
	}
	for k := 0; i < len(x); i, k = i+1, k+1 {
		acc[k] = math.FMA(x[i], y[i], acc[k])
	}
	return reduceLanes(acc)
}

func dotGo32(x, y, acc []float32) float32 {
	var buf [64]float32
	if len(acc) == 0 {
		acc = buf[:]
	}
	y = y[:len(x)]
	acc = acc[:64]
	i := 0
	for ; i+64 <= len(x); i += 64 {
		xs, ys := x[i:i+64], y[i:i+64]
		for k := range acc {
			acc[k] = fma.F32(xs[k], ys[k], acc[k])
		}
	}
	for k := 0; i < len(x); i, k = i+1, k+1 {
		acc[k] = fma.F32(x[i], y[i], acc[k])
	}
	return reduceLanes(acc)
}

func sumGo[T Float](x, acc []T) T {
	var buf [64]T
	if len(acc) == 0 {
		acc = buf[:lanes[T]()]
	}
	l := len(acc)
	i := 0
	for ; i+l <= len(x); i += l {
		xs := x[i : i+l]
		for k := range acc {
			acc[k] += xs[k]
		}
	}
	for k := 0; i < len(x); i, k = i+1, k+1 {
		acc[k] += x[i]
	}
	return reduceLanes(acc)
}

// reduceLanes adds the lanes by halving, leaving acc as it was.
func reduceLanes[T Float](acc []T) T {
	var buf [64]T
	s := buf[:copy(buf[:], acc)]
	for w := len(s) / 2; w >= 1; w /= 2 {
		for k := range w {
			s[k] += s[k+w]
		}
	}
	return s[0]
}

func axpyGo64(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = math.FMA(alpha, v, y[i])
	}
}

func axpyGo32(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = fma.F32(alpha, v, y[i])
	}
}

func scaleGo[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

func binaryGo[T Float](op binaryOp, dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	switch op {
	case opAdd:
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case opMul:
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	}
}
