package flow

import (
	"fmt"

	"github.com/flowkern/flowkern/kernels"
)

// Matrix is the kernels' row-major view, batch x d for every layer.
type Matrix[T kernels.Float] = kernels.Matrix[T]

// A Layer is one invertible map of a flow, applied to every row of a batch.
// The set of layers is closed (the model file must know every kind); build
// them with the constructors of this package and put them in a Flow.
//
// Forward maps data-side x to latent-side z and adds log|det dz/dx| of
// each row to logdet. Inverse undoes it and subtracts the same amount.
// Backward, called right after Forward on the same batch (the layer keeps
// what it needs from that call), takes dz = dL/dz and dlogdet[b] =
// dL/dlogdet[b], sets dx = dL/dx and adds the parameter gradients to the
// gradient arena (+=). In all three the output must not share memory with
// an input. A layer keeps scratch space for the largest batch it has seen,
// so it is not safe for concurrent use.
type Layer[T kernels.Float] interface {
	// Dim is the number of features d.
	Dim() int
	// Spec describes the layer for the model file.
	Spec() LayerSpec
	// NumParams is the number of trainable parameters.
	NumParams() int
	Forward(z, x Matrix[T], logdet []float64)
	Inverse(x, z Matrix[T], logdet []float64)
	Backward(dx, dz, x Matrix[T], dlogdet []T)

	// tensors lists the trainable tensors (offsets into the layer's
	// parameter slice) and the fixed buffers, named as the equivalent
	// PyTorch module's state_dict.
	tensors() []tensor
	buffers() []buffer
	// bind gives the layer its views of the parameter and gradient arenas.
	bind(params, grads []T)
	// init draws the initial parameters.
	init(g *kernels.Normal)
	// clone returns a layer of the same kind sharing the fixed buffers
	// (permutations, signs, splits) but with its own scratch, to be bound to
	// the same parameters and another gradient arena: the flow runs one
	// clone per chunk of a batch in parallel.
	clone() Layer[T]
}

// tensor is a trainable tensor of a layer: its name within the layer, its
// shape and its offset in the layer's parameters.
type tensor struct {
	name   string
	shape  []int
	offset int
}

// buffer is a fixed (non-trained) tensor of a layer: a permutation or the
// signs of the LU diagonal.
type buffer struct {
	name  string
	ints  []int     // an I64 tensor, or
	float []float64 // an F64 one (stored in the flow's precision)
}

// gradSetter is a layer that can run Backward with its gradients set (=)
// instead of added (+=): the bits of clearing them first, without the pass
// over them (a training step's first chunk of rows).
type gradSetter[T kernels.Float] interface {
	backwardSet(dx, dz, x Matrix[T], dlogdet []T)
}

// dataInit is implemented by layers with data-dependent initialisation
// (ActNorm): the flow calls it on the first training batch.
type dataInit[T kernels.Float] interface {
	initialized() bool
	initFromData(x Matrix[T])
}

// rowOf returns row b of m.
func rowOf[T kernels.Float](m Matrix[T], b int) []T {
	return m.Data[b*m.Stride : b*m.Stride+m.Cols]
}

// dense returns a contiguous rows x cols matrix on buf, growing buf as
// needed.
func dense[T kernels.Float](buf *[]T, rows, cols int) Matrix[T] {
	n := rows * cols
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return Matrix[T]{Rows: rows, Cols: cols, Data: *buf, Stride: max(1, cols)}
}

// grow returns buf resized to n, reallocated only when too small.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// checkShapes panics unless every matrix is batch x d with the batch of the
// first, and logdet is nil or one per row.
func checkShapes[T kernels.Float](fn string, d int, logdet int, ms ...namedMat[T]) {
	rows := ms[0].m.Rows
	for _, p := range ms {
		if p.m.Cols != d || p.m.Rows != rows {
			panic(fmt.Sprintf("flow: %s: %s is %dx%d, want %dx%d (batch x d)", fn, p.name, p.m.Rows, p.m.Cols, rows, d))
		}
		if p.m.Rows > 0 && p.m.Cols > 0 && (p.m.Stride < p.m.Cols || len(p.m.Data) < (p.m.Rows-1)*p.m.Stride+p.m.Cols) {
			panic(fmt.Sprintf("flow: %s: %s is not a valid %dx%d view (Stride %d, len(Data) %d)", fn, p.name, p.m.Rows, p.m.Cols, p.m.Stride, len(p.m.Data)))
		}
	}
	if logdet >= 0 && logdet != rows {
		panic(fmt.Sprintf("flow: %s: len(logdet) = %d, want the batch size %d", fn, logdet, rows))
	}
}

type namedMat[T kernels.Float] struct {
	m    Matrix[T]
	name string
}

func nm[T kernels.Float](m Matrix[T], name string) namedMat[T] { return namedMat[T]{m, name} }

// ldLen is len(v) for a logdet slice, or -1 when it is nil (not asked for).
func ldLen[S ~[]E, E any](v S) int {
	if v == nil {
		return -1
	}
	return len(v)
}

// addLogdet adds the layer's per-row log-determinant (in T) to logdet.
func addLogdet[T kernels.Float](logdet []float64, ld []T, sign float64) {
	for b, v := range ld {
		logdet[b] += sign * float64(v)
	}
}
