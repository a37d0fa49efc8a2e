package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
)

// The pure-Go tier. Each function has the contract of the assembly kernel of
// the same name in package asm: acc holds the lanes of a running reduction,
// is updated in place, and the reduced value is returned.

func fmaT[T Float](x, y, z T) T {
	if is64[T]() {
		return T(math.FMA(float64(x), float64(y), float64(z)))
	}
	return T(fma.F32(float32(x), float32(y), float32(z)))
}

func dotGo[T Float](x, y, acc []T) T {
	y = y[:len(x)]
	l := len(acc)
	i := 0
	for ; i+l <= len(x); i += l {
		xs, ys := x[i:i+l], y[i:i+l]
		for k := range acc {
			acc[k] = fmaT(xs[k], ys[k], acc[k])
		}
	}
	for k := 0; i < len(x); i, k = i+1, k+1 {
		acc[k] = fmaT(x[i], y[i], acc[k])
	}
	return reduceLanes(acc)
}

func sumGo[T Float](x, acc []T) T {
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

func axpyGo[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = fmaT(alpha, v, y[i])
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
