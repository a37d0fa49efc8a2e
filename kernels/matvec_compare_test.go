//go:build openblas && cgo && linux

package kernels

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestCompareOpenBLAS prints GFLOP/s of our best tier on one goroutine and
// of single-threaded OpenBLAS, interleaved, the best of several rounds, and
// the speedup of two workers over one. On a machine shared with other work
// a wall clock mostly measures the other work, so the single-core figures
// use the CPU time of the (locked) thread; the two-worker figure needs a
// wall clock and thus a quiet machine.
//
//	FLOWKERN_COMPARE=1 go test -tags openblas -run CompareOpenBLAS -v ./kernels/
//	FLOWKERN_COMPARE='mv,64,1024,256;ao,32,256,4096' go test -tags openblas -run CompareOpenBLAS -v ./kernels/
//
// Each case is kernel (mv MatVecs, mt MatTVecs, ao AddOuters), precision
// (64, 32), n = m and batch.
func TestCompareOpenBLAS(t *testing.T) {
	spec := os.Getenv("FLOWKERN_COMPARE")
	if spec == "" {
		t.Skip("set FLOWKERN_COMPARE=1 (or a list of cases) to run")
	}
	if spec == "1" {
		var cs []string
		for _, k := range []string{"mv", "mt", "ao"} {
			for _, p := range []string{"64", "32"} {
				for _, n := range []int{64, 256, 1024} {
					for _, b := range []int{1, 64, 256, 4096} {
						cs = append(cs, fmt.Sprintf("%s,%s,%d,%d", k, p, n, b))
					}
				}
			}
		}
		spec = strings.Join(cs, ";")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tiers := usableTiers()
	best := tiers[len(tiers)-1]
	fmt.Printf("%-18s %10s %10s %7s %12s %8s\n", "case", "ours", "openblas", "ratio", "ours 2 cores", "speedup")
	for _, c := range strings.Split(spec, ";") {
		f := strings.Split(c, ",")
		if len(f) != 4 {
			t.Fatalf("case %q: want kernel,precision,n,batch", c)
		}
		n, _ := strconv.Atoi(f[2])
		nb, _ := strconv.Atoi(f[3])
		var mb matBench
		switch f[0] + f[1] {
		case "mv64":
			mb = matVecsBench[float64](n, nb)
		case "mv32":
			mb = matVecsBench[float32](n, nb)
		case "mt64":
			mb = matTVecsBench[float64](n, nb)
		case "mt32":
			mb = matTVecsBench[float32](n, nb)
		case "ao64":
			mb = addOutersBench[float64](n, nb)
		case "ao32":
			mb = addOutersBench[float32](n, nb)
		default:
			t.Fatalf("case %q: unknown kernel or precision", c)
		}
		flops := 2 * float64(n) * float64(n) * float64(nb)
		// rate runs f until clock says 20 ms passed and returns GFLOP/s.
		rate := func(clock func() float64, f func()) float64 {
			for reps := 1; ; reps *= 2 {
				st := clock()
				for range reps {
					f()
				}
				if el := clock() - st; el > 0.02 {
					return flops * float64(reps) / el / 1e9
				}
			}
		}
		var ours, ob, one, two float64
		for range 5 {
			ours = max(ours, rate(threadSeconds, func() { mb.run(best, 1) }))
			ob = max(ob, rate(threadSeconds, mb.openblas))
		}
		if nb >= 64 && n >= 256 {
			for range 5 {
				one = max(one, rate(wallSeconds, func() { mb.run(best, 1) }))
				two = max(two, rate(wallSeconds, func() { mb.run(best, 2) }))
			}
		}
		line := fmt.Sprintf("%-18s %10.1f %10.1f %7.2f", c, ours, ob, ours/ob)
		if two > 0 {
			line += fmt.Sprintf(" %12.1f %8.2f", two, two/one)
		}
		fmt.Println(line)
	}
}

// threadSeconds is the CPU time of the calling thread, from
// CLOCK_THREAD_CPUTIME_ID (getrusage counts it in scheduler ticks of 4 ms).
func threadSeconds() float64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return float64(ts.Sec) + float64(ts.Nsec)*1e-9
}

var wallStart = time.Now()

func wallSeconds() float64 { return time.Since(wallStart).Seconds() }
