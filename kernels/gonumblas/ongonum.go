package gonumblas

import (
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Most calls that go to gonum (onGonum, and the small ones of route.go)
// go straight from the exported methods. Those where gonum departs from
// BLAS go after this package's checks and quick returns, with every slice
// cut to the elements the call may touch: gonum's GemvT would otherwise
// zero y past its elements, its amd64 Dger mishandles negative increments
// (those vectors are gathered first), and its Dsyrk with beta == 0 keeps
// NaN in C.

// span is the length of a vector of n >= 1 elements with increment inc.
func span(n, inc int) int { return (n-1)*max(inc, -inc) + 1 }

func gonumGemv[T kernels.Float](tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
	lenX, lenY := m, n
	if tA == blas.NoTrans {
		lenX, lenY = n, m
	}
	a, x, y = a[:lda*(m-1)+n], x[:span(lenX, incX)], y[:span(lenY, incY)]
	if a64, ok := any(a).([]float64); ok {
		gonum.Implementation{}.Dgemv(tA, m, n, float64(alpha), a64, lda, any(x).([]float64), incX, float64(beta), any(y).([]float64), incY)
		return
	}
	gonum.Implementation{}.Sgemv(tA, m, n, float32(alpha), any(a).([]float32), lda, any(x).([]float32), incX, float32(beta), any(y).([]float32), incY)
}

func gonumGer[T kernels.Float](m, n int, alpha T, x []T, incX int, y []T, incY int, a []T, lda int) {
	if incX < 0 || incY < 0 {
		s := newScratch[T](m + n)
		defer s.release()
		if incX < 0 {
			xs := s.take(m)
			gather(xs, x, incX)
			x, incX = xs, 1
		}
		if incY < 0 {
			ys := s.take(n)
			gather(ys, y, incY)
			y, incY = ys, 1
		}
	}
	x, y, a = x[:span(m, incX)], y[:span(n, incY)], a[:lda*(m-1)+n]
	if a64, ok := any(a).([]float64); ok {
		gonum.Implementation{}.Dger(m, n, float64(alpha), any(x).([]float64), incX, any(y).([]float64), incY, a64, lda)
		return
	}
	gonum.Implementation{}.Sger(m, n, float32(alpha), any(x).([]float32), incX, any(y).([]float32), incY, any(a).([]float32), lda)
}

func gonumSyrk[T kernels.Float](ul blas.Uplo, tA blas.Transpose, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	if beta == 0 {
		// gonum's Trans form multiplies C by zero, keeping its NaN.
		for i := range n {
			if ul == blas.Upper {
				clear(c[i*ldc+i : i*ldc+n])
			} else {
				clear(c[i*ldc : i*ldc+i+1])
			}
		}
	}
	if a64, ok := any(a).([]float64); ok {
		gonum.Implementation{}.Dsyrk(ul, tA, n, k, float64(alpha), a64, lda, float64(beta), any(c).([]float64), ldc)
		return
	}
	gonum.Implementation{}.Ssyrk(ul, tA, n, k, float32(alpha), any(a).([]float32), lda, float32(beta), any(c).([]float32), ldc)
}
