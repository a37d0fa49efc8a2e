package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The triangular fuzz targets take the shape (n up to 71: every leaf of 8
// and half remainder, across the diagonal block of 64; a batch up to 47,
// split over workers past 32 rows, or past the row chunk of 256 for small
// n), the strides, offsets, worker count and flags (upper, trans, unit;
// tame or raw values; float32; off-diagonal elements scaled down) from the
// fuzzer and the values from its bytes, then check every usable tier
// against the scalar references of internal/ref (TriMatVecs, TriSolveVecs: the
// canonical orders of tri.go's doc comments) bit for bit, and the public
// entry point on the same operands; with the diag flag, the diagonal goes to
// TriMatVecsDiag/TriSolveVecsDiag as a guarded vector and A's own diagonal
// holds NaN. A's other triangle, its unit diagonal
// and its gaps hold NaN (a read poisons a result), X's gaps -7 (a write
// shows), and every operand sits in NaN guards. Near-singular and zero
// diagonals are welcome: a solve must still match the reference bit for
// bit, not the truth.

// fuzzVals is the fuzzer's bytes as values, cycled to fill the operands
// (zeros when there are none), for the tri and additive targets.
// Raw: IEEE bits, 8 or 4 bytes each, so that every pattern occurs. Tame:
// two bytes each, m*2^e with m an int8 and -12 <= e <= 3, so that chains
// of products and solves stay finite often enough for rounding to show,
// or, when the second byte is 0xff, one of testkit's specials (signed
// zeros, infinities, NaN, subnormals, extremes).
type fuzzVals[T Float] struct {
	v   []T
	pos int
}

func newFuzzVals[T Float](data []byte, tame bool) *fuzzVals[T] {
	if !tame {
		return &fuzzVals[T]{v: decode[T](data)}
	}
	sp := tk.Specials[T]()
	v := make([]T, len(data)/2)
	for i := range v {
		m, e := data[2*i], data[2*i+1]
		if e == 0xff {
			v[i] = sp[int(m)%len(sp)]
		} else {
			v[i] = T(math.Ldexp(float64(int8(m)), int(e%16)-12))
		}
	}
	return &fuzzVals[T]{v: v}
}

func (f *fuzzVals[T]) next() T {
	if len(f.v) == 0 {
		return 0
	}
	x := f.v[f.pos%len(f.v)]
	f.pos++
	return x
}

// fill sets s from the values.
func (f *fuzzVals[T]) fill(s []T) {
	for i := range s {
		s[i] = f.next()
	}
}

// fillCols sets the elements of m (not its gaps) from the values.
func (f *fuzzVals[T]) fillCols(m Matrix[T]) {
	for i := range m.Data {
		if i%m.Stride < m.Cols {
			m.Data[i] = f.next()
		}
	}
}

// fuzzShape takes mixed-radix digits off a fuzzer's integer.
type fuzzShape uint32

func (s *fuzzShape) take(k uint32) int {
	v := int(uint32(*s) % k)
	*s = fuzzShape(uint32(*s) / k)
	return v
}

// triFuzz is one decoded input of FuzzTriMatVecs and FuzzTriSolveVecs.
type triFuzz struct {
	n, nb, workers           int
	extra, off               [2]int // of A and X
	upper, trans, unit, tame bool
	single, small, diag      bool
}

// Radices of the triangular shape, shared with triSeedShape.
const (
	triFuzzN, triFuzzNB = 72, 48
)

func newTriFuzz(shape uint32, flags uint8) triFuzz {
	s := fuzzShape(shape)
	f := triFuzz{n: s.take(triFuzzN), nb: s.take(triFuzzNB)}
	f.extra = [2]int{s.take(4), s.take(4)}
	f.off = [2]int{s.take(8), s.take(8)}
	f.workers = 1 + s.take(3)
	if s.take(4) == 3 { // past the batch chunk of 256, at a small n
		f.nb, f.n = 250+f.nb%24, f.n%17
	}
	f.upper, f.trans, f.unit = flags&1 != 0, flags&2 != 0, flags&4 != 0
	f.tame, f.single, f.small, f.diag = flags&8 != 0, flags&16 != 0, flags&32 != 0, flags&64 != 0
	return f
}

// triSeedShape encodes a shape as newTriFuzz decodes it.
func triSeedShape(n, nb, extraA, extraX, offA, offX, workers int, long bool) uint32 {
	v := 0
	if long {
		v = 3
	}
	for _, d := range []struct{ x, k int }{{workers - 1, 3}, {offX, 8}, {offA, 8}, {extraX, 4}, {extraA, 4}, {nb, triFuzzNB}, {n, triFuzzN}} {
		v = v*d.k + d.x
	}
	return uint32(v)
}

// tameBytes are tame seed values (97 of them, cycled): of order one, one
// tiny (a near-singular diagonal now and then) and, with specials, one
// +Inf (which the cycling spreads over every row).
func tameBytes(specials bool) []byte {
	var b []byte
	for i := range 97 {
		m, e := byte(int8(i*37%255-127)), byte(9+i%6)
		switch {
		case i == 40:
			m, e = 1, 0 // 2^-12
		case i == 81 && specials:
			m, e = 4, 0xff // +Inf
		}
		b = append(b, m, e)
	}
	return b
}

// rawFuzzBytes are float64 bit patterns of i - 24.5 (float32 reads them as
// pairs of other values).
func rawFuzzBytes(n int) []byte {
	b := make([]byte, 8*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i)-24.5))
	}
	return b
}

