package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// maxWorkers is the cap set by SetMaxWorkers; 0 means GOMAXPROCS.
var maxWorkers atomic.Int64

// SetMaxWorkers caps the goroutines one kernel call may use at n (n <= 0
// means GOMAXPROCS, the default) and returns the previous cap. Results do
// not depend on it: parallel calls split outputs, never a reduction, and
// every output keeps its canonical order. It is safe to call at any time.
func SetMaxWorkers(n int) (previous int) {
	return int(maxWorkers.Swap(int64(max(n, 0))))
}

// parallelWork is the least work (multiply-adds) per goroutine: below it a
// call stays on the caller's goroutine, since starting and joining another
// costs a few microseconds.
var parallelWork = 1 << 18

// workersFor returns how many goroutines a call of work multiply-adds uses.
func workersFor(work int) int {
	if work < 2*parallelWork {
		return 1 // without asking GOMAXPROCS, which takes a lock
	}
	w := int(maxWorkers.Load())
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, work/parallelWork))
}

// parallel splits [0, n) into contiguous parts, each a multiple of grain
// long but the last, and runs f on each from up to workers goroutines (the
// caller's and workers-1 new ones). There are two parts per goroutine,
// taken in turn, so that a goroutine on a busy core does less of the work.
// It returns when all are done. The parallel path costs the goroutines and
// the closures (a few small allocations per call); the serial path
// allocates nothing.
func parallel(workers, n, grain int, f func(lo, hi int)) {
	grains := (n + grain - 1) / grain
	workers = min(workers, grains)
	if workers <= 1 {
		f(0, n)
		return
	}
	parts := min(grains, 2*workers)
	var next atomic.Int64
	run := func() {
		for {
			p := int(next.Add(1)) - 1
			if p >= parts {
				return
			}
			// Part p is grains p/parts .. (p+1)/parts of the whole.
			f(grains*p/parts*grain, min(n, grains*(p+1)/parts*grain))
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run()
		}()
	}
	run()
	wg.Wait()
}
