package kernels

import "fmt"

// Matrix is a row-major matrix view: element (i, j) is Data[i*Stride+j].
// Its fields are those of gonum's blas64.General, in the same order, so a
// conversion needs no copy:
//
//	w := kernels.Matrix[float64](dense.RawMatrix())
//
// (blas32.General orders its fields differently: copy them one by one.)
//
// A kernel accepts a view when Rows >= 0, Cols >= 0, Stride >= max(1, Cols)
// (gonum's rule for a leading dimension) and, unless it has no elements,
// len(Data) >= (Rows-1)*Stride + Cols; otherwise it panics naming the rule
// broken. The zero Matrix{} has Stride 0 and is therefore not a valid view,
// not even as 0x0: give an empty matrix a Stride of 1 or more. (Where a doc
// says a zero Matrix skips an output, the kernel does not check it.)
type Matrix[T Float] struct {
	Rows, Cols int
	Data       []T
	Stride     int
}

// check panics unless m is a valid view: non-negative sizes, Stride >= Cols
// (and >= 1), and Data long enough for its last row.
func (m Matrix[T]) check(fn, name string) {
	switch {
	case m.Rows < 0 || m.Cols < 0:
		panic(fmt.Sprintf("kernels: %s: %s has negative size %dx%d", fn, name, m.Rows, m.Cols))
	case m.Stride < max(1, m.Cols):
		panic(fmt.Sprintf("kernels: %s: %s has Stride %d < max(1, Cols %d)", fn, name, m.Stride, m.Cols))
	case m.Rows > 0 && m.Cols > 0 && len(m.Data) < (m.Rows-1)*m.Stride+m.Cols:
		panic(fmt.Sprintf("kernels: %s: %s is %dx%d with Stride %d and needs len(Data) >= %d, has %d",
			fn, name, m.Rows, m.Cols, m.Stride, (m.Rows-1)*m.Stride+m.Cols, len(m.Data)))
	}
}
