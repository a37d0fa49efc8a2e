package main

import (
	"runtime"
	"slices"
	"time"

	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
)

// Result is one implementation of one kernel case at one size.
type Result struct {
	Kernel, Prec, Impl string
	N                  int
	Flops, Bytes       int       // per call
	Written            int       // of Bytes, stored (the rest is loaded)
	Times              []float64 // ns per call, one per repetition
	NsPerOp            float64   // median
	Spread             float64   // (max-min)/median
	GFLOPS             float64   // at the median (Gelem/s when Unit says so)
	Unit               string    // "GFLOP/s" or "Gelem/s"
}

// contestant is one implementation: prepare switches to it (our tiers share
// one closure and differ in the tier SetISA selects).
type contestant struct {
	name    string
	prepare func() error
	make    maker
}

// turnTime is the length of a round of turns within a repetition, and
// minTurnCalls the fewest calls in a turn.
const turnTime = time.Millisecond

const minTurnCalls = 16

// timeOp returns the nanoseconds per call of f, run iters times.
func timeOp(f func(), iters int) float64 {
	start := time.Now()
	for range iters {
		f()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(iters)
}

// cpuTimeOp is timeOp by the CPU time of the whole process, which on a
// shared machine leaves out the time spent waiting behind other processes
// and, unlike the calling thread's, counts the goroutines a contestant
// starts (gonum's Dgemm does); by the wall clock where the OS does not
// tell.
func cpuTimeOp(f func(), iters int) float64 {
	c0, ok := cputime.Process()
	if !ok {
		return timeOp(f, iters)
	}
	for range iters {
		f()
	}
	c1, _ := cputime.Process()
	return float64(c1-c0) / float64(iters)
}

// calibrate finds how many calls of f take about d.
func calibrate(f func(), d time.Duration) int {
	iters := 1
	for {
		start := time.Now()
		for range iters {
			f()
		}
		el := time.Since(start)
		if el >= d/2 || iters >= 1<<30 {
			return max(1, int(float64(iters)*float64(d)/float64(max(el, 1))))
		}
		iters *= 4
	}
}

func selectCases(opt options) []kernelCase {
	var todo []kernelCase
	for _, c := range cases() {
		if opt.run.MatchString(c.kernel) {
			todo = append(todo, c)
		}
	}
	return todo
}

func measureAll(opt options, todo []kernelCase, progress *progress) ([]Result, error) {
	// Every contestant on one core: gonum's Dgemm would otherwise spread
	// over the others, which the process's CPU time would count but the
	// comparison with our one-core kernels should not. Our kernels get one
	// worker here, not around each call: two atomic swaps a call took 12%
	// of a 16 x 16 AddOuters (docs/perf-notes.md).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	var all []Result
	total, done := 0, 0
	for _, c := range todo {
		total += len(opt.sizesFor(c))
	}
	noop := func() error { return nil }
	for _, c := range todo {
		var cs []contestant
		for _, p := range c.peers {
			cs = append(cs, contestant{p.name, noop, p.make})
		}
		for _, t := range usableTiers() {
			cs = append(cs, contestant{t, func() error { return kernels.SetISA(t) }, c.ours})
		}
		for _, n := range opt.sizesFor(c) {
			done++
			progress.step("benchmarks: [%d/%d] %s %s n=%d", done, total, c.kernel, c.prec, n)
			rs, err := measureCase(c, n, cs, opt)
			if err != nil {
				return nil, err
			}
			all = append(all, rs...)
		}
	}
	progress.done()
	return all, kernels.SetISA(startTier)
}

// measureCase interleaves the contestants within each repetition: a
// repetition gives every contestant opt.measure in all, in rounds of about
// turnTime each, so that a machine whose speed changes from second to
// second (a shared VM's moved by up to 2x) slows every contestant of a
// repetition alike. With a whole repetition per turn (40 ms), the ratios of
// one run on such a host were off by up to 1.5x from those of short turns
// (docs/perf-notes.md). A contestant's turn takes at least minTurnCalls
// calls (one with fewer calls in all takes fewer turns, spread over the
// rounds) and, when it takes more than one, starts with an untimed call:
// its data are then back in the caches from which the others' turns took
// them (an 8 MiB MatTVecs among four contestants ran 2.3x slower without).
// A call as long as a round or longer is a turn of its own, without the
// untimed call (which would double the time of the longest cases): a
// 40 ms turn of a few such calls let MatVecs float64 1024 x 1024 batch 256
// read 0.70x OpenBLAS where blocks in one process gave 0.95x.
func measureCase(c kernelCase, n int, cs []contestant, opt options) ([]Result, error) {
	fs := make([]func(), len(cs))
	iters := make([]int, len(cs))
	times := make([][]float64, len(cs))
	for i, ct := range cs {
		if err := ct.prepare(); err != nil {
			return nil, err
		}
		fs[i] = ct.make(n)
		iters[i] = calibrate(fs[i], opt.measure)
	}
	// at[r][i]: contestant i takes a turn in round r. Its T turns are
	// spread evenly, centred: the j-th in round (2j+1)R/2T.
	rounds := max(1, int(opt.measure/turnTime))
	at := make([][]bool, rounds)
	for r := range at {
		at[r] = make([]bool, len(cs))
	}
	turns := make([]int, len(cs))
	for i := range cs {
		turns[i] = max(1, min(rounds, iters[i]/minTurnCalls))
		if iters[i] <= rounds {
			turns[i] = iters[i] // calls of a round or longer: one a turn
		}
		for j := range turns[i] {
			at[(2*j+1)*rounds/(2*turns[i])][i] = true
		}
	}
	for range opt.reps {
		ns := make([]float64, len(cs))
		calls := make([]int, len(cs))
		for r := range rounds {
			for i, ct := range cs {
				if !at[r][i] {
					continue
				}
				if err := ct.prepare(); err != nil {
					return nil, err
				}
				if turns[i] > 1 && iters[i] > rounds {
					fs[i]()
				}
				k := max(1, iters[i]/turns[i])
				ns[i] += cpuTimeOp(fs[i], k) * float64(k)
				calls[i] += k
			}
		}
		for i := range cs {
			times[i] = append(times[i], ns[i]/float64(calls[i]))
		}
	}
	flops, bytes := c.work(n)
	written := 0
	if c.written != nil {
		written = c.written(n)
	}
	var rs []Result
	for i, ct := range cs {
		ts := slices.Clone(times[i])
		slices.Sort(ts)
		med := ts[len(ts)/2]
		unit := "GFLOP/s"
		if c.elems {
			unit = "Gelem/s"
		}
		rs = append(rs, Result{Kernel: c.kernel, Prec: c.prec, Impl: ct.name, N: n, Unit: unit,
			Flops: flops, Bytes: bytes, Written: written, Times: times[i], NsPerOp: med,
			Spread: (ts[len(ts)-1] - ts[0]) / med, GFLOPS: float64(flops) / med})
	}
	return rs, nil
}

// sizesFor returns the sizes to measure case c at: -sizes if given (and
// the case's sizes are lengths), else the case's own sizes, else the
// defaults.
func (opt options) sizesFor(c kernelCase) []int {
	switch {
	case opt.sizesSet && !c.side:
		return opt.sizes
	case opt.quick && c.quickSizes != nil:
		return c.quickSizes
	case c.sizes != nil:
		return c.sizes
	}
	return opt.sizes
}
