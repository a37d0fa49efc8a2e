package kernels

import (
	"math"

	"github.com/flowkern/flowkern/internal/fma"
	"github.com/flowkern/flowkern/internal/ref"
)

// The pure-Go loops of Expm1, Log1p, Tanh, Sigmoid, Softplus and Atan:
// internal/ref's generic functions with their steps written out for one
// precision (no constants behind an interface, no polynomial slices, no
// function value per element), in the same operations on the same values,
// so the same bits (TestPureGoVmath). Where ref multiplies an integral k or
// e by a Cody-Waite high part the product is exact, and its fused
// multiply-add is the plain sum of the rounded product (one rounding
// either way). Every product that meets an addition is converted, as in
// ref, so that arm64 does not fuse it.

// vblk is the block of the loops, which run ref's steps a block of
// elements at a time, a few steps per loop over the block: the steps of
// different elements are independent, so the CPU overlaps them, where the
// long chain of one element's steps (a polynomial, float32 updates that
// wait for their conversions) had it wait; float32 Sigmoid took a third of
// the time (docs/perf-notes.md). A block's intermediate values live in
// arrays on the stack (bX), used as slices of the block's length (X) so
// that the loops need no bounds checks.
const vblk = 32

// blocks64 runs f over x in blocks of at most vblk elements. dst may be
// x: f reads x[j] before it writes dst[j].
func blocks64(f func(dst, x []float64), dst, x []float64) {
	x = x[:len(dst)]
	for len(x) > 0 {
		n := min(len(x), vblk)
		f(dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	}
}

// pow2Go64 is ref's pow2 for float64: 2^k for integral k in the normal
// range, NaN for NaN.
func pow2Go64(k float64) float64 {
	if k != k {
		return k
	}
	return math.Float64frombits(uint64(int64(k)+1023) << 52)
}

// divHiLo64 is ref's divHiLo for float64: (nh + nl)/(dh + dl).
func divHiLo64(nh, nl, dh, dl float64) float64 {
	y := 1 / dh
	q := float64(nh * y)
	res := math.FMA(-q, dh, nh) + nl
	res = math.FMA(-q, dl, res)
	return math.FMA(res, y, q)
}

func atanGo64(dst, x []float64) { blocks64(atanBlock64, dst, x) }

func atanBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	c := &ref.AtanP64
	var ba, bal, ba2, boffHi, boffLo [vblk]float64
	a, al, a2, offHi, offLo := ba[:len(x)], bal[:len(x)], ba2[:len(x)], boffHi[:len(x)], boffLo[:len(x)]
	for j, v := range x {
		t := math.Abs(v)
		num, dh, dl := t, 1.0, 0.0
		oh, ol := 0.0, 0.0
		if t > 0.5 {
			num, dh = t-1, t+1
			bb := dh - t
			dl = (t - (dh - bb)) + (1 - bb)
			oh, ol = ref.Pi4Hi64, ref.Pi4Lo64
		}
		if t > 2 {
			tb := t
			if ref.AtanBig64 < tb {
				tb = ref.AtanBig64
			}
			num, dh, dl = -1, tb, 0
			oh, ol = ref.Pi2Hi64, ref.Pi2Lo64
		}
		y := 1 / dh
		q := float64(num * y)
		res := math.FMA(-q, dh, num)
		res = math.FMA(-q, dl, res)
		aj := math.FMA(res, y, q)
		l := math.FMA(-aj, dh, num)
		a[j], al[j], a2[j] = aj, float64(math.FMA(-aj, dl, l)*y), float64(aj*aj)
		offHi[j], offLo[j] = oh, ol
	}
	for j, v := range x {
		aj, s := a[j], a2[j]
		p := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[11], s, c[10]), s, c[9]), s, c[8]), s, c[7]), s, c[6]), s, c[5]), s, c[4]), s, c[3]), s, c[2]), s, c[1]), s, c[0])
		hi := offHi[j] + aj
		lo := aj - (hi - offHi[j])
		w := math.FMA(float64(aj*s), p, math.FMA(al[j], 1-s, offLo[j]+lo))
		dst[j] = math.Copysign(hi+w, v)
	}
}

