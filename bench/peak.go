package main

import (
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/flowkern/flowkern/internal/cputime"
)

// peakLoop is an assembly loop of iters iterations doing flopsPerIter flops
// on registers only.
type peakLoop struct {
	run          func(iters int)
	flopsPerIter int
}

// A Probe is one of the machine's limits (a peak or a bandwidth) measured
// like the benchmarks, by CPU time, over runs repeated until the best of
// them stops improving. Rates are in GFLOP/s or GB/s.
type Probe struct {
	Best, Median, Worst float64
	Runs                int
	// Stable is false when the time cap, not the stopping rule, ended
	// the runs: the best may still be low.
	Stable bool
}

// Spread is (best - worst) / median, the same measure as a benchmark's.
func (p Probe) Spread() float64 {
	if p.Median == 0 {
		return 0
	}
	return (p.Best - p.Worst) / p.Median
}

// The stopping rule of a probe: at least 2*stableK runs, then stop as soon
// as the best of the last stableK runs is no more than stableGain above the
// best of all runs before them; or when the wall-clock cap (which on a busy
// machine passes faster than the CPU time) is reached.
const (
	stableK    = 8
	stableGain = 0.01
	maxRuns    = 400
)

// probeBudget is the wall-clock cap of one probe and probeRun the CPU time
// of one of its runs: short runs, so that some of them fall between the
// other work of a shared machine.
func probeBudget(quick bool) (budget, run time.Duration) {
	if quick {
		return 150 * time.Millisecond, time.Millisecond
	}
	return 800 * time.Millisecond, 2 * time.Millisecond
}

// stableRate calls run, which returns one rate, until the stopping rule
// holds or budget has passed.
func stableRate(run func() float64, budget time.Duration) Probe {
	start := time.Now()
	var rates []float64
	stable := false
	for len(rates) < maxRuns {
		rates = append(rates, run())
		if n := len(rates); n >= 2*stableK {
			before := slices.Max(rates[:n-stableK])
			if slices.Max(rates[n-stableK:]) <= before*(1+stableGain) {
				stable = true
				break
			}
		}
		if time.Since(start) > budget {
			break
		}
	}
	s := slices.Clone(rates)
	slices.Sort(s)
	return Probe{Best: s[len(s)-1], Median: s[len(s)/2], Worst: s[0], Runs: len(s), Stable: stable}
}

// threadClock returns a clock of the calling goroutine's CPU time, which
// must stay locked to its thread while it is used; the wall clock where the
// OS does not tell.
func threadClock() func() time.Duration {
	if _, ok := cputime.Thread(); ok {
		return func() time.Duration { d, _ := cputime.Thread(); return d }
	}
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

// timePeak returns the FMA peak of p in GFLOP/s on one core, by the CPU time
// of the calling thread.
func timePeak(p peakLoop, quick bool) Probe {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	clock := threadClock()
	budget, target := probeBudget(quick)
	iters, took := 1<<10, time.Duration(0)
	for iters < math.MaxInt/4 {
		c0 := clock()
		p.run(iters)
		if took = clock() - c0; took >= target/4 {
			break
		}
		iters *= 2
	}
	iters = max(1, int(float64(iters)*float64(target)/float64(max(took, 1))))
	return stableRate(func() float64 {
		c0 := clock()
		p.run(iters)
		return float64(iters) * float64(p.flopsPerIter) / float64(max(clock()-c0, 1))
	}, budget)
}
