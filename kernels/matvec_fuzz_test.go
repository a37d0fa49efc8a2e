package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The matrix fuzz targets take the shape (each size below 48), the stride
// padding, the alignment and the worker count from the fuzzer, and the
// values from its bytes as raw IEEE bits (repeated to fill the operands),
// then check every usable tier against internal/ref bit for bit, with
// guards around every operand.

type matFuzz struct {
	m, n, nb  int
	extra     [3]int
	off       [3]int
	workers   int
	single    bool
	withBias  bool
	data      []byte
	valuesPos int
}

func newMatFuzz(data []byte, shape uint32, layout uint16, single bool) *matFuzz {
	f := &matFuzz{
		m: int(shape % 48), n: int(shape / 48 % 48), nb: int(shape / (48 * 48) % 48),
		workers: 1 + int(layout>>14), single: single, withBias: layout&(1<<13) != 0, data: data,
	}
	for i := range 3 {
		f.extra[i] = int(layout>>(3*i)) & 3
		f.off[i] = int(layout>>(3*i+2)) & 1 * 3
	}
	return f
}

// fill sets s from the fuzzer's values, cycling; zeros when there are none.
func fillFuzz[T Float](f *matFuzz, s []T) {
	v := decode[T](f.data)
	if len(v) == 0 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = v[f.valuesPos%len(v)]
		f.valuesPos++
	}
}

// fuzzMat makes operand i (0, 1: inputs, gaps NaN; 2: output, gaps -7).
func fuzzMat[T Float](f *matFuzz, i, rows, cols int) gmat[T] {
	gap := T(math.NaN())
	if i == 2 {
		gap = -7
	}
	g := newGMat[T](tk.NewRand(1), rows, cols, f.extra[i], f.off[i], gap)
	s := g.m.Data
	fillFuzz(f, s)
	for k := range s {
		if k%g.m.Stride >= cols {
			s[k] = gap
		}
	}
	return g
}

func seedMatFuzz(f *testing.F) {
	b := make([]byte, 8*50)
	for i := range 50 {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i)-24.5))
	}
	f.Add(b, uint32(17+48*33+48*48*7), uint16(0x2ad5), false)
	f.Add(b, uint32(9+48*40+48*48*13), uint16(0x6123), true)
	f.Add([]byte{}, uint32(0), uint16(0), false)
	f.Add(b[:24], uint32(1+48*1+48*48*1), uint16(0xffff), true)
}

func FuzzMatVecs(f *testing.F) {
	seedMatFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, layout uint16, single bool) {
		mf := newMatFuzz(data, shape, layout, single)
		if single {
			fuzzMatVecs[float32](t, mf)
		} else {
			fuzzMatVecs[float64](t, mf)
		}
	})
}

func fuzzMatVecs[T Float](t *testing.T, f *matFuzz) {
	m, n, nb := f.m, f.n, f.nb
	w, x := fuzzMat[T](f, 0, m, n), fuzzMat[T](f, 1, nb, n)
	var bias []T
	if f.withBias {
		bias = make([]T, m)
		fillFuzz(f, bias)
	}
	want := fuzzMat[T](f, 2, nb, m).m.Data
	ref.MatVecs(want, max(1, m+f.extra[2]), w.m.Data, w.m.Stride, x.m.Data, x.m.Stride, bias, m, n, nb)
	for _, tier := range usableTiers() {
		y := newGMat[T](tk.NewRand(1), nb, m, f.extra[2], f.off[2], -7)
		copy(y.m.Data, want)
		for k := range y.m.Data {
			if k%y.m.Stride < m {
				y.m.Data[k] = 1
			}
		}
		matVecsOn(tier, f.workers, y.m, w.m, x.m, bias)
		sameSlice(t, tier.String()+" MatVecs", y.m.Data, want)
		checkAll(t, tier.String(), w, x, y)
	}
}

func FuzzMatTVecs(f *testing.F) {
	seedMatFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, layout uint16, single bool) {
		mf := newMatFuzz(data, shape, layout, single)
		if single {
			fuzzMatTVecs[float32](t, mf)
		} else {
			fuzzMatTVecs[float64](t, mf)
		}
	})
}

func fuzzMatTVecs[T Float](t *testing.T, f *matFuzz) {
	m, n, nb := f.m, f.n, f.nb
	w, x := fuzzMat[T](f, 0, m, n), fuzzMat[T](f, 1, nb, m)
	want := fuzzMat[T](f, 2, nb, n).m.Data
	ref.MatTVecs(want, max(1, n+f.extra[2]), w.m.Data, w.m.Stride, x.m.Data, x.m.Stride, m, n, nb)
	for _, tier := range usableTiers() {
		y := newGMat[T](tk.NewRand(1), nb, n, f.extra[2], f.off[2], -7)
		copy(y.m.Data, want)
		for k := range y.m.Data {
			if k%y.m.Stride < n {
				y.m.Data[k] = 1
			}
		}
		matTVecsOn(tier, f.workers, y.m, w.m, x.m)
		sameSlice(t, tier.String()+" MatTVecs", y.m.Data, want)
		checkAll(t, tier.String(), w, x, y)
	}
}

func FuzzAddOuters(f *testing.F) {
	seedMatFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, layout uint16, single bool) {
		mf := newMatFuzz(data, shape, layout, single)
		if single {
			fuzzAddOuters[float32](t, mf)
		} else {
			fuzzAddOuters[float64](t, mf)
		}
	})
}

func fuzzAddOuters[T Float](t *testing.T, f *matFuzz) {
	m, n, nb := f.m, f.n, f.nb
	d, x := fuzzMat[T](f, 0, nb, m), fuzzMat[T](f, 1, nb, n)
	g0 := fuzzMat[T](f, 2, m, n).m.Data
	var gb0 []T
	if f.withBias {
		gb0 = make([]T, m)
		fillFuzz(f, gb0)
	}
	want, wantb := clone(g0), clone(gb0)
	ref.AddOuters(want, max(1, n+f.extra[2]), wantb, d.m.Data, d.m.Stride, x.m.Data, x.m.Stride, m, n, nb)
	for _, tier := range usableTiers() {
		g := newGMat[T](tk.NewRand(1), m, n, f.extra[2], f.off[2], -7)
		copy(g.m.Data, g0)
		var gb []T
		var ggb *tk.Guarded[T]
		if gb0 != nil {
			ggb = tk.NewGuarded[T](m, 1)
			gb = ggb.S()
			copy(gb, gb0)
		}
		addOutersOn(tier, f.workers, g.m, gb, d.m, x.m)
		sameSlice(t, tier.String()+" AddOuters g", g.m.Data, want)
		sameSlice(t, tier.String()+" AddOuters gb", gb, wantb)
		checkAll(t, tier.String(), d, x, g)
		if ggb != nil {
			if err := ggb.Check(); err != nil {
				t.Fatalf("%s: gb %v", tier, err)
			}
		}
		testSetOuters(t, tier, f.workers, tier.String()+" AddOuters", f.extra[2], d, x)
	}
}
