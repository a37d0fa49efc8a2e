package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The LULinear fuzz targets take d (up to 71, across the diagonal block of
// 64), the batch (up to 40), the strides and offsets of every matrix, the
// permutation (a seed; 0 is the identity) and the flags (L and U one
// matrix, in place, logdet or nil, gradients or nil, g.L and g.U one
// matrix, ±1 signs or any value) from the fuzzer, and every value from its
// bytes (fuzzVals), then run each method on every usable tier through the
// public API and compare with luRef, the documented order written with the
// scalar reference (internal/ref.LU), bit for bit. Unread triangles, diagonals and input gaps
// hold NaN (a read poisons a result), output gaps -7 (a write shows), and
// every matrix and slice sits in guards; inputs must come back unchanged.

func FuzzLULinearForward(f *testing.F)  { fuzzLU(f, 0) }
func FuzzLULinearInverse(f *testing.F)  { fuzzLU(f, 1) }
func FuzzLULinearBackward(f *testing.F) { fuzzLU(f, 2) }

// luFuzz is one decoded input.
type luFuzz struct {
	d, nb      int
	extra, off [6]int // L, U, input, output, g.L, g.U
	perm       uint64
	shared     bool // L and U are one matrix
	inPlace    bool // the output is the (first) input
	logdet     bool // logdet (dlogdet) is not nil
	grad       bool // Backward gets gradients
	gShared    bool // g.L and g.U are one matrix
	signs      bool // Sign holds ±1 (else the values as they are)
	small      bool // L, U scaled by 2^-8 and LogS by 2^-6 (exactly, but for subnormals)
	tame       bool
	single     bool
}

const luFuzzD, luFuzzNB = 72, 41

func newLUFuzz(shape uint32, flags uint8, perm uint64) luFuzz {
	s := fuzzShape(shape)
	f := luFuzz{d: s.take(luFuzzD), nb: s.take(luFuzzNB), perm: perm}
	for i := range f.extra {
		f.extra[i] = s.take(3)
	}
	for i := range f.off {
		f.off[i] = s.take(2) * 3
	}
	f.small = s.take(2) == 1
	b := func(i uint) bool { return flags&(1<<i) != 0 }
	f.shared, f.inPlace, f.logdet, f.grad = b(0), b(1), b(2), b(3)
	f.gShared, f.signs, f.tame, f.single = b(4), b(5), b(6), b(7)
	return f
}

// luSeedShape encodes d, the batch, one stride/offset code per matrix
// and small as newLUFuzz decodes them.
func luSeedShape(d, nb int, extra, off [6]int, small bool) uint32 {
	v := 0
	if small {
		v = 1
	}
	for i := 5; i >= 0; i-- {
		v = v*2 + off[i]/3
	}
	for i := 5; i >= 0; i-- {
		v = v*3 + extra[i]
	}
	return uint32((v*luFuzzNB+nb)*luFuzzD + d)
}

func fuzzLU(f *testing.F, dir int) {
	tame, special, raw := tameBytes(false), tameBytes(true), rawFuzzBytes(50)
	const (
		shared, inPlace, logdet, grad, gShared, signs, tm, single = 1, 2, 4, 8, 16, 32, 64, 128
	)
	f.Add([]byte{}, uint32(0), uint8(0), uint64(0))
	f.Add(tame, luSeedShape(9, 4, [6]int{1, 2, 0, 1, 2, 0}, [6]int{3, 0, 3, 0, 3, 3}, true), uint8(tm|signs|logdet|grad), uint64(7))
	f.Add(tame, luSeedShape(70, 33, [6]int{2, 1, 1, 0, 1, 2}, [6]int{0, 3, 0, 3, 0, 0}, true), uint8(tm|signs|shared|logdet|grad|gShared), uint64(11))
	f.Add(tame, luSeedShape(65, 17, [6]int{0, 0, 2, 2, 0, 1}, [6]int{3, 3, 0, 0, 3, 0}, true), uint8(tm|signs|inPlace|grad|single), uint64(3))
	f.Add(tame, luSeedShape(64, 40, [6]int{1, 1, 1, 1, 1, 1}, [6]int{0, 0, 0, 0, 0, 0}, true), uint8(tm|shared|inPlace|logdet|grad|single), uint64(0))
	f.Add(tame, luSeedShape(17, 0, [6]int{0, 1, 2, 0, 1, 2}, [6]int{3, 0, 0, 3, 0, 3}, false), uint8(tm|signs|logdet|grad), uint64(5))
	f.Add(tame, luSeedShape(30, 5, [6]int{2, 0, 1, 1, 2, 0}, [6]int{0, 3, 3, 0, 0, 3}, false), uint8(tm|logdet|grad|single), uint64(13))
	f.Add(special, luSeedShape(11, 3, [6]int{1, 0, 0, 2, 1, 1}, [6]int{3, 0, 0, 0, 3, 0}, true), uint8(tm|signs|logdet|grad|shared), uint64(17))
	f.Add(raw, luSeedShape(23, 6, [6]int{2, 2, 1, 0, 0, 1}, [6]int{0, 3, 3, 0, 3, 0}, false), uint8(logdet|grad|gShared|shared), uint64(2))
	f.Add(raw, luSeedShape(12, 9, [6]int{0, 1, 0, 1, 0, 1}, [6]int{3, 3, 3, 3, 3, 3}, true), uint8(single|inPlace|logdet|signs), uint64(9))
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8, perm uint64) {
		lf := newLUFuzz(shape, flags, perm)
		if lf.single {
			fuzzLUT[float32](t, dir, data, lf)
		} else {
			fuzzLUT[float64](t, dir, data, lf)
		}
	})
}

