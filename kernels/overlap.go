package kernels

import (
	"fmt"
	"unsafe"
)

// Aliasing. Every kernel either computes the right answer for any overlap
// of its arguments or panics naming the two that overlap; its doc says
// which. Inputs may overlap each other in any way (they are only read).
// An output may be the same view as the inputs its doc names (same first
// element, same length or shape and stride: the element-wise kernels read
// element i before they write it); any other overlap of an output with an
// input or another output panics. The checks compare address ranges: O(1)
// per pair (matrices with different strides whose ranges intersect take
// one step per row), no allocation.

// vecAddr returns the address of s's first element and its length in bytes
// (0, 0 for an empty slice).
func vecAddr[T Float](s []T) (uintptr, uintptr) {
	if len(s) == 0 {
		return 0, 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s)) * unsafe.Sizeof(s[0])
}

// checkVecs panics if out overlaps in, unless same is set and they are the
// same slice (the callers have checked that the lengths are equal). It is
// small enough to be inlined: two comparisons when the slices are apart
// (an empty slice never overlaps: both tests cannot hold).
func checkVecs[T Float](fn, outName string, out []T, inName string, in []T, same bool) {
	po, pi := uintptr(unsafe.Pointer(unsafe.SliceData(out))), uintptr(unsafe.Pointer(unsafe.SliceData(in)))
	if po < pi+uintptr(len(in))*unsafe.Sizeof(T(0)) && pi < po+uintptr(len(out))*unsafe.Sizeof(T(0)) && (!same || po != pi) {
		// A panic, not a call: a call would cost the inliner's budget.
		panic(overlapError{fn, outName, inName, same})
	}
}

// matAddr returns the address of m's first element, the length in bytes
// from it to the end of its last row, and the element size (0 length for
// a view without elements).
func matAddr[T Float](m Matrix[T]) (p, n, size uintptr) {
	size = unsafe.Sizeof(T(0))
	if m.Rows <= 0 || m.Cols <= 0 || len(m.Data) == 0 {
		return 0, 0, size
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(m.Data))), uintptr((m.Rows-1)*m.Stride+m.Cols) * size, size
}

// matOverlap reports whether the views a and b share an element.
func matOverlap[T Float](a, b Matrix[T]) bool {
	pa, na, size := matAddr(a)
	pb, nb, _ := matAddr(b)
	if na == 0 || nb == 0 || pa >= pb+nb || pb >= pa+na {
		return false
	}
	return stridedOverlap(pa, pb, size, a.Rows, a.Cols, a.Stride, b.Rows, b.Cols, b.Stride)
}

// stridedOverlap is matOverlap for views whose address ranges intersect:
// rows of a start at pa + r*sa*size and hold ca elements, likewise b.
// Views that share no element interleave (column blocks of one matrix,
// say); a start that is not a whole number of elements apart counts as
// overlapping.
func stridedOverlap(pa, pb, size uintptr, ra, ca, sa, rb, cb, sb int) bool {
	if pb < pa {
		pa, pb, ra, ca, sa, rb, cb, sb = pb, pa, rb, cb, sb, ra, ca, sa
	}
	if (pb-pa)%size != 0 {
		return true
	}
	off := int((pb - pa) / size) // b's first element, in elements from a's
	if sa == sb {
		// Rows r of a and r' of b meet iff off + k*s is in (-cb, ca) for
		// k = r' - r in [-(ra-1), rb-1].
		kmin := max(-(ra - 1), floorDiv(-(cb-1)-off+sa-1, sa))
		kmax := min(rb-1, floorDiv(ca-1-off, sa))
		return kmin <= kmax
	}
	// Each row of b against a's rows: the first row of a that ends after
	// the row of b starts must start before it ends.
	for r := range rb {
		s := off + r*sb
		i := max(0, floorDiv(s-ca, sa)+1)
		if i < ra && i*sa < s+cb {
			return true
		}
	}
	return false
}

// floorDiv returns floor(a/b) for b > 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// memSpan is the address range of a view's or a slice's Data, from its
// first element to the end of Data: a superset of the view.
type memSpan struct{ lo, hi uintptr }

