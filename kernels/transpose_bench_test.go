package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkTransposeShapes times Transpose on every tier this machine runs
// against the plain loop (a row of src at a time), for square sides of
// powers of two (strides that map a tile's rows of dst onto few cache
// sets) and beside them, and for the flows' tall and wide shapes. Metric:
// cpu-ns per call; the elements per ns follow from the shape.
//
//	go test -run '^$' -bench '^BenchmarkTransposeShapes$' -cpu 1 ./kernels
func BenchmarkTransposeShapes(b *testing.B) {
	b.Run("float64", benchTransposeShapes[float64])
	b.Run("float32", benchTransposeShapes[float32])
}

func benchTransposeShapes[T Float](b *testing.B) {
	shapes := [][2]int{{64, 64}, {256, 32}, {32, 256}, {250, 250}, {256, 256}, {500, 500}, {512, 512}, {1024, 1024}}
	for _, sh := range shapes {
		rows, cols := sh[0], sh[1]
		src := Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: make([]T, rows*cols)}
		dst := Matrix[T]{Rows: cols, Cols: rows, Stride: rows, Data: make([]T, rows*cols)}
		tk.Fill(tk.NewRand(3), src.Data)
		b.Run(fmt.Sprintf("%dx%d/plain", rows, cols), func(b *testing.B) {
			defer tk.CPUTime(b)()
			for b.Loop() {
				plainTranspose(dst, src)
			}
		})
		for _, tier := range cpu.Tiers {
			if !usable(tier) {
				continue
			}
			b.Run(fmt.Sprintf("%dx%d/%s", rows, cols, tier), func(b *testing.B) {
				defer tk.CPUTime(b)()
				for b.Loop() {
					transpose(tier, dst.Data, 0, dst.Stride, src.Data, 0, src.Stride, rows, cols)
				}
			})
		}
	}
}

//go:noinline
func plainTranspose[T Float](dst, src Matrix[T]) {
	for i := range src.Rows {
		for j, v := range src.Data[i*src.Stride : i*src.Stride+src.Cols] {
			dst.Data[j*dst.Stride+i] = v
		}
	}
}
