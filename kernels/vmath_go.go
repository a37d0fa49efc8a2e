package kernels

import "github.com/flowkern/flowkern/internal/ref"

// The pure-Go tier of the vector math functions is the specification
// itself, element by element.

var (
	goFuncs64 = [numVfuncs]func(float64) float64{fnExp: ref.Exp64, fnLog: ref.Log64}
	goFuncs32 = [numVfuncs]func(float32) float32{fnExp: ref.Exp32, fnLog: ref.Log32}
)

func vmathGo64(f vfunc, dst, x []float64) {
	g := goFuncs64[f]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = g(v)
	}
}

func vmathGo32(f vfunc, dst, x []float32) {
	g := goFuncs32[f]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = g(v)
	}
}
