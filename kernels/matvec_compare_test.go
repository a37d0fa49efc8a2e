//go:build openblas && cgo && linux

package kernels

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/internal/openblas"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkMatVecsOpenBLAS runs our best tier on one goroutine and
// single-threaded OpenBLAS side by side on the shapes of issue 3: n = m in
// {64, 256, 1024}, batch in {1, 64, 256}, for MatVecs (against dgemv, or
// dgemm for a batch), MatTVecs (dgemv transposed, dgemm) and AddOuters
// (dger, dgemm), in float64 and float32 (the s- routines). For batch >= 64
// and n >= 256 it also runs our best tier on two workers.
//
//	go test -tags openblas -run '^$' -bench 'OpenBLAS' ./kernels/
//	go test -tags openblas -run '^$' -bench 'OpenBLAS/AddOuters/float32/n=256' -count 5 ./kernels/ | benchstat -col /impl -
//
// Each result reports GFLOP/s (2 m n batch flops per call, wall clock) and,
// for the one-thread runs, cpu-GFLOP/s: the same over the CPU time of the
// benchmark's (locked) thread, from internal/cputime, which on a
// machine shared with other work counts only this work. The two-worker run
// is timed by the CPU time of the process (cpu-ns/op, cpu-GFLOP/s), which
// counts the helper goroutine, and by the wall clock, which needs a quiet
// machine.
func BenchmarkMatVecsOpenBLAS(b *testing.B) {
	if !openblas.Available {
		b.Skip("built without OpenBLAS")
	}
	tiers := usableTiers()
	best := tiers[len(tiers)-1]
	kernels := []struct {
		name string
		mk   func(n, nb int, single bool) matBench
	}{
		{"MatVecs", func(n, nb int, single bool) matBench {
			if single {
				return matVecsBench[float32](n, nb)
			}
			return matVecsBench[float64](n, nb)
		}},
		{"MatTVecs", func(n, nb int, single bool) matBench {
			if single {
				return matTVecsBench[float32](n, nb)
			}
			return matTVecsBench[float64](n, nb)
		}},
		{"AddOuters", func(n, nb int, single bool) matBench {
			if single {
				return addOutersBench[float32](n, nb)
			}
			return addOutersBench[float64](n, nb)
		}},
	}
	for _, k := range kernels {
		for _, single := range []bool{false, true} {
			prec := "float64"
			if single {
				prec = "float32"
			}
			for _, n := range []int{64, 256, 1024} {
				for _, nb := range []int{1, 64, 256} {
					b.Run(fmt.Sprintf("%s/%s/n=%d/batch=%d", k.name, prec, n, nb), func(b *testing.B) {
						mb := k.mk(n, nb, single)
						flops := 2 * float64(n) * float64(n) * float64(nb)
						b.Run("impl=ours", func(b *testing.B) {
							measureOneThread(b, flops, func() { mb.run(best, 1) })
						})
						b.Run("impl=openblas", func(b *testing.B) {
							measureOneThread(b, flops, mb.openblas)
						})
						if nb >= 64 && n >= 256 {
							b.Run("impl=ours-2workers", func(b *testing.B) {
								defer tk.ProcessCPUTime(b, flops)()
								for b.Loop() {
									callBench(func() { mb.run(best, 2) })
								}
								b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
							})
						}
					})
				}
			}
		}
	}
}

// measureOneThread times f on the benchmark's goroutine, locked to its
// thread, by the wall clock and by the thread's CPU time.
func measureOneThread(b *testing.B, flops float64, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, ok0 := cputime.Thread()
	for b.Loop() {
		callBench(f)
	}
	cpu1, ok1 := cputime.Thread()
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if ok0 && ok1 && cpu1 > cpu0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(flops*float64(b.N)/(cpu1-cpu0).Seconds()/1e9, "cpu-GFLOP/s")
	}
}

// callBench is the measured call, out of line so that nothing of it lives
// in the b.Loop body (see DESIGN.md); f is benchMatVecs, benchMatTVecs or
// benchAddOuters (themselves not inlined) or a cgo call into OpenBLAS.
//
//go:noinline
func callBench(f func()) { f() }