func seedTriFuzz(f *testing.F) {
	tame, special, raw := tameBytes(false), tameBytes(true), rawFuzzBytes(50)
	f.Add([]byte{}, uint32(0), uint8(0))
	f.Add(tame, triSeedShape(17, 9, 1, 2, 3, 5, 1, false), uint8(8))
	f.Add(tame, triSeedShape(70, 33, 3, 1, 1, 6, 3, false), uint8(8|1))
	f.Add(tame, triSeedShape(65, 40, 0, 3, 7, 0, 2, false), uint8(8|2|4|16))
	f.Add(tame, triSeedShape(64, 5, 2, 0, 2, 2, 1, false), uint8(8|1|2|32))
	f.Add(tame, triSeedShape(9, 8, 1, 1, 4, 1, 1, true), uint8(8|1|4|16))
	f.Add(tame, triSeedShape(33, 47, 0, 0, 0, 0, 3, false), uint8(8|4|16|32))
	f.Add(special, triSeedShape(21, 5, 1, 0, 6, 3, 1, false), uint8(8|2))
	f.Add(special, triSeedShape(7, 3, 0, 2, 0, 1, 1, false), uint8(8|1|16))
	f.Add(raw, triSeedShape(23, 7, 1, 3, 5, 2, 1, false), uint8(2))
	f.Add(raw, triSeedShape(40, 12, 2, 1, 0, 3, 2, false), uint8(1|2|4|16))
	f.Add(make([]byte, 64), triSeedShape(12, 3, 0, 1, 1, 1, 1, false), uint8(8|1)) // all zeros: singular
	f.Add(tame, triSeedShape(70, 33, 3, 1, 1, 6, 3, false), uint8(64|8|1))
	f.Add(tame, triSeedShape(65, 40, 0, 3, 7, 0, 2, false), uint8(64|8|2|16))
	f.Add(special, triSeedShape(21, 5, 1, 0, 6, 3, 1, false), uint8(64|8|2|4))
}

func FuzzTriMatVecs(f *testing.F) {
	seedTriFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8) {
		tf := newTriFuzz(shape, flags)
		if tf.single {
			fuzzTri[float32](t, data, tf, false)
		} else {
			fuzzTri[float64](t, data, tf, false)
		}
	})
}

func FuzzTriSolveVecs(f *testing.F) {
	seedTriFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8) {
		tf := newTriFuzz(shape, flags)
		if tf.single {
			fuzzTri[float32](t, data, tf, true)
		} else {
			fuzzTri[float64](t, data, tf, true)
		}
	})
}

// fuzzTriA returns A in guards: its triangle (the diagonal too unless
// unit) from the values, the rest NaN. With small, the elements off the
// diagonal are scaled by 2^-8 (exactly, but for subnormal results), so that
// long solves with diagonals of order one stay finite.
func fuzzTriA[T Float](v *fuzzVals[T], f triFuzz) gmat[T] {
	a := newGMat[T](tk.NewRand(1), f.n, f.n, f.extra[0], f.off[0], nan[T]())
	for i := range f.n {
		for k := range f.n {
			p := &a.m.Data[i*a.m.Stride+k]
			if (i == k && f.unit) || (i != k && (k > i) != f.upper) {
				*p = nan[T]()
			} else {
				*p = v.next()
				if f.small && i != k {
					*p *= 0x1p-8
				}
			}
		}
	}
	return a
}

