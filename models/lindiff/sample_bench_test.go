package lindiff

import (
	"flag"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// gonumSample is Sample with the denoiser product on gonum's Dgemm
// (eps = u W_tᵀ, then W_t b_t added to each row by Daxpy) and everything
// else as Sample does it: the same noise blocks, coefficients, update
// kernels, chunks, blocks of rows per product and goroutines. It is the
// benchmark's comparison, kept out of the sampler; its samples agree with
// Sample's to rounding (TestSampleDeterministic).
func gonumSample(m *Model, n int, opt SampleOptions) *mat.Dense {
	d, s := m.D, m.Sched
	T := s.T
	wb := make([]float64, T*d)
	coef := make([]float64, 3*T)
	for t := 1; t <= T; t++ {
		row := kernels.Matrix[float64]{Rows: 1, Cols: d, Data: wb[(t-1)*d : t*d], Stride: d}
		kernels.MatVecs(row, m.Wt(t), kernels.Matrix[float64]{Rows: 1, Cols: d, Data: m.Bt(t), Stride: d}, nil)
		c1, c2 := stepCoefs(s, t)
		coef[3*(t-1)], coef[3*(t-1)+1], coef[3*(t-1)+2] = c1, c2, math.Sqrt(opt.sigma2(s, t))
	}
	out := mat.NewDense(n, d, nil)
	raw := out.RawMatrix()
	chunks := (n + sampleChunk - 1) / sampleChunk
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	block := (serialWork - 1) / (d * d)
	if block < 16 {
		workers, block = 1, sampleChunk
	}
	workers = min(workers, chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eps, z := make([]float64, sampleChunk*d), make([]float64, updateRows*d)
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				i0 := c * sampleChunk
				rows := min(sampleChunk, n-i0)
				u := raw.Data[i0*d : (i0+rows)*d]
				gens := make([]kernels.Normal, (rows+updateRows-1)/updateRows)
				for b := range gens {
					gens[b] = kernels.NewNormal(opt.Seed, uint64(i0/updateRows+b))
					gens[b].Fill(z)
					copy(u[b*updateRows*d:min(rows, (b+1)*updateRows)*d], z)
				}
				for t := T; t >= 1; t-- {
					w, bias := m.Wt(t), wb[(t-1)*d:t*d]
					for r0 := 0; r0 < rows; r0 += block {
						br := min(block, rows-r0)
						gonum.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, br, d, d,
							1, u[r0*d:], d, w.Data, w.Stride, 0, eps[r0*d:], d)
						for r := r0; r < r0+br; r++ {
							blas64.Implementation().Daxpy(d, 1, bias, 1, eps[r*d:], 1)
						}
					}
					c1, c2, sig := coef[3*(t-1)], coef[3*(t-1)+1], coef[3*(t-1)+2]
					for r0 := 0; r0 < rows; r0 += updateRows {
						r1 := min(rows, r0+updateRows)
						ub, eb := u[r0*d:r1*d], eps[r0*d:r1*d]
						kernels.Scale(c1, ub)
						kernels.Axpy(-c2, eb, ub)
						if sig != 0 {
							gens[r0/updateRows].Fill(z)
							kernels.Axpy(sig, z[:len(ub)], ub)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	return out
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
func runSample(b *testing.B, m *Model, n int, gonum bool) {
	if gonum {
		gonumSample(m, n, SampleOptions{Seed: 1})
		return
	}
	if _, err := Sample(m, n, SampleOptions{Seed: 1}); err != nil {
		b.Fatal(err)
	}
}

func benchSample(b *testing.B, n, d, T int) {
	m := benchModel(b, d, T)
	for _, v := range []struct {
		name  string
		gonum bool
	}{{"kernels", false}, {"gonum", true}} {
		b.Run(v.name, func(b *testing.B) {
			// The sampler runs on its own goroutines: the process's CPU
			// time counts them (and leaves out other processes).
			p0, ok := cputime.Process()
			for b.Loop() {
				runSample(b, m, n, v.gonum)
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
