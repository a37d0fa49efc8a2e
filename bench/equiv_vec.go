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

func init() { equivSets = append(equivSets, vecChecks) }

// vecChecks are the vector building blocks: element-wise kernels must be
// correctly rounded (0.5 ulp), reductions within their documented bound.
func vecChecks() []equivCheck {
	var cs []equivCheck
	for _, k := range []string{"Dot", "Sum", "Axpy", "Scale", "Add", "Mul", "KeepPositive"} {
		unit, bound := "ulp", 0.5
		if k == "Dot" || k == "Sum" {
			unit, bound = "of bound", 1
		}
		cs = append(cs,
			equivCheck{k, "float64", unit, bound, func(r *rand.Rand) (string, float64) { return vecCase[float64](k, r) }, nil},
			equivCheck{k, "float32", unit, bound, func(r *rand.Rand) (string, float64) { return vecCase[float32](k, r) }, nil})
	}
	return append(cs,
		equivCheck{"TanhGrad", "float64", "of bound", 1, tanhGradCase[float64], nil},
		equivCheck{"TanhGrad", "float32", "of bound", 1, tanhGradCase[float32], nil})
}

// tanhGradCase runs TanhGrad on random g and y in (-1, 1) and compares
// with internal/ref (bits) and the exact g (1 - y^2). Its three roundings
// (t = g y, t y, g - t y) bound the error by u (|d| + 2|g| y^2), to first
// order in u (u (1 + 4u) (|exact| + 2|g| y^2) exactly): the bound this
// returns the error as a fraction of.
func tanhGradCase[T ref.Float](r *rand.Rand) (string, float64) {
	n := r.IntN(300)
	g, y := randVec[T](r, n), make([]T, n)
	for i := range y {
		y[i] = T(math.Tanh(r.NormFloat64() * 2))
	}
	got := make([]T, n)
	kernels.TanhGrad(got, g, y)
	u := 0x1p-53
	var z T
	if _, ok := any(z).(float32); ok {
		u = 0x1p-24
	}
	worst := 0.0
	for i := range got {
		if w := ref.TanhGrad(g[i], y[i]); !testkit.Same(got[i], w) {
			return fmt.Sprintf("n=%d element %d: %v, reference %v", n, i, got[i], w), 0
		}
		gi, yi := float64(g[i]), float64(y[i])
		yy := new(big.Float).SetPrec(300).SetFloat64(yi)
		yy.Mul(yy, yy)
		exact := new(big.Float).SetPrec(300).SetFloat64(1)
		exact.Sub(exact, yy).Mul(exact, new(big.Float).SetPrec(300).SetFloat64(gi))
		e, _ := exact.Float64()
		bound := u * (1 + 4*u) * (math.Abs(e) + 2*math.Abs(gi)*yi*yi)
		d := new(big.Float).Sub(new(big.Float).SetFloat64(float64(got[i])), exact)
		df, _ := d.Float64()
		if bound > 0 {
			worst = max(worst, math.Abs(df)/bound)
		}
	}
	return "", worst
}

// vecCase runs kernel k once on random vectors, mostly short, sometimes
// long, and compares with internal/ref and an exact result.
func vecCase[T ref.Float](k string, r *rand.Rand) (string, float64) {
	n := r.IntN(300)
	if r.IntN(8) == 0 {
		n = r.IntN(20000)
	}
	x, y := randVec[T](r, n), randVec[T](r, n)
	alpha := randVec[T](r, 1)[0]
	got, want, err := runKernel(k, alpha, x, y)
	for i := range got {
		if !testkit.Same(got[i], want[i]) {
			return fmt.Sprintf("n=%d element %d: %v, reference %v", n, i, got[i], want[i]), err
		}
	}
	return "", err
}

func randVec[T ref.Float](r *rand.Rand, n int) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = T(r.NormFloat64() * math.Ldexp(1, r.IntN(20)-10))
	}
	return v
}

