package main

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/phi4"
)

// ensemble is thinned HMC data of one theory: training rows (in an order
// whose first N rows are an N-sample training set: sample t of every chain
// before sample t+1 of any), and independent validation and test sets.
type ensemble struct {
	th *phi4.Theory
	// pilot is the unthinned HMC run's integrated autocorrelation time per
	// trajectory of the observables obsNames, and acc its acceptance;
	// thin = ceil(2 max tau).
	pilot   tauSet
	acc     float64
	thin    int
	thinTau float64 // the largest tau of the same observables in the thinned training chains
	// divergent counts the HMC trajectories (of all four runs) whose
	// Hamiltonian was not finite: rejected.
	divergent int64
	train     kernels.Matrix[float64]
	val       kernels.Matrix[float64]
	test      kernels.Matrix[float64]
	trainRun  *phi4.Run // the training chains in the sampler's order (chain-major)
}

// obsNames are the observables whose autocorrelation sets the thinning:
// the magnetisation m, |m|, m^2, the site average of phi^2, and the square
// of the staggered magnetisation m_s = (1/V) sum_x (-1)^(sum of x's
// coordinates) phi_x. m_s is there because it is HMC's slowest mode in the
// symmetric phase: its frequency omega = sqrt(2 a), a = m2 + 4D the
// largest eigenvalue of A2, times the trajectory length (10 x 0.1) is near
// pi, so a trajectory maps m_s to about -m_s and leaves m_s^2 unchanged.
// On 1-D L = 8, m2 = 1, lambda = 0 its tau_int is 3.2 trajectories where
// phi^2 has 0.95 (thinning by phi^2 alone left the Gaussian fit's KL at
// twice the independent-sample value).
var obsNames = [nObs]string{"m", "|m|", "m^2", "phi^2", "m_s^2"}

const nObs = 5

// tauSet holds a tau_int per observable of obsNames.
type tauSet [nObs]float64

func (t tauSet) String() string {
	s := ""
	for k, v := range t {
		s += fmt.Sprintf("%s %.2f, ", obsNames[k], v)
	}
	return s[:len(s)-2]
}

// cols formats the values for a CSV row.
func (t tauSet) cols() []string {
	out := make([]string, nObs)
	for k, v := range t {
		out[k] = g(v)
	}
	return out
}

// tauHeader returns the CSV column names of a tauSet.
func tauHeader(prefix string) []string {
	names := [nObs]string{"m", "abs_m", "m2", "phi2", "ms2"}
	out := make([]string, nObs)
	for k, n := range names {
		out[k] = prefix + n
	}
	return out
}

// series returns the observables of every row of x (the sites of a
// lattice of the given shape, row-major).
func series(x kernels.Matrix[float64], shape []int) [nObs][]float64 {
	var s [nObs][]float64
	m := phi4.Magnetization(x)
	for k := range s {
		s[k] = make([]float64, x.Rows)
	}
	w := 1
	if len(shape) == 2 {
		w = shape[1]
	}
	for i := range x.Rows {
		row := x.Data[i*x.Stride : i*x.Stride+x.Cols]
		p2, ms := 0.0, 0.0
		for j, v := range row {
			p2 += float64(v * v)
			if (j/w+j%w)%2 == 0 {
				ms += v
			} else {
				ms -= v
			}
		}
		ms /= float64(x.Cols)
		s[0][i], s[1][i], s[2][i], s[3][i], s[4][i] = m[i], math.Abs(m[i]), float64(m[i]*m[i]), p2/float64(x.Cols), float64(ms*ms)
	}
	return s
}

