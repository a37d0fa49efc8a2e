package ref

//go:generate go run ../../gen/minimax -out vmath_coef.go

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
)

// The vector math functions. Each is one scalar algorithm per precision,
// written only with operations every tier performs identically: fused
// multiply-add (math.FMA, fma.F32), +, -, *, / (IEEE, round to nearest even),
// rounding to the nearest integer (ties to even), exact integer operations on
// the bit patterns, compares and selects. Float32 runs entirely in float32
// arithmetic. The polynomial coefficients come from gen/minimax
// (vmath_coef.go); Cody-Waite constants are below.
//
// Selects stand where a tier may use a min/max instruction: "if hi < x { x =
// hi }" lets NaN through, as VMINPD with x as its second source, FMIN and
// FMAX do.

// Cody-Waite splits of ln 2: the high part has trailing zeros so that
// k*Ln2Hi is exact for every exponent k the functions meet.
const (
	Ln2Hi64 = 0x1.62e42fee00000p-01 // 32 significant bits
	Ln2Lo64 = 0x1.a39ef35793c76p-33 // ln2 - Ln2Hi64, rounded
	Log2e64 = 0x1.71547652b82fep+00 // 1/ln 2, rounded

	Ln2Hi32 = 0x1.63p-01      // 9 significant bits
	Ln2Lo32 = -0x1.bd0106p-13 // ln2 - Ln2Hi32, rounded
	Log2e32 = 0x1.715476p+00  // 1/ln 2, rounded
)

// Exp clamps: beyond them the result is already +Inf or +0 and the
// reduction stays within the range scale handles.
const (
	ExpHi64 = 710.0
	ExpLo64 = -746.0
	ExpHi32 = 89.0
	ExpLo32 = -104.0
)

// Exp64 is e^x for float64.
//
//	x := clamp(x, ExpLo64, ExpHi64)         // NaN passes
//	k := fma(x, Log2e64, 1.5*2^52) - 1.5*2^52 // x*log2e rounded once to an integer, ties to even
//	r := fma(k, -Ln2Hi64, x); r = fma(k, -Ln2Lo64, r)
//	r2 := r * r; q := Poly64(ExpQ64, r, r2)
//	hi := 1 + r; lo := (1 - hi) + r          // 1 + r exactly (Fast2Sum)
//	p := hi + fma(r2, q, lo)
//	return p * 2^k                           // one rounding (Scale64)
func Exp64(x float64) float64 {
	if ExpHi64 < x {
		x = ExpHi64
	}
	if ExpLo64 > x {
		x = ExpLo64
	}
	k := math.FMA(x, Log2e64, 0x1.8p52) - 0x1.8p52
	r := math.FMA(k, -Ln2Hi64, x)
	r = math.FMA(k, -Ln2Lo64, r)
	hi := 1 + r
	lo := (1 - hi) + r
	r2 := r * r
	p := hi + math.FMA(r2, Poly64(ExpQ64[:], r, r2), lo)
	return Scale64(p, k)
}

// Exp32 is e^x for float32, the same steps in float32 with ExpQ32 (and
// 1.5*2^23 to round k).
func Exp32(x float32) float32 {
	if ExpHi32 < x {
		x = ExpHi32
	}
	if ExpLo32 > x {
		x = ExpLo32
	}
	k := fma.F32(x, Log2e32, 0x1.8p23) - 0x1.8p23
	r := fma.F32(k, -Ln2Hi32, x)
	r = fma.F32(k, -Ln2Lo32, r)
	hi := 1 + r
	lo := (1 - hi) + r
	r2 := r * r
	p := hi + fma.F32(r2, Poly32(ExpQ32[:], r), lo)
	return Scale32(p, k)
}

// Poly64 evaluates the polynomial c[0] + c[1] r + c[2] r^2 + ... in two
// interleaved halves, which halves the dependency chain of a vector unit:
// even := Horner(c[0], c[2], ...) in r2 and odd := Horner(c[1], c[3], ...)
// in r2, each step q = fma(q, r2, c[i]) from the top; the result is
// fma(odd, r, even). r2 is r*r, rounded, passed in by the caller.
func Poly64(c []float64, r, r2 float64) float64 {
	even, odd := horner64(c, 0, r2), horner64(c, 1, r2)
	return math.FMA(odd, r, even)
}

// horner64 evaluates c[from] + x*(c[from+2] + x*(...)) with one fma per step.
func horner64(c []float64, from int, x float64) float64 {
	top := from + (len(c)-1-from)/2*2
	q := c[top]
	for i := top - 2; i >= from; i -= 2 {
		q = math.FMA(q, x, c[i])
	}
	return q
}

// Poly32 evaluates the float32 polynomials by plain Horner, q = fma(q, r,
// c[i]) from the top: their chains are short, and splitting costs float32
// Log accuracy (1.03 ulp).
func Poly32(c []float32, r float32) float32 {
	q := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		q = fma.F32(q, r, c[i])
	}
	return q
}

