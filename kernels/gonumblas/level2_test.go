package gonumblas

import (
	"fmt"
	"math"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// l2Shapes are the m×n of the Level 2 tests: empty, single rows and
// columns, tails of every vector width, and a few larger ones.
var l2Shapes = [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {1, 17}, {17, 1}, {2, 3}, {5, 7}, {9, 33}, {33, 65}, {64, 64}, {100, 37}}

// gemvDepth is the rounding chain of our Gemv for one output element (see
// doc.go), A m×n: MatVecs' dot then alpha and beta for NoTrans; beta*y,
// alpha*x[i] and m fused updates for Trans.
func gemvDepth[T kernels.Float](tA blas.Transpose, m, n int) int {
	if tA == blas.NoTrans {
		return matVecsDepth[T](n) + 2
	}
	return m + 1
}

// matVecsDepth is the rounding chain of kernels.MatVecs over n elements:
// ceil(n/L) + log2 L with L lanes (see its doc).
func matVecsDepth[T kernels.Float](n int) int {
	if _, ok := any(T(0)).(float32); ok {
		return (n+15)/16 + 4
	}
	return (n+7)/8 + 3
}

func TestGemv(t *testing.T) { both(t, testGemv[float64], testGemv[float32]) }

func testGemv[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(5)
	for _, sh := range l2Shapes {
		m, n := sh[0], sh[1]
		for _, lda := range []int{max(1, n), max(1, n) + 3} {
			for _, tA := range transposes {
				lenX, lenY := m, n
				if tA == blas.NoTrans {
					lenX, lenY = n, m
				}
				for _, inc := range incPairs {
					for _, alpha := range scalars[T](r) {
						for _, beta := range scalars[T](r) {
							a := newMatrix(r, m, n, lda, nan[T]())
							x := newVector(r, lenX, inc[0], 2, nan[T]())
							y := newVector(r, lenY, inc[1], 2, T(7))
							if alpha == 0 {
								// Neither A nor x may be read.
								a.set(nan[T]())
								x.set(nan[T]())
							}
							y0 := y.clone()
							if beta == 0 {
								y.set(nan[T]()) // y may not be read
							}
							got, want := y.clone(), y.clone()
							ours.gemv(tA, m, n, alpha, a.data, lda, x.data, x.inc, beta, got.data, got.inc)
							ref.gemv(tA, m, n, alpha, a.data, lda, x.data, x.inc, beta, want.data, want.inc)
							name := fmt.Sprintf("%c m=%d n=%d lda=%d inc=%v alpha=%v beta=%v", tA, m, n, lda, inc, alpha, beta)
							checkVector(t, name, got, want, y, func(i int) (int, int, int, float64) {
								var s float64
								if beta != 0 {
									s = math.Abs(float64(beta) * float64(y0.get(i)))
								}
								if alpha != 0 {
									for l := range lenX {
										var aij T
										if tA == blas.NoTrans {
											aij = a.at(i, l)
										} else {
											aij = a.at(l, i)
										}
										s += math.Abs(float64(alpha) * float64(aij) * float64(x.get(l)))
									}
								}
								return gemvDepth[T](tA, m, n), lenX + 2, lenX + 2, s
							})
						}
					}
				}
			}
		}
	}
}

// checkMatrix compares ours with gonum's result on the elements of got and
// requires ours to leave the columns past got.c as they were in orig.
func checkMatrix[T kernels.Float](t *testing.T, name string, got, want, orig matrix[T], bound func(i, j int) (int, int, int, float64)) {
	t.Helper()
	for i := range got.r {
		for j := range got.c {
			g, w := got.at(i, j), want.at(i, j)
			dOurs, dGonum, k, s := bound(i, j)
			if !within(g, w, dOurs, dGonum, k, s) {
				t.Errorf("%s: element (%d, %d): got %v, gonum %v: differ by %g, more than the bound for S=%g", name, i, j, g, w, float64(g-w), s)
				return
			}
		}
	}
	for i := 0; i+1 < got.r; i++ {
		for l := i*got.ld + got.c; l < (i+1)*got.ld; l++ {
			if !tk.Same(got.data[l], orig.data[l]) {
				t.Errorf("%s: data[%d] is past column %d but changed from %v to %v", name, l, got.c, orig.data[l], got.data[l])
				return
			}
		}
	}
}

func TestGer(t *testing.T) { both(t, testGer[float64], testGer[float32]) }

func testGer[T kernels.Float](t *testing.T, ours, ref routines[T]) {
	r := tk.NewRand(6)
	for _, sh := range l2Shapes {
		m, n := sh[0], sh[1]
		for _, lda := range []int{max(1, n), max(1, n) + 3} {
			for _, inc := range incPairs {
				for _, alpha := range scalars[T](r) {
					a := newMatrix(r, m, n, lda, T(7))
					x := newVector(r, m, inc[0], 2, nan[T]())
					y := newVector(r, n, inc[1], 2, nan[T]())
					if alpha == 0 {
						x.set(nan[T]())
						y.set(nan[T]())
					}
					got, want := a.clone(), a.clone()
					ours.ger(m, n, alpha, x.data, x.inc, y.data, y.inc, got.data, lda)
					if x.inc < 0 || y.inc < 0 {
						// gonum's amd64 assembly Ger mishandles negative
						// increments (it skips a negative incY and starts a
						// negative incX at (m-1)*|incX|*size elements, out
						// of bounds); its pure-Go Ger walks them from the far
						// end as BLAS says. Compare with gonum on unit copies.
						xu, yu := unitCopy(x), unitCopy(y)
						ref.ger(m, n, alpha, xu.data, 1, yu.data, 1, want.data, lda)
					} else {
						ref.ger(m, n, alpha, x.data, x.inc, y.data, y.inc, want.data, lda)
					}
					name := fmt.Sprintf("m=%d n=%d lda=%d inc=%v alpha=%v", m, n, lda, inc, alpha)
					// Ours rounds alpha*x[i] and one fused update (2),
					// gonum the product with y and the sum too (3).
					checkMatrix(t, name, got, want, a, func(i, j int) (int, int, int, float64) {
						s := math.Abs(float64(a.at(i, j)))
						if alpha != 0 {
							s += math.Abs(float64(alpha) * float64(x.get(i)) * float64(y.get(j)))
						}
						return 2, 3, 2, s
					})
				}
			}
		}
	}
}

// unitCopy returns v's elements in order with increment 1.
func unitCopy[T kernels.Float](v vector[T]) vector[T] {
	u := vector[T]{data: make([]T, v.n), n: v.n, inc: 1}
	for i := range v.n {
		u.data[i] = v.get(i)
	}
	return u
}
