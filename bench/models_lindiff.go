package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/floats"
)

// lindiffRun is the sampler's workload: n samples of a d-dimensional model
// with T steps, reps repetitions of one call each.
type lindiffRun struct{ n, d, T, reps int }

// lindiffSize is issue 7's size (10,000 samples, d = 100, T = 1000), or a
// small one for -quick. At issue 7's size a call takes 2.5 s of ours and
// 15-20 s of gonum's or PyTorch's: two repetitions keep the section within
// about three minutes.
func lindiffSize(quick bool) lindiffRun {
	if quick {
		return lindiffRun{256, 100, 20, 2}
	}
	return lindiffRun{10000, 100, 1000, 2}
}

func (r lindiffRun) label() string { return fmt.Sprintf("n=%d, d=%d, T=%d", r.n, r.d, r.T) }

// lindiffModel is the exact model of 2d Gaussian points with a power-law
// spectrum (the synthetic experiment's data) in dense form.
func lindiffModel(d, T int) (*lindiff.Model, error) {
	lam, err := lindiff.PowerLawSpectrum(d, 1)
	if err != nil {
		return nil, err
	}
	x, err := lindiff.DiagonalGaussian(lam, 2*d, 1)
	if err != nil {
		return nil, err
	}
	s, err := lindiff.PaperSchedule(T)
	if err != nil {
		return nil, err
	}
	e, err := lindiff.FitExact(x, s, 0)
	if err != nil {
		return nil, err
	}
	return e.Dense(), nil
}

// stepCoefs are c1, c2 and sigma of each reverse step t = 1..T of
// lindiff.Sample with its default options: u <- c1 u - c2 eps + sigma z,
// c1 = 1/sqrt(alpha_t), c2 = beta_t/(sqrt(1 - abar_t) sqrt(alpha_t)),
// sigma^2 = beta_t, and no noise at t = 1.
func stepCoefs(s *lindiff.Schedule) [][3]float64 {
	c := make([][3]float64, s.T)
	for i := range c {
		ra := math.Sqrt(s.Alpha[i])
		c[i] = [3]float64{1 / ra, s.Beta[i] / (s.SqrtOneMinusAlphaBar[i] * ra), math.Sqrt(s.Beta[i])}
	}
	c[0][2] = 0
	return c
}

// measureLindiff times lindiff.Sample against gonumSample and PyTorch's
// sampler (py non-nil), one call each per repetition in turn.
func measureLindiff(r lindiffRun, py *pyEnv, prog *progress) ([]ModelResult, error) {
	prog.step("models: lindiff sampler %s", r.label())
	m, err := lindiffModel(r.d, r.T)
	if err != nil {
		return nil, err
	}
	coef := stepCoefs(m.Sched)
	type contestant struct {
		impl string
		run  func() (float64, error)
	}
	seed := uint64(1)
	cs := []contestant{
		{"ours", func() (float64, error) {
			seed++
			var err error
			rate := block(0, r.n, func() { _, err = lindiff.Sample(m, r.n, lindiff.SampleOptions{Seed: seed, Workers: 1}) })
			return rate, err
		}},
		{"gonum", func() (float64, error) {
			seed++
			return block(0, r.n, func() { gonumSample(m, coef, r.n, seed) }), nil
		}},
	}
	if py != nil {
		file := py.tempPath("lindiff.f64")
		if err := writeLindiff(file, m, coef); err != nil {
			return nil, err
		}
		peer, err := py.serve("--lindiff", file, "--dim", fmt.Sprint(r.d), "--steps", fmt.Sprint(r.T), "-n", fmt.Sprint(r.n))
		os.Remove(file)
		if err != nil {
			return nil, err
		}
		defer peer.close()
		// A call takes seconds: the first repetition is the warm-up enough.
		cs = append(cs, contestant{"pytorch", func() (float64, error) { return peer.time("sample", 0) }})
	}
	rates := make([][]float64, len(cs))
	for rep := range r.reps {
		for i, c := range cs {
			prog.step("models: lindiff sampler %s: %s, %d of %d", r.label(), c.impl, rep+1, r.reps)
			v, err := c.run()
			if err != nil {
				return nil, err
			}
			rates[i] = append(rates[i], v)
		}
	}
	var rs []ModelResult
	for i, c := range cs {
		rs = append(rs, newResult("lindiff", r.label(), "float64", "sample", "samples/s", c.impl, rates[i]))
	}
	return rs, nil
}

// writeLindiff writes the model as flowkern_torch.py's lindiff_sampler
// reads it: raw little-endian float64, every W_t, every b_t, then c1, c2,
// sigma of every step.
func writeLindiff(path string, m *lindiff.Model, coef [][3]float64) error {
	v := make([]float64, 0, len(m.W)+len(m.B)+3*len(coef))
	v = append(append(v, m.W...), m.B...)
	for _, c := range coef {
		v = append(v, c[:]...)
	}
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return os.WriteFile(path, b, 0o644)
}

// The sampler's chunking and noise (see lindiff.Sample): samples go
// through all steps in chunks of sampleChunk, and block b of noiseRows
// samples draws from kernels.NewNormal(seed, b), u_T first, then z of each
// step.
const (
	sampleChunk = 256
	noiseRows   = 16
)

// gonumSample is lindiff.Sample on one goroutine with the linear algebra
// on gonum: the denoiser product eps = u W_tᵀ by gonum's Dgemm, then W_t b_t
// added and the update u = c1 u - c2 eps + sigma z by gonum's floats, with
// the sampler's chunks and noise streams. Its samples are lindiff.Sample's
// up to rounding (the update is not fused).
func gonumSample(m *lindiff.Model, coef [][3]float64, n int, seed uint64) []float64 {
	d, T := m.D, m.Sched.T
	wb := make([]float64, T*d) // W_t b_t
	for t := 1; t <= T; t++ {
		w := m.Wt(t)
		gonum.Implementation{}.Dgemv(blas.NoTrans, d, d, 1, w.Data, w.Stride, m.Bt(t), 1, 0, wb[(t-1)*d:t*d], 1)
	}
	out := make([]float64, n*d)
	eps := make([]float64, sampleChunk*d)
	z := make([]float64, noiseRows*d)
	for i0 := 0; i0 < n; i0 += sampleChunk {
		rows := min(sampleChunk, n-i0)
		u := out[i0*d : (i0+rows)*d]
		gens := make([]kernels.Normal, (rows+noiseRows-1)/noiseRows)
		for b := range gens {
			gens[b] = kernels.NewNormal(seed, uint64(i0/noiseRows+b))
			gens[b].Fill(z)
			copy(u[b*noiseRows*d:min(rows, (b+1)*noiseRows)*d], z)
		}
		for t := T; t >= 1; t-- {
			w := m.Wt(t)
			gonum.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, rows, d, d, 1, u, d, w.Data, w.Stride, 0, eps, d)
			c := coef[t-1]
			for r := range rows {
				ur, er := u[r*d:(r+1)*d], eps[r*d:(r+1)*d]
				floats.Add(er, wb[(t-1)*d:t*d])
				floats.Scale(c[0], ur)
				floats.AddScaled(ur, -c[1], er)
			}
			if c[2] == 0 {
				continue
			}
			for b := range gens {
				gens[b].Fill(z)
				r1 := min(rows, (b+1)*noiseRows)
				floats.AddScaled(u[b*noiseRows*d:r1*d], c[2], z[:(r1-b*noiseRows)*d])
			}
		}
	}
	return out
}
