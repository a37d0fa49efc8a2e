package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

func init() { equivSets = append(equivSets, couplingChecks) }

// couplingChecks run the affine coupling kernels through the public API on
// random shapes, clamps and strides: forward, inverse and backward must
// match internal/ref's element steps (and Sum's order for the log-dets) bit
// for bit, and the round trip inverse(forward(x)) is held to its documented
// bound, |x' - x| <= 6u|x| + 1.01u|y|exp(-c).
func couplingChecks() []equivCheck {
	return []equivCheck{
		{"Coupling", "float64", "of bound", 1, func(r *rand.Rand) (string, float64) { return couplingCase[float64](r, 0x1p-53) }},
		{"Coupling", "float32", "of bound", 1, func(r *rand.Rand) (string, float64) { return couplingCase[float32](r, 0x1p-24) }},
	}
}

func couplingCase[T ref.Float](r *rand.Rand, u float64) (string, float64) {
	rows, cols := 1+r.IntN(6), r.IntN(80)
	if r.IntN(8) == 0 {
		cols = r.IntN(1500)
	}
	kind := kernels.ClampKind(r.IntN(3))
	c := kernels.Clamp{Kind: kind, A: 0.5 + 3*r.Float64()}
	ia, m := T(1/c.A), T(c.A)
	if kind == kernels.ClampAtan {
		m = T(2 * c.A / math.Pi)
	}
	// Scales within |s| <= 30 keep exp finite in float32: the bound is for
	// finite results (the bit-identity checks hold for any input).
	x, s, t := randMat[T](r, rows, cols), randMat[T](r, rows, cols), randMat[T](r, rows, cols)
	for i := range s.Data {
		s.Data[i] = T(math.Max(-30, math.Min(30, 3*float64(s.Data[i]))))
	}
	y, back := randMat[T](r, rows, cols), randMat[T](r, rows, cols)
	dx, ds := randMat[T](r, rows, cols), randMat[T](r, rows, cols)
	ld0 := randVec[T](r, rows)
	ld := append([]T(nil), ld0...)
	kernels.CouplingForward(y, x, s, t, ld, c)
	ldFwd := append([]T(nil), ld...)
	kernels.CouplingInverse(back, y, s, t, ld, c)
	kernels.CouplingBackward(dx, ds, kernels.Matrix[T]{}, y, ld0, x, s, c)
	worst := 0.0
	for b := range rows {
		var cs []T
		for j := range cols {
			at := func(mm kernels.Matrix[T]) T { return mm.Data[b*mm.Stride+j] }
			wy, cv := ref.CouplingForward(int(kind), at(x), at(s), at(t), ia, m)
			wx, _ := ref.CouplingInverse(int(kind), at(y), at(s), at(t), ia, m)
			wdx, wds := ref.CouplingBackward(int(kind), at(y), at(x), at(s), ld0[b], ia, m)
			cs = append(cs, cv)
			for _, chk := range []struct {
				got, want T
				what      string
			}{{at(y), wy, "forward"}, {at(back), wx, "inverse"}, {at(dx), wdx, "backward dx"}, {at(ds), wds, "backward ds"}} {
				if !testkit.Same(chk.got, chk.want) {
					return fmt.Sprintf("%s clamp %d (%d,%d) of %dx%d: %v, ref %v", chk.what, kind, b, j, rows, cols, chk.got, chk.want), 0
				}
			}
			bound := 6*u*math.Abs(float64(at(x))) + 1.01*u*math.Abs(float64(at(y)))*math.Exp(-float64(cv))
			if e := math.Abs(float64(at(back)) - float64(at(x))); e > 0 {
				worst = math.Max(worst, e/bound)
			}
		}
		if want := ld0[b] + ref.Sum(cs); !testkit.Same(ldFwd[b], want) {
			return fmt.Sprintf("forward logdet[%d] clamp %d of %dx%d: %v, ref %v", b, kind, rows, cols, ldFwd[b], want), 0
		}
	}
	return "", worst
}
