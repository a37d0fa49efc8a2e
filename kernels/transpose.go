package kernels

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/cpu"
)

// transpose sets dst[do+c*ldd+r] = src[so+r*lds+c] for r < rows and
// c < cols, with signed strides (a negative one walks rows backwards). It
// goes tile by tile (transposeTile square: the lines of dst a tile writes
// stay in L1 until they are full); in each tile the tier's block kernel
// does the 4x4 blocks where there is one, Go loops the rest. Copies are
// exact, so every tier gives the same bits.
func transpose[T Float](t cpu.Tier, dst []T, do, ldd int, src []T, so, lds int, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	// The kernel takes raw pointers: make sure every element is inside.
	if !inSpan(len(dst), do, ldd, cols, rows) || !inSpan(len(src), so, lds, rows, cols) {
		panic(fmt.Sprintf("kernels: internal error: transpose of %dx%d outside its slices", rows, cols))
	}
	if cols == 2 || rows == 2 {
		transpose2(dst, do, ldd, src, so, lds, rows, cols)
		return
	}
	asm := hasTranspose4(t)
	f64k := is64[T]()
	tr, tc := transposeTiles(ldd*sizeOfT[T](), sizeOfT[T]())
	for r0 := 0; r0 < rows; r0 += tr {
		rn := min(tr, rows-r0)
		for c0 := 0; c0 < cols; c0 += tc {
			cn := min(tc, cols-c0)
			d, s := do+c0*ldd+r0, so+r0*lds+c0
			r4, c4 := 0, 0 // the part the kernel did
			if asm {
				r4, c4 = rn&^3, cn&^3
				if r4 > 0 && c4 > 0 {
					if f64k {
						transpose4F64(t, f64(dst), d, ldd, f64(src), s, lds, r4, c4)
					} else {
						transpose4F32(t, f32(dst), d, ldd, f32(src), s, lds, r4, c4)
					}
				}
			}
			transposeGo(dst, d, ldd, src, s, lds, rn, cn, r4, c4)
		}
	}
}

// transposeGo does a tile of transpose but its first r4 rows by c4
// columns: four rows of src at a time, four elements in a row of dst per
// step.
func transposeGo[T Float](dst []T, do, ldd int, src []T, so, lds int, rows, cols, r4, c4 int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0, s1, s2, s3 := so+r*lds, so+(r+1)*lds, so+(r+2)*lds, so+(r+3)*lds
		c := 0
		if r < r4 {
			c = c4
		}
		for ; c < cols; c++ {
			d := dst[do+c*ldd+r : do+c*ldd+r+4]
			d[0], d[1], d[2], d[3] = src[s0+c], src[s1+c], src[s2+c], src[s3+c]
		}
	}
	for ; r < rows; r++ {
		for c := range cols {
			dst[do+c*ldd+r] = src[so+r*lds+c]
		}
	}
}

// transpose2 is transpose for two rows or two columns (the triangular
// kernels at n = 2, the 2-D flows' LU layers): one pass, no tiles, where
// the general loop's slicing per element cost more than the copies.
func transpose2[T Float](dst []T, do, ldd int, src []T, so, lds int, rows, cols int) {
	if cols == 2 {
		d0, d1 := dst[do:do+rows], dst[do+ldd:do+ldd+rows]
		for r := range d0 {
			s := src[so+r*lds : so+r*lds+2]
			d0[r], d1[r] = s[0], s[1]
		}
		return
	}
	s0, s1 := src[so:so+cols], src[so+lds:so+lds+cols]
	for c := range s0 {
		d := dst[do+c*ldd : do+c*ldd+2]
		d[0], d[1] = s0[c], s1[c]
	}
}

// transposeTile is the side of transpose's tiles (a multiple of 4).
const transposeTile = 32

// transposeTiles returns the tile's rows and columns of src for a dst of
// ldb bytes a row and elements of size bytes. A tile keeps a line of each
// of its columns' dst rows in L1 until its rows have filled it, and the
// dst rows of a stride with a large power-of-two factor fall into few
// cache sets: at 4 KiB (a 64-set L1 way) all of them into one, so the
// tile's 32 rows evicted each other's half-filled lines (float64 512 x 512
// took 1.16 ns an element against 0.18 at 500 x 500). A tile of at most
// 8 dst rows per place in the 4 KiB way where one starts, and 256 bytes
// of each, keeps them: 512 x 512 0.25 ns an element.
func transposeTiles(ldb, size int) (tr, tc int) {
	p := 4096 // the largest power of two dividing ldb, at most 4096
	if ldb != 0 {
		p = min(ldb&-ldb, 4096)
	}
	if places := 4096 / p; 8*places < transposeTile {
		return 256 / size, 8 * places
	}
	return transposeTile, transposeTile
}

// inSpan reports whether the elements off + i*ld + j, i < outer, j < inner
// (outer, inner >= 1), all lie in [0, n).
func inSpan(n, off, ld, outer, inner int) bool {
	lo, hi := off, off+(outer-1)*ld
	if ld < 0 {
		lo, hi = hi, lo
	}
	return lo >= 0 && hi+inner <= n
}

// Transpose sets dst to the transpose of src: dst[j][i] = src[i][j]. The
// copies are exact. It panics if dst is not src.Cols x src.Rows or a view is
// invalid (the message names the shapes), and if dst and src share an
// element, even as the same square view: Transpose(a, a) is not in place.
func Transpose[T Float](dst, src Matrix[T]) {
	src.check("Transpose", "src")
	dst.check("Transpose", "dst")
	if dst.Rows != src.Cols || dst.Cols != src.Rows {
		panic(fmt.Sprintf("kernels: Transpose: dst is %dx%d but src is %dx%d: dst needs %dx%d",
			dst.Rows, dst.Cols, src.Rows, src.Cols, src.Cols, src.Rows))
	}
	if !matsApart(&dst, &src) {
		checkMats("Transpose", "dst", dst, "src", src, false)
	}
	transpose(active, dst.Data, 0, dst.Stride, src.Data, 0, src.Stride, src.Rows, src.Cols)
}