// luMat returns a d x d matrix in guards whose elements with keep(i, k)
// come from the values (times scale), the others and the gaps NaN.
func luMat[T Float](v *fuzzVals[T], d, extra, off int, scale T, keep func(i, k int) bool) gmat[T] {
	g := newGMat[T](tk.NewRand(5), d, d, extra, off, nan[T]())
	for i := range d {
		for k := range d {
			x := nan[T]()
			if keep(i, k) {
				x = v.next() * scale
			}
			g.m.Data[i*g.m.Stride+k] = x
		}
	}
	return g
}

func luLower(i, k int) bool { return k < i }
func luUpper(i, k int) bool { return k > i }

// luRef is LULinear's documented order: internal/ref.LU on the layer's
// parameters, its methods working in place on a batch.
type luRef[T Float] struct{ r ref.LU[T] }

func newLURef[T Float](l *LULinear[T]) *luRef[T] {
	return &luRef[T]{ref.LU[T]{D: l.Dim(), Perm: l.Perm, L: l.L.Data, LDL: l.L.Stride, U: l.U.Data, LDU: l.U.Stride, Sign: l.Sign, LogS: l.LogS}}
}

func (r *luRef[T]) forward(x Matrix[T], logdet []T) { r.r.Forward(x.Data, x.Stride, x.Rows, logdet) }

func (r *luRef[T]) inverse(x Matrix[T], logdet []T) { r.r.Inverse(x.Data, x.Stride, x.Rows, logdet) }

// backward works in place on dx (which holds dy); g may be nil.
func (r *luRef[T]) backward(dx, x Matrix[T], dlogdet []T, g *LULinearGrad[T]) {
	if g == nil {
		r.r.Backward(dx.Data, dx.Stride, x.Data, x.Stride, x.Rows, dlogdet, nil, 0, nil, 0, nil)
		return
	}
	r.r.Backward(dx.Data, dx.Stride, x.Data, x.Stride, x.Rows, dlogdet, g.L.Data, g.L.Stride, g.U.Data, g.U.Stride, g.LogS)
}

