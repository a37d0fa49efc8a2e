package kernels

import (
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
)

// Masked loads and stores (AVX-512's, AVX2's VMASKMOV) never fault on the
// lanes their mask leaves out, but on Intel each one whose left-out lanes
// fall in a page that is not mapped in (never touched since the OS handed
// it over, or protected) takes a microcode assist: 150-500 ns, measured on
// Emerald Rapids, where a call on 100 elements takes 15-70 ns. Slices of Go
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

// nearPageEnd reports whether s's last element is within tailReach bytes
// of the end of its 4 KiB page, so that a masked access from s's last block
// could reach the next page.
func nearPageEnd[T Float](s []T) bool {
	if len(s) == 0 {
		return false
	}
	last := uintptr(unsafe.Pointer(unsafe.SliceData(s))) + uintptr(len(s))*unsafe.Sizeof(s[0]) - 1
	return last%pageBytes >= pageBytes-tailReach
}

// tailBlock is the elements of tailReach bytes.
func tailBlock[T Float]() int { return tailReach / sizeOfT[T]() }

// pageTail returns where the elements of slices of n elements that must
// run on stack copies begin on tier t: n rounded down to whole tail blocks
// when one of a, b, c (nil where absent) ends near its page's end and the
// tier's kernels mask their tails, else n.
func pageTail[T Float](t cpu.Tier, n int, a, b, c []T) int {
	blk := tailBlock[T]()
	if n%blk == 0 || !(nearPageEnd(a) || nearPageEnd(b) || nearPageEnd(c)) || !hasMaskedTails(t) {
		return n
	}
	return n - n%blk
}

// hasMaskedTails reports whether tier t's kernels end slices with masked
// loads and stores in this build: the amd64 ones (NEON's tails are
// scalar).
func hasMaskedTails(t cpu.Tier) bool { return (t == cpu.AVX2 || t == cpu.AVX512) && built(t) }

// tailBuf holds the stack copies of one slice's last block.
type tailBuf[T Float] [tailReach / 4]T
