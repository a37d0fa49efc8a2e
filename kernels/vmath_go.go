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
// and Log are here, Exp one element at a time, Log a block at a time as
// the other six in vmath_more_go.go. goFuncs64 and goFuncs32
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

func logGo64(dst, x []float64) { blocks64(logBlock64, dst, x) }

// logBlock64 is ref.Log64 on a block (the specials, for which ref returns
// before splitting x, settled in the last loop).
func logBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	var bfs, bes [vblk]float64
	fs, es := bfs[:len(x)], bes[:len(x)]
	for j, v := range x {
		m, e := ref.Split64(v)
		fs[j], es[j] = m-1, e
	}
	logHiLoBlock64(fs, es, fs, nil, es)
	for j, v := range x {
		y := fs[j] + es[j]
		switch {
		case v != v || v < 0:
			y = math.NaN()
		case v == 0:
			y = math.Inf(-1)
		case v > math.MaxFloat64:
			y = v
		}
		dst[j] = y
	}
}

// logHiLoBlock64 sets his[j], los[j] to log(1 + f[j]) + e[j] ln 2 as ref's
// log functions sum it: LogParts64(f), its rest corrected by fl[j] * (a
// rounded 1/(1+f)) when fl is not nil (Log1p's and Softplus' low part of
// 1 + f), then hi = e Ln2Hi + s and lo = ((e Ln2Hi - hi) + s) + fma(e,
// Ln2Lo, rest), so that the log is hi + lo. his and los may be fs and es.
func logHiLoBlock64(his, los, fs, fl, es []float64) {
	c := &ref.LogR64
	his, los, es = his[:len(fs)], los[:len(fs)], es[:len(fs)]
	for j, f := range fs {
		// LogParts64(f)
		f2 := f * f
		f2l := math.FMA(f, f, -f2)
		h := float64(-0.5 * f2)
		s := f + h
		sl := (f - s) + h
		even := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[18], f2, c[16]), f2, c[14]), f2, c[12]), f2, c[10]), f2, c[8]), f2, c[6]), f2, c[4]), f2, c[2]), f2, c[0])
		odd := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[19], f2, c[17]), f2, c[15]), f2, c[13]), f2, c[11]), f2, c[9]), f2, c[7]), f2, c[5]), f2, c[3]), f2, c[1])
		rest := math.FMA(float64(f*f2), math.FMA(odd, f, even), math.FMA(-0.5, f2l, sl))
		if fl != nil {
			cr := math.FMA(f, math.FMA(f, 1-f, -1), 1)
			rest = math.FMA(fl[j], cr, rest)
		}
		e := es[j]
		hi := float64(e*ref.Ln2Hi64) + s
		lo := (float64(e*ref.Ln2Hi64) - hi) + s
		his[j], los[j] = hi, lo+math.FMA(e, ref.Ln2Lo64, rest)
	}
}

func logGo32(dst, x []float32) { blocks32(logBlock32, dst, x) }

// logBlock32 is ref.Log32 on a block, as logBlock64.
func logBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	var bfs, bes [vblk]float32
	fs, es := bfs[:len(x)], bes[:len(x)]
	for j, v := range x {
		m, e := ref.Split32(v)
		fs[j], es[j] = m-1, e
	}
	logHiLoBlock32(fs, es, fs, nil, es)
	for j, v := range x {
		y := fs[j] + es[j]
		switch {
		case v != v || v < 0:
			y = float32(math.NaN())
		case v == 0:
			y = float32(math.Inf(-1))
		case v > math.MaxFloat32:
			y = v
		}
		dst[j] = y
	}
}

// logHiLoBlock32 is logHiLoBlock64 in float32, each fused multiply-add
// rounded once (the float64 sum where fma.Exact32 says it is the fused
// result, fma.Odd32 otherwise). fl is nil for Log only, whose f needs
// fewer checks (below).
func logHiLoBlock32(his, los, fs, fl, es []float32) {
	var bqs [vblk]float32
	qs := bqs[:len(fs)]
	his, los, es = his[:len(fs)], los[:len(fs)], es[:len(fs)]
	logPoly32(qs, fs)
	for j, f := range fs {
		q := qs[j]
		// the rest of LogParts32(f)
		f2 := f * f
		h := float32(-0.5 * f2)
		s := f + h
		sl := (f - s) + h
		var f2l, t float32
		if fl == nil {
			// Log: f = m - 1 is a multiple of 2^-24, so f*f - f2 is a
			// multiple of 2^-48 below half an ulp of f2, a float32: the
			// float64 sum is exact, and so is its conversion. Then
			// -0.5*f2l is exact too, and the fused sum is the rounded one.
			f2l = float32(float64(f)*float64(f) + float64(-f2))
			t = float32(-0.5*f2l) + sl
		} else {
			if w := float64(f)*float64(f) + float64(-f2); fma.Exact32(w) {
				f2l = float32(w)
			} else {
				f2l = fma.Odd32(f, f, -f2)
			}
			if w := -0.5*float64(f2l) + float64(sl); fma.Exact32(w) {
				t = float32(w)
			} else {
				t = fma.Odd32(-0.5, f2l, sl)
			}
		}
		var rest float32
		if w := float64(float32(f*f2))*float64(q) + float64(t); fma.Exact32(w) {
			rest = float32(w)
		} else {
			rest = fma.Odd32(float32(f*f2), q, t)
		}
		if fl != nil {
			var cr float32
			if w := float64(f)*float64(1-f) + -1; fma.Exact32(w) {
				cr = float32(w)
			} else {
				cr = fma.Odd32(f, 1-f, -1)
			}
			if w := float64(f)*float64(cr) + 1; fma.Exact32(w) {
				cr = float32(w)
			} else {
				cr = fma.Odd32(f, cr, 1)
			}
			if w := float64(fl[j])*float64(cr) + float64(rest); fma.Exact32(w) {
				rest = float32(w)
			} else {
				rest = fma.Odd32(fl[j], cr, rest)
			}
		}
		e := es[j]
		hi := float32(e*ref.Ln2Hi32) + s
		lo := (float32(e*ref.Ln2Hi32) - hi) + s
		var l2 float32
		if w := float64(e)*ref.Ln2Lo32 + float64(rest); fma.Exact32(w) {
			l2 = float32(w)
		} else {
			l2 = fma.Odd32(e, ref.Ln2Lo32, rest)
		}
		his[j], los[j] = hi, lo+l2
	}
}
