package flow

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// Flow is a normalizing flow: a sequence of invertible layers from data x
// to latent z with a standard normal base distribution,
//
//	log p(x) = log N(z; 0, I) + sum_layers log|det dz/dx|,
//
// in nats per sample. Its parameters and their gradients live in two flat
// slices (Params, Grads) of which every layer holds views, so the optimiser,
// clipping, NaN checks and saving are one pass each.
//
// A Flow keeps scratch space for the largest batch it has run; after the
// first call of a given size, Forward, Inverse, LogProb and a training step
// do not allocate. It is not safe for concurrent use; its matrix kernels
// use the cores by themselves (kernels.SetMaxWorkers caps them), with
// results that do not depend on the number of workers.
type Flow[T kernels.Float] struct {
	spec   Spec
	d      int
	layers []Layer[T]
	offs   []int // layer i's parameters are params[offs[i]:offs[i+1]]
	params []T
	grads  []T

	bufA, bufB []T // ping-pong activations of Forward/Inverse
	ld         []float64
	acts       [][]T // training: the input of every layer, then z
	dA, dB     []T
	dld        []T
	zf         []float64
}

// New returns the flow of spec with parameters drawn from seed (the same
// seed gives the same bits on every tier and architecture). ActNorm layers
// not marked Initialized take their statistics from the first training
// batch.
func New[T kernels.Float](spec Spec, seed uint64) (*Flow[T], error) {
	f, err := newUnbound[T](spec)
	if err != nil {
		return nil, err
	}
	for i, l := range f.layers {
		g := kernels.NewNormal(seed, uint64(i))
		l.init(&g)
	}
	return f, nil
}

// newUnbound builds and binds the layers with zero parameters.
func newUnbound[T kernels.Float](spec Spec) (*Flow[T], error) {
	layers, total, err := build[T](spec)
	if err != nil {
		return nil, err
	}
	f := &Flow[T]{spec: spec, d: spec.Dim, layers: layers, params: make([]T, total), grads: make([]T, total)}
	off := 0
	f.offs = append(f.offs, 0)
	for _, l := range layers {
		n := l.NumParams()
		l.bind(f.params[off:off+n:off+n], f.grads[off:off+n:off+n])
		off += n
		f.offs = append(f.offs, off)
	}
	return f, nil
}

// Dim returns the number of features d.
func (f *Flow[T]) Dim() int { return f.d }

// Layers returns the layers, data side first.
func (f *Flow[T]) Layers() []Layer[T] { return f.layers }

// Spec returns the architecture (with the current ActNorm state).
func (f *Flow[T]) Spec() Spec {
	sp := Spec{Dim: f.d}
	for _, l := range f.layers {
		sp.Layers = append(sp.Layers, l.Spec())
	}
	return sp
}

// Params returns the parameter arena (every layer's parameters, in layer
// order); writing it changes the model.
func (f *Flow[T]) Params() []T { return f.params }

// Grads returns the gradient arena, laid out as Params.
func (f *Flow[T]) Grads() []T { return f.grads }

// LayerParams returns layer i's part of the parameter arena.
func (f *Flow[T]) LayerParams(i int) []T { return f.params[f.offs[i]:f.offs[i+1]] }

// check panics unless x is a valid n x d view and v, if not nil, has n
// elements.
func (f *Flow[T]) check(fn string, x Matrix[T], xname string, v int) {
	if x.Cols != f.d || x.Rows < 0 || (x.Rows > 0 && (x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols)) {
		panic(fmt.Sprintf("flow: %s: %s is %dx%d (Stride %d, len(Data) %d), want a valid batch x %d view", fn, xname, x.Rows, x.Cols, x.Stride, len(x.Data), f.d))
	}
	if v >= 0 && v != x.Rows {
		panic(fmt.Sprintf("flow: %s: %d log-densities for %d rows", fn, v, x.Rows))
	}
}

// Forward sets z = the flow's map of x and logdet[b] = log|det dz/dx| of
// row b (logdet may be nil). z and x must not share memory.
func (f *Flow[T]) Forward(z, x Matrix[T], logdet []float64) {
	f.check("Forward", x, "x", ldLen(logdet))
	f.check("Forward", z, "z", x.Rows)
	clear(logdet)
	n := x.Rows
	a, b := dense(&f.bufA, n, f.d), dense(&f.bufB, n, f.d)
	in := x
	for i, l := range f.layers {
		out := a
		if i == len(f.layers)-1 {
			out = z
		}
		l.Forward(out, in, logdet)
		in = out
		a, b = b, a
	}
}

