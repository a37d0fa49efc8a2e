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
	start                   time.Duration // clock() when the call was published
	next, seats, pending    atomic.Int64
	done                    chan struct{} // closed when the last part ends
}

// work runs parts of j until none is left, and returns how many it ran and
// how long they took (by clock when timed, else 0).
func (j *parJob) work(timed bool) (parts int, busy time.Duration) {
	for {
		p := int(j.next.Add(1)) - 1
		if p >= j.parts {
			return parts, busy
		}
		var t0 time.Duration
		if timed {
			t0 = clock()
		}
		// Part p is grains p/parts .. (p+1)/parts of the whole.
		j.f(j.grains*p/j.parts*j.grain, min(j.n, j.grains*(p+1)/j.parts*j.grain))
		if timed {
			busy += clock() - t0
		}
		parts++
		if j.pending.Add(-1) == 0 {
			close(j.done)
		}
	}
}

// epoch anchors clock, a cheap monotonic reading.
var epoch = time.Now()

func clock() time.Duration { return time.Since(epoch) }

// Whether a second worker pays is measured on every parallel call, not
// assumed. On a machine whose other cores run other processes, a helper may
// take a part and then wait for a core, and the caller, done with the
// rest, waits for that part: the second worker may not pay
// (docs/perf-notes.md). So the caller
// times its own parts, and a call whose wall time is not below
// splitGain times the serial time those parts predict counts as a loss:
// the parallel calls of the same shape in the next backoff (1 ms, doubling
// on every loss up to 128 ms, 0 after a gain) run on the caller alone.
// Shapes (n and grain) share a record only when they hash alike, so a
// small call that does not pay does not stop a large one that does. The
// results do not change: a split changes which goroutine computes an
// output, never how.
type splitRecord struct {
	serialUntil atomic.Int64 // clock() before which calls run serially
	backoff     atomic.Int64 // ns
}

var splits [16]splitRecord

// splitFor returns the record of calls splitting n in grains of grain.
func splitFor(n, grain int) *splitRecord {
	h := (uint64(n)*0x9e3779b97f4a7c15 + uint64(grain)) * 0xbf58476d1ce4e5b9
	return &splits[h>>60]
}

const (
	splitGain  = 0.95
	minBackoff = time.Millisecond
	maxBackoff = 128 * time.Millisecond
)

// judge records in s the outcome of a parallel call of wall time wall, in
// which the caller ran mine of parts parts in busy. A call whose helpers
// took no part (they were asleep, or had no core) cost the caller nothing
// but the wake-up, and counts neither way.
func judge(s *splitRecord, wall, busy time.Duration, mine, parts int) {
	if mine == 0 || mine == parts {
		return
	}
	if float64(wall) < splitGain*float64(busy)*float64(parts)/float64(mine) {
		if s.backoff.Load() != 0 {
			s.backoff.Store(0)
		}
		return
	}
	b := min(max(2*time.Duration(s.backoff.Load()), minBackoff), maxBackoff)
	s.backoff.Store(int64(b))
	s.serialUntil.Store(int64(clock() + b))
}

// The helper goroutines of parallel calls. A helper that finishes its part
// may spin waiting for the next call before it parks: waking a parked
// thread took 50-400 µs here (a virtual machine), as long as a whole
// medium-sized call, during which the caller did every part alone. It
// spins only while calls come that close together: helpers.gap follows
// the time from a helper's last part to the next call (an average of the
// last few), and a helper spins for 4 gaps, at least minSpin and at most
// helperSpin, or not at all when the gap is longer than helperSpin, where
// spinning would burn a core between calls for nothing (a model running
// other layers between two products). Each gap counts at most 2 helperSpin,
// so that after one long pause a few close calls bring the spinning back. The caller, in turn, blocks (after a
// short spin) while it waits for the helpers' last parts.
var helpers struct {
	mu      sync.Mutex
	started int
	job     atomic.Pointer[parJob]
	gen     atomic.Uint64
	parked  atomic.Int64
	gap     atomic.Int64 // ns
	wake    chan struct{}
}

