package kernels

import (
	"slices"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
)

// TestDispatchReachesAssembly calls every kernel of the manifest
// (manifestKernels, written by gen/wire) on every tier this CPU and build
// run. A tier the manifest lists for the kernel must run its assembly: the
// pure-Go path there would give the same bits, so only this test sees a
// dispatch entry that is missing. A tier it does not list must take the
// pure-Go path (or report that it has no kernel).
func TestDispatchReachesAssembly(t *testing.T) {
	var fell []string
	fallbackHook = func(name string, member int, tier cpu.Tier) {
		fell = append(fell, name)
	}
	defer func() { fallbackHook = nil }()
	for _, tier := range cpu.Tiers {
		if !usable(tier) {
			t.Logf("tier %s not run here", tier)
			continue
		}
		ran := 0
		for _, k := range manifestKernels {
			fell = fell[:0]
			k.call(tier)
			listed := slices.Contains(k.tiers, tier)
			switch {
			case listed && len(fell) > 0:
				t.Errorf("%s (%s) on %s ran the pure-Go path, not its assembly", k.kernel, k.name, tier)
			case !listed && len(fell) == 0:
				t.Errorf("%s (%s) on %s did not report the pure-Go path", k.kernel, k.name, tier)
			case listed:
				ran++
			}
		}
		t.Logf("tier %s: %d kernels of %d reach their assembly", tier, ran, len(manifestKernels))
	}
}

// The coupling kernels go by clamp kind in threes (fwdKernel, invKernel,
// bwdKernel count on it).
func TestStreamKernelOrder(t *testing.T) {
	for _, c := range []struct {
		k             ClampKind
		fwd, inv, bwd streamKernel
	}{{ClampNone, skFwdNone, skInvNone, skBwdNone}, {ClampTanh, skFwdTanh, skInvTanh, skBwdTanh}, {ClampAtan, skFwdAtan, skInvAtan, skBwdAtan}} {
		if fwdKernel(c.k) != c.fwd || invKernel(c.k) != c.inv || bwdKernel(c.k) != c.bwd {
			t.Errorf("clamp %d: kernels %d %d %d, want %d %d %d", c.k, fwdKernel(c.k), invKernel(c.k), bwdKernel(c.k), c.fwd, c.inv, c.bwd)
		}
	}
}
