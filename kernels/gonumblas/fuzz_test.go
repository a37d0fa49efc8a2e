package gonumblas

import (
	"fmt"
	"math"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// The fuzz targets check on fuzzer-chosen arguments what the tests check on
// chosen ones: the same panic as gonum for bad arguments, and for good ones
// a result within the rounding bound of gonum's.
//
//	go test -run '^$' -fuzz FuzzGemm -fuzztime 30s ./kernels/gonumblas/

// fuzzTrans maps a byte to a transpose, bad ones included.
func fuzzTrans(b uint8) blas.Transpose {
	return []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans, badTrans}[b%4]
}

// fuzzScalar maps a byte to alpha or beta: the special cases or a value.
func fuzzScalar[T kernels.Float](b uint8) T {
	return []T{0, 1, -1, 0.75, -3.5}[b%5]
}

// fuzzDim maps a byte to a size in [-2, 60).
func fuzzDim(b int8) int { return (int(b)%62+62)%62 - 2 }

func FuzzGemm(f *testing.F) {
	f.Add(uint8(0), uint8(0), int8(5), int8(7), int8(3), int8(0), false, uint8(3), uint8(4), uint64(1), false)
	f.Add(uint8(1), uint8(1), int8(33), int8(1), int8(17), int8(2), false, uint8(1), uint8(0), uint64(2), true)
	f.Add(uint8(2), uint8(0), int8(0), int8(4), int8(4), int8(-1), true, uint8(0), uint8(2), uint64(3), false)
	f.Fuzz(func(t *testing.T, ta, tb uint8, m8, n8, k8, pad8 int8, short bool, ai, bi uint8, seed uint64, single bool) {
		if single {
			fuzzGemm(t, routines32(ours), routines32(ref), ta, tb, m8, n8, k8, pad8, short, ai, bi, seed)
		} else {
			fuzzGemm(t, routines64(ours), routines64(ref), ta, tb, m8, n8, k8, pad8, short, ai, bi, seed)
		}
	})
}

func fuzzGemm[T kernels.Float](t *testing.T, ours, ref routines[T], ta, tb uint8, m8, n8, k8, pad8 int8, short bool, ai, bi uint8, seed uint64) {
	tA, tB := fuzzTrans(ta), fuzzTrans(tb)
	m, n, k, pad := fuzzDim(m8), fuzzDim(n8), fuzzDim(k8), int(pad8)%4
	alpha, beta := fuzzScalar[T](ai), fuzzScalar[T](bi)
	r := tk.NewRand(seed)
	valid := tA != badTrans && tB != badTrans && m >= 0 && n >= 0 && k >= 0 && pad >= 0 && !short
	if valid {
		newGemmCase[T](r, tA, tB, m, n, k, pad).run(t, ours, ref, alpha, beta)
		return
	}
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	lda, ldb, ldc := max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	size := func(rows, cols, ld int) int {
		need := max(0, (rows-1)*ld+cols)
		if short {
			need = max(0, need-1)
		}
		return need
	}
	a, b, c := fill[T](r, size(ar, ac, lda)), fill[T](r, size(br, bc, ldb)), fill[T](r, size(m, n, ldc))
	got := panicValue(func() { ours.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, slices.Clone(c), ldc) })
	want := panicValue(func() { ref.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, slices.Clone(c), ldc) })
	if got != want {
		t.Errorf("gemm(%c, %c, %d, %d, %d, lda %d, ldb %d, ldc %d, short %v): panicked with %v, gonum with %v",
			tA, tB, m, n, k, lda, ldb, ldc, short, got, want)
	}
}

func FuzzGemv(f *testing.F) {
	f.Add(uint8(0), int8(5), int8(7), int8(0), int8(1), int8(1), false, uint8(3), uint8(4), uint64(1), false)
	f.Add(uint8(1), int8(33), int8(9), int8(2), int8(-2), int8(3), false, uint8(1), uint8(0), uint64(2), true)
	f.Add(uint8(3), int8(1), int8(4), int8(0), int8(0), int8(1), true, uint8(0), uint8(2), uint64(3), false)
	f.Fuzz(func(t *testing.T, ta uint8, m8, n8, pad8, incX8, incY8 int8, short bool, ai, bi uint8, seed uint64, single bool) {
		if single {
			fuzzGemv(t, routines32(ours), routines32(ref), ta, m8, n8, pad8, incX8, incY8, short, ai, bi, seed)
		} else {
			fuzzGemv(t, routines64(ours), routines64(ref), ta, m8, n8, pad8, incX8, incY8, short, ai, bi, seed)
		}
	})
}

