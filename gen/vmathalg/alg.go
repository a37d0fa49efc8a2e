// Package vmathalg writes the vector algorithms of Expm1, Log1p, Tanh,
// Sigmoid, Softplus and Atan once, for every assembly backend: gen/amd64
// and gen/arm64 implement Builder (one instruction, or a short fixed
// sequence, per method) and call these functions. Each function is the step
// sequence of internal/ref (vmath_more.go), operation for operation, so the
// generated kernels equal the reference bit for bit; alg_test.go checks that
// with a scalar Builder before any assembly runs.
package vmathalg

import (
	"math"

	"github.com/flowkern/flowkern/gen/manifest"
	"github.com/flowkern/flowkern/internal/ref"
)

// V is a value (a vector register per unrolled copy); M is a lane mask.
type (
	V int
	M int
)

// Builder emits vector operations on values of one element type. Every
// operation rounds once, as IEEE arithmetic in that precision does.
type Builder interface {
	Is64() bool
	In(i int) V        // element of input stream i (loaded where first asked for)
	Param(i int) V     // scalar argument i of the kernel
	Exp(a V) V         // ref.Exp64/Exp32
	Log(a V) V         // ref.Log64/Log32
	Sqrt(a V) V        // the square root, correctly rounded
	Const(v float64) V // v rounded to the element type
	Add(a, b V) V
	Sub(a, b V) V
	Mul(a, b V) V
	Div(a, b V) V
	FMA(a, b, c V) V // a*b + c, one rounding
	RoundEven(a V) V // to the nearest integer, ties to even
	Abs(a V) V
	CopySign(mag, sgn V) V // |mag| with the sign bit of sgn
	// Min returns x, or c where c < x: "if c < x { x = c }" (NaN x passes).
	Min(c, x V) V
	// Max returns x, or c where c > x: "if c > x { x = c }".
	Max(c, x V) V
	Neg(a V) V            // -a, the sign bit flipped
	Gt(a, b V) M          // a > b, false for NaN
	Ge(a, b V) M          // a >= b, false for NaN
	Eq(a, b V) M          // a == b, false for NaN
	Select(m M, a, b V) V // m ? a : b
	Pow2(k V) V           // 2^k for integral k in the normal range
	Scale(p, k V) V       // p*2^k rounded once (ref.Scale64/Scale32)
	SplitM(x V) V         // m of ref.Split64/Split32, for normal x > 0
	SplitE(x V) V         // e of ref.Split64/Split32, for normal x > 0
}

// c holds the constants of the element type (the same as ref's pc).
type c struct {
	ln2hi, ln2lo, log2e                float64
	expLo, expm1Lo, expm1Hi, kcap      float64
	tanhHi, softplusBig, ecap, atanBig float64
	pi4hi, pi4lo, pi2hi, pi2lo         float64
	expQ, logR, atanP                  []float64
}

func consts(b Builder) c {
	if b.Is64() {
		return c{
			ln2hi: ref.Ln2Hi64, ln2lo: ref.Ln2Lo64, log2e: ref.Log2e64,
			expLo: ref.ExpLo64, expm1Lo: -60, expm1Hi: ref.ExpHi64, kcap: 60,
			tanhHi: 20, softplusBig: 40, ecap: 1000, atanBig: 0x1p60,
			pi4hi: 0x1.921fb54442d18p-01, pi4lo: 0x1.1a62633145c07p-55,
			pi2hi: 0x1.921fb54442d18p+00, pi2lo: 0x1.1a62633145c07p-54,
			expQ: ref.ExpQ64[:], logR: ref.LogR64[:], atanP: ref.AtanP64[:],
		}
	}
	f := func(s []float32) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = float64(v)
		}
		return out
	}
	return c{
		ln2hi: ref.Ln2Hi32, ln2lo: ref.Ln2Lo32, log2e: ref.Log2e32,
		expLo: ref.ExpLo32, expm1Lo: -20, expm1Hi: ref.ExpHi32, kcap: 30,
		tanhHi: 10, softplusBig: 20, ecap: 120, atanBig: 0x1p30,
		pi4hi: 0x1.921fb6p-01, pi4lo: -0x1.777a5cp-26,
		pi2hi: 0x1.921fb6p+00, pi2lo: -0x1.777a5cp-25,
		expQ: f(ref.ExpQ32[:]), logR: f(ref.LogR32[:]), atanP: f(ref.AtanP32[:]),
	}
}

