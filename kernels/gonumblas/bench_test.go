package gonumblas

import (
	"fmt"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// The benchmarks run gonum's implementation and ours on the same inputs in
// one run, as sub-benchmarks impl=gonum and impl=flowkern, and report
// GFLOP/s. The measured call is in a //go:noinline function: Go 1.26 keeps
// the locals of a b.Loop body on the stack, which distorts short loops. Each
// also reports cpu-ns/op (and cpu-GFLOP/s) by the CPU time of the process:
// gonum's Level 3 routines and ours spread over goroutines.
//
//	go test -run '^$' -bench . ./kernels/gonumblas/
//
// Both precisions are measured for the Level 2 and 3 routines; BenchmarkMat
// measures gonum/mat operations on either BLAS.

var impls = []struct {
	name string
	f64  blas.Float64
	f32  blas.Float32
}{{"gonum", ref, ref}, {"flowkern", ours, ours}}

var sink64 float64

func randSlice[T kernels.Float](n int) []T {
	s := make([]T, n)
	tk.Fill(tk.NewRand(uint64(n)), s)
	return s
}

func gflops(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

//go:noinline
func doDot(impl blas.Float64, x, y []float64) float64 { return impl.Ddot(len(x), x, 1, y, 1) }

func BenchmarkDdot(b *testing.B) {
	for _, n := range []int{256, 4096, 1 << 20} {
		x, y := randSlice[float64](n), randSlice[float64](n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, im.name), func(b *testing.B) {
				defer tk.ProcessCPUTime(b, 2*float64(n))()
				for b.Loop() {
					sink64 = doDot(im.f64, x, y)
				}
				gflops(b, 2*float64(n))
			})
		}
	}
}

//go:noinline
func doAxpy(impl blas.Float64, alpha float64, x, y []float64) { impl.Daxpy(len(x), alpha, x, 1, y, 1) }

func BenchmarkDaxpy(b *testing.B) {
	for _, n := range []int{256, 4096, 1 << 20} {
		x, y := randSlice[float64](n), randSlice[float64](n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, im.name), func(b *testing.B) {
				// Alternating signs keep y bounded over many calls.
				alpha := 1e-3
				defer tk.ProcessCPUTime(b, 2*float64(n))()
				for b.Loop() {
					doAxpy(im.f64, alpha, x, y)
					alpha = -alpha
				}
				gflops(b, 2*float64(n))
			})
		}
	}
}

//go:noinline
func doNrm2(impl blas.Float64, x []float64) float64 { return impl.Dnrm2(len(x), x, 1) }

func BenchmarkDnrm2(b *testing.B) {
	for _, n := range []int{256, 4096, 1 << 20} {
		x := randSlice[float64](n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, im.name), func(b *testing.B) {
				defer tk.ProcessCPUTime(b, 2*float64(n))()
				for b.Loop() {
					sink64 = doNrm2(im.f64, x)
				}
				gflops(b, 2*float64(n))
			})
		}
	}
}

var gemvSizes = []int{64, 256, 1024, 4096}

//go:noinline
func doDgemv(impl blas.Float64, tA blas.Transpose, n int, a, x, y []float64) {
	impl.Dgemv(tA, n, n, 1, a, n, x, 1, 0, y, 1)
}

//go:noinline
func doSgemv(impl blas.Float32, tA blas.Transpose, n int, a, x, y []float32) {
	impl.Sgemv(tA, n, n, 1, a, n, x, 1, 0, y, 1)
}

func BenchmarkGemv(b *testing.B) {
	for _, n := range gemvSizes {
		a64, x64, y64 := randSlice[float64](n*n), randSlice[float64](n), make([]float64, n)
		a32, x32, y32 := randSlice[float32](n*n), randSlice[float32](n), make([]float32, n)
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, im := range impls {
				b.Run(fmt.Sprintf("float64/%c/n=%d/impl=%s", tA, n, im.name), func(b *testing.B) {
					defer tk.ProcessCPUTime(b, 2*float64(n)*float64(n))()
					for b.Loop() {
						doDgemv(im.f64, tA, n, a64, x64, y64)
					}
					gflops(b, 2*float64(n)*float64(n))
				})
				b.Run(fmt.Sprintf("float32/%c/n=%d/impl=%s", tA, n, im.name), func(b *testing.B) {
					defer tk.ProcessCPUTime(b, 2*float64(n)*float64(n))()
					for b.Loop() {
						doSgemv(im.f32, tA, n, a32, x32, y32)
					}
					gflops(b, 2*float64(n)*float64(n))
				})
			}
		}
	}
}

