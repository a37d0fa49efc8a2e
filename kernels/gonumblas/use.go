package gonumblas

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Use installs the BLAS that is fastest on the kernel tier running now as
// gonum's float64 and float32 implementation (blas64.Use and blas32.Use)
// and reports whether it is this package's:
//
//   - on a SIMD tier (avx2, avx512, neon), Implementation: the kernels run
//     the routines the package doc lists;
//   - on the generic tier, gonum's own implementation. There every routine
//     of Implementation but Dnrm2 and Snrm2 is gonum's anyway, and passing
//     through it costs each call a frame (0.93-0.98x gonum for Level 1
//     calls past route.go's limits and for Dger at order 16), so Use
//     installs gonum itself: never slower than plain gonum, at the price of
//     Dnrm2 and Snrm2, which Implementation runs 1.5-1.7x faster there.
//
// A program calls it once at start-up, and again if it changes the tier
// (kernels.SetISA). Installing Implementation directly works on every tier.
func Use() (ours bool) {
	if onGonum() {
		blas64.Use(gonum.Implementation{})
		blas32.Use(gonum.Implementation{})
		return false
	}
	blas64.Use(Implementation{})
	blas32.Use(Implementation{})
	return true
}