const (
	helperSpin = 100 * time.Microsecond
	minSpin    = 10 * time.Microsecond
)

// helperSpinFor is how long a helper spins for the next call.
func helperSpinFor() time.Duration {
	g := time.Duration(helpers.gap.Load())
	if g > helperSpin {
		return 0
	}
	return min(helperSpin, max(4*g, minSpin))
}

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
	free := clock()
	for {
		spinUntil := free + helperSpinFor()
		for i := 0; helpers.gen.Load() == seen; i++ {
			if i%64 != 63 {
				continue
			}
			if clock() > spinUntil {
				helpers.parked.Add(1)
				if helpers.gen.Load() == seen {
					<-helpers.wake
				}
				helpers.parked.Add(-1)
				spinUntil = clock() + helperSpinFor()
			}
			runtime.Gosched()
		}
		seen = helpers.gen.Load()
		if j := helpers.job.Load(); j != nil {
			// The gap this helper saw, from its last part to the call
			// (capped, so that one long pause is soon forgotten).
			if g := min(j.start-free, 2*helperSpin); g > 0 {
				old := helpers.gap.Load()
				helpers.gap.Store(old + (int64(g)-old)/4)
			}
			if j.seats.Add(1) <= j.helpers {
				j.work(false)
			}
		}
		free = clock()
	}
}

// parallel splits [0, n) into contiguous parts, each a multiple of grain
// long but the last, and runs f on each from up to workers goroutines (the
// caller and workers-1 helpers), or on the caller alone while the last
// parallel calls of its shape did not pay (see splitRecord). There are up to perWorker parts
// per goroutine, taken in turn, so that a goroutine on a slower (shared)
// core does less of the work. It returns when all are done. The parallel
// path allocates the job and the closure f; the serial path allocates
// nothing.
func parallel(workers, perWorker, n, grain int, f func(lo, hi int)) {
	grains := (n + grain - 1) / grain
	workers = min(workers, grains)
	if workers <= 1 {
		f(0, n)
		return
	}
	start, rec := clock(), splitFor(n, grain)
	if int64(start) < rec.serialUntil.Load() {
		f(0, n)
		return
	}
	j := &parJob{f: f, n: n, grain: grain, grains: grains, parts: min(grains, perWorker*workers),
		helpers: int64(workers - 1), start: start, done: make(chan struct{})}
	j.pending.Store(int64(j.parts))
	if !helpers.job.CompareAndSwap(nil, j) {
		// Another call has the helpers: use fresh goroutines.
		var wg sync.WaitGroup
		for range workers - 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j.seats.Add(1)
				j.work(false)
			}()
		}
		mine, busy := j.work(true)
		<-j.done
		judge(rec, clock()-start, busy, mine, j.parts)
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
	mine, busy := j.work(true)
	// Wait for the helpers' last parts: spin (yielding now and then) for up
	// to two of the caller's own parts, at most helperSpin, then block. A
	// blocked caller is woken late: its thread has gone to sleep, and the
	// wake-up takes about as long as the helper waking does (see above);
	// spinning that long gained two workers about a tenth of their speed-up
	// (docs/perf-notes.md). A helper that takes longer than two parts is not
	// running, and
	// the caller blocks so as not to keep a core that helper needs.
	if j.pending.Load() > 0 {
		wait := helperSpin
		if mine > 0 {
			wait = min(wait, 2*busy/time.Duration(mine))
		}
		spinUntil := clock() + wait
		for i := 1; j.pending.Load() > 0; i++ {
			if i%64 != 0 {
				continue
			}
			if clock() > spinUntil {
				break
			}
			runtime.Gosched()
		}
	}
	<-j.done
	helpers.job.Store(nil)
	judge(rec, clock()-start, busy, mine, j.parts)
}
