package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
)

// workloadHash is the SHA-256 of the outputs of workload: every public
// kernel, both precisions, with special values and lengths across chunk
// boundaries. It is the same on every tier and architecture (the numerical
// contract); a refactoring that keeps it keeps every kernel's bits.
const workloadHash = "091a5bab0d556e6d9f0ab3ff350a6fb41f72d2d0eb3d83dd9888f51001e181e5"

// TestWorkloadHash runs workload on every tier this build and CPU run and
// checks that each gives workloadHash (go test -v prints it).
func TestWorkloadHash(t *testing.T) {
	saved := active
	defer func() { active = saved }()
	got := ""
	for _, tier := range cpu.Tiers {
		if !usable(tier) {
			continue
		}
		active = tier
		h := sha256.New()
		workload(h)
		sum := hex.EncodeToString(h.Sum(nil))
		rawNaNs = true
		hr := sha256.New()
		workload(hr)
		rawNaNs = false
		t.Logf("workload hash %s: %s (NaN payloads as they come: %x)", tier, sum, hr.Sum(nil))
		if got != "" && sum != got {
			t.Errorf("tier %s gives %s, an earlier tier %s", tier, sum, got)
		}
		got = sum
	}
	if workloadHash != "" && got != workloadHash {
		t.Errorf("workload hash %s, want %s", got, workloadHash)
	}
}

// rawNaNs hashes NaN payloads as they come (TestWorkloadHash logs that
// hash per tier too: the tiers may differ there, a tier's own hash should
// not change when nothing but the wiring does).
var rawNaNs bool

func workload(h hash.Hash) {
	workloadT[float64](h, 1)
	workloadT[float32](h, 2)
	g := NewNormal(7, 3)
	for _, n := range []int{1, 2, 7, 33, 100, 1001} {
		z := make([]float64, n)
		g.Fill(z)
		hashVals(h, z...)
	}
	hashVals(h, g.Float64(), float64(g.Uint64()>>11))
}

func hashVals[T Float](h hash.Hash, xs ...T) {
	var b [8]byte
	for _, x := range xs {
		if x != x && !rawNaNs {
			x = T(math.NaN()) // the contract fixes NaN's place, not its payload
		}
		if is64[T]() {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(float64(x)))
			h.Write(b[:])
		} else {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(float32(x)))
			h.Write(b[:4])
		}
	}
}

func hashMat[T Float](h hash.Hash, m Matrix[T]) {
	for r := range m.Rows {
		hashVals(h, m.Data[r*m.Stride:r*m.Stride+m.Cols]...)
	}
}