//go:noinline
func doDger(impl blas.Float64, n int, alpha float64, x, y, a []float64) {
	impl.Dger(n, n, alpha, x, 1, y, 1, a, n)
}

func BenchmarkDger(b *testing.B) {
	for _, n := range gemvSizes {
		a, x, y := randSlice[float64](n*n), randSlice[float64](n), randSlice[float64](n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, im.name), func(b *testing.B) {
				alpha := 1e-3
				defer tk.ProcessCPUTime(b, 2*float64(n)*float64(n))()
				for b.Loop() {
					doDger(im.f64, n, alpha, x, y, a)
					alpha = -alpha
				}
				gflops(b, 2*float64(n)*float64(n))
			})
		}
	}
}

//go:noinline
func doDgemm(impl blas.Float64, tA, tB blas.Transpose, n int, a, b, c []float64) {
	impl.Dgemm(tA, tB, n, n, n, 1, a, n, b, n, 0, c, n)
}

//go:noinline
func doSgemm(impl blas.Float32, tA, tB blas.Transpose, n int, a, b, c []float32) {
	impl.Sgemm(tA, tB, n, n, n, 1, a, n, b, n, 0, c, n)
}

func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{64, 256, 1024} {
		a64, b64, c64 := randSlice[float64](n*n), randSlice[float64](n*n), make([]float64, n*n)
		a32, b32, c32 := randSlice[float32](n*n), randSlice[float32](n*n), make([]float32, n*n)
		for _, tr := range [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.NoTrans, blas.Trans}, {blas.Trans, blas.NoTrans}, {blas.Trans, blas.Trans}} {
			for _, im := range impls {
				b.Run(fmt.Sprintf("float64/%c%c/n=%d/impl=%s", tr[0], tr[1], n, im.name), func(b *testing.B) {
					defer tk.ProcessCPUTime(b, 2*float64(n)*float64(n)*float64(n))()
					for b.Loop() {
						doDgemm(im.f64, tr[0], tr[1], n, a64, b64, c64)
					}
					gflops(b, 2*float64(n)*float64(n)*float64(n))
				})
				b.Run(fmt.Sprintf("float32/%c%c/n=%d/impl=%s", tr[0], tr[1], n, im.name), func(b *testing.B) {
					defer tk.ProcessCPUTime(b, 2*float64(n)*float64(n)*float64(n))()
					for b.Loop() {
						doSgemm(im.f32, tr[0], tr[1], n, a32, b32, c32)
					}
					gflops(b, 2*float64(n)*float64(n)*float64(n))
				})
			}
		}
	}
}

// BenchmarkMat runs gonum/mat operations under blas64.Use(gonum's) and
// blas64.Use(ours): what a gonum user sees. Mul reports GFLOP/s; the
// factorizations, whose flop counts depend on the path LAPACK takes, time
// only.
func BenchmarkMat(b *testing.B) {
	prev := blas64.Implementation()
	defer blas64.Use(prev)
	r := tk.NewRand(22)
	const n = 256
	a, c := randDense(r, n, n), randDense(r, n, n)
	wc := wellConditioned(r, n)
	var spd mat.SymDense
	spd.SymOuterK(1, a)
	for i := range n {
		spd.SetSym(i, i, spd.At(i, i)+n)
	}
	rhs := randDense(r, n, 4)
	ops := []struct {
		name  string
		flops float64
		run   func()
	}{
		{"Mul", 2 * n * n * n, func() { doMul(a, c) }},
		{"Solve", 0, func() { doSolve(wc, rhs) }},
		{"Cholesky", 0, func() { doCholesky(&spd) }},
		{"SVD", 0, func() { doSVD(a) }},
	}
	for _, op := range ops {
		for _, im := range impls {
			b.Run(fmt.Sprintf("%s/n=%d/impl=%s", op.name, n, im.name), func(b *testing.B) {
				blas64.Use(im.f64)
				defer tk.ProcessCPUTime(b, op.flops)()
				for b.Loop() {
					op.run()
				}
				if op.flops > 0 {
					gflops(b, op.flops)
				}
			})
		}
	}
}

//go:noinline
func doMul(a, c *mat.Dense) {
	var p mat.Dense
	p.Mul(a, c)
}

//go:noinline
func doSolve(a, b *mat.Dense) {
	var x mat.Dense
	if err := x.Solve(a, b); err != nil {
		panic(err)
	}
}

//go:noinline
func doCholesky(a *mat.SymDense) {
	var c mat.Cholesky
	if !c.Factorize(a) {
		panic("not positive definite")
	}
}

//go:noinline
func doSVD(a *mat.Dense) {
	var s mat.SVD
	if !s.Factorize(a, mat.SVDThin) {
		panic("SVD failed")
	}
}
