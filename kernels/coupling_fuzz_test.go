package kernels

import (
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The coupling fuzz targets take the fuzzer's bytes as IEEE values for x, s
// and t (a third each), a row length, a clamp and an offset, run every
// usable tier in guarded slices and compare with internal/ref bit for bit.

func FuzzCouplingForward(f *testing.F)  { fuzzCoupling(f, 0) }
func FuzzCouplingInverse(f *testing.F)  { fuzzCoupling(f, 1) }
func FuzzCouplingBackward(f *testing.F) { fuzzCoupling(f, 2) }

func fuzzCoupling(f *testing.F, dir int) {
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0), false)
	f.Add(make([]byte, 8*3*40), uint8(13), uint8(1), uint8(3), false)
	f.Add(make([]byte, 4*3*70), uint8(17), uint8(2), uint8(5), true)
	f.Fuzz(func(t *testing.T, data []byte, cols, clamp, off uint8, single bool) {
		if single {
			fuzzCouplingT[float32](t, dir, data, int(cols), clamp, off)
		} else {
			fuzzCouplingT[float64](t, dir, data, int(cols), clamp, off)
		}
	})
}

func fuzzCouplingT[T Float](t *testing.T, dir int, data []byte, cols int, clampByte, off uint8) {
	v := decode[T](data)
	n := len(v) / 3
	cols = max(1, cols%40)
	rows := n / cols
	n = rows * cols
	c := testClamps[int(clampByte)%len(testClamps)]
	mat := func(part int) *tk.Guarded[T] { return guarded(v[part*n:(part+1)*n], off+uint8(part)) }
	view := func(g *tk.Guarded[T]) Matrix[T] { return Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: g.S()} }
	xg, sg, tg := mat(0), mat(1), mat(2)
	x, s, tt := view(xg), view(sg), view(tg)
	ia, m := c.params("fuzz")
	ld := make([]T, rows)
	for i := range ld {
		ld[i] = T(i) - 0.5
	}
	for _, tier := range usableTiers() {
		out, out2 := tk.NewGuarded[T](n, int(off%5)), tk.NewGuarded[T](n, int(off%3))
		o, o2 := view(out), view(out2)
		var want, want2, gotLd, wantLd []T
		switch dir {
		case 0, 1:
			wantLd = append([]T(nil), ld...)
			want, wantLd = couplingRef(dir == 1, x, s, tt, wantLd, c)
			gotLd = append([]T(nil), ld...)
			k, sign := fwdKernel(c.Kind), T(1)
			if dir == 1 {
				k, sign = invKernel(c.Kind), -1
			}
			couplingRows(tier, k, sign, o, x, s, tt, gotLd, T(ia), T(m))
		case 2:
			for i := range n {
				a, b := ref.CouplingBackward(int(c.Kind), tt.Data[i], x.Data[i], s.Data[i], ld[i/cols], T(ia), T(m))
				want, want2 = append(want, a), append(want2, b)
			}
			couplingBackwardOn(tier, bwdKernel(c.Kind), o, o2, Matrix[T]{}, tt, ld, x, s, T(ia), T(m))
		}
		if i := tk.FirstDiff(o.Data, want); i >= 0 {
			t.Fatalf("%s clamp %d: out[%d] = %v, want %v", tier, c.Kind, i, o.Data[i], want[i])
		}
		if i := tk.FirstDiff(o2.Data[:len(want2)], want2); want2 != nil && i >= 0 {
			t.Fatalf("%s clamp %d: ds[%d] = %v, want %v", tier, c.Kind, i, o2.Data[i], want2[i])
		}
		if i := tk.FirstDiff(gotLd, wantLd); i >= 0 {
			t.Fatalf("%s clamp %d: logdet[%d] = %v, want %v", tier, c.Kind, i, gotLd[i], wantLd[i])
		}
		checkGuards(t, tier, xg, sg, tg, out, out2)
	}
}