// pow2Go32 is ref's pow2 for float32.
func pow2Go32(k float32) float32 {
	if k != k {
		return k
	}
	return math.Float32frombits(uint32(int32(k)+127) << 23)
}

// abs32 and copysign32 are ref's abs and copysign for float32 but for NaN
// payloads (ref's round trip through float64 quiets a signaling NaN).
func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func copysign32(x, s float32) float32 {
	return math.Float32frombits(math.Float32bits(x)&^(1<<31) | math.Float32bits(s)&(1<<31))
}

// blocks32 is blocks64 for float32.
func blocks32(f func(dst, x []float32), dst, x []float32) {
	x = x[:len(dst)]
	for len(x) > 0 {
		n := min(len(x), vblk)
		f(dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	}
}

// The float32 coefficients as float64 (exact): the loops add them in
// float64, and converting inside a loop makes each step wait for the one
// before (see fma.Exact32).
var (
	expQ32w = func() (w [len(ref.ExpQ32)]float64) {
		for i, v := range ref.ExpQ32 {
			w[i] = float64(v)
		}
		return w
	}()
	logR32w = func() (w [len(ref.LogR32)]float64) {
		for i, v := range ref.LogR32 {
			w[i] = float64(v)
		}
		return w
	}()
	atanP32w = func() (w [len(ref.AtanP32)]float64) {
		for i, v := range ref.AtanP32 {
			w[i] = float64(v)
		}
		return w
	}()
)

// roundEven32 is ref's roundEven for float32.
func roundEven32(x float32) float32 { return float32(math.RoundToEven(float64(x))) }

func log1pGo64(dst, x []float64) { blocks64(log1pBlock64, dst, x) }

func log1pBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	var bfs, bfls, bes [vblk]float64
	fs, fls, es := bfs[:len(x)], bfls[:len(x)], bes[:len(x)]
	for j, v := range x {
		// ref splits u for every x and then drops it for x near 0 (and
		// for the specials, settled in the last loop).
		f, fl, e := v, 0.0, 0.0
		if !(-0.25 <= v && v < 0.5) {
			u := 1 + v
			z := u - 1
			d := (1 - (u - z)) + (v - z)
			var m float64
			m, e = ref.Split64(u)
			f = m - 1
			ec := e
			if ref.Ecap64 < ec {
				ec = ref.Ecap64
			}
			fl = float64(d * pow2Go64(-ec))
		}
		fs[j], fls[j], es[j] = f, fl, e
	}
	logHiLoBlock64(fs, es, fs, fls, es)
	for j, v := range x {
		y := fs[j] + es[j]
		switch u := 1 + v; {
		case u != u || u < 0:
			y = math.NaN()
		case u == 0:
			y = math.Inf(-1)
		case u > math.MaxFloat64:
			y = u
		case v == 0:
			y = v
		}
		dst[j] = y
	}
}

func sigmoidGo64(dst, x []float64) { blocks64(sigmoidBlock64, dst, x) }

func sigmoidBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	var behs, bels [vblk]float64
	ehs, els := behs[:len(x)], bels[:len(x)]
	expHiLoBlock64(ehs, els, x)
	for j, v := range x {
		eh, el := ehs[j], els[j]
		dh := 1 + eh
		dl := ((1 - dh) + eh) + el
		nh, nl := 1.0, 0.0
		if v < 0 {
			nh, nl = eh, el
		}
		dst[j] = divHiLo64(nh, nl, dh, dl)
	}
}

// expHiLoBlock64 sets eh[j] + el[j] to ref's expHiLo(-|x[j]|).
func expHiLoBlock64(eh, el, x []float64) {
	eh, el = eh[:len(x)], el[:len(x)]
	c := &ref.ExpQ64
	var brs, bks [vblk]float64
	rs, ks := brs[:len(x)], bks[:len(x)]
	for j, v := range x {
		a := -math.Abs(v)
		if ref.ExpLo64 > a {
			a = ref.ExpLo64
		}
		k := math.RoundToEven(float64(a * ref.Log2e64))
		r := float64(k*-ref.Ln2Hi64) + a
		rs[j], ks[j] = math.FMA(k, -ref.Ln2Lo64, r), k
	}
	for j, r := range rs {
		r2 := float64(r * r)
		even := math.FMA(math.FMA(math.FMA(math.FMA(c[8], r2, c[6]), r2, c[4]), r2, c[2]), r2, c[0])
		odd := math.FMA(math.FMA(math.FMA(math.FMA(c[9], r2, c[7]), r2, c[5]), r2, c[3]), r2, c[1])
		q := math.FMA(odd, r, even)
		hi := 1 + r
		lo := (1 - hi) + r
		v := math.FMA(r2, q, lo)
		ph := hi + v
		pl := v - (ph - hi)
		eh[j], el[j] = ref.Scale64(ph, ks[j]), ref.Scale64(pl, ks[j])
	}
}

