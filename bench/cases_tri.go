package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func init() { caseSets = append(caseSets, triCases) }

// The triangular kernels on a batch of 256 rows, M lower, not transposed,
// with its diagonal: TriMatVecs against gonum's Dtrmm and TriSolveVecs
// against Dtrsm (Strmm, Strsm), both on the same rows (side Right, A
// transposed). Each call first copies the rows back from a saved copy, ours
// and gonum's alike: repeated products or solves in place would drift
// towards Inf or subnormals. The work counts n*n*batch flops (n^2/2
// multiply-adds per row) and the bytes of A's triangle and of X read and
// written.
const triBatch = 256

type triData[T float32 | float64] struct {
	a, x, x0 []T
	n        int
}

// newTriData returns a well-conditioned lower triangle (diagonal 1 to 2,
// the rest scaled by 1/n) and a batch of rows.
func newTriData[T float32 | float64](n int) *triData[T] {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	d := &triData[T]{a: make([]T, n*n), x: make([]T, triBatch*n), n: n}
	for i := range n {
		for k := range i {
			d.a[i*n+k] = T(r.NormFloat64() / float64(n))
		}
		d.a[i*n+i] = T(1 + r.Float64())
	}
	for i := range d.x {
		d.x[i] = T(r.NormFloat64())
	}
	d.x0 = append([]T(nil), d.x...)
	return d
}

func (d *triData[T]) mats() (x, a kernels.Matrix[T]) {
	return kernels.Matrix[T]{Rows: triBatch, Cols: d.n, Data: d.x, Stride: d.n},
		kernels.Matrix[T]{Rows: d.n, Cols: d.n, Data: d.a, Stride: d.n}
}

func triCases() []kernelCase {
	work := func(size int) func(n int) (int, int) {
		return func(n int) (int, int) { return n * n * triBatch, size * (n*(n+1)/2 + 2*triBatch*n) }
	}
	mk := func(kernel, prec string, size int, ours, gon maker) kernelCase {
		return kernelCase{kernel: kernel, prec: prec, work: work(size), written: perElem(size * triBatch),
			sizes: []int{16, 64, 256, 1024}, quickSizes: []int{64}, side: true,
			ours: ours, peers: []peer{{"gonum", gon}}, runs: []string{"Outer", "Transpose4", "Axpy", "Scale"}}
	}
	return []kernelCase{
		mk("TriMatVecs", "float64", 8, triOurs[float64](false), triGonum[float64](false)),
		mk("TriMatVecs", "float32", 4, triOurs[float32](false), triGonum[float32](false)),
		mk("TriSolveVecs", "float64", 8, triOurs[float64](true), triGonum[float64](true)),
		mk("TriSolveVecs", "float32", 4, triOurs[float32](true), triGonum[float32](true)),
	}
}

// triOurs is TriSolveVecs (solve) or TriMatVecs.
func triOurs[T ref.Float](solve bool) maker {
	return func(n int) func() {
		d := newTriData[T](n)
		x, a := d.mats()
		return func() {
			copy(d.x, d.x0)
			if solve {
				kernels.TriSolveVecs(x, a, false, false, false)
			} else {
				kernels.TriMatVecs(x, a, false, false, false)
			}
		}
	}
}

// triGonum is gonum's Dtrsm (solve) or Dtrmm, Strsm or Strmm for float32,
// on the same rows: side Right, A transposed.
func triGonum[T ref.Float](solve bool) maker {
	return func(n int) func() {
		d := newTriData[T](n)
		impl := gonum.Implementation{}
		var call func()
		switch a := any(d.a).(type) {
		case []float64:
			f, x := impl.Dtrmm, any(d.x).([]float64)
			if solve {
				f = impl.Dtrsm
			}
			call = func() { f(blas.Right, blas.Lower, blas.Trans, blas.NonUnit, triBatch, n, 1, a, n, x, n) }
		case []float32:
			f, x := impl.Strmm, any(d.x).([]float32)
			if solve {
				f = impl.Strsm
			}
			call = func() { f(blas.Right, blas.Lower, blas.Trans, blas.NonUnit, triBatch, n, 1, a, n, x, n) }
		}
		return func() {
			copy(d.x, d.x0)
			call()
		}
	}
}
