package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The triangular benchmarks: TriSolveVecs and TriMatVecs on one goroutine
// against gonum's Dtrsm and Dtrmm (Strsm, Strmm) solving or multiplying the
// same rows (side Right, the transpose flag flipped), for batch = 256 and n
// in {64, 256, 512}; TriLogDet against a loop of math.Log. They report
// GFLOP/s counting n*n*batch flops (n^2/2 multiply-adds per row).
//
//	go test -run '^$' -bench 'TriSolveVecs/float64' ./kernels/

var triBenchDims = []int{64, 256, 512}

// triBenchMatrix returns a well-conditioned n x n matrix for either
// triangle: random off-diagonal elements scaled by 1/n, diagonal 1 to 2.
func triBenchMatrix[T Float](n int) []T {
	r := tk.NewRand(uint64(n))
	a := make([]T, n*n)
	tk.Fill(r, a)
	for i := range a {
		a[i] /= T(n)
	}
	for i := range n {
		a[i*n+i] = T(1 + r.Float64())
	}
	return a
}

//go:noinline
func benchTriSolve[T Float](t cpu.Tier, x, a Matrix[T], x0 []T, upper, trans bool) {
	copy(x.Data, x0)
	s := triSpec[T]{a: a, upper: upper, trans: trans}
	triSolveOn(t, 1, x, &s)
}

//go:noinline
func benchTriMul[T Float](t cpu.Tier, x, a Matrix[T], x0 []T, upper, trans bool) {
	copy(x.Data, x0)
	s := triSpec[T]{a: a, upper: upper, trans: trans}
	triMulOn(t, 1, x, &s)
}

//go:noinline
func benchDtrsm(ul blas.Uplo, tA blas.Transpose, m, n int, a, b, b0 []float64) {
	copy(b, b0)
	gonum.Implementation{}.Dtrsm(blas.Right, ul, tA, blas.NonUnit, m, n, 1, a, n, b, n)
}

//go:noinline
func benchStrsm(ul blas.Uplo, tA blas.Transpose, m, n int, a, b, b0 []float32) {
	copy(b, b0)
	gonum.Implementation{}.Strsm(blas.Right, ul, tA, blas.NonUnit, m, n, 1, a, n, b, n)
}

//go:noinline
func benchDtrmm(ul blas.Uplo, tA blas.Transpose, m, n int, a, b, b0 []float64) {
	copy(b, b0)
	gonum.Implementation{}.Dtrmm(blas.Right, ul, tA, blas.NonUnit, m, n, 1, a, n, b, n)
}

func runTriBench(b *testing.B, solve bool) {
	for _, single := range []bool{false, true} {
		prec := "float64"
		if single {
			prec = "float32"
		}
		for _, n := range triBenchDims {
			for _, upper := range []bool{false, true} {
				for _, trans := range []bool{false, true} {
					const nb = 256
					name := fmt.Sprintf("%s/n=%d/batch=%d/upper=%v/trans=%v", prec, n, nb, upper, trans)
					b.Run(name, func(b *testing.B) {
						flops := float64(n) * float64(n) * nb
						measure := func(b *testing.B, f func()) {
							defer tk.CPUTimeFlops(b, flops)()
							for b.Loop() {
								f()
							}
							b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
						}
						ul, tA := blas.Lower, blas.Trans // X op(A)^T: trans flipped
						if upper {
							ul = blas.Upper
						}
						if trans {
							tA = blas.NoTrans
						}
						if single {
							a, x := triBenchMatrix[float32](n), make([]float32, nb*n)
							tk.Fill(tk.NewRand(1), x)
							x0 := clone(x)
							A, X := Matrix[float32]{n, n, a, n}, Matrix[float32]{nb, n, x, n}
							if solve {
								b.Run("gonum", func(b *testing.B) { measure(b, func() { benchStrsm(ul, tA, nb, n, a, x, x0) }) })
							}
							for _, t := range usableTiers() {
								b.Run(t.String(), func(b *testing.B) {
									measure(b, func() {
										if solve {
											benchTriSolve(t, X, A, x0, upper, trans)
										} else {
											benchTriMul(t, X, A, x0, upper, trans)
										}
									})
								})
							}
							return
						}
						a, x := triBenchMatrix[float64](n), make([]float64, nb*n)
						tk.Fill(tk.NewRand(1), x)
						x0 := clone(x)
						A, X := Matrix[float64]{n, n, a, n}, Matrix[float64]{nb, n, x, n}
						b.Run("gonum", func(b *testing.B) {
							measure(b, func() {
								if solve {
									benchDtrsm(ul, tA, nb, n, a, x, x0)
								} else {
									benchDtrmm(ul, tA, nb, n, a, x, x0)
								}
							})
						})
						for _, t := range usableTiers() {
							b.Run(t.String(), func(b *testing.B) {
								measure(b, func() {
									if solve {
										benchTriSolve(t, X, A, x0, upper, trans)
									} else {
										benchTriMul(t, X, A, x0, upper, trans)
									}
								})
							})
						}
					})
				}
			}
		}
	}
}

func BenchmarkTriSolveVecs(b *testing.B) { runTriBench(b, true) }

func BenchmarkTriMatVecs(b *testing.B) { runTriBench(b, false) }

// BenchmarkAddOutersTri times AddOutersTri (the gradient of a strictly
// triangular factor, with ds) on one goroutine per tier, beside AddOuters
// on the full square ("square"), the yardstick a triangle should beat.
// GFLOP/s counts n*n*batch flops, the square's as the triangle's, so the
// two are compared by time.
//
//	go test -run '^$' -bench 'AddOutersTri/float32/n=64' ./kernels/
func BenchmarkAddOutersTri(b *testing.B) {
	b.Run("float64", func(b *testing.B) { benchAddOutersTri[float64](b) })
	b.Run("float32", func(b *testing.B) { benchAddOutersTri[float32](b) })
}

func benchAddOutersTri[T Float](b *testing.B) {
	for _, n := range triBenchDims {
		const nb = 256
		_, d, x, g, _ := benchMatrices[T](n, nb)
		tk.Fill(tk.NewRand(9), x)
		for i := range d {
			d[i] *= 1e-9 // keep G finite over many runs
		}
		G, D, X := Matrix[T]{n, n, g, n}, Matrix[T]{nb, n, d, n}, Matrix[T]{nb, n, x, n}
		ds, tb := make([]T, n), make([]T, triNB*triNB)
		flops := float64(n) * float64(n) * nb
		measure := func(b *testing.B, f func()) {
			defer tk.CPUTimeFlops(b, flops)()
			for b.Loop() {
				f()
			}
		}
		for _, lower := range []bool{true, false} {
			b.Run(fmt.Sprintf("n=%d/batch=%d/lower=%v", n, nb, lower), func(b *testing.B) {
				for _, t := range usableTiers() {
					b.Run(t.String(), func(b *testing.B) {
						measure(b, func() { addOutersTri(t, G, D, X, lower, ds, tb) })
					})
					b.Run(t.String()+"-square", func(b *testing.B) {
						measure(b, func() { addOutersOn(t, 1, G, nil, D, X) })
					})
				}
			})
		}
	}
}
