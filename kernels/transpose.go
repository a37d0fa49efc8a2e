package kernels

import (
	"fmt"

	"github.com/flowkern/flowkern/internal/cpu"
)

// transposeOn sets dst[do+c*ldd+r] = src[so+r*lds+c] for r < rows and
// c < cols, with signed strides (a negative one walks rows backwards), and
// reports true, where tier t has a block-transpose kernel; it reports false
// (and does nothing) where the caller's own loops must do it. The 4x4
// blocks go to the kernel, the edges are done here. Copies are exact, so
// every tier gives the same bits.
func transposeOn[T Float](t cpu.Tier, dst []T, do, ldd int, src []T, so, lds int, rows, cols int) bool {
	if !hasTranspose4(t) {
		return false
	}
	if rows <= 0 || cols <= 0 {
		return true
	}
	// The kernel takes raw pointers: make sure every element is inside.
	if !inSpan(len(dst), do, ldd, cols, rows) || !inSpan(len(src), so, lds, rows, cols) {
		panic(fmt.Sprintf("kernels: internal error: transpose of %dx%d outside its slices", rows, cols))
	}
	r4, c4 := rows&^3, cols&^3
	if r4 > 0 && c4 > 0 {
		transpose4(dst, do, ldd, src, so, lds, r4, c4)
	}
	for r := range rows {
		c := c4
		if r >= r4 {
			c = 0
		}
		for ; c < cols; c++ {
			dst[do+c*ldd+r] = src[so+r*lds+c]
		}
	}
	return true
}

// transpose is transposeOn with Go loops where the tier has no kernel.
func transpose[T Float](t cpu.Tier, dst []T, do, ldd int, src []T, so, lds int, rows, cols int) {
	if transposeOn(t, dst, do, ldd, src, so, lds, rows, cols) {
		return
	}
	// Four rows of src at a time: four elements in a row of dst per step.
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0, s1, s2, s3 := so+r*lds, so+(r+1)*lds, so+(r+2)*lds, so+(r+3)*lds
		for c := range cols {
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

// inSpan reports whether the elements off + i*ld + j, i < outer, j < inner
// (outer, inner >= 1), all lie in [0, n).
func inSpan(n, off, ld, outer, inner int) bool {
	lo, hi := off, off+(outer-1)*ld
	if ld < 0 {
		lo, hi = hi, lo
	}
	return lo >= 0 && hi+inner <= n
}
