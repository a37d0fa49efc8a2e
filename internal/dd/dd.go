// Package dd is double-double arithmetic (about 106 significant bits) and
// reference elementary functions built on it. It is the "higher precision"
// the vector-math tests measure ulp errors against, and the function values
// gen/minimax fits its polynomials to. Nothing here is fast; every result is
// meant to be accurate to about 2^-100 relative (absolute near underflow).
//
// Products that feed an addition are converted with float64(): Go may fuse
// x*y + z into one FMA (it does on arm64), which breaks the error-free
// transformations this package is built on.
package dd

import "math"

// DD is the unevaluated sum Hi + Lo with |Lo| <= ulp(Hi)/2.
type DD struct{ Hi, Lo float64 }

// F returns x as a DD.
func F(x float64) DD { return DD{x, 0} }

// Float returns the DD rounded to float64.
func (a DD) Float() float64 { return a.Hi + a.Lo }

func twoSum(a, b float64) DD {
	s := a + b
	bb := s - a
	return DD{s, (a - (s - bb)) + (b - bb)}
}

func fastTwoSum(a, b float64) DD {
	s := a + b
	return DD{s, b - (s - a)}
}

func twoProd(a, b float64) DD {
	p := float64(a * b) // float64(): no fusion with a later add (arm64)
	return DD{p, math.FMA(a, b, -p)}
}

// Add returns a+b.
func Add(a, b DD) DD {
	s := twoSum(a.Hi, b.Hi)
	t := twoSum(a.Lo, b.Lo)
	s.Lo += t.Hi
	s = fastTwoSum(s.Hi, s.Lo)
	s.Lo += t.Lo
	return fastTwoSum(s.Hi, s.Lo)
}

// Neg returns -a.
func Neg(a DD) DD { return DD{-a.Hi, -a.Lo} }

// Sub returns a-b.
func Sub(a, b DD) DD { return Add(a, Neg(b)) }

// Mul returns a*b.
func Mul(a, b DD) DD {
	p := twoProd(a.Hi, b.Hi)
	p.Lo += float64(a.Hi*b.Lo) + float64(a.Lo*b.Hi)
	return fastTwoSum(p.Hi, p.Lo)
}

// Div returns a/b (two correction steps).
func Div(a, b DD) DD {
	q1 := a.Hi / b.Hi
	r := Sub(a, Mul(F(q1), b))
	q2 := r.Hi / b.Hi
	r = Sub(r, Mul(F(q2), b))
	q3 := r.Hi / b.Hi
	q := fastTwoSum(q1, q2)
	return Add(q, F(q3))
}

// Ldexp returns a*2^k (exact unless it underflows).
func Ldexp(a DD, k int) DD { return DD{math.Ldexp(a.Hi, k), math.Ldexp(a.Lo, k)} }

// Sqrt returns the square root of a >= 0.
func Sqrt(a DD) DD {
	if a.Hi <= 0 {
		return F(0)
	}
	s := math.Sqrt(a.Hi)
	r := Sub(a, twoProd(s, s))
	return fastTwoSum(s, r.Hi/(2*s))
}

// Constants to about 2^-106 relative: hi + lo with hi the rounded value.
var (
	Ln2 = DD{0x1.62e42fefa39efp-01, 0x1.abc9e3b39803fp-56}
	Pi  = DD{0x1.921fb54442d18p+01, 0x1.1a62633145c07p-53}
)

// Exp returns e^x. It is +Inf above the overflow threshold; results in
// the subnormal range keep only the precision of Hi (see ExpScaled).
func Exp(x float64) DD {
	e, k := ExpScaled(x)
	// Scale in two steps so neither factor over- or underflows.
	k1 := k / 2
	return Ldexp(Ldexp(e, k1), k-k1)
}

// ExpScaled returns m and k with e^x = m * 2^k and m in [0.5, 2], so that
// tiny results keep their full precision.
func ExpScaled(x float64) (DD, int) {
	if x != x || math.IsInf(x, 0) {
		return F(math.Exp(x)), 0
	}
	if x > 709.8 {
		return F(math.Inf(1)), 0
	}
	if x < -1500 {
		return F(0), 0 // below half the smallest subnormal
	}
	k := math.RoundToEven(x / Ln2.Hi)
	r := Sub(F(x), Mul(F(k), Ln2))
	e := expSmall(Ldexp(r, -12))
	for i := 0; i < 12; i++ {
		e = Mul(e, e)
	}
	return e, int(k)
}

// expSmall returns e^r for |r| < 2^-12 by its Taylor series.
func expSmall(r DD) DD {
	sum, term := F(1), F(1)
	for n := 1; n <= 14; n++ {
		term = Div(Mul(term, r), F(float64(n)))
		sum = Add(sum, term)
	}
	return sum
}

// Expm1 returns e^x - 1, accurate relative to the result also near 0.
func Expm1(x float64) DD {
	if math.Abs(x) < 0x1p-500 {
		return F(x) // x^2/2 is far below the last bit
	}
	if math.Abs(x) < 0.5 {
		sum, term := F(0), F(1)
		for n := 1; n <= 40; n++ {
			term = Div(Mul(term, F(x)), F(float64(n)))
			sum = Add(sum, term)
		}
		return sum
	}
	e := Exp(x)
	if math.IsInf(e.Hi, 0) {
		return e
	}
	return Sub(e, F(1))
}

// Log returns the natural logarithm of a > 0.
func Log(a DD) DD {
	if a.Hi <= 0 || math.IsInf(a.Hi, 1) || a.Hi != a.Hi {
		return F(math.Log(a.Hi))
	}
	_, e := math.Frexp(a.Hi)
	m := Ldexp(a, -e) // [0.5, 1) up to Lo
	if m.Hi < math.Sqrt2/2 {
		m = Ldexp(m, 1)
		e--
	}
	return Add(Mul(F(float64(e)), Ln2), log1pSeries(Sub(m, F(1))))
}

