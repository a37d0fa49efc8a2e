// Package testkit is the test support shared by the kernel tests: a runner
// that repeats a test on every tier, NaN-guarded slices, bit and ulp
// comparisons, and seeded random inputs.
package testkit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/cputime"
)

// Float is the element type of every kernel.
type Float interface{ float32 | float64 }

// ForEachTier runs f once per tier as a subtest named after it. A tier this
// CPU cannot run, or this build does not contain, is skipped with the reason,
// so `go test -v` shows what was not tested.
func ForEachTier(t *testing.T, built func(cpu.Tier) bool, f func(t *testing.T, tier cpu.Tier)) {
	t.Helper()
	for _, tier := range cpu.Tiers {
		t.Run(tier.String(), func(t *testing.T) {
			if ok, why := cpu.Supported(tier); !ok {
				t.Skipf("tier %s skipped: %s", tier, why)
			}
			if !built(tier) {
				t.Skipf("tier %s skipped: not in this build (purego or noasm tag)", tier)
			}
			f(t, tier)
		})
	}
}

// GuardLen is the number of guard elements on each side of a Guarded slice.
const GuardLen = 16

// Guard bit patterns: quiet NaNs with a payload no kernel produces, so a read
// past the end poisons a result and a write past the end is seen.
const (
	guard64 = 0x7ff8_dead_beef_0001
	guard32 = 0x7fc0_dea1
)

// Guarded is a slice of n elements starting off elements into its
// allocation, with GuardLen NaN guards before and after it in the same
// allocation.
type Guarded[T Float] struct {
	buf    []T
	off, n int
}

// NewGuarded returns a guarded slice of n zeros at element offset off.
func NewGuarded[T Float](n, off int) *Guarded[T] {
	g := &Guarded[T]{buf: make([]T, off+n+2*GuardLen), off: off + GuardLen, n: n}
	for i := range g.buf {
		if i < g.off || i >= g.off+n {
			g.buf[i] = guardValue[T]()
		}
	}
	return g
}

// S returns the guarded slice; its capacity ends at its length.
func (g *Guarded[T]) S() []T { return g.buf[g.off : g.off+g.n : g.off+g.n] }

// Check reports a guard that is no longer intact.
func (g *Guarded[T]) Check() error {
	want := guardValue[T]()
	for i, v := range g.buf {
		if (i < g.off || i >= g.off+g.n) && Bits(v) != Bits(want) {
			return fmt.Errorf("guard %d elements from the slice start (len %d) overwritten with %v",
				i-g.off, g.n, v)
		}
	}
	return nil
}

func guardValue[T Float]() T {
	var z T
	if _, ok := any(z).(float32); ok {
		return T(math.Float32frombits(guard32))
	}
	return T(math.Float64frombits(guard64))
}

// Bits returns the IEEE bits of v, widened to 64 bits.
func Bits[T Float](v T) uint64 {
	if f, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(v))
}

// Same reports whether a and b have the same bits, counting any two NaNs as
// the same (payloads differ between instruction sets).
func Same[T Float](a, b T) bool {
	if a != a && b != b {
		return true
	}
	return Bits(a) == Bits(b)
}

// FirstDiff returns the first index where got and want are not Same, or -1.
func FirstDiff[T Float](got, want []T) int {
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	for i := range got {
		if !Same(got[i], want[i]) {
			return i
		}
	}
	return -1
}

// ULP returns the number of representable T values between a and b (0 when
// they are equal or both NaN; the maximum when only one is NaN).
func ULP[T Float](a, b T) uint64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxUint64
	}
	if a == b {
		return 0
	}
	oa, ob := ordered(a), ordered(b)
	if oa > ob {
		return uint64(oa - ob)
	}
	return uint64(ob - oa)
}

// ordered maps floats to integers monotonically, -0 and +0 both to 0.
func ordered[T Float](v T) int64 {
	if f, ok := any(v).(float32); ok {
		b := int64(math.Float32bits(f))
		if b&(1<<31) != 0 {
			return -(b &^ (1 << 31))
		}
		return b
	}
	b := int64(math.Float64bits(float64(v)))
	if b < 0 {
		return -(b & math.MaxInt64)
	}
	return b
}

// Specials are the values every kernel meets in its special-value tests.
func Specials[T Float]() []T {
	inf := math.Inf(1)
	v := []T{0, T(math.Copysign(0, -1)), 1, -1, T(inf), T(-inf), T(math.NaN()), 0.5, -2}
	var z T
	if _, ok := any(z).(float32); ok {
		return append(v, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
			math.MaxFloat32, -math.MaxFloat32, 1.1754942e-38)
	}
	tiny, huge := math.SmallestNonzeroFloat64, math.MaxFloat64
	return append(v, T(tiny), T(-tiny), T(huge), T(-huge), T(2.2250738585072009e-308))
}

// Fill sets s to seeded random values: mostly of order one with random
// signs, a few of wide range, so that rounding differences show.
func Fill[T Float](r *rand.Rand, s []T) {
	for i := range s {
		v := r.NormFloat64()
		if r.IntN(16) == 0 {
			v *= math.Ldexp(1, r.IntN(40)-20)
		}
		s[i] = T(v)
	}
}

// NewRand returns a deterministic generator for seed.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// CPUTime locks the benchmark's goroutine to its thread and returns the
// function that reports the thread's CPU time per op as cpu-ns/op (call it
// after the b.Loop loop, e.g. defer CPUTime(b)() just before the loop). On a
// shared machine it leaves out the time spent waiting behind other
// processes, which ns/op counts. Work on other goroutines is not counted.
func CPUTime(b *testing.B) (report func()) { return CPUTimeFlops(b, 0) }

// CPUTimeFlops is CPUTime for an op of flops floating-point operations: it
// also reports cpu-GFLOP/s (none when flops is 0).
func CPUTimeFlops(b *testing.B, flops float64) (report func()) {
	runtime.LockOSThread()
	c0, ok := cputime.Thread()
	return func() {
		c1, ok1 := cputime.Thread()
		runtime.UnlockOSThread()
		reportCPU(b, c1-c0, ok && ok1, flops)
	}
}

// ProcessCPUTime returns the function that reports the CPU time of the
// whole process per op as cpu-ns/op, and cpu-GFLOP/s for an op of flops
// floating-point operations (none when flops is 0). It is the clock for
// work spread over goroutines (a parallel kernel call, gonum's Dgemm, a
// sampler's chains): it counts every goroutine of the process, and on a
// shared machine leaves out the time spent waiting behind other processes.
func ProcessCPUTime(b *testing.B, flops float64) (report func()) {
	c0, ok := cputime.Process()
	return func() {
		c1, ok1 := cputime.Process()
		reportCPU(b, c1-c0, ok && ok1, flops)
	}
}

func reportCPU(b *testing.B, d time.Duration, ok bool, flops float64) {
	if !ok || b.N <= 0 || d <= 0 {
		return
	}
	b.ReportMetric(float64(d)/float64(b.N), "cpu-ns/op")
	if flops > 0 {
		b.ReportMetric(flops*float64(b.N)/float64(d), "cpu-GFLOP/s")
	}
}

// SkipAllocCountsUnderRace skips an allocation-count test when the race
// detector is on: it makes sync.Pool drop items on purpose, so the pooled
// scratch space of the kernels is allocated again and the counts say
// nothing about normal builds.
func SkipAllocCountsUnderRace(t testing.TB) {
	if Race {
		t.Skip("allocation counts mean nothing under the race detector (sync.Pool drops items)")
	}
}
