// Package isatest runs a test once per kernel tier from outside package
// kernels (whose own tests use internal/testkit): the model packages check
// that every tier gives them the same bits.
package isatest

import (
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/kernels"
)

// Each runs f once per tier as a subtest named after it, with the kernels
// switched to that tier (kernels.SetISA), and restores the tier in use
// after. A tier this machine or build cannot run is reported as skipped,
// with the reason.
func Each(t *testing.T, f func(t *testing.T)) {
	prev := kernels.ISA()
	t.Cleanup(func() { kernels.SetISA(prev) })
	for _, tier := range cpu.Tiers {
		t.Run(tier.String(), func(t *testing.T) {
			if err := kernels.SetISA(tier.String()); err != nil {
				t.Skipf("tier %s cannot run here: %v", tier, err)
			}
			defer kernels.SetISA(prev)
			f(t)
		})
	}
}
