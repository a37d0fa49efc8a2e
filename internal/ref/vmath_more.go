package ref

import "math"

// Expm1, Log1p, Tanh, Sigmoid, Softplus and Atan, written once for both
// precisions. They reuse the reductions and polynomials of Exp and Log and
// carry the rounding error of the large steps in a second (low) word, so the
// float32 versions stay within 1 ulp in float32 arithmetic. Every product
// that feeds an addition is converted with T(): Go may fuse x*y + z into one
// FMA (arm64 does), and the specification must not depend on the compiler.

// pc are the constants of one precision.
type pc[T Float] struct {
	ln2hi, ln2lo, log2e     T
	expLo, expm1Lo, expm1Hi T // clamps
	kcap                    T // Expm1: largest 2^k used before the final scaling
	tanhHi, softplusBig     T // beyond: tanh = 1, softplus(x) = x
	ecap                    T // Log1p: cap of e in the 2^-e scaling of the low word
	atanBig                 T // Atan: larger |x| are taken as this (atan is pi/2 there)
	pi4hi, pi4lo            T // pi/4 split
	pi2hi, pi2lo            T // pi/2 split
	expQ, logR, atanP       []T
}

// The constants of both precisions, exported for the pure-Go loops of
// package kernels (which must use the same values).
const (
	Expm1Lo64, Expm1Lo32         = -60, -20
	Kcap64, Kcap32               = 60, 30
	TanhHi64, TanhHi32           = 20, 10
	SoftplusBig64, SoftplusBig32 = 40, 20
	Ecap64, Ecap32               = 1000, 120
	AtanBig64, AtanBig32         = 0x1p60, 0x1p30

	Pi4Hi64, Pi4Lo64 = 0x1.921fb54442d18p-01, 0x1.1a62633145c07p-55
	Pi2Hi64, Pi2Lo64 = 0x1.921fb54442d18p+00, 0x1.1a62633145c07p-54
	Pi4Hi32, Pi4Lo32 = 0x1.921fb6p-01, -0x1.777a5cp-26
	Pi2Hi32, Pi2Lo32 = 0x1.921fb6p+00, -0x1.777a5cp-25
)

var pc64 = pc[float64]{
	ln2hi: Ln2Hi64, ln2lo: Ln2Lo64, log2e: Log2e64,
	expLo: ExpLo64, expm1Lo: Expm1Lo64, expm1Hi: ExpHi64, kcap: Kcap64,
	tanhHi: TanhHi64, softplusBig: SoftplusBig64, ecap: Ecap64, atanBig: AtanBig64,
	pi4hi: Pi4Hi64, pi4lo: Pi4Lo64,
	pi2hi: Pi2Hi64, pi2lo: Pi2Lo64,
	expQ: ExpQ64[:], logR: LogR64[:], atanP: AtanP64[:],
}

var pc32 = pc[float32]{
	ln2hi: Ln2Hi32, ln2lo: Ln2Lo32, log2e: Log2e32,
	expLo: ExpLo32, expm1Lo: Expm1Lo32, expm1Hi: ExpHi32, kcap: Kcap32,
	tanhHi: TanhHi32, softplusBig: SoftplusBig32, ecap: Ecap32, atanBig: AtanBig32,
	pi4hi: Pi4Hi32, pi4lo: Pi4Lo32,
	pi2hi: Pi2Hi32, pi2lo: Pi2Lo32,
	expQ: ExpQ32[:], logR: LogR32[:], atanP: AtanP32[:],
}

func consts[T Float]() *pc[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&pc32).(*pc[T])
	}
	return any(&pc64).(*pc[T])
}

func roundEven[T Float](x T) T { return T(math.RoundToEven(float64(x))) }

// pow2 returns 2^k for integral k in the normal range (k NaN: NaN).
func pow2[T Float](k T) T {
	if k != k {
		return k
	}
	if _, ok := any(k).(float32); ok {
		return T(math.Float32frombits(uint32(int32(k)+127) << 23))
	}
	return T(math.Float64frombits(uint64(int64(k)+1023) << 52))
}

