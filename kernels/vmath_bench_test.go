package kernels

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The vector math benchmarks run every usable tier and the math package loop
// in one run, n = 4096 and 1<<20, and report elements per second.

var vmathBenchSizes = []int{4096, 1 << 20}

// vmathPeers are other implementations measured in the same run, keyed by
// function and peer name; the sleef-tagged file adds SLEEF's.
var (
	vmathPeers64 = map[vfunc]map[string]func(dst, x []float64){}
	vmathPeers32 = map[vfunc]map[string]func(dst, x []float32){}
)

//go:noinline
func peerRun64(f func(dst, x []float64), dst, x []float64) { f(dst, x) }

//go:noinline
func peerRun32(f func(dst, x []float32), dst, x []float32) { f(dst, x) }

//go:noinline
func vmathRun64(t cpu.Tier, f vfunc, dst, x []float64) { vmathTier(t, f, dst, x) }

//go:noinline
func vmathRun32(t cpu.Tier, f vfunc, dst, x []float32) { vmathTier(t, f, dst, x) }

//go:noinline
func mathLoop64(g func(float64) float64, dst, x []float64) {
	for i, v := range x {
		dst[i] = g(v)
	}
}

//go:noinline
func mathLoop32(g func(float64) float64, dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(g(float64(v)))
	}
}

// benchInputs fills x with inputs in the function's ordinary range.
func benchInputs[T Float](f vfunc, x []T) {
	r := tk.NewRand(3)
	for i := range x {
		v := r.NormFloat64() * 4
		if f == fnLog {
			v = math.Exp(v)
		}
		x[i] = T(v)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func reportElems(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
}

func BenchmarkVmath(b *testing.B) {
	for _, s := range vmathSpecs {
		b.Run(s.f.String(), func(b *testing.B) {
			for _, n := range vmathBenchSizes {
				b.Run(fmt.Sprintf("float64/n=%d", n), func(b *testing.B) {
					x, dst := make([]float64, n), make([]float64, n)
					benchInputs(s.f, x)
					b.Run("math", func(b *testing.B) {
						defer tk.CPUTime(b)()
						for b.Loop() {
							mathLoop64(s.math, dst, x)
						}
						reportElems(b, n)
					})
					for _, t := range usableTiers() {
						b.Run(t.String(), func(b *testing.B) {
							defer tk.CPUTime(b)()
							for b.Loop() {
								vmathRun64(t, s.f, dst, x)
							}
							reportElems(b, n)
						})
					}
					for _, name := range sortedKeys(vmathPeers64[s.f]) {
						f := vmathPeers64[s.f][name]
						b.Run(name, func(b *testing.B) {
							defer tk.CPUTime(b)()
							for b.Loop() {
								peerRun64(f, dst, x)
							}
							reportElems(b, n)
						})
					}
				})
				b.Run(fmt.Sprintf("float32/n=%d", n), func(b *testing.B) {
					x, dst := make([]float32, n), make([]float32, n)
					benchInputs(s.f, x)
					b.Run("math", func(b *testing.B) {
						defer tk.CPUTime(b)()
						for b.Loop() {
							mathLoop32(s.math, dst, x)
						}
						reportElems(b, n)
					})
					for _, t := range usableTiers() {
						b.Run(t.String(), func(b *testing.B) {
							defer tk.CPUTime(b)()
							for b.Loop() {
								vmathRun32(t, s.f, dst, x)
							}
							reportElems(b, n)
						})
					}
					for _, name := range sortedKeys(vmathPeers32[s.f]) {
						f := vmathPeers32[s.f][name]
						b.Run(name, func(b *testing.B) {
							defer tk.CPUTime(b)()
							for b.Loop() {
								peerRun32(f, dst, x)
							}
							reportElems(b, n)
						})
					}
				})
			}
		})
	}
}
