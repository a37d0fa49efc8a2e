package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/fma"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkPureGo measures the pure-Go tier against the plain Go loop of
// the same operation (one accumulator, no fused multiply-add, no lanes), in
// one run: the no-SIMD path must not be slower than what a user would
// write (float64) or more than 2x slower (float32, whose fused
// multiply-add Go has no instruction for). Vector math has its plain loop
// in BenchmarkVmath (sub-benchmark math).
//
//	go test -run '^$' -bench PureGo -count 5 -cpu 1 ./kernels
var pureGoSizes = []int{16, 64, 256, 4096, 65536}

//go:noinline
func plainDot[T Float](x, y []T) T {
	var s T
	y = y[:len(x)]
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

//go:noinline
func plainSum[T Float](x []T) T {
	var s T
	for _, v := range x {
		s += v
	}
	return s
}

//go:noinline
func plainAxpy[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

//go:noinline
func plainScale[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

//go:noinline
func plainMul[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// plainMatVecs is y[b] = W x[b] + bias for a square n×n W and nb rows of x.
//
//go:noinline
func plainMatVecs[T Float](y, w, x, bias []T, n, nb int) {
	for b := range nb {
		xr := x[b*n : b*n+n]
		for i := range n {
			wr := w[i*n : i*n+n]
			var s T
			for j, v := range wr {
				s += v * xr[j]
			}
			y[b*n+i] = s + bias[i]
		}
	}
}

// The public functions, run on the active tier (set to generic below).

//go:noinline
func publicDot[T Float](x, y []T) T { return Dot(x, y) }

//go:noinline
func publicSum[T Float](x []T) T { return Sum(x) }

//go:noinline
func publicAxpy[T Float](alpha T, x, y []T) { Axpy(alpha, x, y) }

//go:noinline
func publicScale[T Float](alpha T, x []T) { Scale(alpha, x) }

//go:noinline
func publicMul[T Float](dst, x, y []T) { Mul(dst, x, y) }

func BenchmarkPureGo(b *testing.B) {
	defer func(t cpu.Tier) { active = t }(active)
	active = cpu.Generic
	b.Run("float64", pureGoBench[float64])
	b.Run("float32", pureGoBench[float32])
}

func pureGoBench[T Float](b *testing.B) {
	var sink T
	for _, n := range pureGoSizes {
		x, y, d := make([]T, n), make([]T, n), make([]T, n)
		r := tk.NewRand(7)
		tk.Fill(r, x)
		tk.Fill(r, y)
		ops := []struct {
			name         string
			plain, ours  func()
			flopsPerElem int
		}{
			{"Dot", func() { sink = plainDot(x, y) }, func() { sink = publicDot(x, y) }, 2},
			{"Sum", func() { sink = plainSum(x) }, func() { sink = publicSum(x) }, 1},
			{"Axpy", func() { plainAxpy(1e-9, x, y) }, func() { publicAxpy(1e-9, x, y) }, 2},
			{"Scale", func() { plainScale(-1, x) }, func() { publicScale(-1, x) }, 1},
			{"Mul", func() { plainMul(d, x, y) }, func() { publicMul(d, x, y) }, 1},
		}
		for _, op := range ops {
			for _, impl := range []struct {
				name string
				f    func()
			}{{"plain", op.plain}, {"generic", op.ours}} {
				b.Run(fmt.Sprintf("%s/n=%d/%s", op.name, n, impl.name), func(b *testing.B) {
					defer tk.CPUTimeFlops(b, float64(op.flopsPerElem*n))()
					for b.Loop() {
						impl.f()
					}
				})
			}
		}
	}
	for _, n := range []int{8, 32, 128, 512} {
		const nb = 16
		w, x, y, bias := make([]T, n*n), make([]T, nb*n), make([]T, nb*n), make([]T, n)
		r := tk.NewRand(8)
		tk.Fill(r, w)
		tk.Fill(r, x)
		tk.Fill(r, bias)
		ym, wm, xm := Matrix[T]{Rows: nb, Cols: n, Data: y, Stride: n}, Matrix[T]{Rows: n, Cols: n, Data: w, Stride: n}, Matrix[T]{Rows: nb, Cols: n, Data: x, Stride: n}
		for _, impl := range []struct {
			name string
			f    func()
		}{{"plain", func() { plainMatVecs(y, w, x, bias, n, nb) }}, {"generic", func() { MatVecs(ym, wm, xm, bias) }}} {
			b.Run(fmt.Sprintf("MatVecs/n=%d/nb=%d/%s", n, nb, impl.name), func(b *testing.B) {
				defer tk.CPUTimeFlops(b, float64(2*n*n*nb))()
				for b.Loop() {
					impl.f()
				}
			})
		}
	}
	_ = sink
}

// BenchmarkPureGoVmath measures the pure-Go vector math (the public
// functions on the generic tier) against a loop of the math package's
// function (float32: through float64 and back), n = 16 and 4096. The inputs
// are those of BenchmarkVmath but in each function's domain: Log1p gets
// e^v - 1 (BenchmarkVmath gives it N(0, 16) inputs, 40% of them below -1,
// where math.Log1p returns NaN at once).
//
//	go test -run '^$' -bench PureGoVmath -count 5 -cpu 1 ./kernels
func BenchmarkPureGoVmath(b *testing.B) {
	defer func(t cpu.Tier) { active = t }(active)
	active = cpu.Generic
	for _, s := range vmathSpecs {
		for _, n := range []int{16, 4096} {
			x := make([]float64, n)
			benchInputs(s.f, x)
			if s.f == fnLog1p {
				for i, v := range x {
					x[i] = math.Expm1(v)
				}
			}
			x32 := make([]float32, n)
			for i, v := range x {
				x32[i] = float32(v)
			}
			d, d32 := make([]float64, n), make([]float32, n)
			for _, impl := range []struct {
				name     string
				f64, f32 func()
			}{
				{"plain", func() { mathLoop64(s.math, d, x) }, func() { mathLoop32(s.math, d32, x32) }},
				{"generic", func() { s.pub64(d, x) }, func() { s.pub32(d32, x32) }},
			} {
				b.Run(fmt.Sprintf("%v/float64/n=%d/%s", s.f, n, impl.name), func(b *testing.B) {
					defer tk.CPUTime(b)()
					for b.Loop() {
						impl.f64()
					}
				})
				b.Run(fmt.Sprintf("%v/float32/n=%d/%s", s.f, n, impl.name), func(b *testing.B) {
					defer tk.CPUTime(b)()
					for b.Loop() {
						impl.f32()
					}
				})
			}
		}
	}
}

// softFMA is math.FMA called through a function value: the call runs the
// function's Go body, the software fallback a CPU without an FMA
// instruction gets from every math.FMA (the compiler puts the instruction
// in place of direct calls only).
var softFMA = math.FMA

// BenchmarkSoftFMA estimates what the pure-Go tier costs where math.FMA
// has no instruction (amd64 without FMA3, such as QEMU's default CPU; 386;
// riscv64 has one): 4096 independent fused updates by the instruction and
// by the software fallback.
func BenchmarkSoftFMA(b *testing.B) {
	x, y, z := make([]float64, 4096), make([]float64, 4096), make([]float64, 4096)
	tk.Fill(tk.NewRand(9), x)
	tk.Fill(tk.NewRand(10), y)
	b.Run("instruction", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			for i := range z {
				z[i] = math.FMA(x[i], y[i], z[i]) * 0.5
			}
		}
	})
	b.Run("software", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			for i := range z {
				z[i] = softFMA(x[i], y[i], z[i]) * 0.5
			}
		}
	})
}

