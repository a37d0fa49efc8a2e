package gonumblas

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// triRoutines are the triangular routines of one precision.
type triRoutines[T kernels.Float] struct {
	trmv, trsv func(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []T, lda int, x []T, incX int)
	trsm, trmm func(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int)
}

func triRoutines64(i blas.Float64) triRoutines[float64] {
	return triRoutines[float64]{i.Dtrmv, i.Dtrsv, i.Dtrsm, i.Dtrmm}
}

func triRoutines32(i blas.Float32) triRoutines[float32] {
	return triRoutines[float32]{i.Strmv, i.Strsv, i.Strsm, i.Strmm}
}

// triBoth runs a test for both precisions on every tier.
func triBoth(t *testing.T, f64 func(*testing.T, triRoutines[float64], triRoutines[float64]), f32 func(*testing.T, triRoutines[float32], triRoutines[float32])) {
	eachTier(t, func(t *testing.T) {
		t.Run("float64", func(t *testing.T) { f64(t, triRoutines64(ours), triRoutines64(ref)) })
		t.Run("float32", func(t *testing.T) { f32(t, triRoutines32(ours), triRoutines32(ref)) })
	})
}

// triFlags are every uplo, transpose (ConjTrans included) and diag.
type triFlag struct {
	ul blas.Uplo
	tA blas.Transpose
	d  blas.Diag
}

func allTriFlags() []triFlag {
	var fs []triFlag
	for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
		for _, tA := range transposes {
			for _, d := range []blas.Diag{blas.NonUnit, blas.Unit} {
				fs = append(fs, triFlag{ul, tA, d})
			}
		}
	}
	return fs
}

// triMatrix is a k×k triangular matrix with leading dimension ld: the
// triangle well conditioned (diagonal ±1 to ±2, the rest normal / sqrt(k)
// / 2), NaN in the other triangle, the gaps and (unit) the diagonal, which
// no routine may read.
func triMatrix[T kernels.Float](r *rand.Rand, k, ld int, f triFlag) matrix[T] {
	m := newMatrix[T](r, k, k, ld, nan[T]())
	for i := range k {
		for j := range k {
			v := &m.data[i*ld+j]
			switch {
			case i == j && f.d == blas.Unit:
				*v = nan[T]()
			case i == j:
				*v = T((1 + r.Float64()) * float64(1-2*r.IntN(2)))
			case (j > i) != (f.ul == blas.Upper):
				*v = nan[T]()
			default:
				*v = T(r.NormFloat64() / math.Sqrt(float64(k)) / 2)
			}
		}
	}
	return m
}

// opAt returns op(A)[i][j] of a triMatrix, 0 outside the triangle, 1 on a
// unit diagonal.
func opAt[T kernels.Float](a matrix[T], f triFlag, i, j int) float64 {
	if f.tA != blas.NoTrans {
		i, j = j, i
	}
	switch {
	case i == j && f.d == blas.Unit:
		return 1
	case i != j && (j > i) != (f.ul == blas.Upper):
		return 0
	}
	return float64(a.at(i, j))
}

var triSizes = []int{0, 1, 2, 3, 5, 8, 9, 17, 33, 64, 70}

func TestTrmv(t *testing.T) { triBoth(t, testTrmv[float64], testTrmv[float32]) }

func testTrmv[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	r := tk.NewRand(81)
	for _, n := range triSizes {
		for _, f := range allTriFlags() {
			for _, pad := range []int{0, 3} {
				for _, inc := range []int{1, -1, 2, -3} {
					a := triMatrix[T](r, n, max(1, n)+pad, f)
					x := newVector[T](r, n, inc, 2, nan[T]())
					got, want := x.clone(), x.clone()
					ours.trmv(f.ul, f.tA, f.d, n, a.data, a.ld, got.data, inc)
					ref.trmv(f.ul, f.tA, f.d, n, a.data, a.ld, want.data, inc)
					name := fmt.Sprintf("trmv(%c, %c, %c, n=%d, lda=%d, inc=%d)", f.ul, f.tA, f.d, n, a.ld, inc)
					checkVector(t, name, got, want, x, func(i int) (int, int, int, float64) {
						var s float64
						for k := range n {
							s += math.Abs(opAt(a, f, i, k) * float64(x.get(k)))
						}
						return n, n + 2, n, s
					})
				}
			}
		}
	}
}

func TestTrsv(t *testing.T) { triBoth(t, testTrsv[float64], testTrsv[float32]) }

