package flow

import (
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// TestNoAllocations: after a warm-up call of the same size, the hot paths
// allocate nothing (with one kernel worker: a parallel kernel call
// allocates a few small objects, as package kernels documents).
func TestNoAllocations(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	const d, n = 6, 40
	for name, sp := range testSpecs(t, d) {
		f := randomised[float32](t, sp, 1)
		f.SetWorkers(1)
		x, z := randMat[float32](n, d, 2), randMat[float32](n, d, 0)
		lp := make([]float64, n)
		opt := newAdamState(f, TrainOptions{LR: 1e-6}.withDefaults(), 1000)
		for what, call := range map[string]func(){
			"Forward": func() { f.Forward(z, x, lp) },
			"Inverse": func() { f.Inverse(z, x) },
			"LogProb": func() { f.LogProb(lp, x) },
			"Sample":  func() { f.Sample(z, 3) },
			"step": func() {
				if _, err := f.trainStep(x, opt); err != nil {
					t.Fatal(err)
				}
			},
		} {
			call()
			if a := testing.AllocsPerRun(5, call); a != 0 {
				t.Errorf("%s: %s allocates %v times per call", name, what, a)
			}
		}
	}
}