// Funcs maps each function name to its algorithm: it consumes x and
// returns the result.
var Funcs = map[string]func(b Builder, x V) V{
	"Expm1": Expm1, "Log1p": Log1p, "Tanh": Tanh, "Sigmoid": Sigmoid, "Softplus": Softplus, "Atan": Atan,
}

// Names lists the functions of Funcs in manifest order (gen/manifest, set
// vmath): the generators emit them in this order, after Exp and Log, which
// they write out themselves. A Funcs entry the manifest does not list is an
// error of TestFuncsInManifest; a manifest kernel with no algorithm, one of
// the generators (manifest.Missing).
var Names = names()

func names() []string {
	var ns []string
	for _, n := range manifest.Names("vmath") {
		if Funcs[n] != nil {
			ns = append(ns, n)
		}
	}
	return ns
}

// horner is ref's horner: q = fma(q, x, c[i]) from the top.
func horner(b Builder, cs []float64, x V) V {
	q := b.Const(cs[len(cs)-1])
	for i := len(cs) - 2; i >= 0; i-- {
		ci := b.Const(cs[i])
		n := b.FMA(q, x, ci)
		q = n
	}
	return q
}

// poly is ref.Poly64 (two Horner chains in r2) or ref.Poly32 (Horner in r).
func poly(b Builder, cs []float64, r, r2 V) V {
	if !b.Is64() {
		return horner(b, cs, r)
	}
	chain := func(from int) V {
		top := from + (len(cs)-1-from)/2*2
		q := b.Const(cs[top])
		for i := top - 2; i >= from; i -= 2 {
			ci := b.Const(cs[i])
			n := b.FMA(q, r2, ci)
			q = n
		}
		return q
	}
	even, odd := chain(0), chain(1)
	q := b.FMA(odd, r, even)
	return q
}

// expm1Tail is ref.expm1Tail.
func expm1Tail(b Builder, cs c, r0, cc V) V {
	r := b.Add(r0, cc)
	r2 := b.Mul(r0, r0)
	nr2 := b.Neg(r2) // -r2 (exact)
	r2l := b.FMA(r0, r0, nr2)
	s := b.Add(r0, r)
	t := b.FMA(s, cc, r2l)
	r2l = t
	q := horner(b, cs.expQ, r)
	t1 := b.FMA(r2l, q, cc)
	t2 := b.FMA(r2, q, t1)
	return t2
}

// Expm1 is ref.Expm1.
func Expm1(b Builder, x V) V {
	cs := consts(b)
	hiC, loC := b.Const(cs.expm1Hi), b.Const(cs.expm1Lo)
	xc := b.Min(hiC, x)
	xc2 := b.Max(loC, xc)
	k := b.RoundEven(b.Mul(xc2, b.Const(cs.log2e)))
	r0 := b.FMA(k, b.Const(-cs.ln2hi), xc2)
	cc := b.Mul(k, b.Const(-cs.ln2lo))
	t := expm1Tail(b, cs, r0, cc)
	kk := b.Min(b.Const(cs.kcap), k)
	s := b.Pow2(kk)
	sr := b.Mul(s, r0)
	one := b.Const(1)
	sm1 := b.Sub(s, one)
	hi := b.Add(sm1, sr)
	lo := b.Add(b.Sub(sr, b.Sub(hi, sm1)), b.Sub(b.Sub(s, sm1), one))
	u := b.FMA(s, t, lo)
	res := b.Add(hi, u)
	d := b.Sub(k, kk)
	out := b.Scale(res, d)
	zero := b.Const(0)
	z := b.Eq(x, zero)
	out = b.Select(z, x, out)
	return out
}

// logParts is ref.LogParts64 / LogParts32: log(1+f) = s + rest.
func logParts(b Builder, cs c, f V) (s, rest V) {
	f2 := b.Mul(f, f)
	f2l := b.FMA(f, f, b.Neg(f2))
	h := b.Mul(b.Const(-0.5), f2)
	s = b.Add(f, h)
	sl := b.Add(b.Sub(f, s), h)
	r := poly(b, cs.logR, f, f2)
	rest = b.FMA(b.Mul(f, f2), r, b.FMA(b.Const(-0.5), f2l, sl))
	return s, rest
}

