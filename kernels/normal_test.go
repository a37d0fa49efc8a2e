package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// checkNormals fills a guarded slice of n draws at element offset off on
// tier t and compares it, and the generator's state after, with
// ref.Normals.
func checkNormals(t *testing.T, tier cpu.Tier, seed, stream uint64, n, off int) {
	t.Helper()
	want := make([]float64, n)
	state := ref.NormalSeed(seed, stream)
	ref.Normals(&state, want)
	g := NewNormal(seed, stream)
	out := tk.NewGuarded[float64](n, off)
	fillNormal(tier, &g, out.S())
	if k := tk.FirstDiff(out.S(), want); k >= 0 {
		t.Fatalf("seed %d stream %d n %d: draw %d = %v, want %v", seed, stream, n, k, out.S()[k], want[k])
	}
	if err := out.Check(); err != nil {
		t.Fatalf("seed %d stream %d n %d offset %d: %v", seed, stream, n, off, err)
	}
	if g.s != state || g.has != (n%2 == 1) {
		t.Fatalf("seed %d stream %d n %d: state %#x (spare %v) after Fill, want %#x", seed, stream, n, g.s, g.has, state)
	}
}

// Every tier draws the reference's numbers: every length up to several
// vector blocks, alignment offsets, fills longer than one kernel call, and
// a stream cut into calls of every length (the spare of an odd call).
func TestNormalTiers(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		for n := range 80 {
			for seed := range uint64(8) {
				checkNormals(t, tier, seed, uint64(n), n, int(seed))
			}
		}
		for _, n := range []int{1000, chunk - 1, chunk, chunk + 9, 3*chunk + 1} {
			checkNormals(t, tier, 7, uint64(n), n, 3)
		}
		want := make([]float64, 5000)
		state := ref.NormalSeed(2, 3)
		ref.Normals(&state, want)
		g := NewNormal(2, 3)
		got := make([]float64, len(want))
		for k, step := 0, 0; k < len(got); k, step = k+step, step%37+1 {
			if step == 1 && k%3 == 0 {
				got[k] = g.Float64()
				continue
			}
			fillNormal(tier, &g, got[k:min(len(got), k+step)])
		}
		if k := tk.FirstDiff(got, want); k >= 0 {
			t.Fatalf("cut stream: draw %d = %v, want %v", k, got[k], want[k])
		}
	})
}

// FuzzNormalFill: every usable tier draws what ref.Normals draws, for
// fuzzer-chosen streams, lengths and offsets.
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

// bigSinCos returns sin and cos of (pi/2) f by 60 Taylor terms in 256-bit
// arithmetic.
func bigSinCos(f float64) (s, c float64) {
	const prec = 256
	hp, _, err := big.ParseFloat("0x1.921fb54442d18469898cc51701b839a252049c1114cf98e8p0", 0, prec, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	x := new(big.Float).SetPrec(prec).Mul(hp, new(big.Float).SetPrec(prec).SetFloat64(f))
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	sb, cb := new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)
	for n := range 60 {
		if n > 0 {
			term.Mul(term, x)
			term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(n)))
		}
		v := new(big.Float).Set(term)
		if n/2%2 == 1 {
			v.Neg(v)
		}
		if n%2 == 0 {
			cb.Add(cb, v)
		} else {
			sb.Add(sb, v)
		}
	}
	s, _ = sb.Float64()
	c, _ = cb.Float64()
	return s, c
}

