package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/openblas"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// BenchmarkMatVecsSmall times MatVecs at the short shapes of the toy flow's
// conditioners (issue 14: in -> out of 1 -> 64, 64 -> 64, 64 -> 2, 64 -> 4,
// batch 256, with a bias as the layers have) and a sweep of the input
// width n at m = 64, batch 256 (k=...), which separates the per-output cost
// of the canonical lane reduction (the intercept) from the multiply-adds
// (the slope). Every usable tier runs on one goroutine and, with -tags
// openblas, single-threaded OpenBLAS gemm (Y = X W^T, then the bias added
// by a second call of beta = 1 is not done: gemm's time is without it).
//
//	go test -run '^$' -bench 'MatVecsSmall' -count 5 ./kernels/
func BenchmarkMatVecsSmall(b *testing.B) {
	type shape struct {
		name     string
		n, m, nb int
	}
	shapes := []shape{{"in=1/out=64", 1, 64, 256}, {"in=64/out=64", 64, 64, 256}, {"in=64/out=2", 64, 2, 256}, {"in=64/out=4", 64, 4, 256},
		{"in=64/out=64", 64, 64, 16}, {"in=64/out=64", 64, 64, 64}, {"in=32/out=8", 32, 8, 256}, {"in=32/out=16", 32, 16, 256}}
	for _, k := range []int{8, 16, 32, 128, 256} {
		shapes = append(shapes, shape{fmt.Sprintf("k=%d/out=64", k), k, 64, 256})
	}
	for _, single := range []bool{false, true} {
		prec := "float64"
		if single {
			prec = "float32"
		}
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%s/batch=%d", prec, s.name, s.nb), func(b *testing.B) {
				var run func(t cpu.Tier)
				var peer func()
				if single {
					run, peer = smallMatVecs[float32](s.n, s.m, s.nb)
				} else {
					run, peer = smallMatVecs[float64](s.n, s.m, s.nb)
				}
				flops := 2 * float64(s.n*s.m*s.nb)
				for _, t := range usableTiers() {
					b.Run(t.String(), func(b *testing.B) {
						defer tk.ProcessCPUTime(b, flops)()
						for b.Loop() {
							run(t)
						}
					})
				}
				if peer != nil {
					b.Run("openblas", func(b *testing.B) {
						defer tk.ProcessCPUTime(b, flops)()
						for b.Loop() {
							peer()
						}
					})
				}
			})
		}
	}
}

// smallMatVecs returns MatVecs on one goroutine for W m x n, a batch of nb
// and a bias, and OpenBLAS's gemm of the same product (nil without it).
func smallMatVecs[T Float](n, m, nb int) (run func(t cpu.Tier), peer func()) {
	r := tk.NewRand(uint64(n*m + nb))
	w, x, y, bias := make([]T, m*n), make([]T, nb*n), make([]T, nb*m), make([]T, m)
	for _, s := range [][]T{w, x, bias} {
		tk.Fill(r, s)
	}
	W, X, Y := Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, Matrix[T]{nb, m, y, m}
	run = func(t cpu.Tier) { benchMatVecs(t, 1, Y, W, X, bias) }
	if !openblas.Available {
		return run, nil
	}
	if is64[T]() {
		w, x, y := f64(w), f64(x), f64(y)
		peer = func() { openblas.Dgemm(false, true, nb, m, n, 1, x, n, w, n, 0, y, m) }
	} else {
		w, x, y := f32(w), f32(x), f32(y)
		peer = func() { openblas.Sgemm(false, true, nb, m, n, 1, x, n, w, n, 0, y, m) }
	}
	return run, peer
}
