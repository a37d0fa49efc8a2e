//go:build amd64 && !purego && !noasm

package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/cputime"
)

// BenchmarkMatVecsRoof measures the roofs the short MatVecs shapes sit
// under on this core, timed by CPU time as the kernels' benchmarks are.
// read/KiB=k is the bench tool's read probe (full-width loads of the two
// halves of a buffer in turn) over a buffer of k KiB, read again and again: at 512 KiB
// (a float64 256 x 256 W) it is the L2 bandwidth a batch-of-one MatVecs
// could stream its W at (cpu-GB/s). fma/float64 and fma/float32 are the
// FMA peak loops (twelve independent accumulators, cpu-GFLOP/s).
//
//	go test -run '^$' -bench 'MatVecsRoof' -count 5 ./kernels/
func BenchmarkMatVecsRoof(b *testing.B) {
	type probe struct {
		name  string
		tier  cpu.Tier
		run   func()
		bytes float64 // per call: reported as cpu-GB/s
		flops float64 // per call
	}
	var ps []probe
	for _, kib := range []int{16, 256, 512, 4096} {
		buf := make([]int, kib<<7)
		for i := range buf {
			buf[i] = i
		}
		ps = append(ps,
			probe{name: fmt.Sprintf("read/KiB=%d/avx512", kib), tier: cpu.AVX512, run: func() { sinkInt ^= asm.ReadStreamAVX512(buf) }, bytes: float64(kib << 10)},
			probe{name: fmt.Sprintf("read/KiB=%d/avx2", kib), tier: cpu.AVX2, run: func() { sinkInt ^= asm.ReadStreamAVX2(buf) }, bytes: float64(kib << 10)})
	}
	const iters = 1000
	ps = append(ps,
		probe{name: "fma/float64/avx512", tier: cpu.AVX512, run: func() { asm.PeakFMAF64AVX512(iters) }, flops: iters * 12 * 2 * 8},
		probe{name: "fma/float32/avx512", tier: cpu.AVX512, run: func() { asm.PeakFMAF32AVX512(iters) }, flops: iters * 12 * 2 * 16})
	for _, p := range ps {
		b.Run(p.name, func(b *testing.B) {
			if !usable(p.tier) {
				b.Skipf("%v is not usable here", p.tier)
			}
			c0, ok0 := cputime.Process()
			for b.Loop() {
				p.run()
			}
			c1, ok1 := cputime.Process()
			if ns := float64(c1 - c0); ok0 && ok1 && ns > 0 {
				b.ReportMetric(ns/float64(b.N), "cpu-ns/op")
				if p.bytes > 0 {
					b.ReportMetric(p.bytes*float64(b.N)/ns, "cpu-GB/s")
				}
				if p.flops > 0 {
					b.ReportMetric(p.flops*float64(b.N)/ns, "cpu-GFLOP/s")
				}
			}
		})
	}
}

// sinkInt keeps the read probe's result alive.
var sinkInt int
