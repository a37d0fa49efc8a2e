package gonumblas

import (
	"fmt"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// passThrough overrides Ddot and Dgemv with methods that only call
// gonum's: the least any drop-in can do for a call it leaves to gonum.
type passThrough struct{ gonum.Implementation }

func (passThrough) Ddot(n int, x []float64, incX int, y []float64, incY int) float64 {
	return gonum.Implementation{}.Ddot(n, x, incX, y, incY)
}

func (passThrough) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	gonum.Implementation{}.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// heldFrame is passThrough's Dgemv kept out of line, as every method is
// whose body is past the inlining budget (Dgemv's arguments alone nearly
// fill it): the interface call then runs the pointer wrapper and the
// method, one frame more than under gonum.
type heldFrame struct{ gonum.Implementation }

//go:noinline
func (heldFrame) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	gonum.Implementation{}.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// BenchmarkFrame measures the price of overriding a gonum method at all:
// the same gonum call through blas.Float64 on gonum's implementation
// (impl=gonum), on passThrough (impl=frame, inlined into the wrapper),
// on heldFrame (impl=held, Dgemv only) and on ours (impl=flowkern), for
// the short calls where a frame shows. gonum/held is the floor for a
// method that cannot be inlined.
//
//	go test -run '^$' -bench Frame -count 5 -cpu 1 ./kernels/gonumblas
func BenchmarkFrame(b *testing.B) {
	r := tk.NewRand(43)
	impls := []struct {
		name string
		impl blas.Float64
	}{{"gonum", ref}, {"frame", passThrough{}}, {"held", heldFrame{}}, {"flowkern", ours}}
	for _, n := range []int{4, 16, 64, 256} {
		x, y := fill[float64](r, n), fill[float64](r, n)
		for _, im := range impls {
			if im.name == "held" {
				continue // heldFrame's Ddot is gonum's, promoted
			}
			b.Run(fmt.Sprintf("dot/n=%d/impl=%s", n, im.name), func(b *testing.B) {
				defer tk.ProcessCPUTime(b, 0)()
				for b.Loop() {
					frameSink = frameDot(im.impl, n, x, y)
				}
			})
		}
	}
	for _, n := range []int{4, 16, 64} {
		a, x, y := fill[float64](r, n*n), fill[float64](r, n), fill[float64](r, n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("gemv/n=%d/impl=%s", n, im.name), func(b *testing.B) {
				defer tk.ProcessCPUTime(b, 0)()
				for b.Loop() {
					frameGemv(im.impl, n, a, x, y)
				}
			})
		}
	}
}

var frameSink float64

//go:noinline
func frameDot(impl blas.Float64, n int, x, y []float64) float64 {
	return impl.Ddot(n, x, 1, y, 1)
}

//go:noinline
func frameGemv(impl blas.Float64, n int, a, x, y []float64) {
	impl.Dgemv(blas.NoTrans, n, n, 1, a, n, x, 1, 0, y, 1)
}