func softplusGo64(dst, x []float64) { blocks64(softplusBlock64, dst, x) }

func softplusBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	var bfs, bfls, bes [vblk]float64
	fs, fls, es := bfs[:len(x)], bfls[:len(x)], bes[:len(x)]
	expHiLoBlock64(fs, fls, x)
	for j, eh := range fs {
		// ref splits u for every x and then drops it for eh <= 0.5.
		if !(eh <= 0.5) {
			u := 1 + eh
			d := ((1 - u) + eh) + fls[j]
			m, e := ref.Split64(u)
			fs[j], fls[j], es[j] = m-1, float64(d*pow2Go64(-e)), e
		}
	}
	logHiLoBlock64(fs, es, fs, fls, es)
	for j, v := range x {
		hi, t := fs[j], es[j]
		p := 0.0
		if v > 0 {
			p = v
		}
		s2 := p + hi
		bb := s2 - p
		y := s2 + (((p - (s2 - bb)) + (hi - bb)) + t)
		if v > ref.SoftplusBig64 {
			y = v
		}
		dst[j] = y
	}
}

func log1pGo32(dst, x []float32) { blocks32(log1pBlock32, dst, x) }

func log1pBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	var bfs, bfls, bes [vblk]float32
	fs, fls, es := bfs[:len(x)], bfls[:len(x)], bes[:len(x)]
	for j, v := range x {
		// ref splits u for every x and then drops it for x near 0 (and
		// for the specials, settled in the last loop).
		f, fl, e := v, float32(0), float32(0)
		if !(-0.25 <= v && v < 0.5) {
			u := 1 + v
			z := u - 1
			d := (1 - (u - z)) + (v - z)
			var m float32
			m, e = ref.Split32(u)
			f = m - 1
			ec := e
			if ref.Ecap32 < ec {
				ec = ref.Ecap32
			}
			fl = float32(d * pow2Go32(-ec))
		}
		fs[j], fls[j], es[j] = f, fl, e
	}
	logHiLoBlock32(fs, es, fs, fls, es)
	for j, v := range x {
		y := fs[j] + es[j]
		switch u := 1 + v; {
		case u != u || u < 0:
			y = float32(math.NaN())
		case u == 0:
			y = float32(math.Inf(-1))
		case u > math.MaxFloat32:
			y = u
		case v == 0:
			y = v
		}
		dst[j] = y
	}
}

// logPoly32 sets q[j] to Poly32(LogR32, f[j]), in two loops of five steps:
// a loop is overlapped with its next iterations only as far as the CPU's
// queues hold them, and nine dependent steps fill them.
func logPoly32(q, f []float32) {
	q = q[:len(f)]
	c, cw := &ref.LogR32, &logR32w
	for j, f := range f {
		var p float32
		if w := float64(c[9])*float64(f) + cw[8]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(c[9], f, c[8])
		}
		if w := float64(p)*float64(f) + cw[7]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[7])
		}
		if w := float64(p)*float64(f) + cw[6]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[6])
		}
		if w := float64(p)*float64(f) + cw[5]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[5])
		}
		q[j] = p
	}
	for j, f := range f {
		p := q[j]
		if w := float64(p)*float64(f) + cw[4]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[4])
		}
		if w := float64(p)*float64(f) + cw[3]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[3])
		}
		if w := float64(p)*float64(f) + cw[2]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[2])
		}
		if w := float64(p)*float64(f) + cw[1]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[1])
		}
		if w := float64(p)*float64(f) + cw[0]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, f, c[0])
		}
		q[j] = p
	}
}