// log1pSeries returns log(1+f) for |f| < 0.5 as 2 atanh(f/(2+f)).
func log1pSeries(f DD) DD {
	s := Div(f, Add(F(2), f))
	s2 := Mul(s, s)
	sum, pow := F(0), s
	for n := 1; n <= 81; n += 2 {
		sum = Add(sum, Div(pow, F(float64(n))))
		pow = Mul(pow, s2)
		if math.Abs(pow.Hi) < 1e-40*math.Abs(sum.Hi) {
			break
		}
	}
	return Ldexp(sum, 1)
}

// Log1p returns log(1+a) for a > -1, accurate relative to the result near 0.
func Log1p(a DD) DD {
	if math.IsInf(a.Hi, 1) {
		return a
	}
	if math.Abs(a.Hi) < 0x1p-500 {
		return a
	}
	if math.Abs(a.Hi) < 0.25 {
		return log1pSeries(a)
	}
	return Log(Add(F(1), a))
}

// Atan returns the arctangent of x.
func Atan(x float64) DD {
	if x != x {
		return F(x)
	}
	if math.Abs(x) < 0x1p-500 {
		return F(x)
	}
	if math.IsInf(x, 0) {
		return DD{math.Copysign(Pi.Hi/2, x), math.Copysign(Pi.Lo/2, x)}
	}
	neg := x < 0
	t := F(math.Abs(x))
	inv := t.Hi > 1
	if inv {
		t = Div(F(1), t)
	}
	// Halve the angle twice: atan t = 2 atan(t/(1+sqrt(1+t^2))).
	for i := 0; i < 2; i++ {
		t = Div(t, Add(F(1), Sqrt(Add(F(1), Mul(t, t)))))
	}
	t2 := Mul(t, t)
	sum, pow := F(0), t
	for n := 1; n <= 101; n += 2 {
		term := Div(pow, F(float64(n)))
		if n%4 == 3 {
			term = Neg(term)
		}
		sum = Add(sum, term)
		pow = Mul(pow, t2)
		if math.Abs(pow.Hi) < 1e-40*math.Abs(sum.Hi) {
			break
		}
	}
	r := Ldexp(sum, 2)
	if inv {
		r = Sub(Ldexp(Pi, -1), r)
	}
	if neg {
		r = Neg(r)
	}
	return r
}

// Tanh returns the hyperbolic tangent of x.
func Tanh(x float64) DD {
	if x != x {
		return F(x)
	}
	if math.Abs(x) < 0x1p-500 {
		return F(x)
	}
	e := Expm1(-2 * math.Abs(x)) // (-1, 0]
	r := Neg(Div(e, Add(e, F(2))))
	if x < 0 {
		r = Neg(r)
	}
	return r
}

// Sigmoid returns 1/(1+e^-x).
func Sigmoid(x float64) DD {
	if x != x {
		return F(x)
	}
	e := Exp(-math.Abs(x))
	num := F(1)
	if x < 0 {
		num = e
	}
	return Div(num, Add(F(1), e))
}

// Softplus returns log(1+e^x).
func Softplus(x float64) DD {
	if x != x {
		return F(x)
	}
	if math.IsInf(x, 1) {
		return F(x)
	}
	l := Log1p(Exp(-math.Abs(x)))
	if x > 0 {
		return Add(F(x), l)
	}
	return l
}

// SigmoidScaled returns m and k with 1/(1+e^-x) = m * 2^k, so that tiny
// (subnormal) results keep their full precision.
func SigmoidScaled(x float64) (DD, int) {
	if x < -700 {
		e, k := ExpScaled(x)
		return Div(e, Add(F(1), Ldexp(e, k))), k
	}
	return Sigmoid(x), 0
}

// SoftplusScaled returns m and k with log(1+e^x) = m * 2^k; below -700 it
// is e^x, log1p(y) = y(1 - y/2 + ...) with y < 2^-1000.
func SoftplusScaled(x float64) (DD, int) {
	if x < -700 {
		return ExpScaled(x)
	}
	return Softplus(x), 0
}

// ULPError returns |y - v| in ulps of the exact value v = exact * 2^k: ulps
// of float64, or of float32 when single (the ulp of the binade of v, the
// smallest subnormal spacing below the normal range). A result beyond the
// largest finite value counts as exact when y is what rounding v gives (Inf,
// or the largest finite value), NaN matches NaN only.
func ULPError(y float64, exact DD, k int, single bool) float64 {
	v := math.Ldexp(exact.Float(), k)
	if v != v || y != y {
		if v != v && y != y {
			return 0
		}
		return math.Inf(1)
	}
	maxF, mant, minUlp := math.MaxFloat64, 53, 0x1p-1074
	if single {
		maxF, mant, minUlp = math.MaxFloat32, 24, 0x1p-149
	}
	if math.IsInf(v, 0) || math.Abs(v) > maxF {
		if single && float64(float32(v)) == y || !single && math.Copysign(math.Inf(1), v) == y {
			return 0
		}
		if math.Abs(y) == maxF {
			return 0.5
		}
		return math.Inf(1)
	}
	if math.IsInf(y, 0) {
		return math.Inf(1)
	}
	// Measure at scale 2^-k, where subnormal results keep their precision.
	_, e := math.Frexp(exact.Float())
	u := math.Max(math.Ldexp(1, e+k-mant), minUlp)
	return math.Abs(Sub(F(math.Ldexp(y, -k)), exact).Float()) / math.Ldexp(u, -k)
}
