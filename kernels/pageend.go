package kernels

import (
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
)

// Masked loads and stores (AVX-512's, AVX2's VMASKMOV) never fault on the
// lanes their mask leaves out, but on Intel each one whose left-out lanes
// fall in a page that is not mapped in (never touched since the OS handed
// it over, or protected) takes a microcode assist: 150-1200 ns, measured on
// Emerald Rapids, where a call on 100 elements takes 15-100 ns. Slices of Go
// memory can end just before such a page. The element-wise kernels and the
// reductions therefore run the last elements of a slice that ends near the
// end of its page on copies on the stack (the same bits: an element's
// result, or the lane it joins, does not depend on where it sits), and
// MatVecs reads such a bias from a copy (docs/perf-notes.md).

const (
	// tailReach is the most bytes a kernel's masked tail spans from the
	// start of its last block: four 512-bit vectors (the vec kernels'
	// tails; the reductions' 32 or 64 lanes).
	tailReach = 256
	pageBytes = 4096
)

// endNear reports whether the nbytes > 0 bytes at p end within tailReach
// bytes of the end of a 4 KiB page, so that a masked access from their last
// block could reach the next page.
func endNear(p unsafe.Pointer, nbytes uintptr) bool {
	return (uintptr(p)+nbytes-1)%pageBytes >= pageBytes-tailReach
}

// nearPageEnd is endNear for the elements of s (false when s is empty).
func nearPageEnd[T Float](s []T) bool {
	return len(s) > 0 && endNear(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(s[0]))
}

// tailBlock is the elements of tailReach bytes.
func tailBlock[T Float]() int { return tailReach / sizeOfT[T]() }

// tailsClear reports whether no masked tail of a kernel over a and b (of
// len(a) elements, b possibly nil) can reach the next page: the test every
// guarded call pays, kept small enough to inline.
func tailsClear[T Float](a, b []T) bool {
	size := unsafe.Sizeof(a[0]) // not evaluated: a may be empty
	return uintptr(len(a))*size%tailReach == 0 ||
		!endNear(unsafe.Pointer(unsafe.SliceData(a)), uintptr(len(a))*size) &&
			(len(b) == 0 || !endNear(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b))*size))
}

// tailStart returns where the last, partial tail block of n elements
// begins: the elements from there on run on stack copies when tailsClear
// fails on a tier with masked tails.
func tailStart[T Float](n int) int { return n - n%tailBlock[T]() }

// hasMaskedTails reports whether tier t's kernels end slices with masked
// loads and stores in this build: the amd64 ones (NEON's tails are
// scalar).
func hasMaskedTails(t cpu.Tier) bool { return (t == cpu.AVX2 || t == cpu.AVX512) && built(t) }

// tailBuf holds the stack copies of one slice's last block.
type tailBuf[T Float] [tailReach / 4]T
