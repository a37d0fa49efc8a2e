package kernels

import "testing"

// TestGeneric checks that Generic follows the tier SetISA picks, on every
// tier this CPU and build can run.
func TestGeneric(t *testing.T) {
	defer func(name string) { SetISA(name) }(ISA())
	for _, tier := range usableTiers() {
		if err := SetISA(tier.String()); err != nil {
			t.Fatal(err)
		}
		if got, want := Generic(), ISA() == "generic"; got != want {
			t.Errorf("tier %s: Generic() = %v, want %v", tier, got, want)
		}
	}
}
