package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/openblas"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The matrix benchmarks run, in one process, every usable tier on one
// goroutine, the best tier on two, gonum's blas/gonum (Dgemv, Dgemm, Dger and
// the float32 twins) and, with -tags openblas, single-threaded OpenBLAS on
// the same shapes: n = m in {16, 64, 256, 1024}, batch in {1, 16, 256, 4096},
// and n = 4096 for a batch of one.
// A batch of one is a matrix-vector product (gemv, ger), larger batches are
// a matrix product (gemm). They report GFLOP/s, counting 2 m n batch flops,
// by the wall clock and (cpu-GFLOP/s, with cpu-ns/op) by the CPU time of the
// process, which counts every goroutine of a call and leaves out other
// processes.
//
//	go test -run '^$' -bench 'MatVecs|MatTVecs|AddOuters' ./kernels/
//	go test -tags openblas -run '^$' -bench 'MatVecs/float64/n=256' ./kernels/

var (
	benchDims    = []int{16, 64, 256, 1024}
	benchBatches = []int{1, 16, 256, 4096}
)

// genericMaxWork is the most multiply-adds the pure-Go tier is timed on: it
// runs at well under 1 GFLOP/s, so larger shapes would take minutes.
const genericMaxWork = 1 << 24

// matBench is one kernel at one shape: run does one call with the given
// tier and workers; gonum and openblas do the same operation with those
// libraries (nil when not available).
type matBench struct {
	run      func(t cpu.Tier, workers int)
	gonum    func()
	openblas func()
}

// benchMatrices returns random W, X and bias and zero Y and G for shape
// (n = m, batch).
func benchMatrices[T Float](n, nb int) (w, x, y, g []T, bias []T) {
	r := tk.NewRand(uint64(n*nb + 1))
	w, x, y, g, bias = make([]T, n*n), make([]T, nb*n), make([]T, nb*n), make([]T, n*n), make([]T, n)
	for _, s := range [][]T{w, x, bias} {
		tk.Fill(r, s)
	}
	return
}

//go:noinline
func benchMatVecs[T Float](t cpu.Tier, workers int, y, w, x Matrix[T], bias []T) {
	matVecsOn(t, workers, y, w, x, bias)
}

//go:noinline
func benchMatTVecs[T Float](t cpu.Tier, workers int, y, w, x Matrix[T]) {
	matTVecsOn(t, workers, y, w, x)
}

//go:noinline
func benchAddOuters[T Float](t cpu.Tier, workers int, g Matrix[T], gb []T, d, x Matrix[T]) {
	addOutersOn(t, workers, g, gb, d, x)
}

