package gonumblas

import (
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
)

// TestTiersIdentical requires every accelerated routine to give the same
// bits on every tier this machine runs as on generic (DESIGN.md contract
// 1): the kernels do, and nothing here may depend on the tier. (Between
// architectures, the explicit roundings of the scalar code keep the Go
// compiler from fusing, and so from changing, its products.)
func TestTiersIdentical(t *testing.T) {
	testTiersIdentical[float64](t, routines64(ours))
	testTiersIdentical[float32](t, routines32(ours))
}

func testTiersIdentical[T kernels.Float](t *testing.T, rt routines[T]) {
	// run returns the outputs of one call of every routine on every path.
	run := func() [][]T {
		r := tk.NewRand(23)
		var out [][]T
		x, y := fill[T](r, 301), fill[T](r, 301)
		out = append(out, []T{rt.dot(150, x, 1, y, 1), rt.nrm2(301, x, 1)})
		yc := append([]T(nil), y...)
		rt.axpy(301, 0.5, x, 1, yc, 1)
		rt.scal(301, -1.5, yc, 1)
		out = append(out, yc)
		const m, n, k = 37, 45, 70
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
		return append(out, ac)
	}
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	if err := kernels.SetISA("generic"); err != nil {
		t.Fatal(err)
	}
	want := run()
	for _, tier := range cpu.Tiers {
		if kernels.SetISA(tier.String()) != nil {
			continue
		}
		got := run()
		for i := range want {
			if j := tk.FirstDiff(got[i], want[i]); j >= 0 {
				t.Errorf("%T on %s: output %d differs from generic at %d: %v, generic %v", T(0), tier, i, j, got[i][j], want[i][j])
			}
		}
	}
}
