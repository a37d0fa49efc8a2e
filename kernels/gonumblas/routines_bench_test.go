package gonumblas

import (
	"fmt"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkRoutines measures every routine this package overrides, in both
// precisions and at sizes from a few elements up, gonum's and ours in one
// run (sub-benchmarks impl=gonum and impl=flowkern next to each other), by
// the CPU time of the process (cpu-ns/op). The drop-in must never be the
// slower one; run it per tier and build:
//
//	go test -run '^$' -bench Routines -count 5 -cpu 1 ./kernels/gonumblas
//	FLOWKERN_ISA=generic go test -run '^$' -bench Routines ...
//	go test -tags purego -run '^$' -bench Routines ...
//
// BenchmarkLapack does the same for the LAPACK factorizations gonum/mat
// runs on top of the BLAS at small n.
func BenchmarkRoutines(b *testing.B) {
	b.Run("float64", func(b *testing.B) { benchRoutines(b, allOps64(ref), allOps64(ours)) })
	b.Run("float32", func(b *testing.B) { benchRoutines(b, allOps32(ref), allOps32(ours)) })
}

// allOps are the overridden routines of one precision.
type allOps[T kernels.Float] struct {
	routines[T]
	trmv, trsv func(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []T, lda int, x []T, incX int)
	syrk       func(ul blas.Uplo, tA blas.Transpose, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int)
	trmm, trsm func(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int)
}

func allOps64(i blas.Float64) allOps[float64] {
	return allOps[float64]{routines64(i), i.Dtrmv, i.Dtrsv, i.Dsyrk, i.Dtrmm, i.Dtrsm}
}

func allOps32(i blas.Float32) allOps[float32] {
	return allOps[float32]{routines32(i), i.Strmv, i.Strsv, i.Ssyrk, i.Strmm, i.Strsm}
}

func benchRoutines[T kernels.Float](b *testing.B, gon, fk allOps[T]) {
	impls := []struct {
		name string
		rt   allOps[T]
	}{{"gonum", gon}, {"flowkern", fk}}
	r := tk.NewRand(31)
	// each runs one routine of rt on fixed inputs; n is the size.
	type routine struct {
		name  string
		sizes []int
		setup func(n int) func(rt allOps[T])
	}
	vec := func(n int) []T { return fill[T](r, n) }
	level1 := []int{4, 16, 64, 256, 1024, 4096, 65536}
	level2 := []int{16, 64, 256, 1024}
	level3 := []int{16, 64, 256}
	var sink T
	list := []routine{
		{"dot", level1, func(n int) func(allOps[T]) {
			x, y := vec(n), vec(n)
			return func(rt allOps[T]) { sink = rt.dot(n, x, 1, y, 1) }
		}},
		{"axpy", level1, func(n int) func(allOps[T]) {
			x, y := vec(n), vec(n)
			alpha := T(1e-3)
			return func(rt allOps[T]) { rt.axpy(n, alpha, x, 1, y, 1); alpha = -alpha }
		}},
		{"scal", level1, func(n int) func(allOps[T]) {
			x := vec(n)
			return func(rt allOps[T]) { rt.scal(n, -1, x, 1) }
		}},
		{"nrm2", level1, func(n int) func(allOps[T]) {
			x := vec(n)
			return func(rt allOps[T]) { sink = rt.nrm2(n, x, 1) }
		}},
		{"gemvN", level2, func(n int) func(allOps[T]) {
			a, x, y := vec(n*n), vec(n), vec(n)
			return func(rt allOps[T]) { rt.gemv(blas.NoTrans, n, n, 1, a, n, x, 1, 0, y, 1) }
		}},
		{"gemvT", level2, func(n int) func(allOps[T]) {
			a, x, y := vec(n*n), vec(n), vec(n)
			return func(rt allOps[T]) { rt.gemv(blas.Trans, n, n, 1, a, n, x, 1, 0, y, 1) }
		}},
		{"ger", level2, func(n int) func(allOps[T]) {
			a, x, y := vec(n*n), vec(n), vec(n)
			alpha := T(1e-3)
			return func(rt allOps[T]) { rt.ger(n, n, alpha, x, 1, y, 1, a, n); alpha = -alpha }
		}},
		{"trmv", level2, func(n int) func(allOps[T]) {
			a, x0, x := triangular[T](r, n), vec(n), make([]T, n)
			return func(rt allOps[T]) { copy(x, x0); rt.trmv(blas.Upper, blas.NoTrans, blas.NonUnit, n, a, n, x, 1) }
		}},
		{"trsv", level2, func(n int) func(allOps[T]) {
			a, x0, x := triangular[T](r, n), vec(n), make([]T, n)
			return func(rt allOps[T]) { copy(x, x0); rt.trsv(blas.Lower, blas.Trans, blas.NonUnit, n, a, n, x, 1) }
		}},
		{"gemm", level3, func(n int) func(allOps[T]) {
			a, bm, c := vec(n*n), vec(n*n), vec(n*n)
			return func(rt allOps[T]) { rt.gemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, bm, n, 0, c, n) }
		}},
		{"syrk", level3, func(n int) func(allOps[T]) {
			a, c := vec(n*n), vec(n*n)
			return func(rt allOps[T]) { rt.syrk(blas.Upper, blas.NoTrans, n, n, 1, a, n, 0, c, n) }
		}},
		{"trmm", level3, func(n int) func(allOps[T]) {
			a, b0, bm := triangular[T](r, n), vec(n*n), make([]T, n*n)
			return func(rt allOps[T]) {
				copy(bm, b0)
				rt.trmm(blas.Left, blas.Upper, blas.NoTrans, blas.NonUnit, n, n, 1, a, n, bm, n)
			}
		}},
		{"trsm", level3, func(n int) func(allOps[T]) {
			a, b0, bm := triangular[T](r, n), vec(n*n), make([]T, n*n)
			return func(rt allOps[T]) {
				copy(bm, b0)
				rt.trsm(blas.Right, blas.Lower, blas.NoTrans, blas.NonUnit, n, n, 1, a, n, bm, n)
			}
		}},
	}
	for _, rn := range list {
		for _, n := range rn.sizes {
			run := rn.setup(n)
			for _, im := range impls {
				b.Run(fmt.Sprintf("%s/n=%d/impl=%s", rn.name, n, im.name), func(b *testing.B) {
					defer tk.ProcessCPUTime(b, 0)()
					for b.Loop() {
						run(im.rt)
					}
				})
			}
		}
	}
	_ = sink
}