func fuzzLUT[T Float](t *testing.T, dir int, data []byte, f luFuzz) {
	d, nb := f.d, f.nb
	v := newFuzzVals[T](data, f.tame)
	// The layer: L and U (or one matrix), Perm, Sign, LogS in guards.
	scale := T(1)
	if f.small {
		scale = 0x1p-8
	}
	gl := luMat(v, d, f.extra[0], f.off[0], scale, luLower)
	gu := luMat(v, d, f.extra[1], f.off[1], scale, luUpper)
	if f.shared {
		for i := range d {
			for k := range d {
				if k > i {
					gl.m.Data[i*gl.m.Stride+k] = gu.m.Data[i*gu.m.Stride+k]
				}
			}
		}
		gu = gl
	}
	perm := make([]int, d)
	for i := range perm {
		perm[i] = i
	}
	if f.perm != 0 {
		perm = tk.NewRand(f.perm).Perm(d)
	}
	gsign, glogs := tk.NewGuarded[T](d, f.off[2]+1), tk.NewGuarded[T](d, f.off[3]+2)
	v.fill(gsign.S())
	v.fill(glogs.S())
	if f.small {
		for i := range glogs.S() {
			glogs.S()[i] *= 0x1p-6
		}
	}
	if f.signs {
		for i, x := range gsign.S() {
			gsign.S()[i] = 1
			if x < 0 {
				gsign.S()[i] = -1
			}
		}
	}
	l := &LULinear[T]{Perm: perm, L: gl.m, U: gu.m, Sign: gsign.S(), LogS: glogs.S()}
	params := [][]T{gl.m.Data, gu.m.Data, l.Sign, l.LogS}
	var params0 [][]T
	for _, p := range params {
		params0 = append(params0, clone(p))
	}
	perm0 := append([]int(nil), perm...)
	r := newLURef(l)

	// The operands: the input (NaN gaps), a second input for Backward (x),
	// the output (-7 gaps, or the input itself), logdet and the gradients.
	mat := func(i, seed int, gap T) gmat[T] {
		return newGMat[T](tk.NewRand(uint64(seed)), nb, d, f.extra[i], f.off[i], gap)
	}
	in0 := mat(2, 6, nan[T]())
	v.fillCols(in0.m)
	var x0 gmat[T]
	if dir == 2 {
		x0 = mat(3, 7, nan[T]())
		v.fillCols(x0.m)
	}
	x00 := clone(x0.m.Data)
	ld0 := make([]T, nb)
	v.fill(ld0)
	var g0L, g0U, g0LogS []T
	if f.grad {
		g0L, g0U = make([]T, d*d), make([]T, d*d)
		v.fill(g0L)
		v.fill(g0U)
		g0LogS = make([]T, d)
		v.fill(g0LogS)
	}
	// newGrad returns gradients in guards (NaN diagonals, and when g.L and
	// g.U are one matrix, each triangle from its own start values).
	newGrad := func() (*LULinearGrad[T], []gmat[T], *tk.Guarded[T]) {
		mk := func(i int, vals []T) gmat[T] {
			g := newGMat[T](tk.NewRand(8), d, d, f.extra[i], f.off[i], -7)
			for a := range d {
				for k := range d {
					g.m.Data[a*g.m.Stride+k] = vals[a*d+k]
				}
				g.m.Data[a*g.m.Stride+a] = nan[T]()
			}
			return g
		}
		ggl, ggu := mk(4, g0L), mk(5, g0U)
		if f.gShared {
			for a := range d {
				for k := a + 1; k < d; k++ {
					ggl.m.Data[a*ggl.m.Stride+k] = g0U[a*d+k]
				}
			}
			ggu = ggl
		}
		gls := tk.NewGuarded[T](d, f.off[4]+1)
		copy(gls.S(), g0LogS)
		return &LULinearGrad[T]{L: ggl.m, U: ggu.m, LogS: gls.S()}, []gmat[T]{ggl, ggu}, gls
	}

	// The reference, in the output's layout.
	out0 := in0
	if !f.inPlace {
		out0 = mat(3, 9, -7)
		if dir == 2 {
			out0 = mat(5, 9, -7)
		}
	}
	want := clone(out0.m.Data)
	wm := Matrix[T]{Rows: nb, Cols: d, Data: want, Stride: out0.m.Stride}
	copyRows(wm, in0.m)
	var wantLd []T
	if f.logdet {
		wantLd = clone(ld0)
	}
	var wantG *LULinearGrad[T]
	if f.grad && dir == 2 {
		wantG, _, _ = newGrad()
	}
	switch dir {
	case 0:
		r.forward(wm, wantLd)
	case 1:
		r.inverse(wm, wantLd)
	case 2:
		r.backward(wm, x0.m, wantLd, wantG)
	}
	wantLogDet := ref.Sum(l.LogS)

	what := fmt.Sprintf("dir %d d=%d batch=%d %+v", dir, d, nb, f)
	for _, tier := range usableTiers() {
		in := mat(2, 6, nan[T]())
		copy(in.m.Data, in0.m.Data)
		out := in
		if !f.inPlace {
			out = mat(3, 9, -7)
			if dir == 2 {
				out = mat(5, 9, -7)
			}
		}
		var gld *tk.Guarded[T]
		var ld []T
		if f.logdet {
			gld = tk.NewGuarded[T](nb, f.off[5]+1)
			ld = gld.S()
			copy(ld, ld0)
		}
		var g *LULinearGrad[T]
		var gm []gmat[T]
		var gls *tk.Guarded[T]
		if f.grad && dir == 2 {
			g, gm, gls = newGrad()
		}
		var logDet T
		onTier(tier, func() {
			switch dir {
			case 0:
				l.Forward(out.m, in.m, ld)
				logDet = l.LogDet()
			case 1:
				l.Inverse(out.m, in.m, ld)
			case 2:
				l.Backward(out.m, in.m, x0.m, ld, g)
			}
		})
		sameSlice(t, tier.String()+" "+what+" output", out.m.Data, want)
		if !f.inPlace {
			sameSlice(t, tier.String()+" "+what+": input changed", in.m.Data, in0.m.Data)
		}
		sameSlice(t, tier.String()+" "+what+" logdet", ld, wantLd)
		if dir == 0 && !tk.Same(logDet, wantLogDet) {
			t.Fatalf("%s %s: LogDet = %v (%#x), reference %v (%#x)", tier, what, logDet, tk.Bits(logDet), wantLogDet, tk.Bits(wantLogDet))
		}
		if g != nil {
			sameSlice(t, tier.String()+" "+what+" g.L", g.L.Data, wantG.L.Data)
			sameSlice(t, tier.String()+" "+what+" g.U", g.U.Data, wantG.U.Data)
			sameSlice(t, tier.String()+" "+what+" g.LogS", g.LogS, wantG.LogS)
			checkAll(t, tier.String()+" "+what+" g", gm...)
			checkGuards(t, tier, gls)
		}
		for i, p := range params {
			sameSlice(t, fmt.Sprintf("%s %s: parameter %d changed", tier, what, i), p, params0[i])
		}
		for i, p := range perm {
			if p != perm0[i] {
				t.Fatalf("%s %s: Perm changed", tier, what)
			}
		}
		checkAll(t, tier.String()+" "+what, gl, gu, in, out)
		checkGuards(t, tier, gsign, glogs)
		if gld != nil {
			checkGuards(t, tier, gld)
		}
		if dir == 2 {
			sameSlice(t, tier.String()+" "+what+": x changed", x0.m.Data, x00)
			checkAll(t, tier.String()+" "+what+" x", x0)
		}
	}
}
