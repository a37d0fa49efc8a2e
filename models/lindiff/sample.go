package lindiff

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Variance selects sigma_t^2, the variance of the noise the reverse step
// adds.
type Variance int

const (
	// BetaVariance is sigma_t^2 = beta_t (Ho et al.'s upper bound).
	BetaVariance Variance = iota
	// PosteriorVariance is sigma_t^2 = beta_t (1 - abar_{t-1})/(1 - abar_t),
	// the variance of q(x_{t-1} | x_t, x_0) (the lower bound; 0 at t = 1).
	PosteriorVariance
)

// SampleOptions configure the ancestral sampler (and the learned
// distribution, which depends on all but Seed and Workers). The zero value
// is DDPM's: sigma_t^2 = beta_t, no noise at the last step, seed 0.
type SampleOptions struct {
	Seed     uint64
	Variance Variance
	// NoiseAtLast adds sigma_1 z at the last step t = 1 too (DDPM returns
	// the mean of that step). Without it, a direction in which the
	// training data have no variance gets none in the learned Gaussian
	// either: with N <= d samples its covariance is singular, and a KL
	// divergence from it to a non-degenerate Gaussian is undefined (KL
	// reports the covariance as not positive definite).
	NoiseAtLast bool
	// Workers caps the goroutines (0: GOMAXPROCS). The samples do not
	// depend on it.
	Workers int
}

func (o SampleOptions) check() error {
	if o.Variance != BetaVariance && o.Variance != PosteriorVariance {
		return fmt.Errorf("lindiff: unknown sampler variance %d", o.Variance)
	}
	if o.Workers < 0 {
		return fmt.Errorf("lindiff: sampler workers %d < 0", o.Workers)
	}
	return nil
}

// sigma2 returns sigma_t^2 under the options.
func (o SampleOptions) sigma2(s *Schedule, t int) float64 {
	if t == 1 && !o.NoiseAtLast {
		return 0
	}
	if o.Variance == PosteriorVariance {
		return s.PosteriorVariance(t)
	}
	return s.Beta[t-1]
}

// sampleChunk is the number of samples that go through all T steps
// together: their state (chunk x d) and the denoiser outputs stay in the
// L2 cache while each W_t is read once per chunk.
const sampleChunk = 256

// serialWork is the work (multiply-adds) below which a kernels.MatTVecs
// call stays on the calling goroutine. Only the speed depends on it.
const serialWork = 1 << 19

// updateRows is the number of rows the element-wise update takes per
// kernel call: their noise (updateRows x d) stays in L1. It is also the
// size of the noise blocks (see Sample), so it is part of the samples'
// definition: changing it changes the samples.
const updateRows = 16

// transposeGroup is the most numbers the sampler's buffer of transposed
// W_t holds (4 MiB): the steps go in groups of transposeGroup/d^2 (at least
// one). (A variable for the tests.)
var transposeGroup = 1 << 19

// Sample draws n samples (the rows of the result) from the model with the
// ancestral DDPM sampler: u_T ~ N(0, I), then for t = T, ..., 1
//
//	u_{t-1} = (u_t - beta_t/sqrt(1-abar_t) eps_theta(u_t, t)) / sqrt(1-beta_t) + sigma_t z
//
// computed as c1 u - c2 eps + sigma z (see stepCoefs) with explicit fused
// multiply-adds, eps_theta for a block of samples as one kernels.MatTVecs
// call on W_tᵀ (each W_t transposed once, the steps going in groups whose
// W_tᵀ fill a 4 MiB buffer: the outer-product tiles keep no per-output lane
// sums, faster than MatVecs on W_t on AVX2 and as fast on AVX-512) plus the
// bias W_t b_t, added with one rounding.
//
// Noise: the samples go in blocks of 16, block b = i/16 holding samples
// 16b..16b+15. Block b draws its normals from its own stream
// kernels.NewNormal(opt.Seed, b): u_T, then z of each step in turn, 16 rows
// of d each time, row k for sample 16b+k, rows past n drawn and dropped. One
// call fills a whole block (the normal kernels run at their long-slice
// speed, where a row of d = 100 on its own cost a third more).
//
// Determinism: every operation on a sample has a fixed order and the
// kernels give the same bits on every tier, so a sample depends only on the
// model, the seed, the options and its index: not on the tier, n, the
// workers or the chunking.
func Sample(m *Model, n int, opt SampleOptions) (*mat.Dense, error) {
	if err := m.check("Sample"); err != nil {
		return nil, err
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("lindiff: Sample: %d samples", n)
	}
	d, s := m.D, m.Sched
	T := s.T
	// Per step: W_t b_t, c1, c2, sigma.
	wb := make([]float64, T*d)
	for t := 1; t <= T; t++ {
		row := kernels.Matrix[float64]{Rows: 1, Cols: d, Data: wb[(t-1)*d : t*d], Stride: d}
		kernels.MatVecs(row, m.Wt(t), kernels.Matrix[float64]{Rows: 1, Cols: d, Data: m.Bt(t), Stride: d}, nil)
	}
	coef := make([]float64, 3*T)
	for t := 1; t <= T; t++ {
		c1, c2 := stepCoefs(s, t)
		coef[3*(t-1)], coef[3*(t-1)+1], coef[3*(t-1)+2] = c1, c2, math.Sqrt(opt.sigma2(s, t))
	}

	out := mat.NewDense(n, d, nil)
	raw := out.RawMatrix() // stride d: a block of rows is contiguous
	chunks := (n + sampleChunk - 1) / sampleChunk
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Two ways to use the cores. For small d the sampler's goroutines take
	// whole chunks and call the product on blocks of rows small enough that the
	// kernels run them on the calling goroutine (a call of fewer than 2^19
	// multiply-adds stays serial), so the noise is drawn in parallel too.
	// For large d the products dominate: one goroutine, whole chunks, and
	// the kernels split each call.
	block := (serialWork - 1) / (d * d)
	if block < 16 {
		workers, block = 1, sampleChunk
	}
	workers = min(workers, chunks)
	samplers := make([]*sampler, workers)
	for w := range samplers {
		samplers[w] = &sampler{m: m, d: d, wb: wb, coef: coef, block: block,
			eps:      make([]float64, sampleChunk*d),
			z:        make([]float64, updateRows*d),
			biasRows: make([]float64, updateRows*d)}
	}
	gens := make([]kernels.Normal, (n+updateRows-1)/updateRows) // one per block
	// The steps go in groups: the W_tᵀ of a group are transposed once into
	// a buffer of at most transposeGroup numbers (reused, so its pages are
	// touched once), then every chunk of samples runs through the group.
	group := max(1, min(T, transposeGroup/(d*d)))
	wt := make([]float64, group*d*d)
	for hi := T; hi >= 1; hi -= group {
		lo := max(1, hi-group+1)
		for t := hi; t >= lo; t-- {
			kernels.Transpose(kernels.Matrix[float64]{Rows: d, Cols: d, Data: wt[(hi-t)*d*d : (hi-t+1)*d*d], Stride: d}, m.Wt(t))
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, st := range samplers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					c := int(next.Add(1)) - 1
					if c >= chunks {
						return
					}
					i0 := c * sampleChunk
					rows := min(sampleChunk, n-i0)
					u := kernels.Matrix[float64]{Rows: rows, Cols: d, Data: raw.Data[i0*raw.Stride:], Stride: raw.Stride}
					g := gens[i0/updateRows : (i0+rows+updateRows-1)/updateRows]
					st.run(u, g, i0, opt.Seed, hi, lo, wt)
				}
			}()
		}
		wg.Wait()
	}
	return out, nil
}

