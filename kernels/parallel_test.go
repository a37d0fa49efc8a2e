package kernels

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/flowkern/flowkern/internal/cputime"
)

// BenchmarkParallelSplit compares one and two workers on MatVecs float64
// (n = m = 256, batch 256, the best tier), interleaved: each iteration runs
// a block of calls on one worker, then the same block on two, each block
// followed by a pause (1 ms) whose CPU time (helpers spinning after the
// last call) counts to the block. It reports per call the median over
// blocks of the wall time (wall-ns/1w, wall-ns/2w) and of the CPU time of
// the process (cpu-ns/1w, cpu-ns/2w), and wall-speedup, the median of
// wall(1w)/wall(2w) of each pair. With gap=serial, the caller runs the same
// product on one worker between two calls (a model's other layers), so
// helpers that spin for the next call burn CPU time no call uses.
//
//	go test -run '^$' -bench ParallelSplit -benchtime 20x ./kernels/
func BenchmarkParallelSplit(b *testing.B) {
	tiers := usableTiers()
	best := tiers[len(tiers)-1]
	const n, nb, block = 256, 256, 8
	w, x, y, _, _ := benchMatrices[float64](n, nb)
	W, X, Y := Matrix[float64]{n, n, w, n}, Matrix[float64]{nb, n, x, n}, Matrix[float64]{nb, n, y, n}
	for _, gap := range []bool{false, true} {
		b.Run(fmt.Sprintf("gap=%v", map[bool]string{false: "none", true: "serial"}[gap]), func(b *testing.B) {
			var wall, cpu [3][]float64
			var speedup []float64
			run := func(workers int) (w, c float64) {
				p0, _ := cputime.Process()
				t0 := time.Now()
				for range block {
					benchMatVecs(best, workers, Y, W, X, nil)
					if gap {
						benchMatVecs(best, 1, Y, W, X, nil)
					}
				}
				el := time.Since(t0)
				time.Sleep(time.Millisecond)
				p1, _ := cputime.Process()
				return float64(el.Nanoseconds()) / block, float64(p1-p0) / block
			}
			for b.Loop() {
				for _, wk := range []int{1, 2} {
					w, c := run(wk)
					wall[wk], cpu[wk] = append(wall[wk], w), append(cpu[wk], c)
				}
				speedup = append(speedup, wall[1][len(wall[1])-1]/wall[2][len(wall[2])-1])
			}
			med := func(s []float64) float64 { s = slices.Clone(s); slices.Sort(s); return s[len(s)/2] }
			b.ReportMetric(med(wall[1]), "wall-ns/1w")
			b.ReportMetric(med(wall[2]), "wall-ns/2w")
			b.ReportMetric(med(cpu[1]), "cpu-ns/1w")
			b.ReportMetric(med(cpu[2]), "cpu-ns/2w")
			b.ReportMetric(med(speedup), "wall-speedup")
		})
	}
}

// TestSplitBackoff checks the bookkeeping of split: a loss starts a serial
// back-off that doubles on the next loss, a call whose helpers took no part
// changes nothing, a gain ends the back-off, and during one a parallel call
// of that shape runs on the caller in one piece.
func TestSplitBackoff(t *testing.T) {
	s := splitFor(100, 1)
	defer s.serialUntil.Store(0)
	defer s.backoff.Store(0)
	s.serialUntil.Store(0)
	s.backoff.Store(0)
	ms := time.Millisecond
	judge(s, 10*ms, 4*ms, 4, 8) // predicted serial 8 ms: a loss
	if b := time.Duration(s.backoff.Load()); b != minBackoff {
		t.Fatalf("backoff after a loss = %v", b)
	}
	if until := time.Duration(s.serialUntil.Load()); until <= clock() {
		t.Fatalf("no serial back-off after a loss")
	}
	judge(s, 10*ms, 4*ms, 4, 8)
	if b := time.Duration(s.backoff.Load()); b != 2*minBackoff {
		t.Fatalf("backoff after two losses = %v", b)
	}
	var calls [][2]int
	parallel(2, 4, 100, 1, func(lo, hi int) { calls = append(calls, [2]int{lo, hi}) })
	if len(calls) != 1 || calls[0] != [2]int{0, 100} {
		t.Fatalf("a call during the back-off ran %v", calls)
	}
	judge(s, 10*ms, 10*ms, 8, 8) // the caller did every part: neither way
	if b := time.Duration(s.backoff.Load()); b != 2*minBackoff {
		t.Fatalf("backoff after a call without help = %v", b)
	}
	judge(s, 5*ms, 4*ms, 4, 8) // 5 ms against 8: a gain
	if b := s.backoff.Load(); b != 0 {
		t.Fatalf("backoff after a gain = %v", time.Duration(b))
	}
	for range 20 {
		judge(s, 10*ms, 4*ms, 4, 8)
	}
	if b := time.Duration(s.backoff.Load()); b != maxBackoff {
		t.Fatalf("backoff after many losses = %v", b)
	}
}
