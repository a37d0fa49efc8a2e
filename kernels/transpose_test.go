package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestTranspose checks the transpose behind the triangular kernels on every
// tier (the block kernel where there is one, Go loops elsewhere): every
// shape up to 13x13 and some across tiles, forward and backward row walks
// on either side, strides wider than the rows, guarded slices, and the
// elements between the rows untouched.
func TestTranspose(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		t.Run("float64", func(t *testing.T) { testTranspose[float64](t, tier) })
		t.Run("float32", func(t *testing.T) { testTranspose[float32](t, tier) })
	})
}

func testTranspose[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(9)
	sizes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33, 70} // blocks, edges, tiles
	for _, rows := range sizes {
		for _, cols := range sizes {
			for _, flip := range []int{0, 1, 2, 3} { // bit 0: dst backward, bit 1: src backward
				transposeCase[T](t, tier, r, rows, cols, cols+3, rows+5, flip)
			}
		}
	}
	// A span outside the slices is an internal error, caught before any
	// raw-pointer access.
	expectPanic(t, "transpose out of range", func() {
		transpose(tier, make([]T, 15), 0, 4, make([]T, 16), 0, 4, 4, 4)
	}, "outside its slices")
}

// TestTransposeConflictStrides runs the narrow tiles of dst strides with
// a large power-of-two factor (transposeTiles): dst rows of 1, 2, 4 and 8
// KiB, and 3 KiB beside them, with shapes that leave partial tiles and
// partial blocks on both sides, every row walk.
func TestTransposeConflictStrides(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		t.Run("float64", func(t *testing.T) { testTransposeConflict[float64](t, tier) })
		t.Run("float32", func(t *testing.T) { testTransposeConflict[float32](t, tier) })
	})
}

func testTransposeConflict[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(13)
	size := sizeOfT[T]()
	narrow := 0
	for _, kib := range []int{1, 2, 3, 4, 8} {
		ldd := kib * 1024 / size
		if _, tc := transposeTiles(ldd*size, size); tc < transposeTile {
			narrow++
		}
		for _, rows := range []int{ldd, ldd - 3, 70} {
			for _, cols := range []int{45, 8, 17} {
				for _, flip := range []int{0, 1, 2, 3} {
					transposeCase[T](t, tier, r, rows, cols, cols+1, ldd, flip)
				}
			}
		}
	}
	if narrow != 3 {
		t.Fatalf("%d of the strides took narrow tiles, want 3 (2, 4 and 8 KiB)", narrow)
	}
}

// transposeCase runs transpose on one shape and strides, in guarded
// slices, row walks reversed by flip (bit 0: dst, bit 1: src), and checks
// it against the element loop, with dst's gaps and src untouched.
func transposeCase[T Float](t *testing.T, tier cpu.Tier, r *rand.Rand, rows, cols, lds, ldd, flip int) {
	t.Helper()
	src := tk.NewGuarded[T](max(1, rows*lds), flip%5)
	dst := tk.NewGuarded[T](max(1, cols*ldd), 3-flip)
	s, d := src.S(), dst.S()
	tk.Fill(r, s)
	for i := range d {
		d[i] = -7
	}
	so, sl, do, dl := 0, lds, 0, ldd
	if flip&2 != 0 && rows > 0 {
		so, sl = (rows-1)*lds, -lds
	}
	if flip&1 != 0 && cols > 0 {
		do, dl = (cols-1)*ldd, -ldd
	}
	s0 := append([]T(nil), s...)
	transpose(tier, d, do, dl, s, so, sl, rows, cols)
	want := make([]T, len(d))
	for i := range want {
		want[i] = -7
	}
	for i := range rows {
		for j := range cols {
			want[do+j*dl+i] = s0[so+i*sl+j]
		}
	}
	if k := tk.FirstDiff(d, want); k >= 0 {
		t.Fatalf("%dx%d flip %d: dst[%d] = %v, want %v", rows, cols, flip, k, d[k], want[k])
	}
	if k := tk.FirstDiff(s, s0); k >= 0 {
		t.Fatalf("%dx%d flip %d: src[%d] changed", rows, cols, flip, k)
	}
	for _, g := range []interface{ Check() error }{src, dst} {
		if err := g.Check(); err != nil {
			t.Fatalf("%dx%d flip %d: %v", rows, cols, flip, err)
		}
	}
}

// TestTransposePublic checks Transpose on every tier (the Go loops where
// there is no kernel) against the element loop, with strides, and its
// panics.
func TestTransposePublic(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		defer setTier(tier)()
		r := tk.NewRand(5)
		for _, sh := range [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {5, 9}, {17, 4}, {33, 70}, {70, 45}, {129, 66}} {
			rows, cols := sh[0], sh[1]
			src := Matrix[float64]{rows, cols, make([]float64, rows*(cols+2)), cols + 2}
			dst := Matrix[float64]{cols, rows, make([]float64, cols*(rows+3)), rows + 3}
			tk.Fill(r, src.Data)
			for i := range dst.Data {
				dst.Data[i] = -7
			}
			Transpose(dst, src)
			for i := range cols {
				for j := range dst.Stride {
					want := -7.0
					if j < rows {
						want = src.Data[j*src.Stride+i]
					}
					if got := dst.Data[i*dst.Stride+j]; got != want {
						t.Fatalf("%dx%d: dst[%d][%d] = %v, want %v", rows, cols, i, j, got, want)
					}
				}
			}
		}
	})
	expectPanic(t, "shape", func() {
		Transpose(Matrix[float32]{2, 3, make([]float32, 6), 3}, Matrix[float32]{2, 3, make([]float32, 6), 3})
	}, "Transpose", "dst is 2x3", "src is 2x3", "needs 3x2")
	expectPanic(t, "short", func() {
		Transpose(Matrix[float32]{3, 2, make([]float32, 6), 2}, Matrix[float32]{2, 3, make([]float32, 5), 3})
	}, "Transpose", "src", "len(Data) >= 6")
}

