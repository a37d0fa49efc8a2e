package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The strips of the ziggurat must have equal areas, the top one included
// (its area closes the recursion: an error in r or v would show there).
func TestZigguratTables(t *testing.T) {
	var x [ref.ZigLayers + 1]float64
	for i := range ref.ZigLayers {
		x[i] = ref.Zig.X[i]
	}
	for i := 1; i < ref.ZigLayers; i++ {
		area := x[i] * ref.Zig.DF[i]
		if math.Abs(area/ref.ZigV-1) > 1e-9 {
			t.Fatalf("strip %d has area %v, want %v", i, area, ref.ZigV)
		}
	}
	if got := x[0] * ref.Zig.F[1]; math.Abs(got/ref.ZigV-1) > 1e-12 {
		t.Fatalf("bottom strip and tail: %v, want %v", got, ref.ZigV)
	}
}

// underCurve's squeeze decides as the exp does: wedge points of every layer,
// at random and within a few ulps of the curve, and at the wedges' corners.
func TestUnderCurve(t *testing.T) {
	r := tk.NewRand(4)
	check := func(i uint64, x, y float64) {
		t.Helper()
		if got, want := underCurve(i, x, y), y < ref.Exp64(-0.5*x*x); got != want {
			t.Fatalf("layer %d, x = %v, y = %v: underCurve %v, exp says %v", i, x, y, got, want)
		}
	}
	for i := uint64(1); i < ref.ZigLayers; i++ {
		lo := float64(int64(ref.Zig.K[i])) * ref.Zig.W[i] // the wedge's inner edge
		for range 2000 {
			x := lo + r.Float64()*(ref.Zig.X[i]-lo)
			check(i, x, ref.Zig.F[i]+r.Float64()*ref.Zig.DF[i])
			f := ref.Exp64(-0.5 * x * x)
			for k := -4; k <= 4; k++ {
				check(i, x, math.Float64frombits(uint64(int64(math.Float64bits(f))+int64(k))))
				check(i, x, f*(1+float64(k)*0x1p-41))
			}
		}
		for _, x := range []float64{lo, ref.Zig.X[i], math.Nextafter(ref.Zig.X[i], 0)} {
			for _, y := range []float64{ref.Zig.F[i], ref.Zig.F[i] + ref.Zig.DF[i], ref.Exp64(-0.5 * x * x)} {
				check(i, x, y)
			}
		}
	}
}

// checkNormals fills a guarded slice of n draws at element offset off on
// tier t and compares it, and the generator's state after, with ref.Normals.
func checkNormals(t *testing.T, tier cpu.Tier, seed, stream uint64, n, off int) {
	t.Helper()
	a, b := NewNormal(seed, stream), NewNormal(seed, stream)
	want := make([]float64, n)
	ref.Normals(&a.s, want)
	g := tk.NewGuarded[float64](n, off)
	fillNormal(tier, &b, g.S())
	if k := tk.FirstDiff(g.S(), want); k >= 0 {
		t.Fatalf("seed %d stream %d n %d: draw %d = %v, want %v", seed, stream, n, k, g.S()[k], want[k])
	}
	if err := g.Check(); err != nil {
		t.Fatalf("seed %d stream %d n %d offset %d: %v", seed, stream, n, off, err)
	}
	if a.s != b.s {
		t.Fatalf("seed %d stream %d n %d: state %#x after Fill, want %#x", seed, stream, n, b.s, a.s)
	}
}

// Every tier draws the reference's numbers: every length up to several
// vector blocks, for many streams (so draws that leave the fast path fall
// on every lane and at every distance from the end), alignment offsets,
// and fills longer than one kernel call.
func TestNormalTiers(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		for n := range 70 {
			for seed := range uint64(40) {
				checkNormals(t, tier, seed, uint64(n), n, int(seed%8))
			}
		}
		for _, n := range []int{1000, chunk - 1, chunk, chunk + 9, 3*chunk + 1} {
			checkNormals(t, tier, 7, uint64(n), n, 3)
		}
		// A stream cut into calls of any length gives the same numbers.
		a, b := NewNormal(2, 3), NewNormal(2, 3)
		want := make([]float64, 5000)
		ref.Normals(&a.s, want)
		got := make([]float64, 5000)
		for k, step := 0, 1; k < len(got); k, step = k+step, step%37+1 {
			fillNormal(tier, &b, got[k:min(len(got), k+step)])
		}
		if k := tk.FirstDiff(got, want); k >= 0 {
			t.Fatalf("cut stream: draw %d = %v, want %v", k, got[k], want[k])
		}
	})
}

