package kernels

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// gonumDot is gonum's BLAS dot product of the same precision as T.
func gonumDot[T Float](x, y []T) float64 {
	if is64[T]() {
		return blas64.Dot(blas64.Vector{N: len(x), Inc: 1, Data: f64(x)}, blas64.Vector{N: len(y), Inc: 1, Data: f64(y)})
	}
	return float64(blas32.Dot(blas32.Vector{N: len(x), Inc: 1, Data: f32(x)}, blas32.Vector{N: len(y), Inc: 1, Data: f32(y)}))
}