// matSpan, matsApart and matVecApart take their views by pointer: Go keeps
// a view (six words) in memory, and a by-value argument was copied with
// 16-byte moves of words just stored one at a time, which stalls store
// forwarding (Matrix.valid's comment).
func matSpan[T Float](m *Matrix[T]) memSpan { return vecSpan(m.Data) }

func vecSpan[T Float](v []T) memSpan {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	return memSpan{p, p + uintptr(len(v))*unsafe.Sizeof(T(0))}
}

// apart reports that a and b do not intersect. The kernels take the spans
// of their operands once and compare pairs with apart, a few instructions
// inlined; they call the exact checkMats or checkMatVec only when it
// fails (views in one buffer), so that operands in separate buffers cost
// no call:
//
//	sy, sx := matSpan(&y), matSpan(&x)
//	if !sy.apart(sx) {
//		checkMats("MatVecs", "y", y, "x", x, false)
//	}
//
// (Taking each span once, not per pair, made a one-row CouplingBackward's
// thirteen checks cost half as much.)
func (a memSpan) apart(b memSpan) bool { return a.lo >= b.hi || b.lo >= a.hi }

// matsApart is matSpan(&a).apart(matSpan(&b)), for a single pair.
func matsApart[T Float](a, b *Matrix[T]) bool { return matSpan(a).apart(matSpan(b)) }

// matVecApart is matsApart for a view and a slice.
func matVecApart[T Float](m *Matrix[T], v []T) bool { return matSpan(m).apart(vecSpan(v)) }

// viewsApart reports that the address ranges of the views a and b, from
// the first element to the end of the last row, do not intersect: the
// second, inlined filter for views of one buffer whose Data spans meet
// (the columns of a conditioner's output: s and t; one row each, they are
// apart), before the call to checkMats. The views are valid.
func viewsApart[T Float](a, b Matrix[T]) bool {
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a.Data))), uintptr(unsafe.Pointer(unsafe.SliceData(b.Data)))
	na, nb := uintptr((a.Rows-1)*a.Stride+a.Cols), uintptr((b.Rows-1)*b.Stride+b.Cols)
	return a.Rows > 0 && b.Rows > 0 && (pa >= pb+nb*unsafe.Sizeof(T(0)) || pb >= pa+na*unsafe.Sizeof(T(0)))
}

// checkMats panics if the views out and in share an element, unless same
// is set and they are the same view (same first element and stride; the
// callers have checked the shapes).
func checkMats[T Float](fn, outName string, out Matrix[T], inName string, in Matrix[T], same bool) {
	if same && out.Stride == in.Stride && unsafe.SliceData(out.Data) == unsafe.SliceData(in.Data) {
		return // the same view (an in-place call): no need to look further
	}
	if matOverlap(out, in) {
		overlapPanic(fn, outName, inName, same)
	}
}

// checkMatVec panics if the view m and the slice v share an element
// (called when matVecApart fails).
func checkMatVec[T Float](fn, mName string, m Matrix[T], vName string, v []T) {
	if matVecOverlap(m, v) {
		overlapPanic(fn, mName, vName, false)
	}
}

// matVecOverlap reports whether the view m and the slice v share an
// element.
func matVecOverlap[T Float](m Matrix[T], v []T) bool {
	pv, nv := vecAddr(v)
	pm, nm, size := matAddr(m)
	if nv == 0 || nm == 0 || pm >= pv+nv || pv >= pm+nm {
		return false
	}
	// v as a view of one row.
	return stridedOverlap(pm, pv, size, m.Rows, m.Cols, m.Stride, 1, len(v), len(v))
}

//go:noinline
func overlapPanic(fn, a, b string, same bool) {
	panic(overlapError{fn, a, b, same}.Error())
}

// overlapError is the panic of checkVecs (a value, formatted when read, so
// that the check needs no call); its text is overlapPanic's.
type overlapError struct {
	fn, a, b string
	same     bool
}

func (e overlapError) Error() string {
	if e.same {
		return fmt.Sprintf("kernels: %s: %s and %s overlap: they may be the same view but must not overlap otherwise", e.fn, e.a, e.b)
	}
	return fmt.Sprintf("kernels: %s: %s and %s overlap: they must not share an element", e.fn, e.a, e.b)
}
