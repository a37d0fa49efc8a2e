package main

import (
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/klauspost/cpuid/v2"
)

// Machine describes where the report was made and this machine's limits,
// measured on the spot.
type Machine struct {
	CPU                        string
	PhysicalCores, LogicalCore int
	Features                   []string
	Tier, TierWarning          string
	Usable                     []string
	GoVersion, OS, Arch        string
	GOMAXPROCS                 int
	// Peak FMA throughput per tier and precision, GFLOP/s on one core.
	PeakGFLOPS map[string]map[string]float64
	// Read bandwidth, GB/s, streaming 256 MiB: one core, and all cores.
	BandwidthOne, BandwidthAll float64
	// Read bandwidth of one core against working-set size, from L1 to memory:
	// the roof of a kernel whose data fits the same level.
	BandwidthCurve []BandwidthPoint
}

// BandwidthPoint is the read bandwidth of one core over a buffer of Bytes.
type BandwidthPoint struct {
	Bytes int
	GBps  float64
}

func describeMachine(quick bool) Machine {
	c := cpuid.CPU
	m := Machine{
		CPU: strings.TrimSpace(c.BrandName), PhysicalCores: c.PhysicalCores, LogicalCore: c.LogicalCores,
		Tier: startTier, TierWarning: kernels.ISAWarning(), Usable: usableTiers(),
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, GOMAXPROCS: runtime.GOMAXPROCS(0),
		PeakGFLOPS: map[string]map[string]float64{},
	}
	for _, f := range []cpuid.FeatureID{cpuid.SSE2, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F,
		cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.ASIMD, cpuid.SVE} {
		if c.Supports(f) {
			m.Features = append(m.Features, f.String())
		}
	}
	for _, t := range m.Usable {
		for _, prec := range []string{"float64", "float32"} {
			if g, ok := peakFMA(t, prec, quick); ok {
				if m.PeakGFLOPS[t] == nil {
					m.PeakGFLOPS[t] = map[string]float64{}
				}
				m.PeakGFLOPS[t][prec] = g
			}
		}
	}
	m.BandwidthOne, m.BandwidthAll = bandwidth(quick)
	for _, kb := range []int{16, 128, 1024, 8 << 10, 32 << 10} {
		m.BandwidthCurve = append(m.BandwidthCurve, BandwidthPoint{kb << 10, cachedBandwidth(kb<<10, quick)})
	}
	m.BandwidthCurve = append(m.BandwidthCurve, BandwidthPoint{256 << 20, m.BandwidthOne})
	return m
}

// cachedBandwidth is the read rate of Sum over a buffer of the given size,
// read again and again, so that it stays in whichever cache level holds it.
func cachedBandwidth(bytes int, quick bool) float64 {
	buf := make([]float64, bytes/8)
	for i := range buf {
		buf[i] = 1
	}
	f := func() { sink64 = kernels.Sum(buf) }
	d := 20 * time.Millisecond
	if quick {
		d = 3 * time.Millisecond
	}
	iters := calibrate(f, d)
	best := 0.0
	for range 3 {
		best = max(best, float64(bytes)/timeOp(f, iters))
	}
	return best
}

// bandwidth streams a buffer far larger than any cache through Sum, our
// fastest read kernel, on one goroutine and then on one per core.
func bandwidth(quick bool) (one, all float64) {
	const total = 256 << 20 / 8 // float64s
	n := total
	if quick {
		n = total / 4
	}
	buf := make([]float64, n)
	for i := range buf {
		buf[i] = 1
	}
	best := func(f func()) float64 {
		b := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			f()
			b = min(b, time.Since(start))
		}
		return float64(8*n) / float64(b.Nanoseconds())
	}
	one = best(func() { sink64 = kernels.Sum(buf) })
	p := runtime.GOMAXPROCS(0)
	all = best(func() {
		var wg sync.WaitGroup
		part := n / p
		for i := range p {
			wg.Go(func() { kernels.Sum(buf[i*part : (i+1)*part]) })
		}
		wg.Wait()
	})
	return one, all
}