func fuzzTri[T Float](t *testing.T, data []byte, f triFuzz, solve bool) {
	v := newFuzzVals[T](data, f.tame)
	a := fuzzTriA(v, f)
	newX := func() gmat[T] { return newGMat[T](tk.NewRand(2), f.nb, f.n, f.extra[1], f.off[1], -7) }
	x0 := newX()
	v.fillCols(x0.m)
	want := clone(x0.m.Data)
	wm := Matrix[T]{Rows: f.nb, Cols: f.n, Data: want, Stride: x0.m.Stride}
	if solve {
		refTriSolve(wm, a.m, f.upper, f.trans, f.unit)
	} else {
		refTriMul(wm, a.m, f.upper, f.trans, f.unit)
	}
	s := triSpec[T]{a: a.m, upper: f.upper, trans: f.trans, unit: f.unit}
	var diag []T
	gd := tk.NewGuarded[T](0, 0)
	if f.diag && !f.unit {
		// The diagonal moves to a vector; A's own is never read.
		gd = tk.NewGuarded[T](f.n, f.off[1]%4)
		diag = gd.S()
		for i := range diag {
			diag[i] = a.m.Data[i*a.m.Stride+i]
			a.m.Data[i*a.m.Stride+i] = nan[T]()
		}
		s.diag = diag
	}
	a0, d0 := clone(a.m.Data), clone(diag)
	what := fmt.Sprintf("solve=%v n=%d batch=%d upper=%v trans=%v unit=%v diag=%v workers=%d", solve, f.n, f.nb, f.upper, f.trans, f.unit, f.diag, f.workers)
	check := func(tier string, x gmat[T]) {
		t.Helper()
		sameSlice(t, tier+" "+what, x.m.Data, want)
		sameSlice(t, tier+" "+what+": a changed", a.m.Data, a0)
		sameSlice(t, tier+" "+what+": diag changed", diag, d0)
		checkAll(t, tier+" "+what, a, x)
		if err := gd.Check(); err != nil {
			t.Fatalf("%s %s: diag: %v", tier, what, err)
		}
	}
	for _, tier := range usableTiers() {
		x := newX()
		copy(x.m.Data, x0.m.Data)
		if solve {
			triSolveOn(tier, f.workers, x.m, &s)
		} else {
			triMulOn(tier, f.workers, x.m, &s)
		}
		check(tier.String(), x)
	}
	// The public entry point: its shape checks accept every valid shape,
	// then the active tier runs with its own worker count.
	x := newX()
	copy(x.m.Data, x0.m.Data)
	switch {
	case f.diag && solve:
		TriSolveVecsDiag(x.m, a.m, diag, f.upper, f.trans)
	case f.diag:
		TriMatVecsDiag(x.m, a.m, diag, f.upper, f.trans)
	case solve:
		TriSolveVecs(x.m, a.m, f.upper, f.trans, f.unit)
	default:
		TriMatVecs(x.m, a.m, f.upper, f.trans, f.unit)
	}
	check("public "+ISA(), x)
}

// FuzzTriLogDet checks TriLogDet and TriLogDets on fuzzer-chosen sizes (up
// to 71, or 250 to 321 across the diagonal block of 256), strides, offsets
// and diagonals (the rest of A NaN, never read): every tier, and the public
// calls on every tier, give Sum(Log|A[i][i]|) with internal/ref's Log and
// Sum bit for bit (zeros give -Inf, NaN NaN), inside guards. TriLogDets
// gets A and up to three more factors of other sizes.
func FuzzTriLogDet(f *testing.F) {
	seed := func(n, extra, off, more int, big bool) uint32 {
		v := more
		if big {
			v += 3 * 4
		}
		return uint32(((v*8+off)*4+extra)*triFuzzN + n)
	}
	tame, raw := tameBytes(false), rawFuzzBytes(50)
	f.Add([]byte{}, uint32(0), uint8(0))
	f.Add(tame, seed(17, 1, 3, 2, false), uint8(8))
	f.Add(tame, seed(70, 3, 5, 3, false), uint8(8|16))
	f.Add(tame, seed(40, 2, 1, 1, true), uint8(8))
	f.Add(raw, seed(33, 0, 7, 2, false), uint8(0))
	f.Add(raw, seed(65, 1, 2, 3, true), uint8(16))
	f.Add(tameBytes(true), seed(71, 2, 4, 2, false), uint8(8))
	f.Add(make([]byte, 16), seed(5, 0, 0, 1, false), uint8(8)) // zero diagonal: -Inf
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8) {
		if flags&16 != 0 {
			fuzzTriLogDet[float32](t, data, shape, flags&8 != 0)
		} else {
			fuzzTriLogDet[float64](t, data, shape, flags&8 != 0)
		}
	})
}

// refLogDet is TriLogDet's canonical order (internal/ref.TriLogDet).
func refLogDet[T Float](a Matrix[T]) T { return ref.TriLogDet(a.Data, a.Stride, a.Rows) }

