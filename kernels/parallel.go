package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
// call stays on the caller's goroutine.
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

// A parJob is one parallel call: parts of [0, n), each a multiple of grain
// long but the last, taken in turn by the caller and up to helpers others.
type parJob struct {
	f                       func(lo, hi int)
	n, grain, grains, parts int
	helpers                 int64
	next, seats, pending    atomic.Int64
	done                    chan struct{} // closed when the last part ends
}

// work runs parts of j until none is left.
func (j *parJob) work() {
	for {
		p := int(j.next.Add(1)) - 1
		if p >= j.parts {
			return
		}
		// Part p is grains p/parts .. (p+1)/parts of the whole.
		j.f(j.grains*p/j.parts*j.grain, min(j.n, j.grains*(p+1)/j.parts*j.grain))
		if j.pending.Add(-1) == 0 {
			close(j.done)
		}
	}
}

// The helper goroutines of parallel calls. A helper that finishes its part
// spins for helperSpin waiting for the next call before it parks: waking a
// parked thread took 50-400 µs here (a virtual machine), as long as a
// whole medium-sized call, during which the caller did every part alone.
// Calls in a loop thus find their helpers awake, at the price of up to
// helperSpin of one core per helper after each call. The caller, in turn,
// blocks (after a short spin) while it waits for the helpers' last parts.
var helpers struct {
	mu      sync.Mutex
	started int
	job     atomic.Pointer[parJob]
	gen     atomic.Uint64
	parked  atomic.Int64
	wake    chan struct{}
}

const helperSpin = 100 * time.Microsecond

// startHelpers makes sure n helpers exist.
func startHelpers(n int) {
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	if helpers.wake == nil {
		helpers.wake = make(chan struct{}, 1024)
	}
	for ; helpers.started < n; helpers.started++ {
		go helper()
	}
}

func helper() {
	var seen uint64
	for {
		spinUntil := time.Now().Add(helperSpin)
		for i := 0; helpers.gen.Load() == seen; i++ {
			if i%64 != 63 {
				continue
			}
			if time.Now().After(spinUntil) {
				helpers.parked.Add(1)
				if helpers.gen.Load() == seen {
					<-helpers.wake
				}
				helpers.parked.Add(-1)
				spinUntil = time.Now().Add(helperSpin)
			}
			runtime.Gosched()
		}
		seen = helpers.gen.Load()
		if j := helpers.job.Load(); j != nil && j.seats.Add(1) <= j.helpers {
			j.work()
		}
	}
}

// parallel splits [0, n) into contiguous parts, each a multiple of grain
// long but the last, and runs f on each from up to workers goroutines (the
// caller and workers-1 helpers). There are up to perWorker parts per
// goroutine, taken in turn, so that a goroutine on a slower (shared) core
// does less of the work. It returns when all are done. The parallel path
// allocates the job and the closure f; the serial path allocates nothing.
func parallel(workers, perWorker, n, grain int, f func(lo, hi int)) {
	grains := (n + grain - 1) / grain
	workers = min(workers, grains)
	if workers <= 1 {
		f(0, n)
		return
	}
	j := &parJob{f: f, n: n, grain: grain, grains: grains, parts: min(grains, perWorker*workers),
		helpers: int64(workers - 1), done: make(chan struct{})}
	j.pending.Store(int64(j.parts))
	if !helpers.job.CompareAndSwap(nil, j) {
		// Another call has the helpers: use fresh goroutines.
		var wg sync.WaitGroup
		for range workers - 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j.seats.Add(1)
				j.work()
			}()
		}
		j.work()
		<-j.done
		wg.Wait()
		return
	}
	startHelpers(workers - 1)
	helpers.gen.Add(1)
	for k := helpers.parked.Load(); k > 0; k-- {
		select {
		case helpers.wake <- struct{}{}:
		default:
		}
	}
	j.work()
	// Wait for the helpers' last parts: spin for up to helperSpin (yielding
	// now and then), then block. A blocked caller is woken late: its thread
	// has gone to sleep, and the wake-up takes about as long as the helper
	// waking does (see above). Spinning for a few microseconds only, MatTVecs
	// float64 n = 256 batch 256 ran 1.60-1.64x faster on two workers than on
	// one; spinning for up to 100 µs, 1.72-1.74x (Zen 5, 2 cores, windows
	// where no other process ran). A caller that must wait longer than that
	// still blocks, so on a busy machine it does not keep the core a helper
	// needs for long.
	var spinUntil time.Time
	for i := 1; j.pending.Load() > 0; i++ {
		if i%64 != 0 {
			continue
		}
		if spinUntil.IsZero() {
			spinUntil = time.Now().Add(helperSpin)
		} else if time.Now().After(spinUntil) {
			break
		}
		runtime.Gosched()
	}
	<-j.done
	helpers.job.Store(nil)
}
