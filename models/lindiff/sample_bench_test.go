package lindiff

import (
	"flag"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gonumMatVecs is the sampler's denoiser product on gonum's own Dgemm:
// Y = X W^T, then the bias added to every row.
func gonumMatVecs(y, w, x kernels.Matrix[float64], bias []float64) {
	gonum.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, x.Rows, w.Rows, w.Cols,
		1, x.Data, x.Stride, w.Data, w.Stride, 0, y.Data, y.Stride)
	for r := range y.Rows {
		blas64.Implementation().Daxpy(len(bias), 1, bias, 1, y.Data[r*y.Stride:], 1)
	}
}

// benchModel is the exact model of n synthetic Gaussian points.
func benchModel(b *testing.B, d, T int) *Model {
	lam, err := PowerLawSpectrum(d, 1)
	if err != nil {
		b.Fatal(err)
	}
	x, err := DiagonalGaussian(lam, 2*d, 1)
	if err != nil {
		b.Fatal(err)
	}
	s, err := PaperSchedule(T)
	if err != nil {
		b.Fatal(err)
	}
	e, err := FitExact(x, s, 0)
	if err != nil {
		b.Fatal(err)
	}
	return e.Dense()
}

//go:noinline
func runSample(b *testing.B, m *Model, n int, mv matVecsFunc) {
	if _, err := sample(m, n, SampleOptions{Seed: 1}, mv); err != nil {
		b.Fatal(err)
	}
}

func benchSample(b *testing.B, n, d, T int) {
	m := benchModel(b, d, T)
	for _, v := range []struct {
		name string
		mv   matVecsFunc
	}{{"kernels", nil}, {"gonum", gonumMatVecs}} {
		b.Run(v.name, func(b *testing.B) {
			// The sampler runs on its own goroutines: the process's CPU
			// time counts them (and leaves out other processes).
			p0, ok := cputime.Process()
			for b.Loop() {
				runSample(b, m, n, v.mv)
			}
			flops := 2 * float64(n) * float64(d) * float64(d) * float64(T)
			if p1, ok1 := cputime.Process(); ok && ok1 && p1 > p0 {
				b.ReportMetric(float64(p1-p0)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(flops*float64(b.N)/float64(p1-p0), "cpu-GFLOP/s")
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSample times the sampler on the kernels and on gonum's Dgemm
// (everything else the same) for 1000 samples, d = 100, T = 100.
func BenchmarkSample(b *testing.B) { benchSample(b, 1000, 100, 100) }

// BenchmarkSampleIssue is the size of issue 7: 10,000 samples, d = 100,
// T = 1000 (seconds per run). It runs only when named in -bench, e.g.
//
//	go test -run '^$' -bench SampleIssue -benchtime 1x ./models/lindiff
func BenchmarkSampleIssue(b *testing.B) {
	if f := flag.Lookup("test.bench"); f == nil || !strings.Contains(f.Value.String(), "Issue") {
		b.Skip("run with -bench SampleIssue")
	}
	benchSample(b, 10000, 100, 1000)
}
