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

// A clamped coupling runs its clamp's kernel (clampKernel) before the
// unclamped one: the kernel must be that clamp's.
func TestClampKernelNames(t *testing.T) {
	for _, c := range []struct {
		k    ClampKind
		name string
	}{{ClampTanh, "Tanh"}, {ClampAtan, "Atan"}} {
		if got := clampKernel(c.k, false).String(); got != "CouplingClamp"+c.name {
			t.Errorf("clamp %s: kernel %s", c.name, got)
		}
		if got := clampKernel(c.k, true).String(); got != "CouplingClampGrad"+c.name {
			t.Errorf("clamp %s with gradient: kernel %s", c.name, got)
		}
	}
}