// FuzzTranspose takes the values from the fuzzer's bytes, the row count,
// the walk directions and the strides from its other arguments, runs
// transpose on every usable tier in guarded slices and compares with the
// element loop: dst gaps keep their -7, src comes back unchanged.
func FuzzTranspose(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0), false)
	f.Add(make([]byte, 8*13*9), uint8(13), uint8(3), uint8(5), false)
	f.Add(make([]byte, 4*33*8), uint8(33), uint8(2), uint8(6), true)
	f.Add(make([]byte, 8*70*6), uint8(70), uint8(1), uint8(11), false)
	f.Fuzz(func(t *testing.T, data []byte, rows, flip, off uint8, single bool) {
		if single {
			fuzzTransposeT[float32](t, data, int(rows), flip, off)
		} else {
			fuzzTransposeT[float64](t, data, int(rows), flip, off)
		}
	})
}

func fuzzTransposeT[T Float](t *testing.T, data []byte, rows int, flip, off uint8) {
	v := decode[T](data)
	rows %= 80
	cols := 0
	if rows > 0 {
		cols = min(len(v)/rows, 80)
	}
	lds, ldd := cols+int(off%3), rows+int(off/3%4)
	src := tk.NewGuarded[T](max(1, rows*lds), int(off%8))
	s := src.S()
	for i := range rows {
		copy(s[i*lds:i*lds+cols], v[i*cols:])
	}
	so, sl, do, dl := 0, lds, 0, ldd
	if flip&2 != 0 && rows > 0 {
		so, sl = (rows-1)*lds, -lds
	}
	if flip&1 != 0 && cols > 0 {
		do, dl = (cols-1)*ldd, -ldd
	}
	s0 := append([]T(nil), s...)
	want := make([]T, max(1, cols*ldd))
	for i := range want {
		want[i] = -7
	}
	for i := range rows {
		for j := range cols {
			want[do+j*dl+i] = s0[so+i*sl+j]
		}
	}
	for _, tier := range usableTiers() {
		dst := tk.NewGuarded[T](len(want), int(off/8%8))
		d := dst.S()
		for i := range d {
			d[i] = -7
		}
		transpose(tier, d, do, dl, s, so, sl, rows, cols)
		if k := tk.FirstDiff(d, want); k >= 0 {
			t.Fatalf("%s %dx%d flip %d: dst[%d] = %v, want %v", tier, rows, cols, flip&3, k, d[k], want[k])
		}
		if k := tk.FirstDiff(s, s0); k >= 0 {
			t.Fatalf("%s %dx%d flip %d: src[%d] changed", tier, rows, cols, flip&3, k)
		}
		checkGuards(t, tier, src, dst)
	}
}

// BenchmarkTranspose times transpose on every usable tier (generic is the
// Go loops) against the plain element loop, in bytes moved (read and
// written) per second: square sides of powers of two, whose strides map a
// tile's dst rows onto few cache sets (transposeTiles), sides beside them,
// and the flows' tall and wide shapes.
//
//	go test -run '^$' -bench '^BenchmarkTranspose$' -cpu 1 ./kernels
func BenchmarkTranspose(b *testing.B) {
	shapes := [][2]int{{64, 64}, {256, 32}, {32, 256}, {250, 250}, {256, 256}, {500, 500}, {512, 512}, {1024, 1024}, {2048, 2048}}
	for _, sh := range shapes {
		b.Run(fmt.Sprintf("float64/%dx%d", sh[0], sh[1]), func(b *testing.B) { benchTranspose[float64](b, sh[0], sh[1]) })
		b.Run(fmt.Sprintf("float32/%dx%d", sh[0], sh[1]), func(b *testing.B) { benchTranspose[float32](b, sh[0], sh[1]) })
	}
}

func benchTranspose[T Float](b *testing.B, rows, cols int) {
	src, dst := make([]T, rows*cols), make([]T, rows*cols)
	tk.Fill(tk.NewRand(4), src)
	bytes := int64(2 * rows * cols * sizeOfT[T]())
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(bytes)
			defer tk.CPUTime(b)()
			for b.Loop() {
				f()
			}
		})
	}
	run("plain", func() { plainTranspose(dst, src, rows, cols) })
	for _, tier := range usableTiers() {
		run(tier.String(), func() { transpose(tier, dst, 0, rows, src, 0, cols, rows, cols) })
	}
}

// plainTranspose is the element loop, a row of src at a time.
//
//go:noinline
func plainTranspose[T Float](dst, src []T, rows, cols int) {
	for i := range rows {
		for j, v := range src[i*cols : i*cols+cols] {
			dst[j*rows+i] = v
		}
	}
}
