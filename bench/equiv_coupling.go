package main

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"

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
//
// AdditiveInverse (NICE's x = y - t) must match the subtraction bit for
// bit; its error against the exact difference, in ulps, is at most 0.5.
func couplingChecks() []equivCheck {
	// Every clamp's forward, inverse and backward kernels, and the fused
	// row-sum ones AVX-512 runs when the rows are long enough.
	var runs []string
	for _, cl := range couplingClamps {
		for _, d := range []string{"Fwd", "Inv", "Bwd"} {
			for _, r := range couplingRuns(d, cl.row) {
				if !slices.Contains(runs, r) {
					runs = append(runs, r)
				}
			}
		}
	}
	sub := []string{"CouplingSub"}
	return []equivCheck{
		{"Coupling", "float64", "of bound", 1, func(r *rand.Rand) (string, float64) { return couplingCase[float64](r, 0x1p-53) }, runs},
		{"Coupling", "float32", "of bound", 1, func(r *rand.Rand) (string, float64) { return couplingCase[float32](r, 0x1p-24) }, runs},
		{"CouplingAdditiveInverse", "float64", "ulp", 0.5, additiveCase[float64], sub},
		{"CouplingAdditiveInverse", "float32", "ulp", 0.5, additiveCase[float32], sub},
	}
}

// additiveCase runs AdditiveInverse on a random shape (x = y in place one
// time in four) and compares every element with y - t.
func additiveCase[T ref.Float](r *rand.Rand) (string, float64) {
	rows, cols := 1+r.IntN(6), r.IntN(80)
	if r.IntN(8) == 0 {
		cols = r.IntN(1500)
	}
	y, t := randMat[T](r, rows, cols), randMat[T](r, rows, cols)
	y0 := append([]T(nil), y.Data...)
	x := randMat[T](r, rows, cols)
	if r.IntN(4) == 0 {
		x = y
	}
	kernels.AdditiveInverse(x, y, t)
	worst := 0.0
	for b := range rows {
		for j := range cols {
			yv, tv := y0[b*y.Stride+j], t.Data[b*t.Stride+j]
			got := x.Data[b*x.Stride+j]
			if want := yv - tv; !testkit.Same(got, want) {
				return fmt.Sprintf("(%d,%d) of %dx%d: %v - %v = %v, want %v", b, j, rows, cols, yv, tv, got, want), 0
			}
			exact := new(big.Float).SetPrec(300).SetFloat64(float64(yv))
			worst = max(worst, ulpError(got, exact.Sub(exact, new(big.Float).SetFloat64(float64(tv)))))
		}
	}
	return "", worst
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
