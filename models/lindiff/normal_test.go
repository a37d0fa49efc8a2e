package lindiff

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The strips of the ziggurat must have equal areas, the top one included
// (its area closes the recursion: an error in r or v would show there).
func TestZigguratTables(t *testing.T) {
	var x [zigLayers + 1]float64
	for i := range zigLayers {
		x[i] = zig.w[i] * 0x1p53
	}
	for i := 1; i < zigLayers; i++ {
		area := x[i] * zig.df[i]
		if math.Abs(area/zigV-1) > 1e-9 {
			t.Fatalf("strip %d has area %v, want %v", i, area, zigV)
		}
	}
	if got := x[0] * zig.f[1]; math.Abs(got/zigV-1) > 1e-12 {
		t.Fatalf("bottom strip and tail: %v, want %v", got, zigV)
	}
}

// Moments of 4e6 draws against those of N(0,1), each within 5 standard
// errors: mean (se 1/sqrt(n)), variance (sqrt(2/n)), third moment
// (sqrt(15/n)), fourth (sqrt(96/n)), and the tail frequencies P(|z| > 1, 2,
// 3, zigR) against their binomial standard errors, which checks the strips,
// the wedges and the tail separately.
func TestNormalMoments(t *testing.T) {
	n := 4_000_000
	if testing.Short() {
		n = 1_000_000
	}
	g := NewNormal(1, 2)
	buf := make([]float64, 1000)
	var m [5]float64
	cuts := []float64{0.5, 1, 2, 3, zigR, 4}
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