// Inverse sets x = the flow's inverse map of z: the sampling direction. x
// and z must not share memory.
func (f *Flow[T]) Inverse(x, z Matrix[T]) {
	f.check("Inverse", z, "z", -1)
	f.check("Inverse", x, "x", z.Rows)
	n := z.Rows
	a, b := dense(&f.bufA, n, f.d), dense(&f.bufB, n, f.d)
	in := z
	for i := len(f.layers) - 1; i >= 0; i-- {
		out := a
		if i == 0 {
			out = x
		}
		f.layers[i].Inverse(out, in, nil)
		in = out
		a, b = b, a
	}
}

// ln2Pi is log(2 pi).
const ln2Pi = 1.83787706640934548356065947281123527972279494727556682563430308

// chunk is the number of rows LogProb and Sample push through at a time.
const chunk = 256

// LogProb sets dst[b] = log p(x[b]) in nats. Rows go through the flow in
// chunks of 256, so memory does not grow with the number of rows.
func (f *Flow[T]) LogProb(dst []float64, x Matrix[T]) {
	f.check("LogProb", x, "x", len(dst))
	for r0 := 0; r0 < x.Rows; r0 += chunk {
		r1 := min(r0+chunk, x.Rows)
		xs := Matrix[T]{Rows: r1 - r0, Cols: f.d, Data: x.Data[r0*x.Stride:], Stride: x.Stride}
		z := dense(&f.dB, r1-r0, f.d)
		f.Forward(z, xs, dst[r0:r1])
		f.addBase(dst[r0:r1], z)
	}
}

// baseConst is -(d/2) log(2 pi), rounded (never fused into a later
// subtraction).
func baseConst(d int) float64 { return float64(-0.5 * float64(d) * ln2Pi) }

// addBase adds log N(z[b]; 0, I) to dst[b].
func (f *Flow[T]) addBase(dst []float64, z Matrix[T]) {
	c := baseConst(f.d)
	for b := range z.Rows {
		r := rowOf(z, b)
		dst[b] += c - float64(0.5*float64(kernels.Dot(r, r)))
	}
}

// Sample sets the rows of x to samples of the flow: z from the standard
// normal stream kernels.NewNormal(seed, 0), filled row after row, then
// Inverse. The same seed gives the same samples on every tier and
// architecture, whatever the number of rows asked at once (a longer sample
// starts with the shorter one).
func (f *Flow[T]) Sample(x Matrix[T], seed uint64) {
	f.check("Sample", x, "x", -1)
	g := kernels.NewNormal(seed, 0)
	for r0 := 0; r0 < x.Rows; r0 += chunk {
		r1 := min(r0+chunk, x.Rows)
		n := r1 - r0
		zf := grow(&f.zf, n*f.d)
		g.Fill(zf)
		z := dense(&f.dA, n, f.d)
		for i, v := range zf {
			z.Data[i] = T(v)
		}
		f.Inverse(Matrix[T]{Rows: n, Cols: f.d, Data: x.Data[r0*x.Stride:], Stride: x.Stride}, z)
	}
}

// lossGrad runs the forward pass of a training batch x, storing every
// layer's input, and the backward pass of the mean negative
// log-likelihood; it adds the gradients to Grads and returns the loss (nats
// per sample) and dL/dx (a scratch view, valid until the next call).
func (f *Flow[T]) lossGrad(x Matrix[T]) (float64, Matrix[T]) {
	n, d := x.Rows, f.d
	L := len(f.layers)
	if len(f.acts) < L+1 {
		f.acts = make([][]T, L+1)
	}
	ld := grow(&f.ld, n)
	clear(ld)
	in := x
	for i, l := range f.layers {
		out := dense(&f.acts[i+1], n, d)
		if di, ok := l.(dataInit[T]); ok && !di.initialized() {
			di.initFromData(in)
		}
		l.Forward(out, in, ld)
		in = out
	}
	z := in
	// L = -(1/n) sum_b [log N(z_b) + ld_b]: dL/dz = z/n, dL/dld_b = -1/n.
	loss := 0.0
	c := baseConst(d)
	for b := range n {
		r := rowOf(z, b)
		loss -= c - float64(0.5*float64(kernels.Dot(r, r))) + ld[b]
	}
	loss /= float64(n)
	inv := T(1 / float64(n))
	dz := dense(&f.dA, n, d)
	for b := range n {
		zr, dr := rowOf(z, b), rowOf(dz, b)
		for j, v := range zr {
			dr[j] = v * inv
		}
	}
	dld := grow(&f.dld, n)
	for b := range dld {
		dld[b] = -inv
	}
	dx := dense(&f.dB, n, d)
	for i := L - 1; i >= 0; i-- {
		xi := x
		if i > 0 {
			xi = Matrix[T]{Rows: n, Cols: d, Data: f.acts[i], Stride: max(1, d)}
		}
		f.layers[i].Backward(dx, dz, xi, dld)
		dx, dz = dz, dx
	}
	return loss, dz
}

// finite reports whether every element of v is finite.
func finite[T kernels.Float](v []T) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