// logHiT returns hi and t with e*ln2 + s + rest = hi + t, as ref sums them:
// hi = fma(e, ln2hi, s), t = (fma(e, ln2hi, -hi) + s) + fma(e, ln2lo, rest).
func logHiT(b Builder, cs c, e, s, rest V) (hi, t V) {
	hi = b.FMA(e, b.Const(cs.ln2hi), s)
	lo := b.Add(b.FMA(e, b.Const(cs.ln2hi), b.Neg(hi)), s)
	return hi, b.Add(lo, b.FMA(e, b.Const(cs.ln2lo), rest))
}

// cr is 1 - f + f^2 - f^3 ~ 1/(1+f), as fma(f, fma(f, 1 - f, -1), 1).
func cr(b Builder, f V) V {
	one := b.Const(1)
	return b.FMA(f, b.FMA(f, b.Sub(one, f), b.Const(-1)), one)
}

// Log1p is ref.Log1p.
func Log1p(b Builder, x V) V {
	cs := consts(b)
	one, zero := b.Const(1), b.Const(0)
	u := b.Add(one, x)
	z := b.Sub(u, one)
	d := b.Add(b.Sub(one, b.Sub(u, z)), b.Sub(x, z))
	m, e := b.SplitM(u), b.SplitE(u)
	f := b.Sub(m, one)
	ec := b.Min(b.Const(cs.ecap), e)
	fl := b.Mul(d, b.Pow2(b.Neg(ec)))
	near := b.Ge(x, b.Const(-0.25))
	near2 := b.Gt(b.Const(0.5), x)
	f = b.Select(near, b.Select(near2, x, f), f)
	fl = b.Select(near, b.Select(near2, zero, fl), fl)
	e = b.Select(near, b.Select(near2, zero, e), e)
	s, rest := logParts(b, cs, f)
	hi, t := logHiT(b, cs, e, s, b.FMA(fl, cr(b, f), rest))
	res := b.Add(hi, t)
	// Specials, in ref's order of precedence (later selects win).
	mInf := b.Eq(u, b.Const(math.Inf(1)))
	res = b.Select(mInf, u, res)
	m0 := b.Eq(u, zero)
	res = b.Select(m0, b.Const(math.Inf(-1)), res)
	ok := b.Ge(u, zero) // false for u < 0 and NaN
	res = b.Select(ok, res, b.Const(math.NaN()))
	mz := b.Eq(x, zero)
	return b.Select(mz, x, res)
}

// expHiLo is ref.expHiLo.
func expHiLo(b Builder, cs c, a V) (eh, el V) {
	ac := b.Max(b.Const(cs.expLo), a)
	k := b.RoundEven(b.Mul(ac, b.Const(cs.log2e)))
	r := b.FMA(k, b.Const(-cs.ln2hi), ac)
	r = b.FMA(k, b.Const(-cs.ln2lo), r)
	r2 := b.Mul(r, r)
	q := poly(b, cs.expQ, r, r2)
	one := b.Const(1)
	hi := b.Add(one, r)
	lo := b.Add(b.Sub(one, hi), r)
	v := b.FMA(r2, q, lo)
	ph := b.Add(hi, v)
	pl := b.Sub(v, b.Sub(ph, hi))
	eh, el = b.Scale(ph, k), b.Scale(pl, k)
	return eh, el
}

// divHiLo is ref.divHiLo.
func divHiLo(b Builder, nh, nl, dh, dl V) V {
	y := b.Div(b.Const(1), dh)
	q := b.Mul(nh, y)
	nq := b.Neg(q)
	res := b.Add(b.FMA(nq, dh, nh), nl)
	res = b.FMA(nq, dl, res)
	out := b.FMA(res, y, q)
	return out
}

// Tanh is ref.Tanh.
func Tanh(b Builder, x V) V {
	cs := consts(b)
	a := b.Min(b.Const(cs.tanhHi), b.Abs(x))
	y := b.Add(a, a)
	k := b.RoundEven(b.Mul(y, b.Const(cs.log2e)))
	r0 := b.FMA(k, b.Const(-cs.ln2hi), y)
	cc := b.Mul(k, b.Const(-cs.ln2lo))
	t := expm1Tail(b, cs, r0, cc)
	s := b.Pow2(k)
	sr := b.Mul(s, r0)
	one := b.Const(1)
	sm1 := b.Sub(s, one)
	hi := b.Add(sm1, sr)
	lo := b.Sub(sr, b.Sub(hi, sm1))
	u := b.FMA(s, t, lo)
	eh := b.Add(hi, u)
	el := b.Sub(u, b.Sub(eh, hi))
	two := b.Const(2)
	dh := b.Add(eh, two)
	bb := b.Sub(dh, eh)
	dl := b.Add(b.Add(b.Sub(eh, b.Sub(dh, bb)), b.Sub(two, bb)), el)
	res := b.CopySign(divHiLo(b, eh, el, dh, dl), x)
	return res
}

