package phi4

import (
	"slices"
	"strings"
	"testing"
)

// A chain started far out at large lambda rejects every trajectory (each
// one divergent) and is reported stuck; its neighbours, started at 0, are
// not. The per-chain counts add up to the run's.
func TestStuckChain(t *testing.T) {
	th, _ := New([]int{4, 4}, -4, 8)
	v := th.Sites()
	start := make([]float64, 3*v)
	for i := range v {
		start[v+i] = 4 // chain 1: S ~ 8 x 4^4 per site, a force of 2000
	}
	r, err := th.HMC(100, HMCOptions{RunOptions: RunOptions{Seed: 3, Chains: 3, Therm: 10, Start: start}, Steps: 10, StepSize: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for c := range r.Chains {
		t.Logf("chain %d: acceptance %.3f, %d divergent", c, r.ChainAcceptance(c), r.ChainDivergent[c])
	}
	if !slices.Equal(r.Stuck, []int{1}) {
		t.Errorf("Stuck = %v, want [1]", r.Stuck)
	}
	if r.ChainAccepted[1] != 0 {
		t.Errorf("chain 1 accepted %d trajectories", r.ChainAccepted[1])
	}
	for _, c := range []int{0, 2} {
		if a := r.ChainAcceptance(c); a < 0.5 {
			t.Errorf("chain %d: acceptance %.3f, want a moving chain", c, a)
		}
	}
	checkSums(t, r)
	err = r.StuckError()
	if err == nil || !strings.Contains(err.Error(), "chain 1 accepted 0 of 100") {
		t.Errorf("StuckError() = %v, want chain 1 named", err)
	}
	// The stuck chain's samples are its start.
	x := r.Chain(1)
	for i := range x.Rows * x.Cols {
		if x.Data[i] != 4 {
			t.Fatalf("chain 1 value %d is %v, want the start 4", i, x.Data[i])
		}
	}
}

// With a sensible start and step size no chain is flagged, for either
// sampler, and the per-chain counts add up.
func TestNoStuckChain(t *testing.T) {
	th, _ := New([]int{4, 4}, -4, 8)
	r, err := th.HMC(100, HMCOptions{RunOptions: RunOptions{Seed: 3, Chains: 3, Therm: 10, Start: make([]float64, th.Sites())}, Steps: 10, StepSize: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Stuck) != 0 || r.StuckError() != nil {
		t.Errorf("HMC: Stuck = %v (%v)", r.Stuck, r.StuckError())
	}
	checkSums(t, r)
	m, err := th.Metropolis(20, MetropolisOptions{RunOptions: RunOptions{Seed: 3, Chains: 3}, Delta: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Stuck) != 0 {
		t.Errorf("Metropolis: Stuck = %v", m.Stuck)
	}
	checkSums(t, m)
}

// A Metropolis chain whose proposals are far too wide almost never
// accepts: it is flagged although it moved a few times.
func TestStuckMetropolis(t *testing.T) {
	th, _ := New([]int{8}, 1, 2)
	m, err := th.Metropolis(200, MetropolisOptions{RunOptions: RunOptions{Seed: 5, Chains: 2}, Delta: 500})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accepted %v of %d per chain", m.ChainAccepted, m.Proposed/2)
	if !slices.Equal(m.Stuck, []int{0, 1}) {
		t.Errorf("Stuck = %v, want both chains", m.Stuck)
	}
	if m.Accepted == 0 {
		t.Error("no proposal accepted: the case does not test 'almost never'")
	}
	checkSums(t, m)
}

func checkSums(t *testing.T, r *Run) {
	t.Helper()
	var a, d int64
	for c := range r.Chains {
		a += r.ChainAccepted[c]
		d += r.ChainDivergent[c]
	}
	if a != r.Accepted || d != r.Divergent {
		t.Errorf("per-chain sums %d accepted, %d divergent; run %d, %d", a, d, r.Accepted, r.Divergent)
	}
}
