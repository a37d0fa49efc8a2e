package kernels

import "github.com/flowkern/flowkern/internal/ref"

// The pure-Go tier of the vector math functions is the specification
// itself, element by element.

var (
	goFuncs64 = [numVfuncs]func(float64) float64{fnExp: ref.Exp64, fnLog: ref.Log64,
		fnExpm1: ref.Expm1[float64], fnLog1p: ref.Log1p[float64], fnTanh: ref.Tanh[float64],
		fnSigmoid: ref.Sigmoid[float64], fnSoftplus: ref.Softplus[float64], fnAtan: ref.Atan[float64]}
	goFuncs32 = [numVfuncs]func(float32) float32{fnExp: ref.Exp32, fnLog: ref.Log32,
		fnExpm1: ref.Expm1[float32], fnLog1p: ref.Log1p[float32], fnTanh: ref.Tanh[float32],
		fnSigmoid: ref.Sigmoid[float32], fnSoftplus: ref.Softplus[float32], fnAtan: ref.Atan[float32]}
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