// sampler holds one worker's buffers: nothing is allocated per step.
type sampler struct {
	m     *Model
	d     int
	wb    []float64 // W_t b_t, T x d
	coef  []float64 // c1, c2, sigma per step
	block int       // rows per product call
	eps   []float64
	z     []float64 // noise, updateRows x d
	// biasRows is W_t b_t in each of updateRows rows, so one Add puts it
	// on a block of eps.
	biasRows []float64
}

// run takes the samples i0, i0+1, ... whose state is u (stride d) through
// the steps hi, hi-1, ..., lo, with W_tᵀ at wt[(hi-t) d^2:]; gens are their blocks' noise streams, started at step T.
func (st *sampler) run(u kernels.Matrix[float64], gens []kernels.Normal, i0 int, seed uint64, hi, lo int, wt []float64) {
	d := st.d
	z := st.z
	if hi == st.m.Sched.T {
		for b := range gens {
			gens[b] = kernels.NewNormal(seed, uint64(i0/updateRows+b))
			r0 := b * updateRows
			gens[b].Fill(z)
			copy(u.Data[r0*d:min(u.Rows, r0+updateRows)*d], z)
		}
	}
	eps := kernels.Matrix[float64]{Rows: u.Rows, Cols: d, Data: st.eps[:u.Rows*d], Stride: d}
	for t := hi; t >= lo; t-- {
		bias := st.wb[(t-1)*d : t*d]
		wtt := kernels.Matrix[float64]{Rows: d, Cols: d, Data: wt[(hi-t)*d*d : (hi-t+1)*d*d], Stride: d}
		for r0 := 0; r0 < u.Rows; r0 += st.block {
			rows := min(st.block, u.Rows-r0)
			y := kernels.Matrix[float64]{Rows: rows, Cols: d, Data: eps.Data[r0*d:], Stride: d}
			x := kernels.Matrix[float64]{Rows: rows, Cols: d, Data: u.Data[r0*d:], Stride: d}
			kernels.MatTVecs(y, wtt, x)
		}
		// u = fma(sig, z, fma(-c2, eps, c1*u)) element by element, as vector
		// passes over updateRows rows at a time: Scale rounds c1*u, each Axpy
		// is one fma, so the bits are those of the fused scalar loop. The
		// bias joins eps first, rounded once.
		c1, c2, sig := st.coef[3*(t-1)], st.coef[3*(t-1)+1], st.coef[3*(t-1)+2]
		for r := range updateRows { // the bias once per row of a block
			copy(st.biasRows[r*d:r*d+d], bias)
		}
		for r0 := 0; r0 < u.Rows; r0 += updateRows {
			r1 := min(u.Rows, r0+updateRows)
			ub, eb := u.Data[r0*d:r1*d], eps.Data[r0*d:r1*d]
			kernels.Add(eb, eb, st.biasRows[:len(eb)])
			kernels.Scale(c1, ub)
			kernels.Axpy(-c2, eb, ub)
			if sig != 0 {
				gens[r0/updateRows].Fill(z) // all updateRows rows, also past n
				kernels.Axpy(sig, z[:len(ub)], ub)
			}
		}
	}
}