func scale[T Float](p, k T) T {
	if f, ok := any(p).(float32); ok {
		return T(Scale32(f, float32(k)))
	}
	return T(Scale64(float64(p), float64(k)))
}

func split[T Float](x T) (T, T) {
	if f, ok := any(x).(float32); ok {
		m, e := Split32(f)
		return T(m), T(e)
	}
	m, e := Split64(float64(x))
	return T(m), T(e)
}

// logParts is LogParts64 / LogParts32.
func logParts[T Float](f T) (T, T) {
	if f32, ok := any(f).(float32); ok {
		s, r := LogParts32(f32)
		return T(s), T(r)
	}
	s, r := LogParts64(float64(f))
	return T(s), T(r)
}

// logCombine returns e*ln2 + s + rest as Log64 sums it.
func logCombine[T Float](e, s, rest T) T {
	c := consts[T]()
	hi := FMA(e, c.ln2hi, s)
	lo := FMA(e, c.ln2hi, -hi) + s
	return hi + (lo + FMA(e, c.ln2lo, rest))
}

func poly[T Float](c []T, r, r2 T) T {
	if c32, ok := any(c).([]float32); ok {
		return T(Poly32(c32, float32(r)))
	}
	return T(Poly64(any(c).([]float64), float64(r), float64(r2)))
}

// horner evaluates c[0] + x*(c[1] + x*(...)), one fma per step. Expm1 and
// Tanh use it for ExpQ: the two halves of Poly cancel in part for r < 0,
// which their result does not forgive (1.03 ulp measured for Expm1).
func horner[T Float](c []T, x T) T {
	q := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		q = FMA(q, x, c[i])
	}
	return q
}

func abs[T Float](x T) T { return T(math.Abs(float64(x))) }

func copysign[T Float](x, s T) T { return T(math.Copysign(float64(x), float64(s))) }

// Expm1 is e^x - 1.
//
//	x == ±0: x
//	x := clamp(x, expm1Lo, expm1Hi)                  // NaN passes
//	k := RoundToEven(x*log2e); r0 := fma(k, -ln2hi, x) // exact
//	c := k*(-ln2lo); t := expm1Tail(r0, c)            // expm1(r0 + c) - r0
//	kk := min(k, kcap); s := 2^kk                    // NaN passes
//	sr := s*r0; sm1 := s - 1                          // sm1 exact for k <= 53
//	hi := sm1 + sr; lo := (sr - (hi - sm1)) + ((s - sm1) - 1) // Fast2Sum, s-1 exactly
//	return (hi + fma(s, t, lo)) * 2^(k-kk)            // Scale
func Expm1[T Float](x T) T {
	c := consts[T]()
	if x == 0 {
		return x
	}
	if c.expm1Hi < x {
		x = c.expm1Hi
	}
	if c.expm1Lo > x {
		x = c.expm1Lo
	}
	k := roundEven(T(x * c.log2e))
	r0 := FMA(k, -c.ln2hi, x)
	cc := T(k * -c.ln2lo)
	t := expm1Tail(r0, cc)
	kk := k
	if c.kcap < kk {
		kk = c.kcap
	}
	s := pow2(kk)
	sr := T(s * r0)
	sm1 := s - 1
	hi := sm1 + sr
	lo := (sr - (hi - sm1)) + ((s - sm1) - 1)
	return scale(hi+FMA(s, t, lo), k-kk)
}

// expm1Tail returns expm1(r) - r0 for r = r0 + cc (r0 exact, cc the small
// second Cody-Waite term): cc + r^2 q(r), with r^2 as the double word
// r0*r0 + (its rounding error + (r0 + r) cc), q = Horner(ExpQ, r), r = r0 + cc.
func expm1Tail[T Float](r0, cc T) T {
	c := consts[T]()
	r := r0 + cc
	r2 := T(r0 * r0)
	r2l := FMA(r0, r0, -r2)
	r2l = FMA(r0+r, cc, r2l) // + (2 r0 + cc) cc
	q := horner(c.expQ, r)
	return FMA(r2, q, FMA(r2l, q, cc))
}

