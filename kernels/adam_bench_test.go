package kernels

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/cputime"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkAdam: one Adam step over n parameters on every usable tier
// (generic is the pure-Go tier), and "goloop", the scalar float64 loop
// models/flow ran before it called Adam (float64 arithmetic, each product
// rounded on its own), as the baseline. Reports cpu-ns/op and
// cpu-elements/s (both by the thread's CPU time, so other load on the
// machine does not count) and elements/s by the wall clock; SetBytes
// counts the 7 streams (4 read, 3 written).
func BenchmarkAdam(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("float64/n=%d", n), func(b *testing.B) { benchAdam[float64](b, n) })
		b.Run(fmt.Sprintf("float32/n=%d", n), func(b *testing.B) { benchAdam[float32](b, n) })
	}
}

func benchAdam[T Float](b *testing.B, n int) {
	p, g, m, v := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
	r := tk.NewRand(1)
	tk.Fill(r, p)
	tk.Fill(r, g)
	c := NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 10)
	measure := func(b *testing.B, f func()) {
		var z T
		b.SetBytes(int64(7 * n * int(sizeOf(z))))
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c0, ok0 := cputime.Thread()
		for b.Loop() {
			f()
		}
		c1, ok1 := cputime.Thread()
		if ok0 && ok1 && c1 > c0 {
			b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(n)*float64(b.N)/(c1-c0).Seconds(), "cpu-elements/s")
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "elements/s")
	}
	b.Run("goloop", func(b *testing.B) { measure(b, func() { adamLoop(p, g, m, v, c) }) })
	for _, t := range usableTiers() {
		b.Run(t.String(), func(b *testing.B) { measure(b, func() { adamTier(t, p, g, m, v, c) }) })
	}
}

//go:noinline
func adamTier[T Float](t cpu.Tier, p, g, m, v []T, c AdamCoef) { adamOn(t, p, g, m, v, c) }

// adamLoop is the plain Go loop of the same step: float64 arithmetic
// whatever T, no fused operations (models/flow's adam before Adam).
//
//go:noinline
func adamLoop[T Float](p, g, m, v []T, c AdamCoef) {
	p, m, v = p[:len(g)], m[:len(g)], v[:len(g)]
	for i, gi := range g {
		gf := float64(gi)
		mi := T(float64(c.B1*float64(m[i])) + float64(c.A1*gf))
		vi := T(float64(c.B2*float64(v[i])) + float64(c.A2*float64(gf*gf)))
		m[i], v[i] = mi, vi
		upd := float64(c.Step*float64(mi)) / (math.Sqrt(float64(float64(vi)*c.IC2)) + c.Eps)
		p[i] = T(float64(float64(p[i])*c.Keep) - upd)
	}
}
