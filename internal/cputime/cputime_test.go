package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestThreadCountsWork checks that busy work advances the thread's clock
// and that sleeping does not (by much).
func TestThreadCountsWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0, ok := Thread()
	if !ok {
		t.Skip("this OS does not report thread CPU time")
	}
	time.Sleep(50 * time.Millisecond)
	c1, _ := Thread()
	if c1 < c0 {
		t.Fatalf("thread CPU time went back: %v then %v", c0, c1)
	}
	if slept := c1 - c0; slept > 25*time.Millisecond {
		t.Fatalf("a 50 ms sleep used %v of CPU time", slept)
	}
	// Busy work until the clock shows 5 ms of it: on a loaded machine the
	// thread may get a small share of the wall time, but it gets 5 ms
	// within seconds unless the clock does not count its work.
	start := time.Now()
	x := 1.0
	for {
		for range 1000 {
			x = x*1.0000001 + 1e-9
		}
		c2, _ := Thread()
		if c2-c1 >= 5*time.Millisecond {
			break
		}
		if wall := time.Since(start); wall > 10*time.Second {
			t.Fatalf("%v of busy work (wall) used %v of CPU time (x = %v)", wall, c2-c1, x)
		}
	}
}

// TestProcessCountsOtherGoroutines checks that work on another goroutine
// advances the process clock by at least what that goroutine's thread
// clock shows. The work runs until its thread has 10 ms of CPU time, not
// for a wall time: on a loaded machine 30 ms of wall time gave the
// goroutine under 5 ms of CPU, and the test failed for want of work.
func TestProcessCountsOtherGoroutines(t *testing.T) {
	p0, ok := Process()
	if !ok {
		t.Skip("this OS does not report process CPU time")
	}
	type result struct {
		used time.Duration
		x    float64
		ok   bool
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c0, ok := Thread()
		start := time.Now()
		x, used := 1.0, time.Duration(0)
		for ok && used < 10*time.Millisecond && time.Since(start) < 10*time.Second {
			for range 1000 {
				x = x*1.0000001 + 1e-9
			}
			c1, _ := Thread()
			used = c1 - c0
		}
		done <- result{used, x, ok}
	}()
	r := <-done
	p1, _ := Process()
	if !r.ok {
		t.Skip("this OS does not report thread CPU time")
	}
	if r.used < 10*time.Millisecond {
		t.Fatalf("10 s of busy work (wall) used %v of its thread's CPU time (x = %v)", r.used, r.x)
	}
	if busy := p1 - p0; busy < r.used {
		t.Fatalf("work on another goroutine used %v of its thread's CPU time but advanced the process clock by %v (x = %v)", r.used, busy, r.x)
	}
}
