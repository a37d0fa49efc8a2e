package phi4

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// RunOptions are the options HMC and Metropolis share.
//
// Chain c draws from its own two streams, kernels.NewNormal(Seed, 2c)
// (start and momenta) and kernels.NewNormal(Seed, 2c+1) (uniforms), so its
// samples depend on Seed, c and the options, not on how many chains run
// beside it, nor on the kernel tier or the architecture.
type RunOptions struct {
	Seed uint64
	// Chains is the number of independent chains B advanced together
	// (0 means 1).
	Chains int
	// Therm updates (trajectories, sweeps) per chain are discarded before
	// the first sample.
	Therm int
	// Thin is the number of updates per recorded sample (0 means 1).
	Thin int
	// Start is the configuration every chain starts from (V values), or
	// one per chain (B*V, chain-major). nil: each chain starts from V
	// standard normal numbers of its stream.
	Start []float64
}

// Run is the output of a sampler.
type Run struct {
	// Samples holds Chains*PerChain configurations as rows (V columns),
	// chain-major: row c*PerChain + t is sample t of chain c.
	Samples  kernels.Matrix[float64]
	Chains   int
	PerChain int
	// Accepted of Proposed updates after thermalisation: trajectories for
	// HMC, single-site proposals for Metropolis.
	Accepted, Proposed int64
	// Divergent counts the trajectories of the whole run (thermalisation
	// included) whose Hamiltonian was not finite; each was rejected.
	Divergent int64
	// ChainAccepted[c] and ChainDivergent[c] are chain c's share of
	// Accepted and Divergent; each chain made Proposed/Chains proposals.
	ChainAccepted, ChainDivergent []int64
	// Stuck lists, in increasing order, the chains whose acceptance after
	// thermalisation is below StuckAcceptance: such a chain (almost) never
	// leaves its configuration, so its samples are not draws from the
	// theory, and averages over all chains are biased by it. At large
	// lambda an HMC chain started far out (|phi| of a few units) can reject
	// every trajectory, each one divergent, for good. A stuck chain is not
	// an error, since the others may be fine: check Stuck (or StuckError)
	// before using the samples.
	Stuck []int
}

// StuckAcceptance is the acceptance below which Run.Stuck lists a chain:
// far below any useful tuning of either sampler (HMC runs at 0.6-0.99,
// local Metropolis at 0.3-0.7), yet above 0 so that a chain that moved a
// few times in thousands of updates is flagged too.
const StuckAcceptance = 0.01

// Acceptance returns Accepted/Proposed.
func (r *Run) Acceptance() float64 { return float64(r.Accepted) / float64(r.Proposed) }

// ChainAcceptance returns chain c's acceptance after thermalisation.
func (r *Run) ChainAcceptance(c int) float64 {
	return float64(r.ChainAccepted[c]) / float64(r.Proposed/int64(r.Chains))
}

// StuckError returns nil if no chain is stuck, else an error naming the
// stuck chains with their acceptance and divergent trajectories.
func (r *Run) StuckError() error {
	if len(r.Stuck) == 0 {
		return nil
	}
	msg := ""
	for i, c := range r.Stuck {
		if i == 4 {
			msg += fmt.Sprintf(", ... (%d in all)", len(r.Stuck))
			break
		}
		if i > 0 {
			msg += ", "
		}
		msg += fmt.Sprintf("chain %d accepted %d of %d (%d divergent)", c, r.ChainAccepted[c], r.Proposed/int64(r.Chains), r.ChainDivergent[c])
	}
	return fmt.Errorf("phi4: %d of %d chains stuck (acceptance below %g): %s", len(r.Stuck), r.Chains, StuckAcceptance, msg)
}

// flagStuck fills Stuck from the per-chain counts.
func (r *Run) flagStuck() {
	per := r.Proposed / int64(r.Chains)
	if per == 0 {
		return
	}
	for c, a := range r.ChainAccepted {
		if float64(a) < StuckAcceptance*float64(per) {
			r.Stuck = append(r.Stuck, c)
		}
	}
}

