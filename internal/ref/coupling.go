package ref

// The element steps of the affine coupling kernels. Every tier runs these
// operations in this order (gen/vmathalg records the same steps for the
// assembly), so y, x, dx and ds are bit-identical across tiers.
//
// The scale clamp c(s) of one coupling layer, for a caller's a > 0, with
// ia = 1/a and m given by the caller (both rounded to T once):
//
//	none: c = s
//	tanh: c = m * Tanh(s*ia)   (m = a: a*tanh(s/a))
//	atan: c = m * Atan(s*ia)   (m = 2a/pi: (2a/pi)*atan(s/a))

// Clamp kinds, as kernels.Clamp numbers them.
const (
	ClampNone = iota
	ClampTanh
	ClampAtan
)

// Exp is Exp64 or Exp32.
func Exp[T Float](x T) T {
	if v, ok := any(x).(float32); ok {
		return T(Exp32(v))
	}
	return T(Exp64(float64(x)))
}

// CouplingScale returns c(s).
func CouplingScale[T Float](clamp int, s, ia, m T) T {
	switch clamp {
	case ClampTanh:
		return m * Tanh(s*ia)
	case ClampAtan:
		return m * Atan(s*ia)
	}
	return s
}

// CouplingScaleGrad returns c(s), as CouplingScale, and the factor f from
// which CouplingChain makes dc/ds:
//
//	none: f = 1
//	tanh: f = fma(-h, h, 1) with h = Tanh(s*ia)
//	atan: f = fma(u, u, 1) with u = s*ia
func CouplingScaleGrad[T Float](clamp int, s, ia, m T) (c, f T) {
	switch clamp {
	case ClampTanh:
		h := Tanh(s * ia)
		return m * h, FMA(-h, h, 1)
	case ClampAtan:
		u := s * ia
		return m * Atan(u), FMA(u, u, 1)
	}
	return s, 1
}

// CouplingChain returns dL/ds given g = dL/dc and CouplingScaleGrad's f:
//
//	none: g
//	tanh: g * f
//	atan: (g * 2/pi) / f
func CouplingChain[T Float](clamp int, g, f T) T {
	switch clamp {
	case ClampTanh:
		return g * f
	case ClampAtan:
		return (g * TwoOverPi[T]()) / f
	}
	return g
}

// CouplingForward returns y = fma(x, Exp(c), t) and c = CouplingScale(s).
func CouplingForward[T Float](clamp int, x, s, t, ia, m T) (y, c T) {
	c = CouplingScale(clamp, s, ia, m)
	return FMA(x, Exp(c), t), c
}

// CouplingInverse returns x = (y - t) * Exp(-c) and c = CouplingScale(s).
func CouplingInverse[T Float](clamp int, y, s, t, ia, m T) (x, c T) {
	c = CouplingScale(clamp, s, ia, m)
	return (y - t) * Exp(-c), c
}

// TanhGrad returns g (1 - y^2), the gradient through y = tanh(z) given
// dL/dy = g, as g - (g y) y: two rounded products, then the difference
// rounded once (the conversions keep Go from fusing them).
func TanhGrad[T Float](g, y T) T {
	t := T(g * y)
	t = T(t * y)
	return g - t
}

// TwoOverPi64 is 2/pi rounded to float64; TwoOverPi rounds it on to T.
const TwoOverPi64 float64 = 0.63661977236758134308

// TwoOverPi is TwoOverPi64 rounded to T.
func TwoOverPi[T Float]() T { return T(TwoOverPi64) }

// CouplingBackward returns the gradients of a loss L through
// y = x*exp(c(s)) + t and logdet += sum c(s), given dy = dL/dy and
// dl = dL/dlogdet of the row:
//
//	e  = Exp(c)
//	dx = dy*e
//	g  = fma(dx, x, dl)            (dL/dc)
//	ds = CouplingChain(g, f)       with c, f = CouplingScaleGrad(s):
//	     g                         none
//	     g * fma(-h, h, 1)         tanh, h = Tanh(s*ia)
//	     (g * 2/pi) / fma(u, u, 1) atan, u = s*ia
//
// dL/dt is dy itself.
func CouplingBackward[T Float](clamp int, dy, x, s, dl, ia, m T) (dx, ds T) {
	c, f := CouplingScaleGrad(clamp, s, ia, m)
	dx = dy * Exp(c)
	return dx, CouplingChain(clamp, FMA(dx, x, dl), f)
}
