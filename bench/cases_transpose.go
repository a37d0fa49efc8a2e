package main

import (
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Transpose of a square matrix of n elements (the side is the square root
// of n, so the sizes are squares), in Gelem/s: against gonum's
// Dense.Copy of a transposed view (float64) and a plain loop (math, both
// precisions).

func init() { caseSets = append(caseSets, transposeCases) }

func transposeCases() []kernelCase {
	return []kernelCase{transposeCase[float64]("float64"), transposeCase[float32]("float32")}
}

// side is the side of the square matrix of at most n elements.
func side(n int) int { return int(math.Sqrt(float64(n))) }

func transposeData[T ref.Float](n int) (dst, src kernels.Matrix[T]) {
	s := side(n)
	r := rand.New(rand.NewPCG(9, uint64(s)))
	src = kernels.Matrix[T]{Rows: s, Cols: s, Stride: s, Data: make([]T, s*s)}
	for i := range src.Data {
		src.Data[i] = T(r.NormFloat64())
	}
	return kernels.Matrix[T]{Rows: s, Cols: s, Stride: s, Data: make([]T, s*s)}, src
}

func transposeCase[T ref.Float](prec string) kernelCase {
	size := int(sizeOf(T(0)))
	sizes := []int{64 * 64, 512 * 512, 2048 * 2048}
	c := kernelCase{kernel: "Transpose", prec: prec, elems: true, runs: []string{"Transpose4"},
		sizes: sizes, quickSizes: sizes[1:2],
		work:    func(n int) (int, int) { s := side(n); return s * s, 2 * s * s * size },
		written: func(n int) int { s := side(n); return s * s * size },
		ours: func(n int) func() {
			dst, src := transposeData[T](n)
			return func() { kernels.Transpose(dst, src) }
		},
		peers: []peer{{"math", func(n int) func() {
			dst, src := transposeData[T](n)
			return func() { transposeLoop(dst, src) }
		}}}}
	if _, ok := any(T(0)).(float64); ok {
		c.peers = append(c.peers, peer{"gonum", func(n int) func() {
			dst, src := transposeData[float64](n)
			s := side(n)
			d, a := mat.NewDense(s, s, dst.Data), mat.NewDense(s, s, src.Data)
			return func() { d.Copy(a.T()) }
		}})
	}
	return c
}

// transposeLoop is the element loop, a row of src at a time.
//
//go:noinline
func transposeLoop[T ref.Float](dst, src kernels.Matrix[T]) {
	for i := range src.Rows {
		for j, v := range src.Data[i*src.Stride : i*src.Stride+src.Cols] {
			dst.Data[j*dst.Stride+i] = v
		}
	}
}
