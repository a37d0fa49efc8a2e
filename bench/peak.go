package main

import "time"

// peakLoop is an assembly loop of iters iterations doing flopsPerIter flops
// on registers only.
type peakLoop struct {
	run          func(iters int)
	flopsPerIter int
}

// timePeak returns the best GFLOP/s of three runs of about d each.
func timePeak(p peakLoop, quick bool) float64 {
	d := 30 * time.Millisecond
	if quick {
		d = 5 * time.Millisecond
	}
	iters := 1 << 10
	for {
		start := time.Now()
		p.run(iters)
		if el := time.Since(start); el >= d || iters > 1<<40 {
			break
		}
		iters *= 2
	}
	best := 0.0
	for range 3 {
		start := time.Now()
		p.run(iters)
		best = max(best, float64(iters*p.flopsPerIter)/float64(time.Since(start).Nanoseconds()))
	}
	return best
}