// expPoly32 sets q[j] to Poly32(ExpQ32, r[j]) (ref's horner(ExpQ32, r) is
// the same steps).
func expPoly32(q, r []float32) {
	q = q[:len(r)]
	c, cw := &ref.ExpQ32, &expQ32w
	for j, r := range r {
		var p float32
		if w := float64(c[4])*float64(r) + cw[3]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(c[4], r, c[3])
		}
		if w := float64(p)*float64(r) + cw[2]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, r, c[2])
		}
		if w := float64(p)*float64(r) + cw[1]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, r, c[1])
		}
		if w := float64(p)*float64(r) + cw[0]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, r, c[0])
		}
		q[j] = p
	}
}

// expHiLoBlock32 sets eh[j] + el[j] to ref's expHiLo(-|x[j]|).
func expHiLoBlock32(eh, el, x []float32) {
	eh, el = eh[:len(x)], el[:len(x)]
	var brs, bks, bqs [vblk]float32
	rs, ks, qs := brs[:len(x)], bks[:len(x)], bqs[:len(x)]
	for j, v := range x {
		a := -abs32(v)
		if ref.ExpLo32 > a {
			a = ref.ExpLo32
		}
		k := roundEven32(float32(a * ref.Log2e32))
		r := float32(k*-ref.Ln2Hi32) + a
		if w := float64(k)*-ref.Ln2Lo32 + float64(r); fma.Exact32(w) {
			r = float32(w)
		} else {
			r = fma.Odd32(k, -ref.Ln2Lo32, r)
		}
		rs[j], ks[j] = r, k
	}
	expPoly32(qs, rs)
	for j, r := range rs {
		r2 := float32(r * r)
		hi := 1 + r
		lo := (1 - hi) + r
		var v2 float32
		if w := float64(r2)*float64(qs[j]) + float64(lo); fma.Exact32(w) {
			v2 = float32(w)
		} else {
			v2 = fma.Odd32(r2, qs[j], lo)
		}
		ph := hi + v2
		pl := v2 - (ph - hi)
		eh[j], el[j] = ref.Scale32(ph, ks[j]), ref.Scale32(pl, ks[j])
	}
}

func sigmoidGo32(dst, x []float32) { blocks32(sigmoidBlock32, dst, x) }

func sigmoidBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	var behs, bels [vblk]float32
	ehs, els := behs[:len(x)], bels[:len(x)]
	expHiLoBlock32(ehs, els, x)
	for j, v := range x {
		eh, el := ehs[j], els[j]
		dh := 1 + eh
		dl := ((1 - dh) + eh) + el
		nh, nl := float32(1), float32(0)
		if v < 0 {
			nh, nl = eh, el
		}
		// divHiLo(nh, nl, dh, dl)
		yy := 1 / dh
		qq := float32(nh * yy)
		var res float32
		if w := float64(-qq)*float64(dh) + float64(nh); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-qq, dh, nh)
		}
		res += nl
		if w := float64(-qq)*float64(dl) + float64(res); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-qq, dl, res)
		}
		var d float32
		if w := float64(res)*float64(yy) + float64(qq); fma.Exact32(w) {
			d = float32(w)
		} else {
			d = fma.Odd32(res, yy, qq)
		}
		dst[j] = d
	}
}

func softplusGo32(dst, x []float32) { blocks32(softplusBlock32, dst, x) }

func softplusBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	var bfs, bfls, bes [vblk]float32
	fs, fls, es := bfs[:len(x)], bfls[:len(x)], bes[:len(x)]
	expHiLoBlock32(fs, fls, x)
	for j, eh := range fs {
		// ref splits u for every x and then drops it for eh <= 0.5.
		if !(eh <= 0.5) {
			u := 1 + eh
			d := ((1 - u) + eh) + fls[j]
			m, e := ref.Split32(u)
			fs[j], fls[j], es[j] = m-1, float32(d*pow2Go32(-e)), e
		}
	}
	logHiLoBlock32(fs, es, fs, fls, es)
	for j, v := range x {
		hi, t := fs[j], es[j]
		p := float32(0)
		if v > 0 {
			p = v
		}
		s2 := p + hi
		bb := s2 - p
		y := s2 + (((p - (s2 - bb)) + (hi - bb)) + t)
		if v > ref.SoftplusBig32 {
			y = v
		}
		dst[j] = y
	}
}

