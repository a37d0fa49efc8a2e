package main

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

func init() { equivSets = append(equivSets, triChecks) }

// triChecks run TriMatVecs and TriSolveVecs through the public API on
// random shapes (mostly small, sometimes past the blocked paths), random
// triangle, transpose and unit flags, and strides. Every output must match
// internal/ref bit for bit. A sample of rows is held to the doc comment's
// bound: TriMatVecs' forward error against the exact product, and
// TriSolveVecs' componentwise backward error, the exact residual
// X - M x of the computed x against (n+1) u |M| |x|.
func triChecks() []equivCheck {
	runs := []string{"Outer", "Transpose4", "Axpy", "Scale"}
	return []equivCheck{
		{"TriMatVecs", "float64", "of bound", 1, triCase[float64](false), runs},
		{"TriMatVecs", "float32", "of bound", 1, triCase[float32](false), runs},
		{"TriSolveVecs", "float64", "of bound", 1, triCase[float64](true), runs},
		{"TriSolveVecs", "float32", "of bound", 1, triCase[float32](true), runs},
	}
}

func triCase[T ref.Float](solve bool) func(r *rand.Rand) (string, float64) {
	return func(r *rand.Rand) (string, float64) {
		n, nb := matvecDim(r), matvecDim(r)
		for n*n*nb > 1<<21 { // keep the reference quick
			nb /= 2
		}
		upper, trans, unit := r.IntN(2) == 0, r.IntN(2) == 0, r.IntN(4) == 0
		a, x := randMat[T](r, n, n), randMat[T](r, nb, n)
		// A diagonal of 1 to 2 and the rest scaled by 1/n keep the solves
		// well conditioned (random triangles are not, exponentially in n).
		for i := range n {
			for k := range n {
				v := &a.Data[i*a.Stride+k]
				if i == k {
					*v = T(1 + r.Float64())
				} else {
					*v /= T(max(n, 1))
				}
			}
		}
		x0 := append([]T(nil), x.Data...)
		want := append([]T(nil), x.Data...)
		if solve {
			ref.TriSolveVecs(want, x.Stride, nb, a.Data, a.Stride, n, upper, trans, unit)
			kernels.TriSolveVecs(x, a, upper, trans, unit)
		} else {
			ref.TriMatVecs(want, x.Stride, nb, a.Data, a.Stride, n, upper, trans, unit)
			kernels.TriMatVecs(x, a, upper, trans, unit)
		}
		for i := range x.Data {
			if i%max(x.Stride, 1) < n && !testkit.Same(x.Data[i], want[i]) {
				return fmt.Sprintf("n=%d batch=%d upper=%v trans=%v unit=%v element %d: %v, reference %v",
					n, nb, upper, trans, unit, i, x.Data[i], want[i]), 0
			}
		}
		u := 0x1p-53
		if _, ok := any(T(0)).(float32); ok {
			u = 0x1p-24
		}
		// m is M = op(A) with its unit diagonal.
		m := func(i, k int) float64 {
			if k == i && unit {
				return 1
			}
			if lower := upper == trans; (lower && k > i) || (!lower && k < i) {
				return 0
			}
			if trans {
				return float64(a.Data[k*a.Stride+i])
			}
			return float64(a.Data[i*a.Stride+k])
		}
		bf := func(v float64) *big.Float { return new(big.Float).SetPrec(2000).SetFloat64(v) }
		worst := 0.0
		for s := 0; s < 8 && nb > 0 && n > 0; s++ {
			b, i := r.IntN(nb), r.IntN(n)
			in, out := x0[b*x.Stride:b*x.Stride+n], x.Data[b*x.Stride:b*x.Stride+n]
			// The exact M v over row i, and sum_k |M[i][k] v[k]|.
			dot := func(v []T) (*big.Float, float64) {
				e, abs := bf(0), 0.0
				for k := range n {
					if mk := m(i, k); mk != 0 {
						e.Add(e, new(big.Float).Mul(bf(mk), bf(float64(v[k]))))
						abs += math.Abs(mk * float64(v[k]))
					}
				}
				return e, abs
			}
			var d, bound float64
			if solve {
				e, abs := dot(out) // X[b][i] - (M x)[i] over (n+1) u |M| |x|
				d, _ = new(big.Float).Sub(bf(float64(in[i])), e).Float64()
				bound = float64(n+1) * u * abs * (1 + 2*float64(n+1)*u)
			} else {
				e, abs := dot(in)
				d, _ = new(big.Float).Sub(bf(float64(out[i])), e).Float64()
				bound = float64(n) * u * abs * (1 + 2*float64(n)*u)
			}
			if math.IsNaN(d) || math.IsInf(d, 0) {
				continue
			}
			if bound > 0 {
				worst = max(worst, math.Abs(d)/bound)
			} else if d != 0 {
				worst = math.Inf(1)
			}
		}
		return "", worst
	}
}