// triangular returns an n×n matrix whose diagonal dominates. (The
// triangular benchmarks restore x or B before each call: repeated products
// or solves would drift into the subnormals or overflow, whose slow paths
// would be timed instead.)
func triangular[T kernels.Float](r interface{ NormFloat64() float64 }, n int) []T {
	a := make([]T, n*n)
	for i := range a {
		a[i] = T(r.NormFloat64() / float64(n))
	}
	for i := range n {
		a[i*n+i] = 1 + T(r.NormFloat64())*1e-2
	}
	return a
}

// BenchmarkLapack runs gonum/mat's SVD (Dgesvd), LU inverse (Dgetrf and
// Dgetri) and symmetric eigendecomposition (Dsyev) at small n under
// blas64.Use(gonum's) and blas64.Use(ours).
func BenchmarkLapack(b *testing.B) {
	prev := blas64.Implementation()
	defer blas64.Use(prev)
	r := tk.NewRand(33)
	for _, n := range []int{16, 32, 64, 128, 256} {
		a := randDense(r, n, n)
		wc := wellConditioned(r, n)
		var sym mat.SymDense
		sym.SymOuterK(1, a)
		ops := []struct {
			name string
			run  func()
		}{
			{"SVD", func() { doSVDFull(a) }},
			{"Inverse", func() { doInverse(wc) }},
			{"EigenSym", func() { doEigenSym(&sym) }},
		}
		for _, op := range ops {
			for _, im := range impls {
				b.Run(fmt.Sprintf("%s/n=%d/impl=%s", op.name, n, im.name), func(b *testing.B) {
					blas64.Use(im.f64)
					defer tk.ProcessCPUTime(b, 0)()
					for b.Loop() {
						op.run()
					}
				})
			}
		}
	}
}

//go:noinline
func doSVDFull(a *mat.Dense) {
	var s mat.SVD
	if !s.Factorize(a, mat.SVDFull) {
		panic("SVD failed")
	}
}

//go:noinline
func doInverse(a *mat.Dense) {
	var inv mat.Dense
	if err := inv.Inverse(a); err != nil {
		panic(err)
	}
}

//go:noinline
func doEigenSym(a *mat.SymDense) {
	var e mat.EigenSym
	if !e.Factorize(a, true) {
		panic("EigenSym failed")
	}
}