func fuzzGemv[T kernels.Float](t *testing.T, ours, ref routines[T], ta uint8, m8, n8, pad8, incX8, incY8 int8, short bool, ai, bi uint8, seed uint64) {
	tA := fuzzTrans(ta)
	m, n, pad := fuzzDim(m8), fuzzDim(n8), int(pad8)%4
	incX, incY := int(incX8)%4, int(incY8)%4
	alpha, beta := fuzzScalar[T](ai), fuzzScalar[T](bi)
	r := tk.NewRand(seed)
	lenX, lenY := m, n
	if tA == blas.NoTrans {
		lenX, lenY = n, m
	}
	lda := max(1, n) + pad
	valid := tA != badTrans && m >= 0 && n >= 0 && pad >= 0 && incX != 0 && incY != 0 && !short
	name := fmt.Sprintf("gemv(%c, %d, %d, lda %d, incX %d, incY %d, alpha %v, beta %v, short %v)", tA, m, n, lda, incX, incY, alpha, beta, short)
	if !valid {
		size := func(need int) int {
			if short {
				return max(0, need-1)
			}
			return max(0, need)
		}
		a := fill[T](r, size((m-1)*lda+n))
		x := fill[T](r, size((lenX-1)*max(incX, -incX)+1))
		y := fill[T](r, size((lenY-1)*max(incY, -incY)+1))
		got := panicValue(func() { ours.gemv(tA, m, n, alpha, a, lda, x, incX, beta, slices.Clone(y), incY) })
		want := panicValue(func() { ref.gemv(tA, m, n, alpha, a, lda, x, incX, beta, slices.Clone(y), incY) })
		if got != want {
			t.Errorf("%s: panicked with %v, gonum with %v", name, got, want)
		}
		return
	}
	a := newMatrix(r, m, n, lda, nan[T]())
	x := newVector(r, lenX, incX, 1, nan[T]())
	y := newVector(r, lenY, incY, 1, T(7))
	y0 := y.clone()
	if beta == 0 {
		y.set(nan[T]())
	}
	got, want := y.clone(), y.clone()
	ours.gemv(tA, m, n, alpha, a.data, lda, x.data, incX, beta, got.data, incY)
	ref.gemv(tA, m, n, alpha, a.data, lda, x.data, incX, beta, want.data, incY)
	checkVector(t, name, got, want, y, func(i int) (int, int, int, float64) {
		var s float64
		if beta != 0 {
			s = math.Abs(float64(beta) * float64(y0.get(i)))
		}
		if alpha != 0 {
			for l := range lenX {
				var v T
				if tA == blas.NoTrans {
					v = a.at(i, l)
				} else {
					v = a.at(l, i)
				}
				s += math.Abs(float64(alpha) * float64(v) * float64(x.get(l)))
			}
		}
		return gemvDepth[T](tA, m, n), lenX + 2, lenX + 2, s
	})
}

func FuzzGer(f *testing.F) {
	f.Add(int8(5), int8(7), int8(0), int8(1), int8(1), false, uint8(3), uint64(1), false)
	f.Add(int8(33), int8(9), int8(2), int8(-2), int8(3), false, uint8(1), uint64(2), true)
	f.Fuzz(func(t *testing.T, m8, n8, pad8, incX8, incY8 int8, short bool, ai uint8, seed uint64, single bool) {
		if single {
			fuzzGer(t, routines32(ours), routines32(ref), m8, n8, pad8, incX8, incY8, short, ai, seed)
		} else {
			fuzzGer(t, routines64(ours), routines64(ref), m8, n8, pad8, incX8, incY8, short, ai, seed)
		}
	})
}

func fuzzGer[T kernels.Float](t *testing.T, ours, ref routines[T], m8, n8, pad8, incX8, incY8 int8, short bool, ai uint8, seed uint64) {
	m, n, pad := fuzzDim(m8), fuzzDim(n8), int(pad8)%4
	incX, incY := int(incX8)%4, int(incY8)%4
	alpha := fuzzScalar[T](ai)
	r := tk.NewRand(seed)
	lda := max(1, n) + pad
	valid := m >= 0 && n >= 0 && pad >= 0 && incX != 0 && incY != 0 && !short
	name := fmt.Sprintf("ger(%d, %d, alpha %v, incX %d, incY %d, lda %d, short %v)", m, n, alpha, incX, incY, lda, short)
	if !valid {
		size := func(need int) int {
			if short {
				return max(0, need-1)
			}
			return max(0, need)
		}
		a := fill[T](r, size((m-1)*lda+n))
		x := fill[T](r, size((m-1)*max(incX, -incX)+1))
		y := fill[T](r, size((n-1)*max(incY, -incY)+1))
		// alpha 0: gonum's amd64 Ger must not run on negative increments.
		got := panicValue(func() { ours.ger(m, n, 0, x, incX, y, incY, slices.Clone(a), lda) })
		want := panicValue(func() { ref.ger(m, n, 0, x, incX, y, incY, slices.Clone(a), lda) })
		if got != want {
			t.Errorf("%s: panicked with %v, gonum with %v", name, got, want)
		}
		return
	}
	a := newMatrix(r, m, n, lda, T(7))
	x := newVector(r, m, incX, 1, nan[T]())
	y := newVector(r, n, incY, 1, nan[T]())
	got, want := a.clone(), a.clone()
	ours.ger(m, n, alpha, x.data, incX, y.data, incY, got.data, lda)
	// Unit copies for gonum: see TestGer.
	xu, yu := unitCopy(x), unitCopy(y)
	ref.ger(m, n, alpha, xu.data, 1, yu.data, 1, want.data, lda)
	checkMatrix(t, name, got, want, a, func(i, j int) (int, int, int, float64) {
		s := math.Abs(float64(a.at(i, j)))
		if alpha != 0 {
			s += math.Abs(float64(alpha) * float64(x.get(i)) * float64(y.get(j)))
		}
		return 2, 3, 2, s
	})
}