// Log1p is log(1+x).
//
//	specials (on u = 1 + x): NaN or u < 0: NaN; u == 0: -Inf; u == +Inf: +Inf;
//	x == ±0: x
//	-0.25 <= x < 0.5: f, fl, e := x, 0, 0
//	otherwise: u := 1 + x; z := u - 1; d := (1 - (u - z)) + (x - z) // u + d == 1 + x
//	           m, e := Split(u); f := m - 1; fl := d * 2^-min(e, ecap)
//	s, rest := LogParts(f)
//	cr := fma(f, fma(f, 1 - f, -1), 1)                 // ~ 1/(1+f)
//	return logCombine(e, s, fma(fl, cr, rest))         // as Log64 sums
func Log1p[T Float](x T) T {
	c := consts[T]()
	u := 1 + x
	switch {
	case u != u || u < 0:
		return T(math.NaN())
	case u == 0:
		return T(math.Inf(-1))
	case math.IsInf(float64(u), 1):
		return u
	case x == 0:
		return x
	}
	z := u - 1
	d := (1 - (u - z)) + (x - z)
	m, e := split(u)
	f := m - 1
	ec := e
	if c.ecap < ec {
		ec = c.ecap
	}
	fl := T(d * pow2(-ec))
	if -0.25 <= x && x < 0.5 {
		f, fl, e = x, 0, 0
	}
	s, rest := logParts(f)
	cr := FMA(f, FMA(f, 1-f, -1), 1)
	return logCombine(e, s, FMA(fl, cr, rest))
}

// expHiLo returns e^a as eh + el for a <= 0 (a NaN: NaN): the Exp steps with
// the final sum split exactly (Fast2Sum) and both words scaled by 2^k.
func expHiLo[T Float](a T) (eh, el T) {
	c := consts[T]()
	if c.expLo > a {
		a = c.expLo
	}
	k := roundEven(T(a * c.log2e))
	r := FMA(k, -c.ln2hi, a)
	r = FMA(k, -c.ln2lo, r)
	r2 := T(r * r)
	q := poly(c.expQ, r, r2)
	hi := 1 + r
	lo := (1 - hi) + r
	v := FMA(r2, q, lo)
	ph := hi + v
	pl := v - (ph - hi)
	return scale(ph, k), scale(pl, k)
}

// divHiLo returns (nh + nl)/(dh + dl) to about twice the working precision
// and rounded once: y = 1/dh, q = nh*y, then one Newton correction with the
// exact residual of q.
func divHiLo[T Float](nh, nl, dh, dl T) T {
	y := 1 / dh
	q := T(nh * y)
	res := FMA(-q, dh, nh) + nl
	res = FMA(-q, dl, res)
	return FMA(res, y, q)
}

// Tanh is the hyperbolic tangent.
//
//	a := min(|x|, tanhHi)                              // NaN passes
//	e := expm1(2a) as eh + el (the Expm1 steps with kk = k, Fast2Sum of the last sum)
//	dh := eh + 2; dl := TwoSum error + el
//	return copysign(divHiLo(eh, el, dh, dl), x)
func Tanh[T Float](x T) T {
	c := consts[T]()
	a := abs(x)
	if c.tanhHi < a {
		a = c.tanhHi
	}
	y := 2 * a
	k := roundEven(T(y * c.log2e))
	r0 := FMA(k, -c.ln2hi, y)
	cc := T(k * -c.ln2lo)
	t := expm1Tail(r0, cc)
	s := pow2(k)
	sr := T(s * r0)
	sm1 := s - 1
	hi := sm1 + sr
	lo := sr - (hi - sm1)
	u := FMA(s, t, lo)
	eh := hi + u
	el := u - (eh - hi)
	dh := eh + 2
	bb := dh - eh
	dl := ((eh - (dh - bb)) + (2 - bb)) + el
	return copysign(divHiLo(eh, el, dh, dl), x)
}

