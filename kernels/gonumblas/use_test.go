package gonumblas

import (
	"testing"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestUse: Use installs gonum's own implementation on the generic tier and
// Implementation on every SIMD tier, for both precisions.
func TestUse(t *testing.T) {
	p64, p32 := blas64.Implementation(), blas32.Implementation()
	defer func() { blas64.Use(p64); blas32.Use(p32) }()
	was := kernels.ISA()
	defer func() {
		if err := kernels.SetISA(was); err != nil {
			t.Fatal(err)
		}
	}()
	for _, isa := range []string{"generic", "avx2", "avx512", "neon"} {
		if err := kernels.SetISA(isa); err != nil {
			t.Logf("%s: skipped: %v", isa, err)
			continue
		}
		got := Use()
		_, ours64 := blas64.Implementation().(Implementation)
		_, ours32 := blas32.Implementation().(Implementation)
		_, gonum64 := blas64.Implementation().(gonum.Implementation)
		_, gonum32 := blas32.Implementation().(gonum.Implementation)
		simd := isa != "generic"
		if got != simd || ours64 != simd || ours32 != simd || gonum64 == simd || gonum32 == simd {
			t.Errorf("%s: Use() = %v, installed %T and %T", isa, got, blas64.Implementation(), blas32.Implementation())
		}
	}
}
