package gonumblas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The tests run every accelerated routine and gonum's on the same inputs and
// compare. Rounding differs (the kernels fuse and sum in their own order),
// so a result r of ours and g of gonum's for an exact value e must satisfy
//
//	|r - g| <= |r - e| + |g - e| <= (gamma(dOurs) + gamma(dGonum)) * S
//
// where S is the sum of the absolute values of the terms and d the longest
// chain of roundings a term passes through (doc.go lists ours). Gonum's
// chains: a sum of k products, each product or alpha scaling rounded once
// and every addition once, in any order, passes at most k roundings, and
// alpha and beta add two: dGonum = k + 2 for Level 2 and 3. S is computed
// here in float64, with relative error at most gamma64(k+2); the bound is
// enlarged by that factor and by no other.

var (
	ours = Implementation{}
	ref  = gonum.Implementation{}
)

// unit returns the unit roundoff of T.
func unit[T kernels.Float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

// gamma is k u / (1 - k u), the bound of k roundings.
func gamma(k int, u float64) float64 {
	return float64(k) * u / (1 - float64(k)*u)
}

// dotDepth is the rounding chain of kernels.Dot over n elements:
// ceil(n/L) + log2 L with L lanes (see its doc).
func dotDepth[T kernels.Float](n int) int {
	var z T
	if _, ok := any(z).(float32); ok {
		return (n+63)/64 + 6
	}
	return (n+31)/32 + 5
}

// within reports whether got and want differ by at most (gamma(dOurs) +
// gamma(dGonum)) times s, s computed in float64 from k+2 terms or fewer.
// NaN matches NaN only, and an infinity only the same infinity.
func within[T kernels.Float](got, want T, dOurs, dGonum, k int, s float64) bool {
	g, w := float64(got), float64(want)
	if math.IsNaN(g) || math.IsNaN(w) || math.IsInf(g, 0) || math.IsInf(w, 0) {
		return math.IsNaN(g) && math.IsNaN(w) || g == w
	}
	u := unit[T]()
	tol := (gamma(dOurs, u) + gamma(dGonum, u)) * s * (1 + gamma(k+2, 0x1p-53))
	return math.Abs(g-w) <= tol
}

// vector is a strided BLAS vector of n elements: element i is at
// data[start(n, inc)+i*inc]. The elements between them are set to gap.
type vector[T kernels.Float] struct {
	data   []T
	n, inc int
}

// newVector returns n random elements with increment inc, extra elements
// past the last one, and gap between and after them.
func newVector[T kernels.Float](r *rand.Rand, n, inc, extra int, gap T) vector[T] {
	ainc := max(inc, -inc)
	l := 0
	if n > 0 {
		l = (n-1)*ainc + 1
	}
	v := vector[T]{data: make([]T, l+extra), n: n, inc: inc}
	for i := range v.data {
		v.data[i] = gap
	}
	for i := range n {
		v.data[v.at(i)] = randT[T](r)
	}
	return v
}

func (v vector[T]) at(i int) int { return start(v.n, v.inc) + i*v.inc }

func (v vector[T]) get(i int) T { return v.data[v.at(i)] }

func (v vector[T]) clone() vector[T] {
	v.data = append([]T(nil), v.data...)
	return v
}

// set fills the vector's elements (not the gaps) with val.
func (v vector[T]) set(val T) {
	for i := range v.n {
		v.data[v.at(i)] = val
	}
}

// onVector reports whether index j of data is one of v's elements.
func (v vector[T]) onVector(j int) bool {
	ainc := max(v.inc, -v.inc)
	return j < (v.n-1)*ainc+1 && j%ainc == 0
}

// matrix is a row-major r×c BLAS matrix with leading dimension ld, gap in
// the columns past c.
type matrix[T kernels.Float] struct {
	data     []T
	r, c, ld int
}

func newMatrix[T kernels.Float](rnd *rand.Rand, r, c, ld int, gap T) matrix[T] {
	l := 0
	if r > 0 {
		l = (r-1)*ld + c
	}
	m := matrix[T]{data: make([]T, l), r: r, c: c, ld: ld}
	for i := range m.data {
		if i%ld < c {
			m.data[i] = randT[T](rnd)
		} else {
			m.data[i] = gap
		}
	}
	return m
}

func (m matrix[T]) at(i, j int) T { return m.data[i*m.ld+j] }

func (m matrix[T]) clone() matrix[T] {
	m.data = append([]T(nil), m.data...)
	return m
}

// set fills the matrix elements (not the gaps) with val.
func (m matrix[T]) set(val T) {
	for i := range m.r {
		for j := range m.c {
			m.data[i*m.ld+j] = val
		}
	}
}

// randT is a random value as tk.Fill makes them: mostly of order one, a
// few of a wide range, so that rounding differences show.
func randT[T kernels.Float](r *rand.Rand) T {
	var s [1]T
	tk.Fill(r, s[:])
	return s[0]
}

// scalars are the alpha and beta every Level 2 and 3 test takes: the BLAS
// special cases and a random value.
func scalars[T kernels.Float](r *rand.Rand) []T {
	return []T{0, 1, -1, T(0.5 + r.Float64())}
}

func nan[T kernels.Float]() T { return T(math.NaN()) }

// transposes are the values a tA or tB takes; blas.ConjTrans means Trans for
// real matrices.
var transposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}

// eachTier runs f with the kernels on every tier this machine and build run.
func eachTier(t *testing.T, f func(t *testing.T)) {
	prev := kernels.ISA()
	defer func() {
		if err := kernels.SetISA(prev); err != nil {
			t.Fatal(err)
		}
	}()
	usable := func(c cpu.Tier) bool {
		defer kernels.SetISA(prev)
		return kernels.SetISA(c.String()) == nil
	}
	tk.ForEachTier(t, usable, func(t *testing.T, c cpu.Tier) {
		if err := kernels.SetISA(c.String()); err != nil {
			t.Fatal(err)
		}
		f(t)
	})
}

// panicValue runs f and returns what it panicked with (nil if it did not).
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
