package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
	"github.com/flowkern/flowkern/internal/ref"
)

// The pure-Go tier of the vector math functions runs internal/ref's steps
// in loops of its own, one per precision (no function value, no constants
// behind an interface, no polynomial slices, float32 updates through
// fma.Exact32): the same bits, checked against ref by TestPureGoVmath. Exp
// and Log are here, one element at a time; the other six are in
// vmath_more_go.go, a block of elements at a time. goFuncs64 and goFuncs32
// (kernels/manifest.go, from gen/manifest) still name ref's functions, the
// specification each loop must equal. docs/perf-notes.md has the times.

func vmathGo64(f vfunc, dst, x []float64) {
	switch f {
	case fnExp:
		expGo64(dst, x)
		return
	case fnLog:
		logGo64(dst, x)
		return
	case fnExpm1:
		expm1Go64(dst, x)
		return
	case fnLog1p:
		log1pGo64(dst, x)
		return
	case fnTanh:
		tanhGo64(dst, x)
		return
	case fnSigmoid:
		sigmoidGo64(dst, x)
		return
	case fnSoftplus:
		softplusGo64(dst, x)
		return
	case fnAtan:
		atanGo64(dst, x)
		return
	}
	g := goFuncs64[f]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = g(v)
	}
}

func vmathGo32(f vfunc, dst, x []float32) {
	switch f {
	case fnExp:
		expGo32(dst, x)
		return
	case fnLog:
		logGo32(dst, x)
		return
	case fnExpm1:
		expm1Go32(dst, x)
		return
	case fnLog1p:
		log1pGo32(dst, x)
		return
	case fnTanh:
		tanhGo32(dst, x)
		return
	case fnSigmoid:
		sigmoidGo32(dst, x)
		return
	case fnSoftplus:
		softplusGo32(dst, x)
		return
	case fnAtan:
		atanGo32(dst, x)
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
		if w := float64(v)*float64(log2e) + float64(shift); fma.Exact32(w) {
			k = float32(w)
		} else {
			k = fma.Odd32(v, log2e, shift)
		}
		k -= shift
		if w := float64(k)*float64(ln2hi) + float64(v); fma.Exact32(w) {
			r = float32(w)
		} else {
			r = fma.Odd32(k, ln2hi, v)
		}
		if w := float64(k)*float64(ln2lo) + float64(r); fma.Exact32(w) {
			r = float32(w)
		} else {
			r = fma.Odd32(k, ln2lo, r)
		}
		hi := 1 + r
		lo := (1 - hi) + r
		r2 := r * r
		if w := float64(c[4])*float64(r) + float64(c[3]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(c[4], r, c[3])
		}
		if w := float64(q)*float64(r) + float64(c[2]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, r, c[2])
		}
		if w := float64(q)*float64(r) + float64(c[1]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, r, c[1])
		}
		if w := float64(q)*float64(r) + float64(c[0]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, r, c[0])
		}
		if w := float64(r2)*float64(q) + float64(lo); fma.Exact32(w) {
			t = float32(w)
		} else {
			t = fma.Odd32(r2, q, lo)
		}
		dst[i] = ref.Scale32(hi+t, k)
	}
}

// logGo64 is ref.Log64 on every element, LogParts64 and its Poly64
// written out.
func logGo64(dst, x []float64) {
	x = x[:len(dst)]
	c := &ref.LogR64
	for i, v := range x {
		switch {
		case v != v || v < 0:
			dst[i] = math.NaN()
			continue
		case v == 0:
			dst[i] = math.Inf(-1)
			continue
		case v > math.MaxFloat64:
			dst[i] = v
			continue
		}
		m, e := ref.Split64(v)
		f := m - 1
		f2 := f * f
		f2l := math.FMA(f, f, -f2)
		h := float64(-0.5 * f2) // float64(): not fused with the add below
		s := f + h
		sl := (f - s) + h
		even := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[18], f2, c[16]), f2, c[14]), f2, c[12]), f2, c[10]), f2, c[8]), f2, c[6]), f2, c[4]), f2, c[2]), f2, c[0])
		odd := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[19], f2, c[17]), f2, c[15]), f2, c[13]), f2, c[11]), f2, c[9]), f2, c[7]), f2, c[5]), f2, c[3]), f2, c[1])
		rest := math.FMA(float64(f*f2), math.FMA(odd, f, even), math.FMA(-0.5, f2l, sl))
		hi := math.FMA(e, ref.Ln2Hi64, s)
		lo := math.FMA(e, ref.Ln2Hi64, -hi) + s
		dst[i] = hi + (lo + math.FMA(e, ref.Ln2Lo64, rest))
	}
}

// logGo32 is ref.Log32 on every element, LogParts32 and its Poly32
// written out.
func logGo32(dst, x []float32) {
	x = x[:len(dst)]
	c := &ref.LogR32
	ln2hi, ln2lo, half := float32(ref.Ln2Hi32), float32(ref.Ln2Lo32), float32(-0.5)
	for i, v := range x {
		switch {
		case v != v || v < 0:
			dst[i] = float32(math.NaN())
			continue
		case v == 0:
			dst[i] = float32(math.Inf(-1))
			continue
		case v > math.MaxFloat32:
			dst[i] = v
			continue
		}
		m, e := ref.Split32(v)
		f := m - 1
		f2 := f * f
		var f2l, q, t, rest, hi, lo, l2 float32
		if w := float64(f)*float64(f) + float64(-f2); fma.Exact32(w) {
			f2l = float32(w)
		} else {
			f2l = fma.Odd32(f, f, -f2)
		}
		h := float32(-0.5 * f2)
		s := f + h
		sl := (f - s) + h
		q = c[9]
		if w := float64(q)*float64(f) + float64(c[8]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[8])
		}
		if w := float64(q)*float64(f) + float64(c[7]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[7])
		}
		if w := float64(q)*float64(f) + float64(c[6]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[6])
		}
		if w := float64(q)*float64(f) + float64(c[5]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[5])
		}
		if w := float64(q)*float64(f) + float64(c[4]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[4])
		}
		if w := float64(q)*float64(f) + float64(c[3]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[3])
		}
		if w := float64(q)*float64(f) + float64(c[2]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[2])
		}
		if w := float64(q)*float64(f) + float64(c[1]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[1])
		}
		if w := float64(q)*float64(f) + float64(c[0]); fma.Exact32(w) {
			q = float32(w)
		} else {
			q = fma.Odd32(q, f, c[0])
		}
		if w := float64(half)*float64(f2l) + float64(sl); fma.Exact32(w) {
			t = float32(w)
		} else {
			t = fma.Odd32(half, f2l, sl)
		}
		ff2 := float32(f * f2)
		if w := float64(ff2)*float64(q) + float64(t); fma.Exact32(w) {
			rest = float32(w)
		} else {
			rest = fma.Odd32(ff2, q, t)
		}
		if w := float64(e)*float64(ln2hi) + float64(s); fma.Exact32(w) {
			hi = float32(w)
		} else {
			hi = fma.Odd32(e, ln2hi, s)
		}
		if w := float64(e)*float64(ln2hi) + float64(-hi); fma.Exact32(w) {
			lo = float32(w)
		} else {
			lo = fma.Odd32(e, ln2hi, -hi)
		}
		lo += s
		if w := float64(e)*float64(ln2lo) + float64(rest); fma.Exact32(w) {
			l2 = float32(w)
		} else {
			l2 = fma.Odd32(e, ln2lo, rest)
		}
		dst[i] = hi + (lo + l2)
	}
}
