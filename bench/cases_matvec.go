package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func init() { caseSets = append(caseSets, matvecCases) }

// The batched matrix-vector kernels, one case per batch size (named e.g.
// MatVecs-batch=16: a slash would make a directory of the plot): the size n is
// both dimensions of W (n = m). A batch of one is compared with gonum's
// Dgemv and Dger, larger batches with Dgemm (and their float32 twins); with
// -tags openblas, OpenBLAS joins (cases_matvec_openblas.go). Ours runs on
// one goroutine (measureAll caps the workers), as OpenBLAS does here: the
// report compares single cores. Ours takes no bias and no gb, which gemv,
// ger and gemm do not compute, and its views are made once, as a caller's
// loop would (made at each call, their copies cost a 16 x 16 AddOuters 9%:
// docs/perf-notes.md).
var (
	matvecBatches = []int{1, 16, 256, 4096}
	matvecSizes   = []int{16, 64, 256, 1024}
)

// matvecSizesFor leaves out n = 1024 at the largest batch: 4096 x 1024 x
// 1024 multiply-adds take tens of seconds a call on the pure-Go tier, which
// the report times too (the go test benchmarks cover that shape).
func matvecSizesFor(batch int) []int {
	if batch >= 4096 {
		return matvecSizes[:3]
	}
	return matvecSizes
}

// matvecQuickSizes keeps -quick short, under qemu and on the pure-Go tier
// alike: the largest batches only at the smallest size.
func matvecQuickSizes(batch int) []int {
	switch {
	case batch >= 4096:
		return []int{16}
	case batch >= 256:
		return []int{16, 64}
	}
	return []int{64, 256}
}

// matData is the operands of one shape: W (n x n), X, Y and D (batch x n)
// and G (n x n). D is scaled down so that G stays finite over many
// AddOuters calls.
type matData[T float32 | float64] struct {
	w, x, y, d, g []T
	n, batch      int
}

func newMatData[T float32 | float64](n, batch int) *matData[T] {
	r := rand.New(rand.NewPCG(uint64(n), uint64(batch)))
	d := &matData[T]{n: n, batch: batch, w: make([]T, n*n), x: make([]T, batch*n), y: make([]T, batch*n),
		d: make([]T, batch*n), g: make([]T, n*n)}
	for _, s := range [][]T{d.w, d.x, d.d} {
		for i := range s {
			s[i] = T(r.NormFloat64())
		}
	}
	for i := range d.d {
		d.d[i] *= 1e-9
	}
	return d
}

func (d *matData[T]) W() kernels.Matrix[T] {
	return kernels.Matrix[T]{Rows: d.n, Cols: d.n, Data: d.w, Stride: d.n}
}
func (d *matData[T]) X() kernels.Matrix[T] {
	return kernels.Matrix[T]{Rows: d.batch, Cols: d.n, Data: d.x, Stride: d.n}
}
func (d *matData[T]) Y() kernels.Matrix[T] {
	return kernels.Matrix[T]{Rows: d.batch, Cols: d.n, Data: d.y, Stride: d.n}
}
func (d *matData[T]) D() kernels.Matrix[T] {
	return kernels.Matrix[T]{Rows: d.batch, Cols: d.n, Data: d.d, Stride: d.n}
}
func (d *matData[T]) G() kernels.Matrix[T] {
	return kernels.Matrix[T]{Rows: d.n, Cols: d.n, Data: d.g, Stride: d.n}
}

func matvecWork(batch, size int) func(n int) (int, int) {
	return func(n int) (int, int) { return 2 * n * n * batch, size * (n*n + 2*batch*n) }
}

