package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestTriDiag checks TriMatVecsDiag and TriSolveVecsDiag on every tier,
// through the public API, against the scalar reference run on A with its
// diagonal replaced by diag (or with unit set when diag is nil), bit for
// bit. A's diagonal and other triangle hold NaN (a read poisons a result),
// and every operand sits in guards.
func TestTriDiag(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testTriDiag[float64](t, tier) },
		func(t *testing.T, tier cpu.Tier) { testTriDiag[float32](t, tier) })
}

func testTriDiag[T Float](t *testing.T, tier cpu.Tier) {
	for _, sh := range triShapes(testing.Short()) {
		n, nb := sh[0], sh[1]
		for _, f := range allTriFlags() {
			for _, solve := range []bool{false, true} {
				r := shapeRand([3]int{n, nb, 7}, 47)
				a := triMatrix[T](r, n, f.upper, true)
				x := newGMat[T](r, nb, n, r.IntN(2)*r.IntN(5), r.IntN(8), -7)
				var diag []T
				var gd *tk.Guarded[T]
				if !f.unit {
					gd = tk.NewGuarded[T](n, r.IntN(4))
					diag = gd.S()
					for i := range diag {
						diag[i] = T((1 + r.Float64()) * float64(1-2*r.IntN(2)))
					}
				}
				a0, x0, d0 := clone(a.m.Data), clone(x.m.Data), clone(diag)
				what := fmt.Sprintf("diag solve=%v n=%d batch=%d %+v", solve, n, nb, f)
				want := memoRef(what, func() []T {
					full := Matrix[T]{Rows: n, Cols: n, Data: clone(a0), Stride: a.m.Stride}
					for i, v := range d0 {
						full.Data[i*full.Stride+i] = v
					}
					w := clone(x0)
					wm := Matrix[T]{Rows: nb, Cols: n, Data: w, Stride: x.m.Stride}
					if solve {
						refTriSolve(wm, full, f.upper, f.trans, f.unit)
					} else {
						refTriMul(wm, full, f.upper, f.trans, f.unit)
					}
					return w
				})
				onTier(tier, func() {
					if solve {
						TriSolveVecsDiag(x.m, a.m, diag, f.upper, f.trans)
					} else {
						TriMatVecsDiag(x.m, a.m, diag, f.upper, f.trans)
					}
				})
				sameSlice(t, what, x.m.Data, want)
				sameSlice(t, what+" a", a.m.Data, a0)
				sameSlice(t, what+" diag", diag, d0)
				checkAll(t, what, a, x)
				if gd != nil {
					if err := gd.Check(); err != nil {
						t.Fatalf("%s: diag: %v", what, err)
					}
				}
			}
		}
	}
}

// TestAddOutersTri checks AddOutersTri on every tier against
// ref.AddOutersTri bit for bit, over n across the diagonal block of 64 and
// batches across the worker split, with and without ds: G's diagonal and
// other triangle must keep their bits, and every operand sits in guards.
func TestAddOutersTri(t *testing.T) {
	forBoth(t, testAddOutersTri[float64], testAddOutersTri[float32])
}

func testAddOutersTri[T Float](t *testing.T, tier cpu.Tier) {
	shapes := [][2]int{{0, 3}, {1, 0}, {1, 1}, {2, 5}, {5, 7}, {8, 1}, {17, 40}, {63, 2}, {64, 9}, {65, 33}, {100, 3}, {130, 20}}
	for _, sh := range shapes {
		n, nb := sh[0], sh[1]
		for _, lower := range []bool{true, false} {
			for _, withDS := range []bool{false, true} {
				r := shapeRand([3]int{n, nb, 11}, 53)
				g := newGMat[T](r, n, n, r.IntN(3), r.IntN(8), -7)
				d := newGMat[T](r, nb, n, r.IntN(3), r.IntN(8), nan[T]())
				x := newGMat[T](r, nb, n, r.IntN(3), r.IntN(8), nan[T]())
				var ds []T
				gds := tk.NewGuarded[T](n, r.IntN(4))
				if withDS {
					ds = gds.S()
					tk.Fill(r, ds)
				}
				g0, d0, x0 := clone(g.m.Data), clone(d.m.Data), clone(x.m.Data)
				what := fmt.Sprintf("AddOutersTri n=%d batch=%d lower=%v ds=%v", n, nb, lower, withDS)
				wg := clone(g0)
				wds := ref.AddOutersTri(wg, g.m.Stride, n, d0, d.m.Stride, x0, x.m.Stride, nb, lower)
				onTier(tier, func() { AddOutersTri(g.m, ds, d.m, x.m, lower) })
				sameSlice(t, what, g.m.Data, wg)
				if withDS {
					sameSlice(t, what+" ds", ds, wds)
				}
				sameSlice(t, what+" d", d.m.Data, d0)
				sameSlice(t, what+" x", x.m.Data, x0)
				checkAll(t, what, g, d, x)
				if err := gds.Check(); err != nil {
					t.Fatalf("%s: ds: %v", what, err)
				}
			}
		}
	}
}
