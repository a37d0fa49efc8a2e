package main

import (
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// One Adam step over n parameters (kernels.Adam: 4 streams read, 3
// written) against the scalar Go loop with math.Sqrt, in Gelem/s.

func init() { caseSets = append(caseSets, adamCases) }

var adamBenchCoef = kernels.NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 10)

type adamData[T ref.Float] struct{ p, g, m, v []T }

func newAdamData[T ref.Float](n int) *adamData[T] {
	r := rand.New(rand.NewPCG(8, uint64(n)))
	d := &adamData[T]{make([]T, n), make([]T, n), make([]T, n), make([]T, n)}
	for i := range d.p {
		d.p[i], d.g[i] = T(r.NormFloat64()), T(r.NormFloat64())
	}
	return d
}

func adamCases() []kernelCase {
	return []kernelCase{adamCase[float64]("float64"), adamCase[float32]("float32")}
}

func adamCase[T ref.Float](prec string) kernelCase {
	size := int(sizeOf(T(0)))
	return kernelCase{kernel: "Adam", prec: prec, elems: true, work: linear(1, 7*size), written: perElem(3 * size),
		ours: func(n int) func() {
			d := newAdamData[T](n)
			return func() { kernels.Adam(d.p, d.g, d.m, d.v, adamBenchCoef) }
		},
		peers: []peer{{"math", func(n int) func() {
			d := newAdamData[T](n)
			return func() { adamLoop(d, adamBenchCoef) }
		}}}}
}

// adamLoop is the step written plainly in T's arithmetic.
//
//go:noinline
func adamLoop[T ref.Float](d *adamData[T], c kernels.AdamCoef) {
	b1, a1, b2, a2 := T(c.B1), T(c.A1), T(c.B2), T(c.A2)
	step, ic2, eps, keep := T(c.Step), T(c.IC2), T(c.Eps), T(c.Keep)
	for i, g := range d.g {
		m := b1*d.m[i] + a1*g
		v := b2*d.v[i] + a2*g*g
		d.m[i], d.v[i] = m, v
		d.p[i] = d.p[i]*keep - step*m/(T(math.Sqrt(float64(v*ic2)))+eps)
	}
}