func matvecCases() []kernelCase {
	var cs []kernelCase
	impl := gonum.Implementation{}
	for _, batch := range matvecBatches {
		mk := func(kernel, prec string, size int, ours, gon func(n int) func()) kernelCase {
			c := kernelCase{kernel: fmt.Sprintf("%s-batch=%d", kernel, batch), prec: prec, work: matvecWork(batch, size),
				sizes: matvecSizesFor(batch), quickSizes: matvecQuickSizes(batch), side: true, ours: ours, peers: []peer{{"gonum", gon}}}
			if kernel != "AddOuters" { // AddOuters' bytes count G once, as loaded
				c.written = perElem(size * batch) // Y
			}
			c.runs = []string{"MatVecs", "MatVecsWT", "MatVecSpaced"} // short rows; one X row past L1
			if kernel != "MatVecs" {
				c.runs = []string{"Outer", "OuterRow"} // MatTVecs' and AddOuters' kernels (the second for one row of C)
			}
			return c
		}
		cs = append(cs,
			mk("MatVecs", "float64", 8,
				func(n int) func() {
					d := newMatData[float64](n, batch)
					Y, W, X := d.Y(), d.W(), d.X()
					return func() { kernels.MatVecs(Y, W, X, nil) }
				},
				func(n int) func() {
					d := newMatData[float64](n, batch)
					if batch == 1 {
						return func() { impl.Dgemv(blas.NoTrans, n, n, 1, d.w, n, d.x, 1, 0, d.y, 1) }
					}
					return func() { impl.Dgemm(blas.NoTrans, blas.Trans, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
				}),
			mk("MatVecs", "float32", 4,
				func(n int) func() {
					d := newMatData[float32](n, batch)
					Y, W, X := d.Y(), d.W(), d.X()
					return func() { kernels.MatVecs(Y, W, X, nil) }
				},
				func(n int) func() {
					d := newMatData[float32](n, batch)
					if batch == 1 {
						return func() { impl.Sgemv(blas.NoTrans, n, n, 1, d.w, n, d.x, 1, 0, d.y, 1) }
					}
					return func() { impl.Sgemm(blas.NoTrans, blas.Trans, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
				}),
			mk("MatTVecs", "float64", 8,
				func(n int) func() {
					d := newMatData[float64](n, batch)
					Y, W, X := d.Y(), d.W(), d.X()
					return func() { kernels.MatTVecs(Y, W, X) }
				},
				func(n int) func() {
					d := newMatData[float64](n, batch)
					if batch == 1 {
						return func() { impl.Dgemv(blas.Trans, n, n, 1, d.w, n, d.x, 1, 0, d.y, 1) }
					}
					return func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
				}),
			mk("MatTVecs", "float32", 4,
				func(n int) func() {
					d := newMatData[float32](n, batch)
					Y, W, X := d.Y(), d.W(), d.X()
					return func() { kernels.MatTVecs(Y, W, X) }
				},
				func(n int) func() {
					d := newMatData[float32](n, batch)
					if batch == 1 {
						return func() { impl.Sgemv(blas.Trans, n, n, 1, d.w, n, d.x, 1, 0, d.y, 1) }
					}
					return func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, batch, n, n, 1, d.x, n, d.w, n, 0, d.y, n) }
				}),
			mk("AddOuters", "float64", 8,
				func(n int) func() {
					d := newMatData[float64](n, batch)
					G, D, X := d.G(), d.D(), d.X()
					return func() { kernels.AddOuters(G, nil, D, X) }
				},
				func(n int) func() {
					d := newMatData[float64](n, batch)
					if batch == 1 {
						return func() { impl.Dger(n, n, 1, d.d, 1, d.x, 1, d.g, n) }
					}
					return func() { impl.Dgemm(blas.Trans, blas.NoTrans, n, n, batch, 1, d.d, n, d.x, n, 1, d.g, n) }
				}),
			mk("AddOuters", "float32", 4,
				func(n int) func() {
					d := newMatData[float32](n, batch)
					G, D, X := d.G(), d.D(), d.X()
					return func() { kernels.AddOuters(G, nil, D, X) }
				},
				func(n int) func() {
					d := newMatData[float32](n, batch)
					if batch == 1 {
						return func() { impl.Sger(n, n, 1, d.d, 1, d.x, 1, d.g, n) }
					}
					return func() { impl.Sgemm(blas.Trans, blas.NoTrans, n, n, batch, 1, d.d, n, d.x, n, 1, d.g, n) }
				}),
		)
	}
	return cs
}