// BenchmarkFMA32 measures what a float32 fused multiply-add costs in pure
// Go, the floor of the float32 kernels of the pure-Go tier: 4096
// independent updates z = x*y + z by the plain float32 multiply and add
// (two roundings, not the fused result), by the float64 sum rounded once
// to float32 (wrong where that rounds twice), and exactly (that sum where
// fma.Exact32 says it is the fused result, fma.Odd32 otherwise), as the
// kernels do.
func BenchmarkFMA32(b *testing.B) {
	x, y, z := make([]float32, 4096), make([]float32, 4096), make([]float32, 4096)
	tk.Fill(tk.NewRand(11), x)
	tk.Fill(tk.NewRand(12), y)
	b.Run("plain", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			for i := range z {
				z[i] = float32(x[i]*y[i]) + z[i]
			}
		}
	})
	b.Run("rounded-once", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			for i := range z {
				z[i] = float32(float64(x[i])*float64(y[i]) + float64(z[i]))
			}
		}
	})
	b.Run("exact", func(b *testing.B) {
		defer tk.CPUTime(b)()
		for b.Loop() {
			for i := range z {
				if s := float64(x[i])*float64(y[i]) + float64(z[i]); fma.Exact32(s) {
					z[i] = float32(s)
				} else {
					z[i] = fma.Odd32(x[i], y[i], z[i])
				}
			}
		}
	})
}
