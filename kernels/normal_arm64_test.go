//go:build arm64 && !purego && !noasm

package kernels

import (
	"testing"

	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestNormalsNEONOdd calls the NEON kernel directly with every length to
// 40, odd ones included (Fill passes only even lengths): the numbers of
// ref.Normals, nothing written outside dst, and the state 2 ceil(n/2) words on.
func TestNormalsNEONOdd(t *testing.T) {
	if !usable(cpu.NEON) {
		t.Skip("no NEON")
	}
	for n := range 41 {
		for off := range 3 {
			s0 := ref.NormalSeed(uint64(n), uint64(off))
			want := make([]float64, n)
			ws := s0
			ref.Normals(&ws, want)
			out := tk.NewGuarded[float64](n, off)
			s := s0
			asm.NormalsF64NEON(out.S(), &s)
			if k := tk.FirstDiff(out.S(), want); k >= 0 {
				t.Fatalf("n %d: draw %d = %v, want %v", n, k, out.S()[k], want[k])
			}
			if err := out.Check(); err != nil {
				t.Fatalf("n %d offset %d: %v", n, off, err)
			}
			if s != ws {
				t.Fatalf("n %d: state %#x, want %#x", n, s, ws)
			}
		}
	}
}
