package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestCouplingGrouped checks the paths that take groups of rows in one
// call (couplingNarrow, couplingBackwardFlat), for rows back to back (pad
// 0) and packed (pad 1), against the row-by-row functions on every tier:
// the same bits for every width below the lanes and a few above, row
// counts that cross the groups, special values in s and x (-0, Inf, NaN,
// huge), and dlogdet with runs of equal values, changes, and nil.
func TestCouplingGrouped(t *testing.T) {
	for _, tier := range cpu.Tiers {
		if !usable(tier) {
			t.Run(tier.String(), func(t *testing.T) { t.Skip("this CPU lacks the tier") })
			continue
		}
		t.Run(tier.String()+"/float64", func(t *testing.T) { testCouplingGrouped[float64](t, tier) })
		t.Run(tier.String()+"/float32", func(t *testing.T) { testCouplingGrouped[float32](t, tier) })
	}
}

func testCouplingGrouped[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(21)
	specials := []T{T(math.Copysign(0, -1)), 0, T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()), 1e30, -1e30, 80, -80}
	// dense returns a rows x w matrix with stride w + pad holding the same
	// random elements for every pad, some of them special.
	dense := func(rows, w int, seed uint64) func(pad int) Matrix[T] {
		v := make([]T, rows*w)
		rr := tk.NewRand(seed)
		tk.Fill(rr, v)
		for i := range v {
			if rr.IntN(16) == 0 {
				v[i] = specials[rr.IntN(len(specials))]
			}
		}
		if rows > 1 { // a row of -0 only: its lanes' sum is +0
			for i := range w {
				v[w+i] = specials[0]
			}
		}
		return func(pad int) Matrix[T] {
			m := Matrix[T]{Rows: rows, Cols: w, Stride: w + pad, Data: make([]T, max(0, (rows-1)*(w+pad)+w))}
			for b := range rows {
				copy(m.Data[b*m.Stride:b*m.Stride+w], v[b*w:b*w+w])
			}
			return m
		}
	}
	widths := []int{1, 2, 3, 4, 5, 8, 9, 16, 17, 31, 33, 63, 65}
	for _, w := range widths {
		for _, rows := range []int{1, 37, 300} {
			x, s, tt, dy := dense(rows, w, 1), dense(rows, w, 2), dense(rows, w, 3), dense(rows, w, 4)
			for _, c := range testClamps {
				name := fmt.Sprintf("w=%d/rows=%d/clamp=%d", w, rows, c.Kind)
				ia, m := c.params("test")
				p := []T{T(ia), T(m)}
				if c.Kind == ClampNone {
					p = nil
				}
				for _, pad := range []int{0, 1} {
					for _, dir := range []struct {
						k    couplingOp
						sign T
					}{{fwdKernel(c.Kind), 1}, {invKernel(c.Kind), -1}} {
						var outs, lds [2][]T
						for i, grouped := range []bool{true, false} {
							o := dense(rows, w, 5)(pad)
							ld := make([]T, rows)
							if pad == 1 { // -0 + -0 keeps the sign a lane's +0 would drop
								for b := range ld {
									ld[b] = T(math.Copysign(0, -1))
								}
							}
							if grouped {
								if !couplingNarrow(tier, dir.k, dir.sign, o, x(pad), s(pad), tt(pad), ld, p, new(clampBuf[T])) {
									if w < lanes[T]() && (pad == 0 || w < streamVec[T]()) {
										t.Fatalf("%s pad %d: couplingNarrow declined", name, pad)
									}
									couplingRowByRow(tier, dir.k, dir.sign, o, x(pad), s(pad), tt(pad), ld, p, new(clampBuf[T]))
								}
							} else {
								couplingRowByRow(tier, dir.k, dir.sign, o, x(pad), s(pad), tt(pad), ld, p, new(clampBuf[T]))
							}
							outs[i], lds[i] = cpm(o), ld
						}
						if i := tk.FirstDiff(outs[0], outs[1]); i >= 0 {
							t.Fatalf("%s pad %d sign %v: out[%d] = %v grouped, %v row by row", name, pad, dir.sign, i, outs[0][i], outs[1][i])
						}
						if i := tk.FirstDiff(lds[0], lds[1]); i >= 0 {
							t.Fatalf("%s pad %d sign %v: logdet[%d] = %v grouped, %v row by row", name, pad, dir.sign, i, lds[0][i], lds[1][i])
						}
					}
				}
				// dlogdet: nil, all equal (training), or runs that change.
				for _, mode := range []string{"nil", "equal", "runs"} {
					var dl []T
					switch mode {
					case "equal":
						dl = make([]T, rows)
						for b := range dl {
							dl[b] = T(-1.0 / 256)
						}
					case "runs":
						dl = make([]T, rows)
						for b := range dl {
							dl[b] = T(b / (1 + r.IntN(5)))
						}
						if rows > 2 {
							dl[1] = T(math.Copysign(0, -1)) // -0 next to +0 is a change
						}
					}
					ia, m := c.params("test")
					for _, pad := range []int{0, 1} {
						var dx, ds, dt [2][]T
						for i, grouped := range []bool{true, false} {
							dxm, dsm, dtm := dense(rows, w, 7)(pad), dense(rows, w, 8)(pad), dense(rows, w, 9)(pad)
							args := func(f func(cpu.Tier, couplingOp, Matrix[T], Matrix[T], Matrix[T], Matrix[T], []T, Matrix[T], Matrix[T], T, T, *[2]clampBuf[T])) {
								f(tier, bwdKernel(c.Kind), dxm, dsm, dtm, dy(pad), dl, x(pad), s(pad), T(ia), T(m), new([2]clampBuf[T]))
							}
							if grouped {
								args(func(a cpu.Tier, b couplingOp, c1, c2, c3, c4 Matrix[T], c5 []T, c6, c7 Matrix[T], c8, c9 T, c10 *[2]clampBuf[T]) {
									if !couplingBackwardFlat(a, b, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10) {
										couplingBackwardRows(a, b, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
									}
								})
							} else {
								args(couplingBackwardRows[T])
							}
							dx[i], ds[i], dt[i] = cpm(dxm), cpm(dsm), cpm(dtm)
						}
						for _, chk := range []struct {
							what string
							v    [2][]T
						}{{"dx", dx}, {"ds", ds}, {"dt", dt}} {
							if i := tk.FirstDiff(chk.v[0], chk.v[1]); i >= 0 {
								t.Fatalf("%s pad %d backward dlogdet %s: %s[%d] = %v grouped, %v row by row", name, pad, mode, chk.what, i, chk.v[0][i], chk.v[1][i])
							}
						}
					}
				}
			}
		}
	}
}
