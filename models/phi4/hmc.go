package phi4

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// HMCOptions configure Hybrid Monte Carlo.
type HMCOptions struct {
	RunOptions
	// Steps is the number n >= 1 of leapfrog steps per trajectory.
	Steps int
	// StepSize is the leapfrog step eps > 0; a trajectory has length
	// n*eps.
	StepSize float64
	// Jitter in [0, 1) draws the step size of each trajectory uniformly
	// from [eps (1 - Jitter), eps (1 + Jitter)). With a fixed length n*eps
	// a free mode of frequency omega = sqrt(2 a) (a an eigenvalue of A2)
	// with omega n eps near a multiple of pi comes back to (minus) itself
	// and the chain does not mix it: on a 4x4 lattice at m2 = 1, lambda = 0,
	// n eps = 1 (omega = sqrt(10)), <phi^2> came out at twice its value
	// with tau_int ~ 570. All chains share the step size of a trajectory
	// (one stream, kernels.NewNormal(Seed, 1<<63), still independent of
	// the number of chains), so the leapfrog stays one batched call.
	Jitter float64
}

// HMC samples the theory by Hybrid Monte Carlo (Duane, Kennedy, Pendleton
// and Roweth 1987) and returns perChain samples of each chain.
//
// A trajectory draws momenta p ~ N(0, 1) per site, integrates Hamilton's
// equations for H = S(phi) + p.p/2 with n leapfrog steps of size eps (a
// half step of p, then n-1 pairs of full steps of phi and p, a full step of
// phi and a half step of p), and accepts the end point with probability
// min(1, exp(H_start - H_end)), else keeps the start. A trajectory whose H
// is not finite at either end is divergent: it is rejected and counted in
// Run.Divergent; if every trajectory of the run diverges, HMC reports an
// error.
//
// The B chains advance together: the leapfrog runs kernels.Axpy, Mul and
// Scale over all B*V values at once, the acceptance one kernels.Exp over B
// values. Each product in scalar code is rounded on its own (no fused
// multiply-add the compiler could choose on one architecture only), so the
// samples have the same bits on every tier and architecture.
func (th *Theory) HMC(perChain int, o HMCOptions) (*Run, error) {
	if o.Steps < 1 {
		return nil, fmt.Errorf("phi4: HMC: %d leapfrog steps < 1", o.Steps)
	}
	if !(o.StepSize > 0) || math.IsInf(o.StepSize, 0) {
		return nil, fmt.Errorf("phi4: HMC: step size %v is not positive and finite", o.StepSize)
	}
	if !(o.Jitter >= 0 && o.Jitter < 1) {
		return nil, fmt.Errorf("phi4: HMC: step size jitter %v is not in [0, 1)", o.Jitter)
	}
	jit := kernels.NewNormal(o.Seed, jitterStream)
	cs, err := th.setup("HMC", perChain, &o.RunOptions)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(cs.b, cs.v, perChain, &o.RunOptions)
	w := th.newLeapfrog(cs.b)
	w.phi = cs.phi
	b, v := cs.b, cs.v
	phi0 := make([]float64, b*v)
	h0, h1 := make([]float64, b), make([]float64, b)
	dh, prob := make([]float64, b), make([]float64, b)
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	for it := range rec.total {
		copy(phi0, w.phi)
		for c := range b {
			cs.normals[c].Fill(w.p[c*v : (c+1)*v])
		}
		eps := o.StepSize
		if o.Jitter > 0 {
			eps += float64(o.StepSize * float64(o.Jitter*(float64(2*jit.Uniform())-1)))
		}
		w.evaluate()
		w.hamiltonian(h0)
		w.integrate(o.Steps, eps)
		w.hamiltonian(h1)
		for c := range b {
			dh[c] = h0[c] - h1[c]
		}
		kernels.Exp(prob, dh)
		for c := range b {
			u := cs.unis[c].Uniform()
			ok := finite(h0[c]) && finite(h1[c])
			if !ok {
				rec.run.Divergent++
				rec.run.ChainDivergent[c]++
			}
			acc := ok && u < prob[c]
			if !acc {
				copy(w.phi[c*v:(c+1)*v], phi0[c*v:(c+1)*v])
			}
			if rec.measuring(it) {
				rec.run.Proposed++
				if acc {
					rec.run.Accepted++
					rec.run.ChainAccepted[c]++
				}
			}
		}
		rec.after(it, cs)
	}
	if rec.run.Divergent == int64(b)*int64(rec.total) {
		return nil, fmt.Errorf("phi4: HMC: all %d trajectories diverged (H not finite): step size %v too large",
			rec.run.Divergent, o.StepSize)
	}
	rec.run.flagStuck()
	return rec.run, nil
}

// jitterStream is the stream of the step sizes: beyond every chain's.
const jitterStream = 1 << 63

// leapfrog is the state and scratch of B chains' molecular dynamics: every
// slice but the last four holds B*V values, chain-major.
type leapfrog struct {
	th         *Theory
	phi, p, g  []float64
	k, cb, tmp []float64 // A2 phi, phi^3, scratch
	s          []float64 // B actions
}

func (th *Theory) newLeapfrog(b int) *leapfrog {
	n := b * th.v
	return &leapfrog{th: th, phi: make([]float64, n), p: make([]float64, n), g: make([]float64, n),
		k: make([]float64, n), cb: make([]float64, n), tmp: make([]float64, n), s: make([]float64, b)}
}

// evaluate sets k, cb and the force g at phi.
func (w *leapfrog) evaluate() {
	w.th.kin(w.k, w.phi)
	w.th.cube(w.cb, w.phi)
	w.th.force(w.g, w.k, w.cb)
}

// hamiltonian sets h[c] = S(phi_c) + p_c.p_c/2 from the k and cb of the
// last evaluate.
func (w *leapfrog) hamiltonian(h []float64) {
	v := w.th.v
	w.th.actions(w.s, w.k, w.cb, w.phi, w.tmp)
	for c := range h {
		pc := w.p[c*v : (c+1)*v]
		h[c] = w.s[c] + float64(0.5*kernels.Dot(pc, pc))
	}
}

// integrate runs n leapfrog steps of size eps from (phi, p) with g the
// force at phi, leaving k, cb and g evaluated at the end point.
func (w *leapfrog) integrate(n int, eps float64) {
	kernels.Axpy(-eps/2, w.g, w.p)
	for i := 1; i <= n; i++ {
		kernels.Axpy(eps, w.p, w.phi)
		w.evaluate()
		if i < n {
			kernels.Axpy(-eps, w.g, w.p)
		} else {
			kernels.Axpy(-eps/2, w.g, w.p)
		}
	}
}