func runMatBench(b *testing.B, mk func(n, nb int, single bool) matBench) {
	for _, single := range []bool{false, true} {
		prec := "float64"
		if single {
			prec = "float32"
		}
		for _, n := range append(benchDims, 4096) {
			for _, nb := range benchBatches {
				if n == 4096 && nb > 1 {
					continue // 4096 only as a matrix-vector product (memory bound)
				}
				b.Run(fmt.Sprintf("%s/n=%d/batch=%d", prec, n, nb), func(b *testing.B) {
					mb := mk(n, nb, single)
					flops := 2 * float64(n) * float64(n) * float64(nb)
					measure := func(b *testing.B, f func()) {
						// The process's clock: gonum's Dgemm and our
						// 2-worker runs spread over goroutines.
						defer tk.ProcessCPUTime(b, flops)()
						for b.Loop() {
							f()
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					}
					b.Run("gonum", func(b *testing.B) { measure(b, mb.gonum) })
					if mb.openblas != nil {
						b.Run("openblas", func(b *testing.B) { measure(b, mb.openblas) })
					}
					tiers := usableTiers()
					for _, t := range tiers {
						if t == cpu.Generic && n*n*nb > genericMaxWork {
							continue
						}
						b.Run(t.String(), func(b *testing.B) { measure(b, func() { mb.run(t, 1) }) })
					}
					if best := tiers[len(tiers)-1]; nb >= 256 && n >= 256 {
						b.Run(best.String()+"-2workers", func(b *testing.B) { measure(b, func() { mb.run(best, 2) }) })
					}
				})
			}
		}
	}
}

func BenchmarkMatVecs(b *testing.B) {
	runMatBench(b, func(n, nb int, single bool) matBench {
		if single {
			return matVecsBench[float32](n, nb)
		}
		return matVecsBench[float64](n, nb)
	})
}

func matVecsBench[T Float](n, nb int) matBench {
	w, x, y, _, _ := benchMatrices[T](n, nb)
	W, X, Y := Matrix[T]{n, n, w, n}, Matrix[T]{nb, n, x, n}, Matrix[T]{nb, n, y, n}
	// Y = X W^T, without the bias, which gemm and gemv do not add.
	mb := matBench{run: func(t cpu.Tier, workers int) { benchMatVecs(t, workers, Y, W, X, nil) }}
	gemm := gonum.Implementation{}
	if is64[T]() {
		w, x, y := f64(w), f64(x), f64(y)
		if nb == 1 {
			mb.gonum = func() { gemm.Dgemv(blas.NoTrans, n, n, 1, w, n, x, 1, 0, y, 1) }
		} else {
			mb.gonum = func() { gemm.Dgemm(blas.NoTrans, blas.Trans, nb, n, n, 1, x, n, w, n, 0, y, n) }
		}
		if openblas.Available {
			if nb == 1 {
				mb.openblas = func() { openblas.Dgemv(false, n, n, 1, w, n, x, 0, y) }
			} else {
				mb.openblas = func() { openblas.Dgemm(false, true, nb, n, n, 1, x, n, w, n, 0, y, n) }
			}
		}
		return mb
	}
	ws, xs, ys := f32(w), f32(x), f32(y)
	if nb == 1 {
		mb.gonum = func() { gemm.Sgemv(blas.NoTrans, n, n, 1, ws, n, xs, 1, 0, ys, 1) }
	} else {
		mb.gonum = func() { gemm.Sgemm(blas.NoTrans, blas.Trans, nb, n, n, 1, xs, n, ws, n, 0, ys, n) }
	}
	if openblas.Available {
		if nb == 1 {
			mb.openblas = func() { openblas.Sgemv(false, n, n, 1, ws, n, xs, 0, ys) }
		} else {
			mb.openblas = func() { openblas.Sgemm(false, true, nb, n, n, 1, xs, n, ws, n, 0, ys, n) }
		}
	}
	return mb
}

func BenchmarkMatTVecs(b *testing.B) {
	runMatBench(b, func(n, nb int, single bool) matBench {
		if single {
			return matTVecsBench[float32](n, nb)
		}
		return matTVecsBench[float64](n, nb)
	})
}

func matTVecsBench[T Float](n, nb int) matBench {
	w, x, y, _, _ := benchMatrices[T](n, nb)
	W, X, Y := Matrix[T]{n, n, w, n}, Matrix[T]{nb, n, x, n}, Matrix[T]{nb, n, y, n}
	mb := matBench{run: func(t cpu.Tier, workers int) { benchMatTVecs(t, workers, Y, W, X) }}
	// Y = X W.
	gemm := gonum.Implementation{}
	if is64[T]() {
		w, x, y := f64(w), f64(x), f64(y)
		if nb == 1 {
			mb.gonum = func() { gemm.Dgemv(blas.Trans, n, n, 1, w, n, x, 1, 0, y, 1) }
		} else {
			mb.gonum = func() { gemm.Dgemm(blas.NoTrans, blas.NoTrans, nb, n, n, 1, x, n, w, n, 0, y, n) }
		}
		if openblas.Available {
			if nb == 1 {
				mb.openblas = func() { openblas.Dgemv(true, n, n, 1, w, n, x, 0, y) }
			} else {
				mb.openblas = func() { openblas.Dgemm(false, false, nb, n, n, 1, x, n, w, n, 0, y, n) }
			}
		}
		return mb
	}
	ws, xs, ys := f32(w), f32(x), f32(y)
	if nb == 1 {
		mb.gonum = func() { gemm.Sgemv(blas.Trans, n, n, 1, ws, n, xs, 1, 0, ys, 1) }
	} else {
		mb.gonum = func() { gemm.Sgemm(blas.NoTrans, blas.NoTrans, nb, n, n, 1, xs, n, ws, n, 0, ys, n) }
	}
	if openblas.Available {
		if nb == 1 {
			mb.openblas = func() { openblas.Sgemv(true, n, n, 1, ws, n, xs, 0, ys) }
		} else {
			mb.openblas = func() { openblas.Sgemm(false, false, nb, n, n, 1, xs, n, ws, n, 0, ys, n) }
		}
	}
	return mb
}

func BenchmarkAddOuters(b *testing.B) {
	runMatBench(b, func(n, nb int, single bool) matBench {
		if single {
			return addOutersBench[float32](n, nb)
		}
		return addOutersBench[float64](n, nb)
	})
}

func addOutersBench[T Float](n, nb int) matBench {
	_, d, x, g, _ := benchMatrices[T](n, nb)
	tk.Fill(tk.NewRand(9), x)
	for i := range d {
		d[i] *= 1e-9 // keep G finite over many runs
	}
	G, D, X := Matrix[T]{n, n, g, n}, Matrix[T]{nb, n, d, n}, Matrix[T]{nb, n, x, n}
	// G += D^T X, without gb, which ger and gemm do not have.
	mb := matBench{run: func(t cpu.Tier, workers int) { benchAddOuters(t, workers, G, nil, D, X) }}
	gemm := gonum.Implementation{}
	if is64[T]() {
		g, d, x := f64(g), f64(d), f64(x)
		if nb == 1 {
			mb.gonum = func() { gemm.Dger(n, n, 1, d, 1, x, 1, g, n) }
		} else {
			mb.gonum = func() { gemm.Dgemm(blas.Trans, blas.NoTrans, n, n, nb, 1, d, n, x, n, 1, g, n) }
		}
		if openblas.Available {
			if nb == 1 {
				mb.openblas = func() { openblas.Dger(n, n, 1, d, x, g, n) }
			} else {
				mb.openblas = func() { openblas.Dgemm(true, false, n, n, nb, 1, d, n, x, n, 1, g, n) }
			}
		}
		return mb
	}
	gs, ds, xs := f32(g), f32(d), f32(x)
	if nb == 1 {
		mb.gonum = func() { gemm.Sger(n, n, 1, ds, 1, xs, 1, gs, n) }
	} else {
		mb.gonum = func() { gemm.Sgemm(blas.Trans, blas.NoTrans, n, n, nb, 1, ds, n, xs, n, 1, gs, n) }
	}
	if openblas.Available {
		if nb == 1 {
			mb.openblas = func() { openblas.Sger(n, n, 1, ds, xs, gs, n) }
		} else {
			mb.openblas = func() { openblas.Sgemm(true, false, n, n, nb, 1, ds, n, xs, n, 1, gs, n) }
		}
	}
	return mb
}
