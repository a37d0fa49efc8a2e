package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// DType names an element type as the format spells it.
type DType string

// The element types this package knows, all a whole number of bytes wide. The
// format's sub-byte types (F4, F6_*) are not supported: a file using them is
// rejected as having an unknown dtype.
const (
	DTypeBool    DType = "BOOL"
	DTypeU8      DType = "U8"
	DTypeI8      DType = "I8"
	DTypeF8E5M2  DType = "F8_E5M2"
	DTypeF8E4M3  DType = "F8_E4M3"
	DTypeF8E8M0  DType = "F8_E8M0"
	DTypeI16     DType = "I16"
	DTypeU16     DType = "U16"
	DTypeF16     DType = "F16"
	DTypeBF16    DType = "BF16"
	DTypeI32     DType = "I32"
	DTypeU32     DType = "U32"
	DTypeF32     DType = "F32"
	DTypeF64     DType = "F64"
	DTypeI64     DType = "I64"
	DTypeU64     DType = "U64"
	DTypeC64     DType = "C64"
	dtypeUnknown DType = ""
)

// Size is the width of one element in bytes, or 0 for a dtype this package
// does not know.
func (d DType) Size() int {
	switch d {
	case DTypeBool, DTypeU8, DTypeI8, DTypeF8E5M2, DTypeF8E4M3, DTypeF8E8M0:
		return 1
	case DTypeI16, DTypeU16, DTypeF16, DTypeBF16:
		return 2
	case DTypeI32, DTypeU32, DTypeF32:
		return 4
	case DTypeF64, DTypeI64, DTypeU64, DTypeC64:
		return 8
	}
	return 0
}

// Tensor is one named array. Data holds the elements in row-major order,
// little-endian, len(Data) == product(Shape) * DType.Size(); an empty Shape is
// a scalar (one element), a 0 anywhere in Shape an empty tensor.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// F32 returns a float32 tensor holding a copy of v (and of shape). A len(v)
// that does not match shape is reported by Encode.
func F32(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: DTypeF32, Shape: slices.Clone(shape), Data: b}
}

// F64 returns a float64 tensor holding a copy of v (and of shape).
func F64(name string, shape []int, v []float64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return Tensor{Name: name, DType: DTypeF64, Shape: slices.Clone(shape), Data: b}
}

// I64 returns an int64 tensor holding a copy of v (and of shape).
func I64(name string, shape []int, v []int64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return Tensor{Name: name, DType: DTypeI64, Shape: slices.Clone(shape), Data: b}
}

// Len is the number of elements, product(Shape), or an error when Shape has a
// negative dimension or the product overflows.
func (t Tensor) Len() (int, error) {
	n, err := elements(t.Shape)
	if err != nil {
		return 0, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return n, nil
}

// Float32s decodes an F32 tensor's elements. It is an error if the dtype is
// another one or len(Data) does not match Shape.
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.checkAs(DTypeF32); err != nil {
		return nil, err
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

// Float64s decodes an F64 tensor's elements. It is an error if the dtype is
// another one or len(Data) does not match Shape.
func (t Tensor) Float64s() ([]float64, error) {
	if err := t.checkAs(DTypeF64); err != nil {
		return nil, err
	}
	v := make([]float64, len(t.Data)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

// Int64s decodes an I64 tensor's elements. It is an error if the dtype is
// another one or len(Data) does not match Shape.
func (t Tensor) Int64s() ([]int64, error) {
	if err := t.checkAs(DTypeI64); err != nil {
		return nil, err
	}
	v := make([]int64, len(t.Data)/8)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

func (t Tensor) checkAs(want DType) error {
	if t.DType != want {
		return fmt.Errorf("tensor %q: dtype is %s, not %s", t.Name, t.DType, want)
	}
	return t.check()
}

// check reports whether t can be written: a known dtype, a valid shape, and
// exactly the bytes the shape asks for.
func (t Tensor) check() error {
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	n, err := elements(t.Shape)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	hi, nbytes := bits.Mul64(uint64(n), uint64(size))
	if hi != 0 || nbytes != uint64(len(t.Data)) {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d elements of %d bytes, data has %d bytes",
			t.Name, t.Shape, t.DType, n, size, len(t.Data))
	}
	return nil
}

var errOverflow = errors.New("element count overflows")

// elements is product(shape) for a shape given as ints.
func elements(shape []int) (int, error) {
	dims := make([]uint64, len(shape))
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		dims[i] = uint64(d)
	}
	n, err := product(dims)
	if err != nil || n > math.MaxInt {
		return 0, fmt.Errorf("shape %v: %w", shape, errOverflow)
	}
	return int(n), nil
}

// product is the product of dims with checked multiplication. A zero anywhere
// makes it zero whatever the other dimensions are.
func product(dims []uint64) (uint64, error) {
	if slices.Contains(dims, 0) {
		return 0, nil
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return 0, errOverflow
		}
		n = lo
	}
	return n, nil
}