// Sigmoid is 1/(1+e^-x).
//
//	eh, el := e^-|x|                                    // expHiLo
//	dh := 1 + eh; dl := ((1 - dh) + eh) + el            // Fast2Sum
//	n := x < 0 ? (eh, el) : (1, 0)
//	return divHiLo(n, dh, dl)
func Sigmoid[T Float](x T) T {
	eh, el := expHiLo(-abs(x))
	dh := 1 + eh
	dl := ((1 - dh) + eh) + el
	nh, nl := T(1), T(0)
	if x < 0 {
		nh, nl = eh, el
	}
	return divHiLo(nh, nl, dh, dl)
}

// Softplus is log(1+e^x) = max(x, 0) + log1p(e^-|x|).
//
//	x > softplusBig: x
//	eh, el := e^-|x|                                    // expHiLo
//	eh <= 0.5: f, fl, e := eh, el, 0
//	otherwise: u := 1 + eh; d := ((1 - u) + eh) + el    // Fast2Sum
//	           m, e := Split(u); f := m - 1; fl := d * 2^-e
//	s, rest := LogParts(f); cr := fma(f, fma(f, 1 - f, -1), 1)
//	hi := fma(e, ln2hi, s); lo := fma(e, ln2hi, -hi) + s  // as Log64
//	t := lo + fma(e, ln2lo, fma(fl, cr, rest)); p := x > 0 ? x : 0
//	s2 := p + hi; return s2 + (TwoSum error of s2 + t)
func Softplus[T Float](x T) T {
	c := consts[T]()
	if x > c.softplusBig {
		return x
	}
	eh, el := expHiLo(-abs(x))
	u := 1 + eh
	d := ((1 - u) + eh) + el
	m, e := split(u)
	f := m - 1
	fl := T(d * pow2(-e))
	if eh <= 0.5 {
		f, fl, e = eh, el, 0
	}
	s, rest := logParts(f)
	cr := FMA(f, FMA(f, 1-f, -1), 1)
	hi := FMA(e, c.ln2hi, s)
	lo := FMA(e, c.ln2hi, -hi) + s
	t := lo + FMA(e, c.ln2lo, FMA(fl, cr, rest))
	p := T(0)
	if x > 0 {
		p = x
	}
	s2 := p + hi
	bb := s2 - p
	return s2 + (((p - (s2 - bb)) + (hi - bb)) + t)
}

// Atan is the arctangent.
//
//	t := |x|
//	t <= 0.5:  a = t/1,                    offset 0
//	t <= 2:    a = (t-1)/(t+1),            offset pi/4 (t+1 as dh + dl, TwoSum)
//	t > 2:     a = -1/min(t, atanBig),     offset pi/2
//	a := divHiLo(num, 0, dh, dl); al := (fma(-a, dh, num) - a*dl) * (1/dh)
//	a2 := a*a; P := Horner(AtanP, a2)
//	hi := off_hi + a; lo := a - (hi - off_hi)           // Fast2Sum
//	w := fma(a*a2, P, fma(al, 1 - a2, off_lo + lo))
//	return copysign(hi + w, x)
func Atan[T Float](x T) T {
	c := consts[T]()
	t := abs(x)
	num, dh, dl := t, T(1), T(0)
	offHi, offLo := T(0), T(0)
	if t > 0.5 {
		num, dh = t-1, t+1
		bb := dh - t
		dl = (t - (dh - bb)) + (1 - bb)
		offHi, offLo = c.pi4hi, c.pi4lo
	}
	if t > 2 {
		tb := t
		if c.atanBig < tb {
			tb = c.atanBig
		}
		num, dh, dl = -1, tb, 0
		offHi, offLo = c.pi2hi, c.pi2lo
	}
	y := 1 / dh
	q := T(num * y)
	res := FMA(-q, dh, num)
	res = FMA(-q, dl, res)
	a := FMA(res, y, q)
	al := FMA(-a, dh, num)
	al = T(FMA(-a, dl, al) * y)
	a2 := T(a * a)
	p := horner(c.atanP, a2)
	hi := offHi + a
	lo := a - (hi - offHi)
	w := FMA(T(a*a2), p, FMA(al, 1-a2, offLo+lo))
	return copysign(hi+w, x)
}