func testTrsv[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	r := tk.NewRand(83)
	for _, n := range triSizes {
		for _, f := range allTriFlags() {
			for _, pad := range []int{0, 3} {
				for _, inc := range []int{1, -1, 2, -3} {
					a := triMatrix[T](r, n, max(1, n)+pad, f)
					x := newVector[T](r, n, inc, 2, nan[T]())
					got, want := x.clone(), x.clone()
					ours.trsv(f.ul, f.tA, f.d, n, a.data, a.ld, got.data, inc)
					ref.trsv(f.ul, f.tA, f.d, n, a.data, a.ld, want.data, inc)
					name := fmt.Sprintf("trsv(%c, %c, %c, n=%d, lda=%d, inc=%d)", f.ul, f.tA, f.d, n, a.ld, inc)
					for j := range got.data {
						if !x.onVector(j) && !tk.Same(got.data[j], x.data[j]) {
							t.Fatalf("%s: wrote data[%d] outside the vector", name, j)
						}
					}
					sol := make([]T, n)
					gon := make([]T, n)
					for i := range n {
						sol[i], gon[i] = got.get(i), want.get(i)
					}
					b := make([]float64, n)
					for i := range n {
						b[i] = float64(x.get(i))
					}
					checkSolve(t, name, a, f, b, sol, gon)
				}
			}
		}
	}
}

// checkSolve requires x (ours) to solve op(A) x = b with a residual within
// (k+2) u (|op(A)| |x| + |b|) componentwise, computed exactly, and to agree
// with gonum's solution within 2^12 k u max|x| (the matrices are well
// conditioned).
func checkSolve[T kernels.Float](t *testing.T, name string, a matrix[T], f triFlag, b []float64, x, gon []T) {
	t.Helper()
	k := len(b)
	u := unit[T]()
	var xmax float64
	for _, v := range gon {
		xmax = max(xmax, math.Abs(float64(v)))
	}
	for i := range k {
		res := new(big.Float).SetPrec(300).SetFloat64(b[i])
		abs := math.Abs(b[i])
		for j := range k {
			m := opAt(a, f, i, j)
			if m == 0 {
				continue
			}
			p := new(big.Float).SetPrec(300).SetFloat64(m)
			p.Mul(p, new(big.Float).SetFloat64(float64(x[j])))
			res.Sub(res, p)
			abs += math.Abs(m * float64(x[j]))
		}
		rf, _ := res.Float64()
		if bound := float64(k+2) * u * abs * 1.01; math.Abs(rf) > bound {
			t.Fatalf("%s: residual %d is %g > %g", name, i, rf, bound)
		}
		if d := math.Abs(float64(x[i]) - float64(gon[i])); d > 4096*float64(k)*u*xmax {
			t.Fatalf("%s: x[%d] = %v, gonum %v", name, i, x[i], gon[i])
		}
	}
}

func TestPanicsTriLevel2(t *testing.T) {
	triBoth(t, testPanicsTriLevel2[float64], testPanicsTriLevel2[float32])
}

const badUploV blas.Uplo = 'X'
const badDiagV blas.Diag = 'X'

func testPanicsTriLevel2[T kernels.Float](t *testing.T, ours, ref triRoutines[T]) {
	r := tk.NewRand(85)
	for _, solve := range []bool{false, true} {
		call := func(rt triRoutines[T]) func(blas.Uplo, blas.Transpose, blas.Diag, int, []T, int, []T, int) {
			if solve {
				return rt.trsv
			}
			return rt.trmv
		}
		seen := map[any]bool{}
		for range 4 * sweeps {
			ul := pick(r, blas.Upper, blas.Lower, badUploV)
			tA := pick(r, blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans)
			d := pick(r, blas.Unit, blas.NonUnit, badDiagV)
			n := pick(r, -1, 0, 1, 3)
			lda := max(1, n) + pick(r, -1, 0, 2)
			incX := pick(r, -2, -1, 0, 1, 2)
			a, x := fill[T](r, matLen(r, n, n, lda)), fill[T](r, vecLen(r, n, incX))
			name := fmt.Sprintf("solve=%v(%c, %c, %c, n=%d, len(a)=%d, lda=%d, len(x)=%d, incX=%d)", solve, ul, tA, d, n, len(a), lda, len(x), incX)
			samePanics(t, name, seen, func(o bool) {
				rt := ref
				if o {
					rt = ours
				}
				call(rt)(ul, tA, d, n, a, lda, slices.Clone(x), incX)
			})
		}
		allSeen(t, seen, badUplo, badTranspose, badDiag, nLT0, badLdA, zeroIncX, shortA, shortX)
	}
}
