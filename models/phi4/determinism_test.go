package phi4

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/kernels"
)

// hashRun is the SHA-256 of a run's sample bits and counters.
func hashRun(r *Run) string {
	h := sha256.New()
	var b [8]byte
	for _, x := range r.Samples.Data {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
	}
	fmt.Fprint(h, r.Accepted, r.Proposed, r.Divergent)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// The reference runs of the determinism tests: interacting, 1D and 2D,
// jitter, thinning and a start vector.
func detRuns(t *testing.T, chains int) (hmc, met *Run) {
	t.Helper()
	th, _ := New([]int{4, 3}, -1, 0.8)
	var err error
	hmc, err = th.HMC(30, HMCOptions{RunOptions: RunOptions{Seed: 42, Chains: chains, Therm: 5, Thin: 2}, Steps: 7, StepSize: 0.15, Jitter: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	th1, _ := New([]int{5}, -0.5, 0.3)
	met, err = th1.Metropolis(30, MetropolisOptions{RunOptions: RunOptions{Seed: 42, Chains: chains, Therm: 5, Thin: 3, Start: []float64{1, 2, 3, 4, 5}}, Delta: 1.3})
	if err != nil {
		t.Fatal(err)
	}
	return hmc, met
}

// Golden hashes of detRuns(t, 3), computed on amd64 (avx512, avx2 and
// generic agree): the same bits under GOARCH=arm64 (neon and generic, CI in
// qemu) show that no scalar a*b+c was fused on one architecture only. If
// kernels.Normal or kernels.Exp change their bits on purpose, these change
// with them.
const (
	goldenHMC        = "d078250c4780ddb1ec330895cd9551de461681b40889043c1ca086a013414ab8"
	goldenMetropolis = "2979bcc05b25ce151e2f9c0f7588ce91b3d4c476de308940bc9d108553149195"
)

// Same seed, same bits: twice in a row, on every tier this machine runs
// plus generic, and across architectures (golden hashes); chain c's samples
// do not depend on how many chains run beside it; another seed differs.
func TestDeterministic(t *testing.T) {
	h1, m1 := detRuns(t, 3)
	h2, m2 := detRuns(t, 3)
	if hashRun(h1) != hashRun(h2) || hashRun(m1) != hashRun(m2) {
		t.Fatal("two runs with the same seed differ")
	}
	prev := kernels.ISA()
	isatest.Each(t, func(t *testing.T) {
		isa := kernels.ISA()
		h, m := detRuns(t, 3)
		if hashRun(h) != hashRun(h1) {
			t.Errorf("HMC on %s differs from the first run (on %s)", isa, prev)
		}
		if hashRun(m) != hashRun(m1) {
			t.Errorf("Metropolis on %s differs from the first run (on %s)", isa, prev)
		}
	})
	t.Logf("HMC %s, Metropolis %s", hashRun(h1), hashRun(m1))
	if hashRun(h1) != goldenHMC {
		t.Errorf("HMC hash %s, golden (amd64) %s", hashRun(h1), goldenHMC)
	}
	if hashRun(m1) != goldenMetropolis {
		t.Errorf("Metropolis hash %s, golden (amd64) %s", hashRun(m1), goldenMetropolis)
	}
	h5, m5 := detRuns(t, 5)
	for c := range 3 {
		for _, p := range []struct {
			name string
			a, b *Run
		}{{"HMC", h1, h5}, {"Metropolis", m1, m5}} {
			a, b := p.a.Chain(c), p.b.Chain(c)
			for i := range a.Rows * a.Cols {
				if math.Float64bits(a.Data[i]) != math.Float64bits(b.Data[i]) {
					t.Fatalf("%s chain %d differs between 3 and 5 chains at value %d", p.name, c, i)
				}
			}
		}
	}
	th, _ := New([]int{4, 3}, -1, 0.8)
	other, _ := th.HMC(30, HMCOptions{RunOptions: RunOptions{Seed: 43, Chains: 3, Therm: 5, Thin: 2}, Steps: 7, StepSize: 0.15, Jitter: 0.4})
	if other.Samples.Data[0] == h1.Samples.Data[0] {
		t.Error("seeds 42 and 43 give the same first sample")
	}
}