// Scale64 returns p*2^k rounded once, for integral k in [-1076, 1024] and
// p in [0.5, 2] (or NaN): p*2^(k>>1) is exact, the second factor 2^(k-k>>1)
// rounds once, into the subnormals or to +Inf when the result lies there.
// (AVX-512's VSCALEFPD computes the same value in one instruction.)
func Scale64(p, k float64) float64 {
	if p != p {
		return p
	}
	ki := int64(k)
	k1 := ki >> 1
	return p * math.Float64frombits(uint64(k1+1023)<<52) * math.Float64frombits(uint64(ki-k1+1023)<<52)
}

// Scale32 is Scale64 for float32, k in [-150, 128].
func Scale32(p, k float32) float32 {
	if p != p {
		return p
	}
	ki := int32(k)
	k1 := ki >> 1
	return p * math.Float32frombits(uint32(k1+127)<<23) * math.Float32frombits(uint32(ki-k1+127)<<23)
}

// Split64 returns m in [0.75, 1.5) and the integral e with x = m * 2^e, for
// finite x > 0 (subnormals included). On integer bit patterns: a subnormal x
// is first scaled by 2^54; then with b = bits(x) - bits(0.75) + 1024<<52,
// e = b>>52 - 1024 and bits(m) = bits(x) - (e<<52). (AVX-512 computes the same
// m with VGETMANTPD and e as VGETEXPPD(x) - VGETEXPPD(m).)
func Split64(x float64) (m, e float64) {
	if x < 0x1p-1022 {
		x *= 0x1p54
		e = -54
	}
	ix := math.Float64bits(x)
	eb := (ix - 0x3fe8000000000000 + 1024<<52) >> 52
	m = math.Float64frombits(ix - eb<<52 + 1024<<52)
	return m, e + float64(int64(eb)-1024)
}

// Split32 is Split64 for float32: subnormals scaled by 2^24, b = bits(x) -
// bits(0.75) + 128<<23.
func Split32(x float32) (m, e float32) {
	if x < 0x1p-126 {
		x *= 0x1p24
		e = -24
	}
	ix := math.Float32bits(x)
	eb := (ix - 0x3f400000 + 128<<23) >> 23
	m = math.Float32frombits(ix - eb<<23 + 128<<23)
	return m, e + float32(int32(eb)-128)
}

// Log64 is the natural logarithm for float64.
//
//	specials: x < 0 or NaN: NaN; x == 0: -Inf; x == +Inf: +Inf
//	m, e := Split64(x); f := m - 1          // exact, f in [-0.25, 0.5)
//	s, rest := LogParts64(f)                // log(1+f) = s + rest
//	hi := fma(e, Ln2Hi64, s)                // e*ln2 + s, split exactly
//	lo := fma(e, Ln2Hi64, -hi) + s          //   into hi + lo (Fast2Sum)
//	return hi + (lo + fma(e, Ln2Lo64, rest))
func Log64(x float64) float64 {
	switch {
	case x != x || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case x > math.MaxFloat64:
		return x
	}
	m, e := Split64(x)
	s, rest := LogParts64(m - 1)
	hi := math.FMA(e, Ln2Hi64, s)
	lo := math.FMA(e, Ln2Hi64, -hi) + s
	return hi + (lo + math.FMA(e, Ln2Lo64, rest))
}

// LogParts64 returns s + rest = log(1+f) for f in [-0.25, 0.5]: the first
// two terms f - f^2/2 summed exactly, the rest by the minimax R:
//
//	f2 := f*f; f2l := fma(f, f, -f2)        // f^2 = f2 + f2l exactly
//	h := -0.5*f2; s := f + h; sl := (f - s) + h // Fast2Sum
//	rest := fma(f*f2, Poly64(LogR64, f, f2), fma(-0.5, f2l, sl))
func LogParts64(f float64) (s, rest float64) {
	f2 := f * f
	f2l := math.FMA(f, f, -f2)
	h := float64(-0.5 * f2) // float64(): not fused with the add below
	s = f + h
	sl := (f - s) + h
	return s, math.FMA(float64(f*f2), Poly64(LogR64[:], f, f2), math.FMA(-0.5, f2l, sl))
}

// Log32 is Log64 in float32 with Split32, LogParts32 and the 32-bit constants.
func Log32(x float32) float32 {
	switch {
	case x != x || x < 0:
		return float32(math.NaN())
	case x == 0:
		return float32(math.Inf(-1))
	case x > math.MaxFloat32:
		return x
	}
	m, e := Split32(x)
	s, rest := LogParts32(m - 1)
	hi := fma.F32(e, Ln2Hi32, s)
	lo := fma.F32(e, Ln2Hi32, -hi) + s
	return hi + (lo + fma.F32(e, Ln2Lo32, rest))
}

// LogParts32 is LogParts64 in float32 with Poly32(LogR32, f).
func LogParts32(f float32) (s, rest float32) {
	f2 := f * f
	f2l := fma.F32(f, f, -f2)
	h := float32(-0.5 * f2)
	s = f + h
	sl := (f - s) + h
	return s, fma.F32(float32(f*f2), Poly32(LogR32[:], f), fma.F32(-0.5, f2l, sl))
}
