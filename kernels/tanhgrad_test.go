package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestTanhGrad checks TanhGrad on every tier against internal/ref, bit for
// bit: every length and offset of the vector tests, special values at
// random places, in place on g and on y, guards intact.
func TestTanhGrad(t *testing.T) { forBoth(t, testTanhGrad[float64], testTanhGrad[float32]) }

func testTanhGrad[T Float](t *testing.T, tier cpu.Tier) {
	defer setTier(tier)()
	sp := tk.Specials[T]()
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			g, y, dst := c.gx.S(), c.gy.S(), c.gd.S()
			r := tk.NewRand(uint64(n + off))
			for i := range g {
				if r.IntN(8) == 0 {
					g[i] = sp[r.IntN(len(sp))]
				}
				if r.IntN(8) == 0 {
					y[i] = sp[r.IntN(len(sp))]
				}
			}
			g0, y0, want := clone(g), clone(y), make([]T, n)
			for i := range want {
				want[i] = ref.TanhGrad(g0[i], y0[i])
			}
			what := fmt.Sprintf("TanhGrad n=%d off=%d", n, off)
			TanhGrad(dst, g, y)
			sameSlice(t, what, dst, want)
			sameSlice(t, what+" g", g, g0)
			sameSlice(t, what+" y", y, y0)
			TanhGrad(g, g, y)
			sameSlice(t, what+" dst==g", g, want)
			TanhGrad(y, g0, y)
			sameSlice(t, what+" dst==y", y, want)
			c.checkGuards(t, what)
		}
	}
}

// TestTanhGradPanics: lengths that differ and shifted overlaps of dst
// panic; g and y may overlap in any way.
func TestTanhGradPanics(t *testing.T) {
	b := make([]float64, 9)
	for i := range b {
		b[i] = float64(i) / 8
	}
	want := make([]float64, 4)
	for i := range want {
		want[i] = ref.TanhGrad(b[i], b[i+1])
	}
	got := make([]float64, 4)
	TanhGrad(got, b[:4], b[1:5])
	sameSlice(t, "g, y shifted", got, want)
	if msg, want := panicMessage(func() { TanhGrad(b[:4], b[4:8], b[:3]) }), "kernels: TanhGrad: len(dst) = 4, len(g) = 4, len(y) = 3 differ"; msg != want {
		t.Errorf("lengths: panic %q, want %q", msg, want)
	}
	wantOverlapPanic(t, "dst shifted from g", func() { TanhGrad(b[1:5], b[:4], make([]float64, 4)) }, "TanhGrad", "dst", "g")
	wantOverlapPanic(t, "dst shifted from y", func() { TanhGrad(b[:4], make([]float64, 4), b[1:5]) }, "TanhGrad", "dst", "y")
}

// FuzzTanhGrad compares every usable tier with internal/ref on fuzzed bits,
// at fuzzed offsets between guards, also in place.
func FuzzTanhGrad(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzTanhGradT[float32](t, data, off)
		} else {
			fuzzTanhGradT[float64](t, data, off)
		}
	})
}

func fuzzTanhGradT[T Float](t *testing.T, data []byte, off uint8) {
	v := decode[T](data)
	g, y := v[:len(v)/2], v[len(v)/2:2*(len(v)/2)]
	want := make([]T, len(g))
	for i := range want {
		want[i] = ref.TanhGrad(g[i], y[i])
	}
	for _, tier := range usableTiers() {
		func() {
			defer setTier(tier)()
			gg, gy, gd := guarded(g, off), guarded(y, off/8), guarded(make([]T, len(g)), off/64)
			TanhGrad(gd.S(), gg.S(), gy.S())
			if i := tk.FirstDiff(gd.S(), want); i >= 0 {
				t.Fatalf("%s: n=%d: dst[%d] = %v, reference %v", tier, len(g), i, gd.S()[i], want[i])
			}
			TanhGrad(gg.S(), gg.S(), gy.S())
			if i := tk.FirstDiff(gg.S(), want); i >= 0 {
				t.Fatalf("%s: n=%d with dst == g: dst[%d] = %v, reference %v", tier, len(g), i, gg.S()[i], want[i])
			}
			checkGuards(t, tier, gg, gy, gd)
		}()
	}
}

// BenchmarkTanhGrad: the fused kernel against the three passes (Mul, Mul,
// Axpy) that models/nn ran before it, same bits.
func BenchmarkTanhGrad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("float64/n=%d", n), func(b *testing.B) { benchTanhGrad[float64](b, n) })
		b.Run(fmt.Sprintf("float32/n=%d", n), func(b *testing.B) { benchTanhGrad[float32](b, n) })
	}
}

func benchTanhGrad[T Float](b *testing.B, n int) {
	g, y, s := make([]T, n), make([]T, n), make([]T, n)
	r := tk.NewRand(1)
	tk.Fill(r, g)
	tk.Fill(r, y)
	for _, tier := range usableTiers() {
		b.Run(tier.String(), func(b *testing.B) {
			defer setTier(tier)()
			defer tk.CPUTimeFlops(b, float64(3*n))()
			for b.Loop() {
				TanhGrad(g, g, y)
			}
		})
		b.Run(tier.String()+"/3-pass", func(b *testing.B) {
			defer setTier(tier)()
			defer tk.CPUTimeFlops(b, float64(3*n))()
			for b.Loop() {
				Mul(s, g, y)
				Mul(s, s, y)
				Axpy(-1, s, g)
			}
		})
	}
}
