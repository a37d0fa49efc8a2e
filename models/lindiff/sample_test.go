package lindiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// checkMoments compares the sample mean and covariance of the rows of x
// with g, each entry within 5 standard errors: sqrt(S_ii/n) for the mean,
// sqrt((S_ii S_jj + S_ij^2)/n) for the covariance (Gaussian fourth moments).
func checkSampleMoments(t *testing.T, name string, x *mat.Dense, g Gaussian) {
	t.Helper()
	n, d := x.Dims()
	mean, cov, err := Moments(x)
	if err != nil {
		t.Fatal(err)
	}
	fn := float64(n)
	for i := range d {
		if se := math.Sqrt(g.Cov.At(i, i) / fn); math.Abs(mean[i]-g.Mean[i]) > 5*se {
			t.Errorf("%s: mean[%d] = %v, learned %v (se %v)", name, i, mean[i], g.Mean[i], se)
		}
		for j := i; j < d; j++ {
			sij := g.Cov.At(i, j)
			se := math.Sqrt((g.Cov.At(i, i)*g.Cov.At(j, j) + sij*sij) / fn)
			if math.Abs(cov.At(i, j)-sij) > 5*se {
				t.Errorf("%s: cov[%d][%d] = %v, learned %v (se %v)", name, i, j, cov.At(i, j), sij, se)
			}
		}
	}
}

// Sampled moments match the learned distribution within Monte Carlo
// error: for the exact model (every variance option) and for an arbitrary
// dense model (random W_t, b_t).
func TestSampleMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	n := 40000
	if testing.Short() {
		n = 10000
	}
	d := 3
	x := randomData(r, 8, d)
	s := randomSchedule(t, r, 10)
	e, err := FitExact(x, s, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Dense()
	for _, opt := range []SampleOptions{{Seed: 1}, {Seed: 2, Variance: PosteriorVariance, NoiseAtLast: true}, {Seed: 3, NoiseAtLast: true}} {
		g, err := e.Learned(opt)
		if err != nil {
			t.Fatal(err)
		}
		y, err := Sample(m, n, opt)
		if err != nil {
			t.Fatal(err)
		}
		checkSampleMoments(t, "exact", y, g)
	}
	rm := newModel(d, s)
	for i := range rm.W {
		rm.W[i] = 0.4 * r.NormFloat64()
	}
	for i := range rm.B {
		rm.B[i] = r.NormFloat64()
	}
	g, err := rm.Learned(SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := Sample(rm, n, SampleOptions{Seed: 4})
	checkSampleMoments(t, "random", y, g)
}

// The samples depend only on the model, seed, options and index: the same
// bits on every usable tier, for any number of workers, and sample i is the
// same whatever n. The gonum-Dgemm variant of the benchmark computes the
// same samples up to rounding.
func TestSampleDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	d := 7
	x := randomData(r, 20, d)
	s := randomSchedule(t, r, 6)
	e, _ := FitExact(x, s, 0)
	m := e.Dense()
	n := 2*sampleChunk + 37
	ref, err := Sample(m, n, SampleOptions{Seed: 11, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	same := func(name string, y *mat.Dense, rows int) {
		t.Helper()
		for i := range rows {
			for j := range d {
				if math.Float64bits(y.At(i, j)) != math.Float64bits(ref.At(i, j)) {
					t.Fatalf("%s: sample %d differs in coordinate %d: %v vs %v", name, i, j, y.At(i, j), ref.At(i, j))
				}
			}
		}
	}
	isatest.Each(t, func(t *testing.T) {
		isa := kernels.ISA()
		for _, workers := range []int{1, 3} {
			y, err := Sample(m, n, SampleOptions{Seed: 11, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			same(isa, y, n)
		}
		y, _ := Sample(m, 5, SampleOptions{Seed: 11})
		same(isa+", n = 5", y, 5)
	})
	// Steps in groups of one and of two (the schedule has 6) instead of all
	// in one group.
	defer func(v int) { transposeGroup = v }(transposeGroup)
	for _, g := range []int{1, 2} {
		transposeGroup = g * d * d
		y, _ := Sample(m, n, SampleOptions{Seed: 11, Workers: 2})
		same(fmt.Sprintf("steps in groups of %d", g), y, n)
	}
	other, _ := Sample(m, 1, SampleOptions{Seed: 12})
	if other.At(0, 0) == ref.At(0, 0) {
		t.Fatal("seeds 11 and 12 give the same first sample")
	}
	g := gonumSample(m, n, SampleOptions{Seed: 11})
	if rd := relDiff(g, ref); rd > 1e-12 {
		t.Fatalf("gonum variant differs by %v", rd)
	}
}

// The sampler's steps allocate nothing.
func TestSampleNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	d := 5
	x := randomData(r, 10, d)
	s := randomSchedule(t, r, 20)
	e, _ := FitExact(x, s, 0)
	m := e.Dense()
	st := &sampler{m: m, d: d, wb: make([]float64, s.T*d), coef: make([]float64, 3*s.T),
		block: 16, eps: make([]float64, sampleChunk*d),
		z: make([]float64, updateRows*d), biasRows: make([]float64, updateRows*d)}
	for i := range st.coef {
		st.coef[i] = 0.5
	}
	u := kernels.Matrix[float64]{Rows: 100, Cols: d, Data: make([]float64, 100*d), Stride: d}
	gens := make([]kernels.Normal, (u.Rows+updateRows-1)/updateRows)
	wt := make([]float64, s.T*d*d)
	if a := testing.AllocsPerRun(5, func() { st.run(u, gens, 0, 1, s.T, 1, wt) }); a != 0 {
		t.Fatalf("%v allocations per run of %d steps", a, s.T)
	}
}
