package flow

import (
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// ActNorm is Glow's activation normalisation, z = (x + bias) * exp(logs)
// per feature, log|det| = sum_j logs[j] per row. With dataInit, the first
// training batch sets bias = -mean and logs = -log(std + ActNormEps) of
// each feature, so that the layer's output starts standardised; a constant
// feature (std = 0) gets logs = -log(ActNormEps), never an infinite scale.
// The scale is exp of a parameter, so it can never be zero.
//
// Without dataInit it is the element-wise affine layer (NICE's final
// scaling when bias stays 0: see Scale).
type ActNorm[T kernels.Float] struct {
	d        int
	dataInit bool
	done     bool
	noBias   bool
	p, g     []T // bias then logs (noBias: logs only)
	s, tmp   []T
	ld       []T
}

// ActNormEps is added to the standard deviation of the data-dependent
// initialisation.
const ActNormEps = 1e-6

// NewActNorm returns an ActNorm layer on d features, initialised from the
// first training batch.
func NewActNorm[T kernels.Float](d int) *ActNorm[T] { return &ActNorm[T]{d: d, dataInit: true} }

// NewScale returns NICE's diagonal scaling z = x * exp(logs), logs starting
// at 0.
func NewScale[T kernels.Float](d int) *ActNorm[T] { return &ActNorm[T]{d: d, noBias: true} }

func (a *ActNorm[T]) Dim() int { return a.d }

func (a *ActNorm[T]) Spec() LayerSpec {
	if a.noBias {
		return LayerSpec{Kind: KindScale}
	}
	return LayerSpec{Kind: KindActNorm, Initialized: a.done || !a.dataInit}
}

func (a *ActNorm[T]) NumParams() int {
	if a.noBias {
		return a.d
	}
	return 2 * a.d
}

func (a *ActNorm[T]) tensors() []tensor {
	if a.noBias {
		return []tensor{{"logs", []int{a.d}, 0}}
	}
	return []tensor{{"bias", []int{a.d}, 0}, {"logs", []int{a.d}, a.d}}
}

func (a *ActNorm[T]) buffers() []buffer { return nil }

func (a *ActNorm[T]) bind(p, g []T) { a.p, a.g = p, g }

func (a *ActNorm[T]) init(*kernels.Normal) { clear(a.p) }

func (a *ActNorm[T]) clone() Layer[T] {
	return &ActNorm[T]{d: a.d, dataInit: a.dataInit, done: a.done, noBias: a.noBias}
}

func (a *ActNorm[T]) bias() []T {
	if a.noBias {
		return nil
	}
	return a.p[:a.d]
}

func (a *ActNorm[T]) logs() []T { return a.p[len(a.p)-a.d:] }

func (a *ActNorm[T]) initialized() bool { return a.done || !a.dataInit }

// initFromData sets bias and logs from the batch x (float64 moments, the
// log by kernels.Log, so the same bits on every architecture).
func (a *ActNorm[T]) initFromData(x Matrix[T]) {
	a.done = true
	n := x.Rows
	if n == 0 {
		return
	}
	mean := make([]float64, a.d)
	sd := make([]float64, a.d)
	for b := range n {
		for j, v := range rowOf(x, b) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for b := range n {
		for j, v := range rowOf(x, b) {
			e := float64(v) - mean[j]
			sd[j] += float64(e * e) // a rounded product: never fused into an fma
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j]/float64(n)) + ActNormEps
		if math.IsNaN(sd[j]) || math.IsInf(sd[j], 0) {
			sd[j] = 1
		}
	}
	kernels.Log(sd, sd)
	bias, logs := a.bias(), a.logs()
	for j := range a.d {
		bias[j] = T(-mean[j])
		logs[j] = T(-sd[j])
	}
}

// scales sets a.s = exp(logs) and returns sum_j logs[j] (Sum's order).
func (a *ActNorm[T]) scales(neg bool) T {
	s := grow(&a.s, a.d)
	logs := a.logs()
	if neg {
		for j, v := range logs {
			s[j] = -v
		}
		kernels.Exp(s, s)
	} else {
		kernels.Exp(s, logs)
	}
	return kernels.Sum(logs)
}

// Forward: z = (x + bias) * exp(logs), the sum and the product each
// rounded once.
func (a *ActNorm[T]) Forward(z, x Matrix[T], logdet []float64) {
	checkShapes("ActNorm.Forward", a.d, ldLen(logdet), nm(x, "x"), nm(z, "z"))
	ld := a.scales(false)
	bias := a.bias()
	d := a.d
	s := a.s[:d]
	if bias != nil {
		bias = bias[:d]
	}
	if xs, zs, ok := narrowFlat(x, z); ok && bias != nil {
		// Rows of a few elements, back to back: one loop, the column
		// index wrapping, the same operations element by element.
		j := 0
		for k, v := range xs {
			zs[k] = T(v+bias[j]) * s[j]
			if j++; j == d {
				j = 0
			}
		}
	} else {
		for b := range x.Rows {
			xr, zr := rowOf(x, b)[:d], rowOf(z, b)[:d]
			if bias == nil {
				for j, v := range xr {
					zr[j] = v * s[j]
				}
				continue
			}
			for j, v := range xr {
				zr[j] = T(v+bias[j]) * s[j]
			}
		}
	}
	for b := range logdet {
		logdet[b] += float64(ld)
	}
}

// Inverse: x = z * exp(-logs) - bias.
func (a *ActNorm[T]) Inverse(x, z Matrix[T], logdet []float64) {
	checkShapes("ActNorm.Inverse", a.d, ldLen(logdet), nm(z, "z"), nm(x, "x"))
	ld := a.scales(true)
	bias := a.bias()
	if zs, xs, ok := narrowFlat(z, x); ok && bias != nil {
		d, s := a.d, a.s[:a.d]
		bias = bias[:d]
		j := 0
		for k, v := range zs {
			xs[k] = T(v*s[j]) - bias[j]
			if j++; j == d {
				j = 0
			}
		}
		for b := range logdet {
			logdet[b] -= float64(ld)
		}
		return
	}
	for b := range z.Rows {
		xr, zr := rowOf(x, b), rowOf(z, b)
		if bias == nil {
			for j, v := range zr {
				xr[j] = v * a.s[j]
			}
			continue
		}
		for j, v := range zr {
			xr[j] = T(v*a.s[j]) - bias[j]
		}
	}
	for b := range logdet {
		logdet[b] -= float64(ld)
	}
}

// Backward: dx = dz * s; dbias[j] += sum_b dx[b][j]; dlogs[j] += sum_b
// dz[b][j] z[b][j] + sum_b dlogdet[b] (z recomputed from x as Forward does).
func (a *ActNorm[T]) Backward(dx, dz, x Matrix[T], dlogdet []T) {
	checkShapes("ActNorm.Backward", a.d, ldLen(dlogdet), nm(x, "x"), nm(dz, "dz"), nm(dx, "dx"))
	a.scales(false)
	bias := a.bias()
	acc := grow(&a.tmp, 2*a.d)
	clear(acc)
	d := a.d
	gb, gs, s := acc[:d], acc[d:2*d], a.s[:d]
	if bias != nil {
		bias = bias[:d]
	}
	xs, dzs, ok1 := narrowFlat(x, dz)
	_, dxs, ok2 := narrowFlat(x, dx)
	switch {
	case ok1 && ok2 && bias != nil:
		// As Forward: each column's sums still run over the rows in order.
		j := 0
		for k, v := range xs {
			gs[j] += T(dzs[k] * T(T(v+bias[j])*s[j]))
			g := T(dzs[k] * s[j])
			dxs[k] = g
			gb[j] += g
			if j++; j == d {
				j = 0
			}
		}
	case bias == nil:
		for b := range x.Rows {
			xr, dzr, dxr := rowOf(x, b)[:d], rowOf(dz, b)[:d], rowOf(dx, b)[:d]
			for j, v := range xr {
				gs[j] += T(dzr[j] * T(v*s[j]))
				g := T(dzr[j] * s[j]) // rounded before the sum, not fused into it
				dxr[j] = g
			}
		}
	default:
		// The rows resliced to d elements, so that the compiler drops the
		// bounds checks.
		for b := range x.Rows {
			xr, dzr, dxr := rowOf(x, b)[:d], rowOf(dz, b)[:d], rowOf(dx, b)[:d]
			for j, v := range xr {
				gs[j] += T(dzr[j] * T(T(v+bias[j])*s[j]))
				g := T(dzr[j] * s[j])
				dxr[j] = g
				gb[j] += g
			}
		}
	}
	var c T
	for _, v := range dlogdet {
		c += v
	}
	if bias != nil {
		for j := range a.d {
			a.g[j] += gb[j]
		}
	}
	glogs := a.g[len(a.g)-a.d:]
	for j := range a.d {
		glogs[j] += gs[j] + c
	}
}

// narrowFlat returns a and b as flat slices when both hold rows of fewer
// than 16 elements back to back (stride = columns): there a loop per row
// and its slices cost more than the row's arithmetic (the 2-D flows: 2.4
// ns per element, 0.7 flat).
func narrowFlat[T kernels.Float](a, b Matrix[T]) (as, bs []T, ok bool) {
	n := a.Rows * a.Cols
	if a.Cols == 0 || a.Cols >= 16 || (a.Rows > 1 && (a.Stride != a.Cols || b.Stride != b.Cols)) {
		return nil, nil, false
	}
	return a.Data[:n], b.Data[:n], true
}