// taus returns the Gamma-method tau_int of the observables of the
// chain-major rows of x.
func taus(x kernels.Matrix[float64], shape []int, chains int) (tauSet, error) {
	var t tauSet
	for k, s := range series(x, shape) {
		e, err := phi4.Gamma(s, chains)
		if err != nil {
			return t, fmt.Errorf("tau of %s: %w", obsNames[k], err)
		}
		t[k] = e.Tau
	}
	return t, nil
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// hmcOptions returns the HMC options of the flags. Every chain starts
// from phi = 0 (cold): phi4's default start, V standard normal values,
// can leave a chain stuck for good at large lambda (phi4.Run.Stuck),
// since from |phi| ~ 2.5 the force 4 lambda phi^3 makes every trajectory
// diverge (on 8x8 at m2 = -4, lambda = 8, eps = 0.1 one chain of 32 kept
// its start for all 1200 trajectories and its phi^2 gave a tau_int of 269).
func (c config) hmcOptions(seed uint64, therm, thin, sites int) phi4.HMCOptions {
	return phi4.HMCOptions{
		RunOptions: phi4.RunOptions{Seed: seed, Chains: c.chains, Therm: therm, Thin: thin, Start: make([]float64, sites)},
		Steps:      c.hmcSteps, StepSize: c.eps, Jitter: c.jitter,
	}
}

// stuck returns an error if phi4 flagged a chain of r as stuck (acceptance
// below phi4.StuckAcceptance): its samples would bias every average.
func stuck(r *phi4.Run) error {
	if err := r.StuckError(); err != nil {
		return fmt.Errorf("HMC: %w (%d divergent trajectories in the run): lower -eps", err, r.Divergent)
	}
	return nil
}

// pilotPerChain is the length of each chain of the pilot run, pilotTherm
// its thermalisation (trajectories).
const pilotPerChain, pilotTherm = 1000, 200

// sample runs HMC on th: a pilot of pilotPerChain unthinned trajectories per
// chain measures tau_int, then n training, c.nval validation and c.ntest
// test samples are drawn, each set from its own chains, thinned by
// ceil(2 tau_max) trajectories after 200 + 20 thin of thermalisation.
func (c config) sample(th *phi4.Theory, n int, seed uint64) (*ensemble, error) {
	e := &ensemble{th: th}
	p, err := th.HMC(pilotPerChain, c.hmcOptions(seed, pilotTherm, 1, th.Sites()))
	if err != nil {
		return nil, fmt.Errorf("HMC pilot: %w", err)
	}
	if err := stuck(p); err != nil {
		return nil, err
	}
	e.divergent = p.Divergent
	e.acc = p.Acceptance()
	if e.pilot, err = taus(p.Samples, th.Shape(), p.Chains); err != nil {
		return nil, err
	}
	e.thin = max(1, int(math.Ceil(2*maxOf(e.pilot[:]))))
	therm := 200 + 20*e.thin
	for k, set := range []struct {
		dst *kernels.Matrix[float64]
		n   int
	}{{&e.train, n}, {&e.val, c.nval}, {&e.test, c.ntest}} {
		perChain := (set.n + c.chains - 1) / c.chains
		r, err := th.HMC(perChain, c.hmcOptions(seed+1+uint64(k), therm, e.thin, th.Sites()))
		if err != nil {
			return nil, fmt.Errorf("HMC: %w", err)
		}
		if err := stuck(r); err != nil {
			return nil, err
		}
		e.divergent += r.Divergent
		*set.dst = interleave(r, set.n)
		if k == 0 {
			e.trainRun = r
			if perChain >= 2 {
				t, err := taus(r.Samples, th.Shape(), r.Chains)
				if err != nil {
					return nil, err
				}
				e.thinTau = maxOf(t[:])
			}
		}
	}
	return e, nil
}

// interleave returns the first n rows of r in the order sample 0 of every
// chain, then sample 1 of every chain, ...: so that the first N rows, for
// any N, come from all chains alike.
func interleave(r *phi4.Run, n int) kernels.Matrix[float64] {
	v := r.Samples.Cols
	out := kernels.Matrix[float64]{Rows: n, Cols: v, Stride: v, Data: make([]float64, n*v)}
	for i := range n {
		t, ch := i/r.Chains, i%r.Chains
		src := r.Samples.Data[(ch*r.PerChain+t)*r.Samples.Stride:]
		copy(out.Data[i*v:(i+1)*v], src[:v])
	}
	return out
}

// head returns the first n rows of x (a view).
func head(x kernels.Matrix[float64], n int) kernels.Matrix[float64] {
	x.Rows = n
	x.Data = x.Data[:n*x.Stride]
	return x
}

// to32 converts rows to float32 (the flows train in float32).
func to32(x kernels.Matrix[float64]) kernels.Matrix[float32] {
	out := kernels.Matrix[float32]{Rows: x.Rows, Cols: x.Cols, Stride: x.Cols, Data: make([]float32, x.Rows*x.Cols)}
	for i := range x.Rows {
		for j := range x.Cols {
			out.Data[i*x.Cols+j] = float32(x.Data[i*x.Stride+j])
		}
	}
	return out
}

// to64 converts float32 rows to float64.
func to64(x kernels.Matrix[float32]) kernels.Matrix[float64] {
	out := kernels.Matrix[float64]{Rows: x.Rows, Cols: x.Cols, Stride: x.Cols, Data: make([]float64, x.Rows*x.Cols)}
	for i := range x.Rows {
		for j := range x.Cols {
			out.Data[i*x.Cols+j] = float64(x.Data[i*x.Stride+j])
		}
	}
	return out
}

// Transfer-matrix grid for the exact partition function in 1-D: phi in
// [-zGridR, zGridR] on zGridN points.
const (
	zGridN = 161
	zGridR = 6.0
)

// logZ1D returns log Z = log of the integral of exp(-S) over R^L for the
// 1-D periodic lattice of L sites: Z = Tr (h K)^L with the transfer kernel
// K(a, b) = exp(-(b - a)^2 - V(a)/2 - V(b)/2), V(p) = m2 p^2 + lambda p^4,
// on a uniform grid of spacing h (the trapezoid rule: spectrally accurate
// for this smooth, rapidly decaying integrand). The kinetic term
// sum_x (phi_{x+1} - phi_x)^2 is the convention's for every L (L = 2: twice
// (phi_0 - phi_1)^2; L = 1: none), and so is the trace of the L-th power.
// The powers are kernels.MatVecs products, so the value has the same bits
// on every tier.
func logZ1D(m2, lambda float64, L int) float64 {
	const n = zGridN
	h := 2 * zGridR / float64(n-1)
	p := make([]float64, n)
	half := make([]float64, n)
	for i := range p {
		p[i] = -zGridR + float64(i)*h
		q := float64(p[i] * p[i])
		half[i] = -0.5 * (float64(m2*q) + float64(lambda*float64(q*q)))
	}
	k := kernels.Matrix[float64]{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	for a := range n {
		row := k.Data[a*n : (a+1)*n]
		for b := range n {
			d := p[b] - p[a]
			row[b] = -float64(d*d) + half[a] + half[b]
		}
		kernels.Exp(row, row)
		kernels.Scale(h, row)
	}
	pow := kernels.Matrix[float64]{Rows: n, Cols: n, Stride: n, Data: append([]float64(nil), k.Data...)}
	next := kernels.Matrix[float64]{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	for range L - 1 {
		// Row b of K P is K times row b of P: all powers of the symmetric
		// K are symmetric and commute with K.
		kernels.MatVecs(next, k, pow, nil)
		pow, next = next, pow
	}
	tr := 0.0
	for i := range n {
		tr += pow.Data[i*n+i]
	}
	return logs([]float64{tr})[0]
}

// logs returns the natural logarithms by kernels.Log (the same bits on
// every tier and architecture, unlike math.Log).
func logs(x []float64) []float64 {
	out := make([]float64, len(x))
	kernels.Log(out, x)
	return out
}
