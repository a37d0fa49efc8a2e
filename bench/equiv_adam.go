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

// Adam in the equivalence run: random lengths, states and coefficients;
// p, m and v must equal ref.Adam's bit for bit, and the error of p against
// an exact evaluation (300-bit) from the same inputs and the rounded
// coefficients is given as a share of the bound in Adam's doc comment,
// u|P| + 8u|Step|(|A1 g| + |B1 m|)/D.

func init() { equivSets = append(equivSets, adamChecks) }

func adamChecks() []equivCheck {
	return []equivCheck{
		{"Adam", "float64", "of bound", 1, adamEquiv[float64], nil},
		{"Adam", "float32", "of bound", 1, adamEquiv[float32], nil},
	}
}

func adamEquiv[T ref.Float](r *rand.Rand) (string, float64) {
	n := r.IntN(300)
	if r.IntN(8) == 0 {
		n = r.IntN(20000)
	}
	p, g, m := randVec[T](r, n), randVec[T](r, n), randVec[T](r, n)
	v := randVec[T](r, n)
	for i := range v {
		v[i] = T(math.Abs(float64(v[i]))) // a second moment is not negative
	}
	c := kernels.NewAdamCoef(math.Ldexp(1, -r.IntN(16)), 1-math.Ldexp(1, -1-r.IntN(6)), 1-math.Ldexp(1, -4-r.IntN(10)),
		1e-8, 0.1*r.Float64(), 1+r.IntN(1000))
	k := ref.AdamCoefs[T]{B1: T(c.B1), A1: T(c.A1), B2: T(c.B2), A2: T(c.A2), Step: T(c.Step), IC2: T(c.IC2), Eps: T(c.Eps), Keep: T(c.Keep)}
	p0, g0, m0, v0 := append([]T(nil), p...), append([]T(nil), g...), append([]T(nil), m...), append([]T(nil), v...)
	wp, wm, wv := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
	ref.Adam(wp, g, wm, wv, k)
	kernels.Adam(p, g, m, v, c)
	for i := range p {
		if !testkit.Same(p[i], wp[i]) || !testkit.Same(m[i], wm[i]) || !testkit.Same(v[i], wv[i]) {
			return fmt.Sprintf("n=%d element %d: p, m, v = %v, %v, %v; reference %v, %v, %v", n, i, p[i], m[i], v[i], wp[i], wm[i], wv[i]), 0
		}
	}
	u := 0x1p-53
	if _, ok := any(T(0)).(float32); ok {
		u = 0x1p-24
	}
	bf := func(x T) *big.Float { return new(big.Float).SetPrec(300).SetFloat64(float64(x)) }
	z := func() *big.Float { return new(big.Float).SetPrec(300) }
	worst := 0.0
	for i := range p {
		M := z().Add(z().Mul(bf(k.A1), bf(g0[i])), z().Mul(bf(k.B1), bf(m0[i])))
		V := z().Add(z().Mul(bf(k.A2), z().Mul(bf(g0[i]), bf(g0[i]))), z().Mul(bf(k.B2), bf(v0[i])))
		D := z().Add(z().Sqrt(z().Mul(V, bf(k.IC2))), bf(k.Eps))
		P := z().Sub(z().Mul(bf(p0[i]), bf(k.Keep)), z().Quo(z().Mul(bf(k.Step), M), D))
		pf, _ := P.Float64()
		df, _ := D.Float64()
		sm := math.Abs(float64(k.A1)*float64(g0[i])) + math.Abs(float64(k.B1)*float64(m0[i]))
		bound := u*math.Abs(pf) + 8*u*math.Abs(float64(k.Step))*sm/df
		e, _ := z().Sub(bf(p[i]), P).Float64()
		if bound > 0 {
			worst = max(worst, math.Abs(e)/bound)
		}
	}
	return "", worst
}