func atanGo32(dst, x []float32) { blocks32(atanBlock32, dst, x) }

func atanBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	c, cw := &ref.AtanP32, &atanP32w
	var bnums, bdhs, bdls, bys, bqs, bas, bals, boffHi, boffLo [vblk]float32
	nums, dhs, dls, ys, qs, as, als, offHi, offLo := bnums[:len(x)], bdhs[:len(x)], bdls[:len(x)], bys[:len(x)], bqs[:len(x)], bas[:len(x)], bals[:len(x)], boffHi[:len(x)], boffLo[:len(x)]
	for j, v := range x {
		t := abs32(v)
		num, dh, dl := t, float32(1), float32(0)
		oh, ol := float32(0), float32(0)
		if t > 0.5 {
			num, dh = t-1, t+1
			bb := dh - t
			dl = (t - (dh - bb)) + (1 - bb)
			oh, ol = ref.Pi4Hi32, ref.Pi4Lo32
		}
		if t > 2 {
			tb := t
			if ref.AtanBig32 < tb {
				tb = ref.AtanBig32
			}
			num, dh, dl = -1, tb, 0
			oh, ol = ref.Pi2Hi32, ref.Pi2Lo32
		}
		y := 1 / dh
		nums[j], dhs[j], dls[j], ys[j], qs[j] = num, dh, dl, y, float32(num*y)
		offHi[j], offLo[j] = oh, ol
	}
	for j, q := range qs {
		num, dh, dl, y := nums[j], dhs[j], dls[j], ys[j]
		var res float32
		if w := float64(-q)*float64(dh) + float64(num); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-q, dh, num)
		}
		if w := float64(-q)*float64(dl) + float64(res); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-q, dl, res)
		}
		var a float32
		if w := float64(res)*float64(y) + float64(q); fma.Exact32(w) {
			a = float32(w)
		} else {
			a = fma.Odd32(res, y, q)
		}
		var al float32
		if w := float64(-a)*float64(dh) + float64(num); fma.Exact32(w) {
			al = float32(w)
		} else {
			al = fma.Odd32(-a, dh, num)
		}
		if w := float64(-a)*float64(dl) + float64(al); fma.Exact32(w) {
			al = float32(w)
		} else {
			al = fma.Odd32(-a, dl, al)
		}
		as[j], als[j] = a, float32(al*y)
	}
	for j, v := range x {
		a := as[j]
		a2 := float32(a * a)
		var p float32
		if w := float64(c[5])*float64(a2) + cw[4]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(c[5], a2, c[4])
		}
		if w := float64(p)*float64(a2) + cw[3]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, a2, c[3])
		}
		if w := float64(p)*float64(a2) + cw[2]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, a2, c[2])
		}
		if w := float64(p)*float64(a2) + cw[1]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, a2, c[1])
		}
		if w := float64(p)*float64(a2) + cw[0]; fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(p, a2, c[0])
		}
		hi := offHi[j] + a
		lo := a - (hi - offHi[j])
		var ww float32
		if w := float64(als[j])*float64(1-a2) + float64(offLo[j]+lo); fma.Exact32(w) {
			ww = float32(w)
		} else {
			ww = fma.Odd32(als[j], 1-a2, offLo[j]+lo)
		}
		if w := float64(float32(a*a2))*float64(p) + float64(ww); fma.Exact32(w) {
			ww = float32(w)
		} else {
			ww = fma.Odd32(float32(a*a2), p, ww)
		}
		dst[j] = copysign32(hi+ww, v)
	}
}
func expm1Go64(dst, x []float64) { blocks64(expm1Block64, dst, x) }