// Sigmoid is ref.Sigmoid.
func Sigmoid(b Builder, x V) V {
	cs := consts(b)
	zero := b.Const(0)
	eh, el := expHiLo(b, cs, b.Neg(b.Abs(x)))
	one := b.Const(1)
	dh := b.Add(one, eh)
	dl := b.Add(b.Add(b.Sub(one, dh), eh), el)
	neg := b.Gt(zero, x)
	nh := b.Select(neg, eh, one)
	nl := b.Select(neg, el, zero)
	res := divHiLo(b, nh, nl, dh, dl)
	return res
}

// Softplus is ref.Softplus.
func Softplus(b Builder, x V) V {
	cs := consts(b)
	zero, one := b.Const(0), b.Const(1)
	eh, el := expHiLo(b, cs, b.Neg(b.Abs(x)))
	u := b.Add(one, eh)
	d := b.Add(b.Add(b.Sub(one, u), eh), el)
	m, e := b.SplitM(u), b.SplitE(u)
	f := b.Sub(m, one)
	fl := b.Mul(d, b.Pow2(b.Neg(e)))
	small := b.Ge(b.Const(0.5), eh)
	f = b.Select(small, eh, f)
	fl = b.Select(small, el, fl)
	e = b.Select(small, zero, e)
	s, rest := logParts(b, cs, f)
	hi, t := logHiT(b, cs, e, s, b.FMA(fl, cr(b, f), rest))
	pos := b.Gt(x, zero)
	p := b.Select(pos, x, zero)
	s2 := b.Add(p, hi)
	bb := b.Sub(s2, p)
	res := b.Add(s2, b.Add(b.Add(b.Sub(p, b.Sub(s2, bb)), b.Sub(hi, bb)), t))
	big := b.Gt(x, b.Const(cs.softplusBig))
	return b.Select(big, x, res)
}

// Atan is ref.Atan.
func Atan(b Builder, x V) V {
	cs := consts(b)
	zero, one := b.Const(0), b.Const(1)
	t := b.Abs(x)
	mid := b.Gt(t, b.Const(0.5))
	dhMid := b.Add(t, one)
	bb := b.Sub(dhMid, t)
	dlMid := b.Add(b.Sub(t, b.Sub(dhMid, bb)), b.Sub(one, bb))
	num := b.Select(mid, b.Sub(t, one), t)
	dh := b.Select(mid, dhMid, one)
	dl := b.Select(mid, dlMid, zero)
	big := b.Gt(t, b.Const(2))
	tb := b.Min(b.Const(cs.atanBig), t)
	num = b.Select(big, b.Const(-1), num)
	dh = b.Select(big, tb, dh)
	dl = b.Select(big, zero, dl)
	y := b.Div(one, dh)
	q := b.Mul(num, y)
	nq := b.Neg(q)
	res := b.FMA(nq, dh, num)
	res = b.FMA(nq, dl, res)
	a := b.FMA(res, y, q)
	na := b.Neg(a)
	al := b.FMA(na, dh, num)
	al = b.Mul(b.FMA(na, dl, al), y)
	a2 := b.Mul(a, a)
	p := horner(b, cs.atanP, a2)
	// The offsets are selected last, so that the masks mid and big stay
	// live through the polynomial instead of two vectors: on AVX-512 masks
	// have registers of their own, which leaves room for more copies.
	offHi := b.Select(big, b.Const(cs.pi2hi), b.Select(mid, b.Const(cs.pi4hi), zero))
	offLo := b.Select(big, b.Const(cs.pi2lo), b.Select(mid, b.Const(cs.pi4lo), zero))
	hi := b.Add(offHi, a)
	lo := b.Sub(a, b.Sub(hi, offHi))
	w := b.FMA(b.Mul(a, a2), p, b.FMA(al, b.Sub(one, a2), b.Add(offLo, lo)))
	out := b.CopySign(b.Add(hi, w), x)
	return out
}
