package kernels

import (
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
				lds, ldd := cols+3, rows+5
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
		}
	}
	// A span outside the slices is an internal error, caught before any
	// raw-pointer access.
	expectPanic(t, "transpose out of range", func() {
		transpose(tier, make([]T, 15), 0, 4, make([]T, 16), 0, 4, 4, 4)
	}, "outside its slices")
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
