package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
	"github.com/flowkern/flowkern/internal/ref"
)

// The pure-Go tier of the vector math functions is the specification
// itself, element by element: goFuncs64 and goFuncs32 (kernels/manifest.go,
// from gen/manifest) hold internal/ref's function of each. Exp, which the
// couplings and most models call, has its own loop here with ref.Exp64's
// and ref.Exp32's steps written out (no function value, no polynomial
// slices, float32 updates through fma.Exact32): the same bits, checked
// against ref by TestPureGoExp, at 0.6-0.7x the time of ref's loop.

func vmathGo64(f vfunc, dst, x []float64) {
	if f == fnExp {
		expGo64(dst, x)
		return
	}
	g := goFuncs64[f]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = g(v)
	}
}

func vmathGo32(f vfunc, dst, x []float32) {
	if f == fnExp {
		expGo32(dst, x)
		return
	}
	g := goFuncs32[f]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = g(v)
	}
}

// expGo64 is ref.Exp64 on every element, its Poly64 unrolled.
func expGo64(dst, x []float64) {
	x = x[:len(dst)]
	c := &ref.ExpQ64
	for i, v := range x {
		if ref.ExpHi64 < v {
			v = ref.ExpHi64
		}
		if ref.ExpLo64 > v {
			v = ref.ExpLo64
		}
		k := math.FMA(v, ref.Log2e64, 0x1.8p52) - 0x1.8p52
		r := math.FMA(k, -ref.Ln2Hi64, v)
		r = math.FMA(k, -ref.Ln2Lo64, r)
		hi := 1 + r
		lo := (1 - hi) + r
		r2 := r * r
		even := math.FMA(math.FMA(math.FMA(math.FMA(c[8], r2, c[6]), r2, c[4]), r2, c[2]), r2, c[0])
		odd := math.FMA(math.FMA(math.FMA(math.FMA(c[9], r2, c[7]), r2, c[5]), r2, c[3]), r2, c[1])
		p := hi + math.FMA(r2, math.FMA(odd, r, even), lo)
		dst[i] = ref.Scale64(p, k)
	}
}

// expGo32 is ref.Exp32 on every element, its Poly32 unrolled.
func expGo32(dst, x []float32) {
	x = x[:len(dst)]
	c := &ref.ExpQ32
	// The constants as float32, as ref.Exp32 passes them.
	log2e, ln2hi, ln2lo, shift := float32(ref.Log2e32), float32(-ref.Ln2Hi32), float32(-ref.Ln2Lo32), float32(0x1.8p23)
	for i, v := range x {
		if ref.ExpHi32 < v {
			v = ref.ExpHi32
		}
		if ref.ExpLo32 > v {
			v = ref.ExpLo32
		}
		var k, r, q, t float32
		if s := float64(v)*float64(log2e) + float64(shift); fma.Exact32(s) {
			k = float32(s)
		} else {
			k = fma.Odd32(v, log2e, shift)
		}
		k -= shift
		if s := float64(k)*float64(ln2hi) + float64(v); fma.Exact32(s) {
			r = float32(s)
		} else {
			r = fma.Odd32(k, ln2hi, v)
		}
		if s := float64(k)*float64(ln2lo) + float64(r); fma.Exact32(s) {
			r = float32(s)
		} else {
			r = fma.Odd32(k, ln2lo, r)
		}
		hi := 1 + r
		lo := (1 - hi) + r
		r2 := r * r
		if s := float64(c[4])*float64(r) + float64(c[3]); fma.Exact32(s) {
			q = float32(s)
		} else {
			q = fma.Odd32(c[4], r, c[3])
		}
		if s := float64(q)*float64(r) + float64(c[2]); fma.Exact32(s) {
			q = float32(s)
		} else {
			q = fma.Odd32(q, r, c[2])
		}
		if s := float64(q)*float64(r) + float64(c[1]); fma.Exact32(s) {
			q = float32(s)
		} else {
			q = fma.Odd32(q, r, c[1])
		}
		if s := float64(q)*float64(r) + float64(c[0]); fma.Exact32(s) {
			q = float32(s)
		} else {
			q = fma.Odd32(q, r, c[0])
		}
		if s := float64(r2)*float64(q) + float64(lo); fma.Exact32(s) {
			t = float32(s)
		} else {
			t = fma.Odd32(r2, q, lo)
		}
		dst[i] = ref.Scale32(hi+t, k)
	}
}
