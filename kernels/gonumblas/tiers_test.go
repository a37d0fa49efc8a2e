package gonumblas

import (
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// TestTiersIdentical requires every routine to give the same bits on every
// SIMD tier this machine runs (DESIGN.md contract 1: the kernels do, the
// calls that go to gonum go there on every SIMD tier alike, and nothing
// else here depends on the tier), and gonum's bits on the generic tier,
// where every call goes to gonum. (Between architectures, the explicit
// roundings of the scalar code keep the Go compiler from fusing, and so
// from changing, its products; gonum's own code gives different bits on
// different architectures.)
func TestTiersIdentical(t *testing.T) {
	testTiersIdentical(t, routines64(ours), gonumOnTouched(routines64(ref)))
	testTiersIdentical(t, routines32(ours), gonumOnTouched(routines32(ref)))
}

// gonumOnTouched is gonum's routines called as BLAS means them where gonum
// departs from BLAS (see the package doc): Gemv on y cut to the elements it
// may write, Ger on copies of negatively strided vectors.
func gonumOnTouched[T kernels.Float](rt routines[T]) routines[T] {
	gemv := rt.gemv
	rt.gemv = func(tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int) {
		lenY := n
		if tA == blas.NoTrans {
			lenY = m
		}
		gemv(tA, m, n, alpha, a, lda, x, incX, beta, y[:span(lenY, incY)], incY)
	}
	ger := rt.ger
	rt.ger = func(m, n int, alpha T, x []T, incX int, y []T, incY int, a []T, lda int) {
		if incX < 0 {
			xs := make([]T, m)
			gather(xs, x, incX)
			x, incX = xs, 1
		}
		if incY < 0 {
			ys := make([]T, n)
			gather(ys, y, incY)
			y, incY = ys, 1
		}
		ger(m, n, alpha, x, incX, y, incY, a, lda)
	}
	return rt
}

func testTiersIdentical[T kernels.Float](t *testing.T, rt, gonumRT routines[T]) {
	// run returns the outputs of one call of every routine on every path.
	run := func(rt routines[T]) [][]T {
		r := tk.NewRand(23)
		var out [][]T
		x, y := fill[T](r, 301), fill[T](r, 301)
		out = append(out, []T{rt.dot(150, x, 1, y, 1), rt.dot(20, x, 1, y, 1)})
		yc := append([]T(nil), y...)
		rt.axpy(301, 0.5, x, 1, yc, 1)
		rt.axpy(20, -0.5, x, 1, yc, 1)
		rt.scal(301, -1.5, yc, 1)
		rt.scal(20, 0.75, yc, 1)
		out = append(out, yc)
		for _, mn := range [][3]int{{37, 45, 70}, {7, 9, 5}} {
			m, n, k := mn[0], mn[1], mn[2]
			a, b := fill[T](r, 200*200), fill[T](r, 200*200)
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, inc := range []int{1, -3} {
					for _, ab := range [][2]T{{1, 0}, {0.5, 0}, {-1, 1}, {0.5, -2}} {
						yc := append([]T(nil), y...)
						rt.gemv(tA, m, n, ab[0], a, n+1, x, inc, ab[1], yc, inc)
						out = append(out, yc)
					}
				}
				for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					for _, ab := range [][2]T{{1, 0}, {0.5, 0}, {1, 1}, {-1, 0.5}} {
						c := fill[T](r, m*(n+2))
						rt.gemm(tA, tB, m, n, k, ab[0], a, 71, b, 72, ab[1], c, n+2)
						out = append(out, c)
					}
				}
			}
			ac := append([]T(nil), a[:m*n]...)
			rt.ger(m, n, 0.25, x, -2, y, 3, ac, n)
			out = append(out, ac)
		}
		return out
	}
	compareTiers(t, func() [][]T { return run(rt) }, func() [][]T { return run(gonumRT) })
}

// TestNrm2TiersIdentical: Dnrm2 and Snrm2 run the kernels on the generic
// tier too (their pure-Go Dot beats gonum's scaled loop), so they give the
// same bits on every tier.
func TestNrm2TiersIdentical(t *testing.T) {
	testNrm2Tiers(t, routines64(ours))
	testNrm2Tiers(t, routines32(ours))
}

func testNrm2Tiers[T kernels.Float](t *testing.T, rt routines[T]) {
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	r := tk.NewRand(24)
	x := fill[T](r, 1001)
	var want []T
	for _, tier := range cpu.Tiers {
		if kernels.SetISA(tier.String()) != nil {
			continue
		}
		var got []T
		for _, n := range []int{2, 16, 100, 1001} {
			got = append(got, rt.nrm2(n, x, 1))
		}
		if want == nil {
			want = got
		} else if j := tk.FirstDiff(got, want); j >= 0 {
			t.Errorf("%T on %s: norm %d differs from generic: %v, generic %v", T(0), tier, j, got[j], want[j])
		}
	}
}

// compareTiers requires run to give gonum's outputs on generic and the
// same outputs on every SIMD tier this machine runs.
func compareTiers[T kernels.Float](t *testing.T, run, gonumRun func() [][]T) {
	t.Helper()
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	if err := kernels.SetISA("generic"); err != nil {
		t.Fatal(err)
	}
	same := func(got, want [][]T, what string) {
		t.Helper()
		for i := range want {
			if j := tk.FirstDiff(got[i], want[i]); j >= 0 {
				t.Errorf("%T %s: output %d differs at %d: %v, want %v", T(0), what, i, j, got[i][j], want[i][j])
			}
		}
	}
	same(run(), gonumRun(), "on generic against gonum")
	var first string
	var want [][]T
	for _, tier := range cpu.Tiers[1:] {
		if kernels.SetISA(tier.String()) != nil {
			continue
		}
		got := run()
		if want == nil {
			first, want = tier.String(), got
			continue
		}
		same(got, want, "on "+tier.String()+" against "+first)
	}
}
