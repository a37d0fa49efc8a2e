package kernels

import (
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkTinyCalls times calls so small that the argument checks,
// aliasing included, are a visible part of them: a 4×4 MatVecs of one
// row, couplings of one row of 4 (in place, as the flows call them, and
// into a separate output), and vector calls of 4 elements. Compare two
// builds with
//
//	go test -run '^$' -bench TinyCalls -count 5 -cpu 1 ./kernels
func BenchmarkTinyCalls(b *testing.B) {
	r := tk.NewRand(5)
	mat := func(rows, cols int) Matrix[float64] {
		m := Matrix[float64]{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		tk.Fill(r, m.Data)
		for i := range m.Data {
			m.Data[i] *= 0.1 // keep exp and repeated in-place updates tame
		}
		return m
	}
	w, x, y, bias := mat(4, 4), mat(1, 4), mat(1, 4), make([]float64, 4)
	// x and s, t as column blocks of one matrix, as a conditioner's output.
	h := mat(1, 12)
	xs, ss, ts := h.sub(0, 0, 1, 4), h.sub(0, 4, 1, 4), h.sub(0, 8, 1, 4)
	logdet := make([]float64, 1)
	c := Clamp{Kind: ClampTanh, A: 2}
	dx, ds := mat(1, 4), mat(1, 4)
	v1, v2, v3 := x.Data, y.Data, make([]float64, 4)
	cases := []struct {
		name string
		f    func()
	}{
		{"MatVecs", func() { MatVecs(y, w, x, bias) }},
		{"CouplingForward/inplace", func() { CouplingForward(xs, xs, ss, ts, logdet, c) }},
		{"CouplingForward/separate", func() { CouplingForward(y, x, ss, ts, logdet, c) }},
		{"CouplingInverse/inplace", func() { CouplingInverse(xs, xs, ss, ts, logdet, c) }},
		{"CouplingBackward", func() { CouplingBackward(dx, ds, Matrix[float64]{}, y, logdet, x, ss, c) }},
		{"Add", func() { Add(v3, v1, v2) }},
		{"Axpy", func() { Axpy(1e-3, v1, v3) }},
	}
	for _, cs := range cases {
		b.Run(cs.name, func(b *testing.B) {
			defer tk.CPUTime(b)()
			for b.Loop() {
				cs.f()
			}
		})
	}
}