func expm1Block64(dst, x []float64) {
	dst = dst[:len(x)]
	var br0s, bccs, bks, bts [vblk]float64
	r0s, ccs, ks, ts := br0s[:len(x)], bccs[:len(x)], bks[:len(x)], bts[:len(x)]
	for j, v := range x {
		if ref.ExpHi64 < v {
			v = ref.ExpHi64
		}
		if ref.Expm1Lo64 > v {
			v = ref.Expm1Lo64
		}
		k := math.RoundToEven(float64(v * ref.Log2e64))
		r0s[j], ccs[j], ks[j] = float64(k*-ref.Ln2Hi64)+v, float64(k*-ref.Ln2Lo64), k
	}
	expm1TailBlock64(ts, r0s, ccs)
	for j, v := range x {
		r0, k := r0s[j], ks[j]
		kk := k
		if ref.Kcap64 < kk {
			kk = ref.Kcap64
		}
		s := pow2Go64(kk)
		sr := float64(s * r0)
		sm1 := s - 1
		hi := sm1 + sr
		lo := (sr - (hi - sm1)) + ((s - sm1) - 1)
		y := ref.Scale64(hi+math.FMA(s, ts[j], lo), k-kk)
		if v == 0 {
			y = v
		}
		dst[j] = y
	}
}

// expm1TailBlock64 sets t[j] to ref's expm1Tail(r0[j], cc[j]).
func expm1TailBlock64(t, r0s, ccs []float64) {
	t, ccs = t[:len(r0s)], ccs[:len(r0s)]
	c := &ref.ExpQ64
	for j, r0 := range r0s {
		cc := ccs[j]
		r := r0 + cc
		r2 := float64(r0 * r0)
		r2l := math.FMA(r0, r0, -r2)
		r2l = math.FMA(r0+r, cc, r2l)
		q := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(c[9], r, c[8]), r, c[7]), r, c[6]), r, c[5]), r, c[4]), r, c[3]), r, c[2]), r, c[1]), r, c[0])
		t[j] = math.FMA(r2, q, math.FMA(r2l, q, cc))
	}
}

func tanhGo64(dst, x []float64) { blocks64(tanhBlock64, dst, x) }

func tanhBlock64(dst, x []float64) {
	dst = dst[:len(x)]
	var br0s, bccs, bks, bts [vblk]float64
	r0s, ccs, ks, ts := br0s[:len(x)], bccs[:len(x)], bks[:len(x)], bts[:len(x)]
	for j, v := range x {
		a := math.Abs(v)
		if ref.TanhHi64 < a {
			a = ref.TanhHi64
		}
		y := 2 * a
		k := math.RoundToEven(float64(y * ref.Log2e64))
		r0s[j], ccs[j], ks[j] = float64(k*-ref.Ln2Hi64)+y, float64(k*-ref.Ln2Lo64), k
	}
	expm1TailBlock64(ts, r0s, ccs)
	for j, v := range x {
		r0 := r0s[j]
		s := pow2Go64(ks[j])
		sr := float64(s * r0)
		sm1 := s - 1
		hi := sm1 + sr
		lo := sr - (hi - sm1)
		u := math.FMA(s, ts[j], lo)
		eh := hi + u
		el := u - (eh - hi)
		dh := eh + 2
		bb := dh - eh
		dl := ((eh - (dh - bb)) + (2 - bb)) + el
		dst[j] = math.Copysign(divHiLo64(eh, el, dh, dl), v)
	}
}

func expm1Go32(dst, x []float32) { blocks32(expm1Block32, dst, x) }

func expm1Block32(dst, x []float32) {
	dst = dst[:len(x)]
	var br0s, bccs, bks, bts [vblk]float32
	r0s, ccs, ks, ts := br0s[:len(x)], bccs[:len(x)], bks[:len(x)], bts[:len(x)]
	for j, v := range x {
		if ref.ExpHi32 < v {
			v = ref.ExpHi32
		}
		if ref.Expm1Lo32 > v {
			v = ref.Expm1Lo32
		}
		k := roundEven32(float32(v * ref.Log2e32))
		r0s[j], ccs[j], ks[j] = float32(k*-ref.Ln2Hi32)+v, float32(k*-ref.Ln2Lo32), k
	}
	expm1TailBlock32(ts, r0s, ccs)
	for j, v := range x {
		r0, k := r0s[j], ks[j]
		kk := k
		if ref.Kcap32 < kk {
			kk = ref.Kcap32
		}
		s := pow2Go32(kk)
		sr := float32(s * r0)
		sm1 := s - 1
		hi := sm1 + sr
		lo := (sr - (hi - sm1)) + ((s - sm1) - 1)
		var p float32
		if w := float64(s)*float64(ts[j]) + float64(lo); fma.Exact32(w) {
			p = float32(w)
		} else {
			p = fma.Odd32(s, ts[j], lo)
		}
		y := ref.Scale32(hi+p, k-kk)
		if v == 0 {
			y = v
		}
		dst[j] = y
	}
}

