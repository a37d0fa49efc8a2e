package kernels

import (
	"fmt"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The additive coupling fuzz targets take the rows (up to 11), the columns
// (up to 71: whole vectors of 8 or 16 and every padded tail), the strides
// and offsets of every matrix and the flags (in place; dx or dt skipped)
// from the fuzzer and the values from its bytes (fuzzVals), then run the
// public kernel on every usable tier and compare with the scalar steps (x +
// t, y - t, copies of dy) bit for bit. Input gaps hold NaN, output gaps -7
// (which must stay), every matrix sits in guards, and inputs must come back
// unchanged.

func FuzzAdditiveForward(f *testing.F)  { fuzzAdditive(f, 0) }
func FuzzAdditiveInverse(f *testing.F)  { fuzzAdditive(f, 1) }
func FuzzAdditiveBackward(f *testing.F) { fuzzAdditive(f, 2) }

const addFuzzRows, addFuzzCols = 12, 72

// addSeedShape encodes rows, columns and one stride/offset code per matrix
// (the first input, t, the output, dt) as fuzzAdditiveT decodes them.
func addSeedShape(rows, cols int, extra, off [4]int) uint32 {
	v := 0
	for i := 3; i >= 0; i-- {
		v = v*8 + off[i]
	}
	for i := 3; i >= 0; i-- {
		v = v*4 + extra[i]
	}
	return uint32((v*addFuzzCols+cols)*addFuzzRows + rows)
}

func fuzzAdditive(f *testing.F, dir int) {
	tame, raw := tameBytes(false), rawFuzzBytes(50)
	const inPlace, noDx, noDt, tm, single = 1, 2, 4, 8, 16
	f.Add([]byte{}, uint32(0), uint8(0))
	f.Add(tame, addSeedShape(3, 17, [4]int{1, 2, 0, 3}, [4]int{3, 0, 5, 1}), uint8(tm))
	f.Add(tame, addSeedShape(5, 33, [4]int{0, 1, 2, 0}, [4]int{1, 6, 2, 7}), uint8(tm|single|inPlace))
	f.Add(tame, addSeedShape(11, 71, [4]int{3, 3, 1, 2}, [4]int{7, 2, 4, 0}), uint8(tm|noDt))
	f.Add(tame, addSeedShape(2, 8, [4]int{0, 0, 0, 0}, [4]int{0, 0, 0, 0}), uint8(tm|single|noDx))
	f.Add(raw, addSeedShape(4, 16, [4]int{2, 0, 1, 3}, [4]int{5, 3, 0, 6}), uint8(0))
	f.Add(raw, addSeedShape(7, 9, [4]int{1, 1, 3, 1}, [4]int{2, 4, 6, 3}), uint8(single|inPlace))
	f.Add(raw, addSeedShape(3, 0, [4]int{1, 0, 2, 1}, [4]int{1, 1, 1, 1}), uint8(noDx|noDt))
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, flags uint8) {
		if flags&single != 0 {
			fuzzAdditiveT[float32](t, dir, data, shape, flags)
		} else {
			fuzzAdditiveT[float64](t, dir, data, shape, flags)
		}
	})
}

func fuzzAdditiveT[T Float](t *testing.T, dir int, data []byte, shape uint32, flags uint8) {
	s := fuzzShape(shape)
	rows, cols := s.take(addFuzzRows), s.take(addFuzzCols)
	var extra, off [4]int
	for i := range extra {
		extra[i] = s.take(4)
	}
	for i := range off {
		off[i] = s.take(8)
	}
	inPlace, noDx, noDt := flags&1 != 0 && dir < 2, flags&2 != 0, flags&4 != 0
	v := newFuzzVals[T](data, flags&8 != 0)
	mat := func(i, seed int, gap T) gmat[T] {
		return newGMat[T](tk.NewRand(uint64(seed)), rows, cols, extra[i], off[i], gap)
	}
	// a is x (forward), y (inverse) or dy (backward); b is t.
	a0, b0 := mat(0, 10, nan[T]()), mat(1, 11, nan[T]())
	v.fillCols(a0.m)
	v.fillCols(b0.m)
	out0, dt0 := a0, mat(3, 13, -7)
	if !inPlace {
		out0 = mat(2, 12, -7)
	}
	want, wantDt := clone(out0.m.Data), clone(dt0.m.Data)
	for r := range rows {
		for j := range cols {
			x := a0.m.Data[r*a0.m.Stride+j]
			switch dir {
			case 0:
				x += b0.m.Data[r*b0.m.Stride+j]
			case 1:
				x -= b0.m.Data[r*b0.m.Stride+j]
			}
			if dir < 2 || !noDx {
				want[r*out0.m.Stride+j] = x
			}
			if !noDt {
				wantDt[r*dt0.m.Stride+j] = x
			}
		}
	}
	what := fmt.Sprintf("dir %d %dx%d strides %v offsets %v in place %v no dx %v no dt %v", dir, rows, cols, extra, off, inPlace, noDx, noDt)
	for _, tier := range usableTiers() {
		a, b := mat(0, 10, nan[T]()), mat(1, 11, nan[T]())
		copy(a.m.Data, a0.m.Data)
		copy(b.m.Data, b0.m.Data)
		out, dt := a, mat(3, 13, -7)
		if !inPlace {
			out = mat(2, 12, -7)
		}
		onTier(tier, func() {
			switch dir {
			case 0:
				AdditiveForward(out.m, a.m, b.m)
			case 1:
				AdditiveInverse(out.m, a.m, b.m)
			case 2:
				dx, dtm := out.m, dt.m
				if noDx {
					dx = Matrix[T]{}
				}
				if noDt {
					dtm = Matrix[T]{}
				}
				AdditiveBackward(dx, dtm, a.m)
			}
		})
		sameSlice(t, tier.String()+" "+what, out.m.Data, want)
		if !inPlace {
			sameSlice(t, tier.String()+" "+what+": input changed", a.m.Data, a0.m.Data)
		}
		if dir < 2 {
			sameSlice(t, tier.String()+" "+what+": t changed", b.m.Data, b0.m.Data)
		} else {
			sameSlice(t, tier.String()+" "+what+" dt", dt.m.Data, wantDt)
		}
		checkAll(t, tier.String()+" "+what, a, b, out, dt)
	}
}