// FuzzNormalFill: every usable tier draws what the scalar reference
// draws, for fuzzer-chosen streams, lengths and offsets.
func FuzzNormalFill(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint16(0), uint8(0))
	f.Add(uint64(1), uint64(2), uint16(100), uint8(3))
	f.Add(uint64(9), uint64(1<<40), uint16(4099), uint8(7))
	f.Fuzz(func(t *testing.T, seed, stream uint64, n uint16, off uint8) {
		for _, tier := range usableTiers() {
			checkNormals(t, tier, seed, stream, int(n), int(off%8))
		}
	})
}

// Moments of 4e6 draws against those of N(0,1), each within 5 standard
// errors: mean (se 1/sqrt(n)), variance (sqrt(2/n)), third moment
// (sqrt(15/n)), fourth (sqrt(96/n)), and the tail frequencies P(|z| > 1, 2,
// 3, ref.ZigR) against their binomial standard errors, which checks the strips,
// the wedges and the tail separately.
func TestNormalMoments(t *testing.T) {
	n := 4_000_000
	if testing.Short() {
		n = 1_000_000
	}
	g := NewNormal(1, 2)
	buf := make([]float64, 1000)
	var m [5]float64
	cuts := []float64{0.5, 1, 2, 3, ref.ZigR, 4}
	over := make([]float64, len(cuts))
	for done := 0; done < n; done += len(buf) {
		g.Fill(buf)
		for _, z := range buf {
			p := 1.0
			for k := 1; k <= 4; k++ {
				p *= z
				m[k] += p
			}
			for c, cut := range cuts {
				if math.Abs(z) > cut {
					over[c]++
				}
			}
		}
	}
	fn := float64(n)
	want := [5]float64{0, 0, 1, 0, 3}
	se := [5]float64{0, 1, math.Sqrt2, math.Sqrt(15), math.Sqrt(96)}
	for k := 1; k <= 4; k++ {
		if got := m[k] / fn; math.Abs(got-want[k]) > 5*se[k]/math.Sqrt(fn) {
			t.Errorf("moment %d = %v, want %v +- %v", k, got, want[k], 5*se[k]/math.Sqrt(fn))
		}
	}
	for c, cut := range cuts {
		p := math.Erfc(cut / math.Sqrt2)
		if got := over[c] / fn; math.Abs(got-p) > 5*math.Sqrt(p*(1-p)/fn)+1/fn {
			t.Errorf("P(|z| > %v) = %v, want %v", cut, got, p)
		}
	}
}

// Fill and Float64 give the same stream, and the stream depends only on
// (seed, stream).
func TestNormalStreams(t *testing.T) {
	a, b := NewNormal(5, 9), NewNormal(5, 9)
	buf := make([]float64, 10000)
	a.Fill(buf)
	for i, v := range buf {
		if w := b.Float64(); math.Float64bits(v) != math.Float64bits(w) {
			t.Fatalf("draw %d: Fill %v, Float64 %v", i, v, w)
		}
	}
	c, d := NewNormal(5, 10), NewNormal(5, 9)
	if c.Float64() == d.Float64() {
		t.Fatal("streams 9 and 10 start alike")
	}
	if allocs := testing.AllocsPerRun(10, func() { a.Fill(buf) }); allocs != 0 {
		t.Fatalf("Fill allocates %v times", allocs)
	}
}

//go:noinline
func fillRand(r *rand.Rand, buf []float64) {
	for i := range buf {
		buf[i] = r.NormFloat64()
	}
}

// BenchmarkNormal compares the generator with math/rand/v2 (PCG and the
// default ChaCha8 source), in normals per second.
func BenchmarkNormal(b *testing.B) {
	buf := make([]float64, 4096)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)*float64(len(buf))/b.Elapsed().Seconds()/1e6, "Mnormal/s")
	}
	b.Run("ziggurat", func(b *testing.B) {
		g := NewNormal(1, 1)
		for b.Loop() {
			g.Fill(buf)
		}
		report(b)
	})
	b.Run("randv2-pcg", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			fillRand(r, buf)
		}
		report(b)
	})
	b.Run("randv2-chacha8", func(b *testing.B) {
		r := rand.New(rand.NewChaCha8([32]byte{1}))
		for b.Loop() {
			fillRand(r, buf)
		}
		report(b)
	})
}