func fuzzTriLogDet[T Float](t *testing.T, data []byte, shape uint32, tame bool) {
	s := fuzzShape(shape)
	n, extra, off, more := s.take(triFuzzN), s.take(4), s.take(8), s.take(4)
	if s.take(4) == 3 {
		n += 250
	}
	v := newFuzzVals[T](data, tame)
	diagonal := func(n, extra, off int) gmat[T] {
		a := newGMat[T](tk.NewRand(3), n, n, extra, off, nan[T]())
		for i := range a.m.Data {
			a.m.Data[i] = nan[T]()
		}
		for i := range n {
			a.m.Data[i*a.m.Stride+i] = v.next()
		}
		return a
	}
	as := []gmat[T]{diagonal(n, extra, off)}
	for j := range more {
		as = append(as, diagonal((n+29*(j+1))%triFuzzN, (extra+j+1)%4, (off+3*j+1)%8))
	}
	factors := make([]Matrix[T], len(as))
	wants := make([]T, len(as))
	for j, a := range as {
		factors[j], wants[j] = a.m, refLogDet(a.m)
	}
	a, want := as[0], wants[0]
	for _, tier := range usableTiers() {
		if got := triLogDetOn(tier, a.m); !tk.Same(got, want) {
			t.Fatalf("%s: TriLogDet n=%d = %v (%#x), reference %v (%#x)", tier, n, got, tk.Bits(got), want, tk.Bits(want))
		}
		gd := tk.NewGuarded[T](len(as), off)
		var got T
		onTier(tier, func() {
			got = TriLogDet(a.m)
			TriLogDets(gd.S(), factors)
		})
		if !tk.Same(got, want) {
			t.Fatalf("%s: public TriLogDet n=%d = %v (%#x), reference %v (%#x)", tier, n, got, tk.Bits(got), want, tk.Bits(want))
		}
		sameSlice(t, fmt.Sprintf("%s TriLogDets n=%d, %d factors", tier, n, len(as)), gd.S(), wants)
		checkGuards(t, tier, gd)
		checkAll(t, tier.String()+" TriLogDet", as...)
	}
}

// FuzzAddRowSums checks AddRowSums on fuzzer-chosen rows (up to 47),
// columns (up to 139, across both lane counts), strides and offsets, S's
// gaps NaN: every tier, and the public call, give logdet[b] + Sum(S[b][:])
// with ref.Sum bit for bit, inside guards.
func FuzzAddRowSums(f *testing.F) {
	seed := func(rows, cols, extra, off, offL int) uint32 {
		return uint32((((offL*8+off)*4+extra)*140+cols)*48 + rows)
	}
	tame, raw := tameBytes(false), rawFuzzBytes(50)
	f.Add([]byte{}, uint32(0), uint8(0))
	f.Add(tame, seed(5, 33, 1, 3, 2), uint8(8))
	f.Add(tame, seed(9, 65, 3, 5, 7), uint8(8|16))
	f.Add(tame, seed(3, 0, 2, 1, 1), uint8(8))
	f.Add(raw, seed(40, 130, 0, 7, 3), uint8(0))
	f.Add(raw, seed(17, 64, 1, 2, 0), uint8(16))
	f.Add(raw, seed(0, 12, 1, 2, 0), uint8(0))
	f.Add(tameBytes(true), seed(6, 97, 2, 4, 5), uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8) {
		if flags&16 != 0 {
			fuzzAddRowSums[float32](t, data, shape, flags&8 != 0)
		} else {
			fuzzAddRowSums[float64](t, data, shape, flags&8 != 0)
		}
	})
}

func fuzzAddRowSums[T Float](t *testing.T, data []byte, shape uint32, tame bool) {
	s := fuzzShape(shape)
	rows, cols, extra, off, offL := s.take(48), s.take(140), s.take(4), s.take(8), s.take(8)
	v := newFuzzVals[T](data, tame)
	sm := newGMat[T](tk.NewRand(4), rows, cols, extra, off, nan[T]())
	v.fillCols(sm.m)
	ld0 := make([]T, rows)
	v.fill(ld0)
	want := clone(ld0)
	for b := range want {
		var row []T
		if cols > 0 {
			row = sm.m.Data[b*sm.m.Stride : b*sm.m.Stride+cols]
		}
		want[b] += ref.Sum(row)
	}
	s0 := clone(sm.m.Data)
	what := fmt.Sprintf("AddRowSums %dx%d stride %d", rows, cols, sm.m.Stride)
	run := func(tier string, f func(ld []T)) {
		gl := tk.NewGuarded[T](rows, offL)
		copy(gl.S(), ld0)
		f(gl.S())
		sameSlice(t, tier+" "+what, gl.S(), want)
		sameSlice(t, tier+" "+what+": s changed", sm.m.Data, s0)
		if err := gl.Check(); err != nil {
			t.Fatalf("%s %s: logdet %v", tier, what, err)
		}
		checkAll(t, tier+" "+what, sm)
	}
	for _, tier := range usableTiers() {
		run(tier.String(), func(ld []T) { addRowSumsOn(tier, ld, sm.m) })
	}
	run("public "+ISA(), func(ld []T) { AddRowSums(ld, sm.m) })
}