// expm1TailBlock32 sets t[j] to ref's expm1Tail(r0[j], cc[j]).
func expm1TailBlock32(t, r0s, ccs []float32) {
	t, ccs = t[:len(r0s)], ccs[:len(r0s)]
	var brs, bqs [vblk]float32
	rs, qs := brs[:len(r0s)], bqs[:len(r0s)]
	for j, r0 := range r0s {
		rs[j] = r0 + ccs[j]
	}
	expPoly32(qs, rs)
	for j, r0 := range r0s {
		cc, r, q := ccs[j], rs[j], qs[j]
		r2 := float32(r0 * r0)
		var r2l float32
		if w := float64(r0)*float64(r0) + float64(-r2); fma.Exact32(w) {
			r2l = float32(w)
		} else {
			r2l = fma.Odd32(r0, r0, -r2)
		}
		if w := float64(r0+r)*float64(cc) + float64(r2l); fma.Exact32(w) {
			r2l = float32(w)
		} else {
			r2l = fma.Odd32(r0+r, cc, r2l)
		}
		var tt float32
		if w := float64(r2l)*float64(q) + float64(cc); fma.Exact32(w) {
			tt = float32(w)
		} else {
			tt = fma.Odd32(r2l, q, cc)
		}
		if w := float64(r2)*float64(q) + float64(tt); fma.Exact32(w) {
			tt = float32(w)
		} else {
			tt = fma.Odd32(r2, q, tt)
		}
		t[j] = tt
	}
}

func tanhGo32(dst, x []float32) { blocks32(tanhBlock32, dst, x) }

func tanhBlock32(dst, x []float32) {
	dst = dst[:len(x)]
	var br0s, bccs, bks, bts [vblk]float32
	r0s, ccs, ks, ts := br0s[:len(x)], bccs[:len(x)], bks[:len(x)], bts[:len(x)]
	for j, v := range x {
		a := abs32(v)
		if ref.TanhHi32 < a {
			a = ref.TanhHi32
		}
		y := 2 * a
		k := roundEven32(float32(y * ref.Log2e32))
		r0s[j], ccs[j], ks[j] = float32(k*-ref.Ln2Hi32)+y, float32(k*-ref.Ln2Lo32), k
	}
	expm1TailBlock32(ts, r0s, ccs)
	for j, v := range x {
		r0 := r0s[j]
		s := pow2Go32(ks[j])
		sr := float32(s * r0)
		sm1 := s - 1
		hi := sm1 + sr
		lo := sr - (hi - sm1)
		var u float32
		if w := float64(s)*float64(ts[j]) + float64(lo); fma.Exact32(w) {
			u = float32(w)
		} else {
			u = fma.Odd32(s, ts[j], lo)
		}
		eh := hi + u
		el := u - (eh - hi)
		dh := eh + 2
		bb := dh - eh
		dl := ((eh - (dh - bb)) + (2 - bb)) + el
		// divHiLo(eh, el, dh, dl)
		yy := 1 / dh
		qq := float32(eh * yy)
		var res float32
		if w := float64(-qq)*float64(dh) + float64(eh); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-qq, dh, eh)
		}
		res += el
		if w := float64(-qq)*float64(dl) + float64(res); fma.Exact32(w) {
			res = float32(w)
		} else {
			res = fma.Odd32(-qq, dl, res)
		}
		var d float32
		if w := float64(res)*float64(yy) + float64(qq); fma.Exact32(w) {
			d = float32(w)
		} else {
			d = fma.Odd32(res, yy, qq)
		}
		dst[j] = copysign32(d, v)
	}
}