// ref.SinCos2Pi is within 2 ulps of the exact cos and sin of 2 pi v (the
// reduction to f = 4v - round(4v) is exact), across every quadrant.
func TestSinCos2Pi(t *testing.T) {
	r := tk.NewRand(5)
	ulps := func(got, want float64) float64 {
		if want == 0 {
			return math.Abs(got) / 0x1p-1074
		}
		u := math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want)
		return math.Abs(got-want) / u
	}
	worst := 0.0
	for i := range 20000 {
		v := float64(i) / 20000
		if i%2 == 1 {
			v = ref.Uniform52(r.Uint64())
		}
		c, s := ref.SinCos2Pi(v)
		q := math.RoundToEven(4 * v)
		ws, wc := bigSinCos(4*v - q)
		switch int(q) % 4 {
		case 1:
			wc, ws = -ws, wc
		case 2:
			wc, ws = -wc, -ws
		case 3:
			wc, ws = ws, -wc
		}
		worst = max(worst, ulps(c, wc), ulps(s, ws))
	}
	if worst > 2 {
		t.Fatalf("SinCos2Pi is %v ulps from the exact values", worst)
	}
}

// Moments of 4e6 draws against those of N(0,1), each within 5 standard
// errors: mean (se 1/sqrt(n)), variance (sqrt(2/n)), third moment
// (sqrt(15/n)), fourth (sqrt(96/n)); the tail frequencies P(|z| > c)
// against their binomial standard errors; and the correlation of the two
// numbers of a pair (se 1/sqrt(n/2)) and of its squares (se sqrt(8/n)).
func TestNormalMoments(t *testing.T) {
	n := 4_000_000
	if testing.Short() {
		n = 1_000_000
	}
	g := NewNormal(1, 2)
	buf := make([]float64, 1000)
	var m [5]float64
	var pair, pairSq float64
	cuts := []float64{0.5, 1, 2, 3, 4, 5}
	over := make([]float64, len(cuts))
	for done := 0; done < n; done += len(buf) {
		g.Fill(buf)
		for i, z := range buf {
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
			if i%2 == 1 {
				pair += z * buf[i-1]
				pairSq += (z*z - 1) * (buf[i-1]*buf[i-1] - 1)
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
	if c := pair / (fn / 2); math.Abs(c) > 5/math.Sqrt(fn/2) {
		t.Errorf("correlation within pairs %v", c)
	}
	if c := pairSq / (fn / 2); math.Abs(c) > 5*math.Sqrt(4/(fn/2)) {
		t.Errorf("correlation of squares within pairs %v", c)
	}
}

// Fill and Float64 give the same stream, distinct streams differ, and
// Fill allocates nothing.
func TestNormalStreams(t *testing.T) {
	a, b := NewNormal(5, 9), NewNormal(5, 9)
	buf := make([]float64, 10001)
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

// BenchmarkNormal compares the generator on every tier with math/rand/v2
// (PCG and the default ChaCha8 source), in normals per second, for rows of
// 100 (the sampler's) and 4096.
func BenchmarkNormal(b *testing.B) {
	for _, n := range []int{100, 4096} {
		buf := make([]float64, n)
		report := func(b *testing.B) {
			b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds()/1e6, "Mnormal/s")
		}
		for _, tier := range cpu.Tiers {
			if !usable(tier) {
				continue
			}
			b.Run(tier.String()+"/"+strconv.Itoa(n), func(b *testing.B) {
				g := NewNormal(1, 1)
				defer tk.CPUTime(b)()
				for b.Loop() {
					fillNormal(tier, &g, buf)
				}
				report(b)
			})
		}
		b.Run("randv2-pcg/"+strconv.Itoa(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			defer tk.CPUTime(b)()
			for b.Loop() {
				fillRand(r, buf)
			}
			report(b)
		})
		b.Run("randv2-chacha8/"+strconv.Itoa(n), func(b *testing.B) {
			r := rand.New(rand.NewChaCha8([32]byte{1}))
			defer tk.CPUTime(b)()
			for b.Loop() {
				fillRand(r, buf)
			}
			report(b)
		})
	}
}

// TestNormalUniform: Uniform is the top 53 bits of the next word, in [0, 1).
func TestNormalUniform(t *testing.T) {
	g := NewNormal(3, 4)
	h := g
	for range 1000 {
		u, w := g.Uniform(), h.Uint64()
		if u != float64(w>>11)/(1<<53) || u < 0 || u >= 1 {
			t.Fatalf("Uniform = %v for the word %#x", u, w)
		}
	}
}
