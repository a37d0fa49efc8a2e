package flow

import (
	"testing"

	"github.com/flowkern/flowkern/kernels"
)

// BenchmarkLU: the LU layer of the d = 64 flow on a training chunk (128
// rows): Forward, then Backward.
func BenchmarkLU(b *testing.B) {
	forPrecisions(b, benchLU[float64], benchLU[float32])
}

func benchLU[T kernels.Float](b *testing.B) {
	f, _ := benchFlow[T](b)
	var l *LU[T]
	for _, ly := range f.layers {
		if v, ok := ly.(*LU[T]); ok {
			l = v
			break
		}
	}
	x, z := randMat[T](trainChunk, benchD, 1), randMat[T](trainChunk, benchD, 2)
	dz, dx := randMat[T](trainChunk, benchD, 3), randMat[T](trainChunk, benchD, 4)
	timed(b, 0, func() {
		l.Forward(z, x, nil)
		l.Backward(dx, dz, x, nil)
	})
}
