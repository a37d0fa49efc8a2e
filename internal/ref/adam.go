package ref

import "math"

// AdamCoefs are the coefficients of one Adam step rounded to T, in the
// order Adam takes them: b1, a1 = 1-b1, b2, a2 = 1-b2, step = lr/(1-b1^t),
// ic2 = 1/(1-b2^t), eps, keep = 1 - lr*wd.
type AdamCoefs[T Float] struct{ B1, A1, B2, A2, Step, IC2, Eps, Keep T }

// Adam applies one Adam/AdamW step to every i < len(p) in the canonical
// order, all arithmetic in T, each operation rounded once:
//
//	m[i] = fma(a1, g[i], T(b1*m[i]))
//	v[i] = fma(a2, T(g[i]*g[i]), T(b2*v[i]))
//	den  = sqrt(T(v[i]*ic2)) + eps      (sqrt correctly rounded)
//	upd  = T(step*m[i]) / den
//	p[i] = fma(p[i], keep, -upd)
//
// len(g), len(m), len(v) >= len(p). Every conversion is explicit, so the
// compiler cannot fuse a product into a neighbouring addition.
func Adam[T Float](p, g, m, v []T, c AdamCoefs[T]) {
	for i := range p {
		mi := FMA(c.A1, g[i], T(c.B1*m[i]))
		vi := FMA(c.A2, T(g[i]*g[i]), T(c.B2*v[i]))
		den := T(Sqrt(T(vi*c.IC2)) + c.Eps)
		upd := T(T(c.Step*mi) / den)
		m[i], v[i] = mi, vi
		p[i] = FMA(p[i], c.Keep, -upd)
	}
}

// Sqrt returns the square root of x correctly rounded to T. For float32 the
// float64 root of a float32 rounds correctly on to float32: 53 >= 2*24+2
// bits, so the double rounding is innocuous.
func Sqrt[T Float](x T) T {
	if v, ok := any(x).(float32); ok {
		return T(float32(math.Sqrt(float64(v))))
	}
	return T(math.Sqrt(float64(x)))
}