// runKernel runs one kernel through the public API (on the tier SetISA
// chose) and through internal/ref, and measures the kernel's error against
// an exact result.
func runKernel[T ref.Float](kernel string, alpha T, x, y []T) (got, want []T, err float64) {
	switch kernel {
	case "Dot":
		g, w := kernels.Dot(x, y), ref.Dot(x, y)
		return []T{g}, []T{w}, reductionError(g, x, y)
	case "Sum":
		g, w := kernels.Sum(x), ref.Sum(x)
		return []T{g}, []T{w}, reductionError(g, x, nil)
	}
	got, want = append([]T(nil), y...), append([]T(nil), y...)
	exact := func(i int) *big.Float { return nil }
	bf := func(v T) *big.Float { return new(big.Float).SetPrec(300).SetFloat64(float64(v)) }
	switch kernel {
	case "Axpy":
		kernels.Axpy(alpha, x, got)
		ref.Axpy(alpha, x, want)
		exact = func(i int) *big.Float { p := bf(alpha); return p.Add(p.Mul(p, bf(x[i])), bf(y[i])) }
	case "Scale":
		got, want = append([]T(nil), x...), append([]T(nil), x...)
		kernels.Scale(alpha, got)
		ref.Scale(alpha, want)
		exact = func(i int) *big.Float { p := bf(alpha); return p.Mul(p, bf(x[i])) }
	case "Add":
		kernels.Add(got, x, y)
		ref.Add(want, x, y)
		exact = func(i int) *big.Float { p := bf(x[i]); return p.Add(p, bf(y[i])) }
	case "Mul":
		kernels.Mul(got, x, y)
		ref.Mul(want, x, y)
		exact = func(i int) *big.Float { p := bf(x[i]); return p.Mul(p, bf(y[i])) }
	case "KeepPositive":
		kernels.KeepPositive(got, x, y)
		ref.KeepPositive(want, x, y)
		exact = func(i int) *big.Float {
			if y[i] <= 0 {
				return bf(0)
			}
			return bf(x[i])
		}
	}
	for i, g := range got {
		err = max(err, ulpError(g, exact(i)))
	}
	return got, want, err
}

// ulpError is |got - exact| in units of the last place of T at exact.
func ulpError[T ref.Float](got T, exact *big.Float) float64 {
	e, _ := exact.Float64()
	var ulp float64
	if _, ok := any(got).(float32); ok {
		f := float32(math.Abs(e))
		if f != f || math.IsInf(float64(f), 0) {
			return 0
		}
		ulp = float64(math.Nextafter32(f, float32(math.Inf(1)))) - float64(f)
	} else {
		if math.IsInf(e, 0) || e != e {
			return 0
		}
		ulp = math.Nextafter(math.Abs(e), math.Inf(1)) - math.Abs(e)
	}
	d := new(big.Float).Sub(new(big.Float).SetFloat64(float64(got)), exact)
	df, _ := d.Float64()
	return math.Abs(df) / ulp
}

// reductionError is |got - exact| divided by the bound in the doc comments
// of Dot and Sum, (ceil(n/L) + log2 L) * u * sum|terms|.
func reductionError[T ref.Float](got T, x, y []T) float64 {
	exact := new(big.Float).SetPrec(4000)
	scale := 0.0
	for i := range x {
		t := new(big.Float).SetPrec(4000).SetFloat64(float64(x[i]))
		if y != nil {
			t.Mul(t, new(big.Float).SetFloat64(float64(y[i])))
		}
		exact.Add(exact, t)
		tf, _ := t.Float64()
		scale += math.Abs(tf)
	}
	if scale == 0 {
		return 0
	}
	u, l := 0x1p-53, 32
	if _, ok := any(got).(float32); ok {
		u, l = 0x1p-24, 64
	}
	k := float64((len(x)+l-1)/l) + math.Log2(float64(l))
	d, _ := new(big.Float).Sub(new(big.Float).SetFloat64(float64(got)), exact).Float64()
	return math.Abs(d) / (k * u * scale)
}