// Chain returns the samples of chain c as a view of Samples.
func (r *Run) Chain(c int) kernels.Matrix[float64] {
	s := r.Samples
	return kernels.Matrix[float64]{Rows: r.PerChain, Cols: s.Cols, Data: s.Data[c*r.PerChain*s.Stride : (c+1)*r.PerChain*s.Stride], Stride: s.Stride}
}

// chainSet is the state of B chains: configurations back to back and the
// random streams of each chain.
type chainSet struct {
	b, v    int
	phi     []float64
	normals []kernels.Normal
	unis    []kernels.Normal
}

// setup checks the shared options and perChain, and returns the chains at
// their start.
func (th *Theory) setup(fn string, perChain int, o *RunOptions) (*chainSet, error) {
	if perChain < 1 {
		return nil, fmt.Errorf("phi4: %s: %d samples per chain < 1", fn, perChain)
	}
	if o.Chains < 0 {
		return nil, fmt.Errorf("phi4: %s: %d chains < 0", fn, o.Chains)
	}
	if o.Therm < 0 {
		return nil, fmt.Errorf("phi4: %s: thermalisation %d < 0", fn, o.Therm)
	}
	if o.Thin < 0 {
		return nil, fmt.Errorf("phi4: %s: thinning %d < 0", fn, o.Thin)
	}
	b := max(o.Chains, 1)
	thin := max(o.Thin, 1)
	if int64(o.Therm)+int64(perChain)*int64(thin) > math.MaxInt32 || int64(b)*int64(perChain)*int64(th.v) > math.MaxInt32 {
		return nil, fmt.Errorf("phi4: %s: run too long: %d chains x (%d + %d x %d) updates on %d sites",
			fn, b, o.Therm, perChain, thin, th.v)
	}
	cs := &chainSet{b: b, v: th.v, phi: make([]float64, b*th.v),
		normals: make([]kernels.Normal, b), unis: make([]kernels.Normal, b)}
	for c := range b {
		cs.normals[c] = kernels.NewNormal(o.Seed, 2*uint64(c))
		cs.unis[c] = kernels.NewNormal(o.Seed, 2*uint64(c)+1)
	}
	switch len(o.Start) {
	case 0:
		for c := range b {
			cs.normals[c].Fill(cs.phi[c*th.v : (c+1)*th.v])
		}
	case th.v:
		for c := range b {
			copy(cs.phi[c*th.v:], o.Start)
		}
	case b * th.v:
		copy(cs.phi, o.Start)
	default:
		return nil, fmt.Errorf("phi4: %s: len(Start) = %d, want V = %d or chains x V = %d", fn, len(o.Start), th.v, b*th.v)
	}
	for i, x := range cs.phi {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("phi4: %s: start value %d of chain %d is %v", fn, i%th.v, i/th.v, x)
		}
	}
	return cs, nil
}

// recorder copies the chains' states into a Run's samples at the right
// updates.
type recorder struct {
	run          *Run
	therm, thin  int
	total, count int // updates to run per chain; samples recorded per chain
}

func newRecorder(b, v, perChain int, o *RunOptions) *recorder {
	thin := max(o.Thin, 1)
	return &recorder{
		run: &Run{
			Samples: kernels.Matrix[float64]{Rows: b * perChain, Cols: v, Data: make([]float64, b*perChain*v), Stride: v},
			Chains:  b, PerChain: perChain,
			ChainAccepted: make([]int64, b), ChainDivergent: make([]int64, b),
		},
		therm: o.Therm, thin: thin, total: o.Therm + perChain*thin,
	}
}

// measuring reports whether update it (0-based) counts for acceptance.
func (r *recorder) measuring(it int) bool { return it >= r.therm }

// after records the state after update it when it is due.
func (r *recorder) after(it int, cs *chainSet) {
	if it < r.therm || (it-r.therm+1)%r.thin != 0 {
		return
	}
	t, v, n := r.count, cs.v, r.run.PerChain
	for c := range cs.b {
		copy(r.run.Samples.Data[(c*n+t)*v:(c*n+t+1)*v], cs.phi[c*v:(c+1)*v])
	}
	r.count++
}
