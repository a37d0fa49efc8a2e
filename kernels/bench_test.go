package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// The benchmarks run each kernel on every usable tier and on gonum in one
// run, so the ratios between them are measured under the same conditions.
// They report GFLOP/s (or Gelem/s for Add and Mul) and bytes/s.

var benchSizes = []int{1024, 16384, 1 << 20}

// vecBench is a kernel under measurement: run does one call on x, y.
type vecBench[T Float] struct {
	name  string
	run   func(x, y []T)
	flops int // per element
}

// benchVec runs each implementation of one kernel for both precisions.
func benchVec(b *testing.B, kernel string, f64 func(cpu.Tier) func(x, y []float64), g64 func(x, y []float64), f32 func(cpu.Tier) func(x, y []float32), g32 func(x, y []float32), flops int) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("float64/n=%d", n), func(b *testing.B) { benchImpls(b, n, f64, g64, flops) })
		b.Run(fmt.Sprintf("float32/n=%d", n), func(b *testing.B) { benchImpls(b, n, f32, g32, flops) })
	}
}

func benchImpls[T Float](b *testing.B, n int, tier func(cpu.Tier) func(x, y []T), gonum func(x, y []T), flops int) {
	x, y := make([]T, n), make([]T, n)
	r := tk.NewRand(1)
	tk.Fill(r, x)
	tk.Fill(r, y)
	for i := range y {
		y[i] *= 1e-3 // keep repeated Axpy calls finite
	}
	measure := func(b *testing.B, f func(x, y []T)) {
		var z T
		b.SetBytes(int64(2 * n * int(sizeOf(z))))
		defer tk.CPUTimeFlops(b, float64(flops*n))()
		for b.Loop() {
			f(x, y)
		}
		b.ReportMetric(float64(flops*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	if gonum != nil {
		b.Run("gonum", func(b *testing.B) { measure(b, gonum) })
	}
	for _, t := range usableTiers() {
		b.Run(t.String(), func(b *testing.B) { measure(b, tier(t)) })
	}
}

func sizeOf[T Float](T) uintptr {
	if is64[T]() {
		return 8
	}
	return 4
}

// sink keeps reduction results alive.
var sink64 float64
var sink32 float32

//go:noinline
func dot64(t cpu.Tier, x, y []float64) { sink64 = dotOn(t, x, y) }

//go:noinline
func dot32(t cpu.Tier, x, y []float32) { sink32 = dotOn(t, x, y) }

func BenchmarkDot(b *testing.B) {
	benchVec(b, "Dot",
		func(t cpu.Tier) func(x, y []float64) { return func(x, y []float64) { dot64(t, x, y) } },
		func(x, y []float64) {
			sink64 = blas64.Dot(blas64.Vector{N: len(x), Inc: 1, Data: x}, blas64.Vector{N: len(y), Inc: 1, Data: y})
		},
		func(t cpu.Tier) func(x, y []float32) { return func(x, y []float32) { dot32(t, x, y) } },
		func(x, y []float32) {
			sink32 = blas32.Dot(blas32.Vector{N: len(x), Inc: 1, Data: x}, blas32.Vector{N: len(y), Inc: 1, Data: y})
		}, 2)
}

func BenchmarkSum(b *testing.B) {
	benchVec(b, "Sum",
		func(t cpu.Tier) func(x, y []float64) { return func(x, _ []float64) { sink64 = sumOn(t, x) } },
		func(x, _ []float64) { sink64 = floats.Sum(x) },
		func(t cpu.Tier) func(x, y []float32) { return func(x, _ []float32) { sink32 = sumOn(t, x) } },
		nil, 1)
}

func BenchmarkAxpy(b *testing.B) {
	benchVec(b, "Axpy",
		func(t cpu.Tier) func(x, y []float64) { return func(x, y []float64) { axpyOn(t, 1e-9, x, y) } },
		func(x, y []float64) {
			blas64.Axpy(1e-9, blas64.Vector{N: len(x), Inc: 1, Data: x}, blas64.Vector{N: len(y), Inc: 1, Data: y})
		},
		func(t cpu.Tier) func(x, y []float32) { return func(x, y []float32) { axpyOn(t, 1e-9, x, y) } },
		func(x, y []float32) {
			blas32.Axpy(1e-9, blas32.Vector{N: len(x), Inc: 1, Data: x}, blas32.Vector{N: len(y), Inc: 1, Data: y})
		}, 2)
}

func BenchmarkScale(b *testing.B) {
	benchVec(b, "Scale",
		func(t cpu.Tier) func(x, y []float64) { return func(x, _ []float64) { scaleOn(t, -1, x) } },
		func(x, _ []float64) { blas64.Scal(-1, blas64.Vector{N: len(x), Inc: 1, Data: x}) },
		func(t cpu.Tier) func(x, y []float32) { return func(x, _ []float32) { scaleOn(t, -1, x) } },
		func(x, _ []float32) { blas32.Scal(-1, blas32.Vector{N: len(x), Inc: 1, Data: x}) }, 1)
}

func BenchmarkAdd(b *testing.B) {
	benchVec(b, "Add",
		func(t cpu.Tier) func(x, y []float64) { return func(x, y []float64) { binaryOn(t, opAdd, y, x, y) } },
		func(x, y []float64) { floats.AddTo(y, x, y) },
		func(t cpu.Tier) func(x, y []float32) { return func(x, y []float32) { binaryOn(t, opAdd, y, x, y) } },
		nil, 1)
}

// BenchmarkKeepPositive: ReLU's backward pass (g = g where x > 0); the
// generic tier is the pure-Go loop that models/nn ran before the kernel.
func BenchmarkKeepPositive(b *testing.B) {
	benchVec(b, "KeepPositive",
		func(t cpu.Tier) func(x, y []float64) {
			return func(x, y []float64) { binaryOn(t, opKeepPositive, y, y, x) }
		},
		nil,
		func(t cpu.Tier) func(x, y []float32) {
			return func(x, y []float32) { binaryOn(t, opKeepPositive, y, y, x) }
		},
		nil, 1)
}

func BenchmarkMul(b *testing.B) {
	benchVec(b, "Mul",
		func(t cpu.Tier) func(x, y []float64) { return func(x, y []float64) { binaryOn(t, opMul, y, x, y) } },
		func(x, y []float64) { floats.MulTo(y, x, y) },
		func(t cpu.Tier) func(x, y []float32) { return func(x, y []float32) { binaryOn(t, opMul, y, x, y) } },
		nil, 1)
}
