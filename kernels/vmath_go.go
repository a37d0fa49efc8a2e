package kernels

// The pure-Go tier of the vector math functions is the specification
// itself, element by element: goFuncs64 and goFuncs32 (kernels/manifest.go,
// from gen/manifest) hold internal/ref's function of each.

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
