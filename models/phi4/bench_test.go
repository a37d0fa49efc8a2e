package phi4

import (
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkHMC: an 8x8 lattice near the AKS flow papers' couplings, 64
// chains, 10 leapfrog steps per trajectory; reports chain-trajectories/s.
func BenchmarkHMC(b *testing.B) {
	th, _ := New([]int{8, 8}, -4, 8)
	o := HMCOptions{RunOptions: RunOptions{Seed: 1, Chains: 64}, Steps: 10, StepSize: 0.05, Jitter: 0.2}
	defer tk.ProcessCPUTime(b, 0)() // chains may run on several goroutines
	for b.Loop() {
		runHMC(th, o)
	}
	b.ReportMetric(float64(b.N)*64*100/b.Elapsed().Seconds(), "traj/s")
}

// BenchmarkMetropolis: the same lattice, 64 chains; reports site updates/s.
func BenchmarkMetropolis(b *testing.B) {
	th, _ := New([]int{8, 8}, -4, 8)
	o := MetropolisOptions{RunOptions: RunOptions{Seed: 1, Chains: 64}, Delta: 0.6}
	defer tk.ProcessCPUTime(b, 0)()
	for b.Loop() {
		runMetropolis(th, o)
	}
	b.ReportMetric(float64(b.N)*64*100*64/b.Elapsed().Seconds(), "updates/s")
}

//go:noinline
func runHMC(th *Theory, o HMCOptions) *Run { r, _ := th.HMC(100, o); return r }

//go:noinline
func runMetropolis(th *Theory, o MetropolisOptions) *Run { r, _ := th.Metropolis(100, o); return r }
