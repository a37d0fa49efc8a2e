//go:build !purego && !noasm

package kernels

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/asm"
)

// TestDotHalves runs the Dot tests with the AVX-512 Dot loading halves at
// every length and at none, so that both of its loops are checked whichever
// this CPU runs (internal/cpu.DotHalvesFrom).
func TestDotHalves(t *testing.T) {
	for _, c := range []struct {
		name string
		from int
	}{{"always", 0}, {"never", math.MaxInt}} {
		t.Run(c.name, func(t *testing.T) {
			defer asm.SetDotHalvesFrom(asm.SetDotHalvesFrom(c.from))
			forBoth(t, testDot[float64], testDot[float32])
		})
	}
}
