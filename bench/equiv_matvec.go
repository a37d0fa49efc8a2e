package main

import (
	"fmt"
	"github.com/flowkern/flowkern/internal/testkit"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

func init() { equivSets = append(equivSets, matvecChecks) }

// matvecChecks run MatVecs, MatTVecs and AddOuters through the public API
// (default workers) on random shapes, mostly small, sometimes large enough
// to cross the blocking and the worker split, with random strides. Every
// output must match internal/ref bit for bit; a sample of outputs is held to
// the error bound of the doc comment against an exact sum.
func matvecChecks() []equivCheck {
	var cs []equivCheck
	for _, k := range []string{"MatVecs", "MatTVecs", "AddOuters"} {
		runs := []string{"Outer", "OuterRow"} // MatTVecs' and AddOuters' kernels (the second for one row of C)
		if k == "MatVecs" {
			runs = []string{"MatVecs", "MatVecsWT", "MatVecSpaced"} // short rows; one X row past L1
		}
		cs = append(cs,
			equivCheck{k, "float64", "of bound", 1, func(r *rand.Rand) (string, float64) { return matvecCase[float64](k, r) }, runs},
			equivCheck{k, "float32", "of bound", 1, func(r *rand.Rand) (string, float64) { return matvecCase[float32](k, r) }, runs})
	}
	return cs
}

// randMat returns a rows x cols matrix with a stride of cols plus 0-3, its
// gaps NaN (a kernel reading one would show).
func randMat[T ref.Float](r *rand.Rand, rows, cols int) kernels.Matrix[T] {
	stride := cols + r.IntN(4)*r.IntN(2)
	stride = max(stride, 1)
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*stride + cols
	}
	d := randVec[T](r, n)
	for i := range d {
		if i%stride >= cols {
			d[i] = T(math.NaN())
		}
	}
	return kernels.Matrix[T]{Rows: rows, Cols: cols, Data: d, Stride: stride}
}

func matvecDim(r *rand.Rand) int {
	if r.IntN(8) == 0 {
		return r.IntN(700)
	}
	return r.IntN(70)
}

func matvecCase[T ref.Float](k string, r *rand.Rand) (string, float64) {
	m, n, nb := matvecDim(r), matvecDim(r), matvecDim(r)
	if r.IntN(4) == 0 {
		// A matrix-vector product, often with W past L1 (MatVecs' spaced
		// tiles, MatTVecs' OuterRow).
		nb = 1
		if r.IntN(2) == 0 {
			m, n = 16+r.IntN(700), 64+r.IntN(700)
		}
	}
	for m*n*nb > 1<<21 { // keep the reference quick
		nb /= 2
	}
	var u float64 = 0x1p-53
	if _, ok := any(T(0)).(float32); ok {
		u = 0x1p-24
	}
	bf := func(v T) *big.Float { return new(big.Float).SetPrec(2000).SetFloat64(float64(v)) }
	// check compares got with want bit for bit and returns the worst error
	// of a sample of outputs, in units of their bound: exact gives the
	// exact value of the output in row, col and its documented bound.
	check := func(got, want []T, rows, ld, cols int, exact func(row, col int) (*big.Float, float64)) (string, float64) {
		for i := range got {
			if i%ld < cols && !testkit.Same(got[i], want[i]) {
				return fmt.Sprintf("m=%d n=%d batch=%d element %d: %v, reference %v", m, n, nb, i, got[i], want[i]), 0
			}
		}
		worst := 0.0
		for s := 0; s < 8 && rows > 0 && cols > 0; s++ {
			row, col := r.IntN(rows), r.IntN(cols)
			e, bound := exact(row, col)
			g := got[row*ld+col]
			if math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
				continue
			}
			d, _ := new(big.Float).Sub(bf(g), e).Float64()
			if bound > 0 {
				worst = max(worst, math.Abs(d)/bound)
			} else if d != 0 {
				worst = math.Inf(1)
			}
		}
		return "", worst
	}
	switch k {
	case "MatVecs":
		w, x, y := randMat[T](r, m, n), randMat[T](r, nb, n), randMat[T](r, nb, m)
		var bias []T
		if r.IntN(2) == 0 {
			bias = randVec[T](r, m)
		}
		want := append([]T(nil), y.Data...)
		ref.MatVecs(want, y.Stride, w.Data, w.Stride, x.Data, x.Stride, bias, m, n, nb)
		kernels.MatVecs(y, w, x, bias)
		L := float64(ref.MatVecLanes[T]())
		return check(y.Data, want, nb, y.Stride, m, func(b, i int) (*big.Float, float64) {
			e, abs := new(big.Float).SetPrec(2000), 0.0
			for j := range n {
				p := bf(w.Data[i*w.Stride+j])
				e.Add(e, p.Mul(p, bf(x.Data[b*x.Stride+j])))
				abs += math.Abs(float64(w.Data[i*w.Stride+j]) * float64(x.Data[b*x.Stride+j]))
			}
			k := math.Ceil(float64(n)/L) + math.Log2(L)
			bound := k * u * abs * (1 + 2*k*u)
			if bias != nil {
				s, _ := e.Float64()
				e.Add(e, bf(bias[i]))
				bound = bound*(1+u) + u*(math.Abs(s)+math.Abs(float64(bias[i])))
			}
			return e, bound
		})
	case "MatTVecs":
		w, x, y := randMat[T](r, m, n), randMat[T](r, nb, m), randMat[T](r, nb, n)
		want := append([]T(nil), y.Data...)
		ref.MatTVecs(want, y.Stride, w.Data, w.Stride, x.Data, x.Stride, m, n, nb)
		kernels.MatTVecs(y, w, x)
		return check(y.Data, want, nb, y.Stride, n, func(b, j int) (*big.Float, float64) {
			e, abs := new(big.Float).SetPrec(2000), 0.0
			for i := range m {
				p := bf(w.Data[i*w.Stride+j])
				e.Add(e, p.Mul(p, bf(x.Data[b*x.Stride+i])))
				abs += math.Abs(float64(w.Data[i*w.Stride+j]) * float64(x.Data[b*x.Stride+i]))
			}
			k := float64(m)
			return e, k * u * abs * (1 + 2*k*u)
		})
	default: // AddOuters
		g, d, x := randMat[T](r, m, n), randMat[T](r, nb, m), randMat[T](r, nb, n)
		var gb []T
		if r.IntN(2) == 0 {
			gb = randVec[T](r, m)
		}
		g0 := append([]T(nil), g.Data...)
		want, wantb := append([]T(nil), g.Data...), append([]T(nil), gb...)
		ref.AddOuters(want, g.Stride, wantb, d.Data, d.Stride, x.Data, x.Stride, m, n, nb)
		kernels.AddOuters(g, gb, d, x)
		for i := range gb {
			if !testkit.Same(gb[i], wantb[i]) {
				return fmt.Sprintf("m=%d n=%d batch=%d gb[%d]: %v, reference %v", m, n, nb, i, gb[i], wantb[i]), 0
			}
		}
		return check(g.Data, want, m, g.Stride, n, func(i, j int) (*big.Float, float64) {
			e, abs := bf(g0[i*g.Stride+j]), math.Abs(float64(g0[i*g.Stride+j]))
			for b := range nb {
				p := bf(d.Data[b*d.Stride+i])
				e.Add(e, p.Mul(p, bf(x.Data[b*x.Stride+j])))
				abs += math.Abs(float64(d.Data[b*d.Stride+i]) * float64(x.Data[b*x.Stride+j]))
			}
			k := float64(nb)
			return e, k * u * abs * (1 + 2*k*u)
		})
	}
}