func workloadT[T Float](h hash.Hash, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	vals := func(n int, scale float64) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(scale * (2*r.Float64() - 1))
		}
		return s
	}
	specials := []T{0, T(math.Copysign(0, -1)), T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()),
		T(math.SmallestNonzeroFloat32), 1e-30, -1e-30, 80, -80, 700, -700, 1, -1, 0.5}
	mat := func(rows, cols, stride int, scale float64) Matrix[T] {
		return Matrix[T]{Rows: rows, Cols: cols, Stride: stride, Data: vals((rows-1)*stride+cols, scale)}
	}

	// Vector kernels, lengths across the lane counts and one past a chunk.
	for _, n := range []int{0, 1, 3, 31, 32, 33, 63, 64, 65, 100, 257, 1000, chunk + 77} {
		x, y := vals(n, 1), vals(n, 1)
		hashVals(h, Dot(x, y), Sum(x))
		Axpy(T(0.75), x, y)
		hashVals(h, y...)
		Scale(T(-1.25), y)
		hashVals(h, y...)
		d := make([]T, n)
		Add(d, x, y)
		hashVals(h, d...)
		Mul(d, d, y)
		hashVals(h, d...)
	}

	// Vector math on random and special inputs.
	// Every vector math function, in the order of vmathSpecs (the manifest's).
	var fs []func(dst, x []T)
	for _, s := range vmathSpecs {
		fs = append(fs, public[T](s))
	}
	for _, n := range []int{1, 7, 16, 33, 300} {
		x := vals(n, 30)
		x = append(x, specials...)
		for k := range x {
			if k%5 == 0 {
				x[k] = T(math.Abs(float64(x[k])))
			}
		}
		d := make([]T, len(x))
		for _, f := range fs {
			f(d, x)
			hashVals(h, d...)
		}
	}

	// Matrix-vector kernels and transposes, odd shapes and strides.
	for _, s := range [][3]int{{1, 1, 1}, {5, 3, 7}, {17, 33, 9}, {64, 100, 8}, {130, 70, 3}} {
		m, n, nb := s[0], s[1], s[2]
		w, x := mat(m, n, n+3, 1), mat(nb, n, n+1, 1)
		y := Matrix[T]{Rows: nb, Cols: m, Stride: m + 2, Data: make([]T, nb*(m+2))}
		MatVecs(y, w, x, vals(m, 1))
		hashMat(h, y)
		MatVecs(y, w, x, nil)
		hashMat(h, y)
		xt := Matrix[T]{Rows: nb, Cols: n, Stride: n, Data: make([]T, nb*n)}
		MatTVecs(xt, w, y)
		hashMat(h, xt)
		g, gb := mat(m, n, n, 1), vals(m, 1)
		AddOuters(g, gb, y, x)
		hashMat(h, g)
		hashVals(h, gb...)
		wt := Matrix[T]{Rows: n, Cols: m, Stride: m + 1, Data: make([]T, n*(m+1))}
		Transpose(wt, w)
		hashMat(h, wt)
	}

	// Couplings, every clamp, in place and not.
	for _, c := range []Clamp{{Kind: ClampNone}, {Kind: ClampTanh, A: 2}, {Kind: ClampAtan, A: 1.5}} {
		for _, s := range [][2]int{{1, 1}, {3, 17}, {9, 100}, {2, 1030}} {
			b, d := s[0], s[1]
			x, sc, tt := mat(b, d, d, 1), mat(b, d, d+1, 3), mat(b, d, d, 1)
			y := mat(b, d, d, 0)
			ld := vals(b, 1)
			CouplingForward(y, x, sc, tt, ld, c)
			hashMat(h, y)
			hashVals(h, ld...)
			xi := mat(b, d, d, 0)
			CouplingInverse(xi, y, sc, tt, ld, c)
			hashMat(h, xi)
			hashVals(h, ld...)
			dx, ds, dt := mat(b, d, d, 0), mat(b, d, d, 0), mat(b, d, d, 0)
			CouplingBackward(dx, ds, dt, y, vals(b, 1), x, sc, c)
			hashMat(h, dx)
			hashMat(h, ds)
			hashMat(h, dt)
		}
	}
	{
		x, tt := mat(4, 50, 50, 1), mat(4, 50, 52, 1)
		y := mat(4, 50, 50, 0)
		AdditiveForward(y, x, tt)
		AdditiveInverse(x, y, tt)
		hashMat(h, y)
		hashMat(h, x)
	}

	// Triangular kernels and the LU layer.
	for _, n := range []int{1, 5, 33, 70} {
		a := mat(n, n, n+1, 1)
		for i := range n {
			a.Data[i*a.Stride+i] = T(2 + r.Float64())
		}
		hashVals(h, TriLogDet(a))
		ld := make([]T, 2)
		TriLogDets(ld, []Matrix[T]{a, a})
		hashVals(h, ld...)
		rs := vals(3, 1)
		AddRowSums(rs, mat(3, n, n, 1))
		hashVals(h, rs...)
		for k := range 8 {
			upper, trans, unit := k&1 != 0, k&2 != 0, k&4 != 0
			x := mat(6, n, n+2, 1)
			TriMatVecs(x, a, upper, trans, unit)
			hashMat(h, x)
			TriSolveVecs(x, a, upper, trans, unit)
			hashMat(h, x)
		}
		// Glow's LU layer (models/flow.LU) on the primitives it calls, in its
		// order: W = P L (U + diag(s)), s = Sign * Exp(LogS), L and U one
		// matrix whose diagonal is never read.
		perm := r.Perm(n)
		sign, logs := vals(n, 1), vals(n, 0.5)
		s := make([]T, n)
		Exp(s, logs)
		Mul(s, s, sign)
		x := mat(5, n, n, 1)
		y := mat(5, n, n, 0)
		w := Matrix[T]{Rows: 5, Cols: n, Stride: n, Data: make([]T, 5*n)}
		ldet := vals(5, 1)
		copy(w.Data, x.Data)
		TriMatVecsDiag(w, a, s, true, false)
		TriMatVecsDiag(w, a, nil, false, false)
		Gather(y, w, perm)
		for b, ld := range ldet {
			ldet[b] = ld + Sum(logs)
		}
		hashMat(h, y)
		hashVals(h, ldet...)
		xi := mat(5, n, n, 0)
		Scatter(xi, y, perm)
		TriSolveVecsDiag(xi, a, nil, false, false)
		TriSolveVecsDiag(xi, a, s, true, false)
		for b, ld := range ldet {
			ldet[b] = ld - Sum(logs)
		}
		hashMat(h, xi)
		hashVals(h, Sum(logs))
		gl, gu, gls, ds := mat(n, n, n, 0), mat(n, n, n, 0), make([]T, n), make([]T, n)
		dx := mat(5, n, n, 0)
		z := Matrix[T]{Rows: 5, Cols: n, Stride: n, Data: make([]T, 5*n)}
		dlog := vals(5, 1)
		Scatter(dx, y, perm)
		copy(z.Data, x.Data)
		TriMatVecsDiag(z, a, s, true, false)
		AddOutersTri(gl, nil, dx, z, true)
		TriMatVecsDiag(dx, a, nil, false, true)
		AddOutersTri(gu, ds, dx, x, false)
		c := Sum(dlog)
		for i := range gls {
			gls[i] = fmaT(ds[i], s[i], gls[i]) + c
		}
		TriMatVecsDiag(dx, a, s, true, true)
		hashMat(h, dx)
		hashMat(h, gl)
		hashMat(h, gu)
		hashVals(h, gls...)
	}

	// Gathers and scatters.
	{
		src := mat(7, 40, 41, 1)
		cols := []int{0, 1, 2, 3, 10, 12, 14, 16, 39, 5, 5}
		dst := mat(7, len(cols), len(cols), 0)
		Gather(dst, src, cols)
		hashMat(h, dst)
		Scatter(src, dst, cols)
		hashMat(h, src)
		sp := Alternating(40, 1)
		xa, xb := mat(7, sp.LenA(), sp.LenA(), 0), mat(7, sp.LenB(), sp.LenB(), 0)
		GatherSplit(xa, xb, src, sp)
		ScatterSplit(src, xb, xa, sp)
		hashMat(h, src)
	}
}
