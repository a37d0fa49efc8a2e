package action

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/flowkern/flowkern/internal/jet"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// MaxOrder is the highest expansion order Expand accepts.
const MaxOrder = 12

// chunk is the number of directions pushed through a model at a time.
const chunk = 256

// Model is what Expand expands: an action S on R^d that computes its own
// Taylor coefficients along a batch of directions.
type Model interface {
	// Dim is the number of variables d.
	Dim() int
	// ActionJet returns the coefficients of S(x0 + t u_b) in t, up to
	// t^order, for every row u_b of u (u.Rows x d): a jet of one component
	// whose V0[0] is S(x0) and whose Hi[(k-1)*u.Rows + b] is the
	// coefficient of t^k along u_b.
	ActionJet(x0 []float64, u kernels.Matrix[float64], order int) *jet.Jet
}

// FromFlow returns the learned action of a flow, S(x) = -log p(x), as a
// Model (jets by flow.LogProbJet, in float64 also for a float32 flow).
func FromFlow[T kernels.Float](f *flow.Flow[T]) Model { return flowModel[T]{f} }

type flowModel[T kernels.Float] struct{ f *flow.Flow[T] }

func (m flowModel[T]) Dim() int { return m.f.Dim() }

func (m flowModel[T]) ActionJet(x0 []float64, u kernels.Matrix[float64], order int) *jet.Jet {
	j := m.f.LogProbJet(x0, u, order)
	jet.Affine(j, j, -1, 0)
	return j
}

// Coefficients expands the learned action of the flow f, S(x) = -log p(x),
// at x0 (nil: the origin) up to the given order: Expand(FromFlow(f), x0,
// order).
func Coefficients[T kernels.Float](f *flow.Flow[T], x0 []float64, order int) (*Expansion, error) {
	if f == nil {
		return nil, errors.New("action: Coefficients: nil flow")
	}
	return Expand(FromFlow(f), x0, order)
}

// Expansion is the Taylor expansion of an action at a point x0,
//
//	S(x0 + y) = A0 + A1_i y_i + A2_ij y_i y_j + A3_ijk y_i y_j y_k + ...,
//
// with symmetric tensors A_k = (1/k!) d^k S (models/phi4's convention:
// x^T A2 x is the quadratic part). Expand computes A0, A1, the full A2
// and the diagonals A_k(i,...,i) of every order; any other entry is
// computed when asked for (Entry, Entries, A3, A4), and a whole tensor
// only for small d (Full). The on-demand methods run the model again, so
// an Expansion is not safe for concurrent use when its model is not.
type Expansion struct {
	m     Model
	d, k  int
	x0    []float64
	a0    float64
	a1    []float64
	a2    []float64   // d x d, row-major, symmetric
	diags [][]float64 // diags[k][i] = A_k(i,...,i), k = 1..order
}

// Expand computes the expansion of m at x0 (nil: the origin) up to order
// (2..MaxOrder). It runs d directions e_i to the full order (A0, A1 and
// every diagonal) and d(d-1)/2 directions e_i + e_j to order 2:
//
//	A2_ij = (f2(e_i + e_j) - f2(e_i) - f2(e_j)) / 2,
//
// f_k(u) = A_k[u, ..., u] the coefficient of t^k of S(x0 + t u). It reports
// an error for a nil model, a bad point or order, or a non-finite action or
// coefficient.
func Expand(m Model, x0 []float64, order int) (*Expansion, error) {
	if m == nil {
		return nil, errors.New("action: Expand: nil model")
	}
	d := m.Dim()
	switch {
	case d < 1:
		return nil, fmt.Errorf("action: Expand: model of dimension %d", d)
	case order < 2 || order > MaxOrder:
		return nil, fmt.Errorf("action: Expand: order %d outside 2..%d", order, MaxOrder)
	case x0 != nil && len(x0) != d:
		return nil, fmt.Errorf("action: Expand: x0 has %d values, the model %d variables", len(x0), d)
	}
	e := &Expansion{m: m, d: d, k: order, x0: make([]float64, d)}
	for i, v := range x0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("action: Expand: x0[%d] = %v is not finite", i, v)
		}
		e.x0[i] = v
	}
	// The unit directions, to the full order.
	units := make([][]dirTerm, d)
	for i := range d {
		units[i] = []dirTerm{{i, 1}}
	}
	a0, f := e.along(units, order)
	if math.IsNaN(a0) || math.IsInf(a0, 0) {
		return nil, fmt.Errorf("action: Expand: S(x0) = %v is not finite", a0)
	}
	e.a0 = a0
	e.diags = make([][]float64, order+1)
	for k := 1; k <= order; k++ {
		e.diags[k] = make([]float64, d)
		for i := range d {
			e.diags[k][i] = f[k][i]
		}
	}
	e.a1 = append([]float64(nil), e.diags[1]...)
	// The pairs, to order 2.
	e.a2 = make([]float64, d*d)
	var pairs [][]dirTerm
	for i := range d {
		e.a2[i*d+i] = e.diags[2][i]
		for j := i + 1; j < d; j++ {
			pairs = append(pairs, []dirTerm{{i, 1}, {j, 1}})
		}
	}
	if len(pairs) > 0 {
		_, f2 := e.along(pairs, 2)
		p := 0
		for i := range d {
			for j := i + 1; j < d; j++ {
				v := (f2[2][p] - e.diags[2][i] - e.diags[2][j]) / 2
				e.a2[i*d+j], e.a2[j*d+i] = v, v
				p++
			}
		}
	}
	for k := 1; k <= order; k++ {
		for i, v := range e.diags[k] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("action: Expand: A%d at %d is %v", k, i, v)
			}
		}
	}
	for i, v := range e.a2 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("action: Expand: A2[%d][%d] is %v", i/d, i%d, v)
		}
	}
	return e, nil
}

// dirTerm is one term of a sparse direction: coefficient c on variable i.
type dirTerm struct {
	i int
	c float64
}

// along returns S(x0) and f[k][b] = A_k[u_b, ..., u_b] for k = 1..order
// and the sparse directions u_b, running the model on chunks of them.
func (e *Expansion) along(dirs [][]dirTerm, order int) (float64, [][]float64) {
	f := make([][]float64, order+1)
	for k := range f {
		f[k] = make([]float64, len(dirs))
	}
	var s0 float64
	for c0 := 0; c0 < len(dirs); c0 += chunk {
		c1 := min(c0+chunk, len(dirs))
		n := c1 - c0
		u := kernels.Matrix[float64]{Rows: n, Cols: e.d, Data: make([]float64, n*e.d), Stride: e.d}
		for b, dir := range dirs[c0:c1] {
			for _, t := range dir {
				u.Data[b*e.d+t.i] = t.c
			}
		}
		j := e.m.ActionJet(e.x0, u, order)
		s0 = j.V0[0]
		for k := 1; k <= order; k++ {
			copy(f[k][c0:c1], j.Order(k))
		}
	}
	return s0, f
}

// Dim returns the number of variables d.
func (e *Expansion) Dim() int { return e.d }

// Order returns the order of the expansion.
func (e *Expansion) Order() int { return e.k }

// Point returns a copy of the expansion point x0.
func (e *Expansion) Point() []float64 { return append([]float64(nil), e.x0...) }

// A0 returns S(x0).
func (e *Expansion) A0() float64 { return e.a0 }

// A1 returns a copy of the gradient of S at x0.
func (e *Expansion) A1() []float64 { return append([]float64(nil), e.a1...) }

// A2 returns a copy of the quadratic coefficients, half the Hessian of S at
// x0, as a dense symmetric d x d matrix in row-major order (as
// phi4.Theory.A2).
func (e *Expansion) A2() []float64 { return append([]float64(nil), e.a2...) }

// Diag returns a copy of the diagonal A_k(i, ..., i) of order k (1..Order).
func (e *Expansion) Diag(k int) []float64 {
	if k < 1 || k > e.k {
		panic(fmt.Sprintf("action: Diag(%d) of an expansion of order %d", k, e.k))
	}
	return append([]float64(nil), e.diags[k]...)
}

// A4Diag returns a copy of A4(i, i, i, i) for every i (as
// phi4.Theory.A4Diag). The expansion must be of order 4 or more.
func (e *Expansion) A4Diag() []float64 { return e.Diag(4) }

// A3 returns the entry A3(i, j, k).
func (e *Expansion) A3(i, j, k int) float64 { return e.Entry(i, j, k) }

// A4 returns the entry A4(i, j, k, l).
func (e *Expansion) A4(i, j, k, l int) float64 { return e.Entry(i, j, k, l) }

// Entry returns the entry of A_n, n = len(idx) (0..Order), at the indices
// idx in any order. Orders 0..2 and diagonals are read from what Expand
// stored; any other entry runs at most 2^(n-1) directions through the
// model (Entries).
func (e *Expansion) Entry(idx ...int) float64 { return e.Entries(len(idx), [][]int{idx})[0] }

// Along returns f_k(u) = A_k[u, ..., u] for k = 0..Order: the coefficients
// of S(x0 + t u) in t, one run of the model.
func (e *Expansion) Along(u []float64) []float64 {
	if len(u) != e.d {
		panic(fmt.Sprintf("action: Along: %d values, the model has %d variables", len(u), e.d))
	}
	var dir []dirTerm
	for i, v := range u {
		if v != 0 {
			dir = append(dir, dirTerm{i, v})
		}
	}
	s0, f := e.along([][]dirTerm{dir}, e.k)
	out := []float64{s0}
	for k := 1; k <= e.k; k++ {
		out = append(out, f[k][0])
	}
	return out
}

// Entries returns the entries of A_n at each index tuple of idx (each of
// length n, in any order), all directions of all tuples run through the
// model together. An entry of distinct index multiset {i_1..i_n} is the
// symmetric n-linear form at (e_i1, ..., e_in), recovered by polarization
// over signs,
//
//	A_n(e_1, ..., e_n) = 1/(2^(n-1) n!) sum_{s in {+1,-1}^(n-1)} s_2...s_n f_n(e_1 + s_2 e_2 + ... + s_n e_n),
//
// exact in exact arithmetic and well conditioned (the weights sum in
// magnitude to n^n/n!, 10.7 for n = 4). Repeated indices make repeated or
// proportional directions: each is reduced to a primitive integer vector
// with a positive leading coefficient (f_n(c u) = c^n f_n(u)) and run once,
// so A4(i,i,j,j) takes 3 directions (e_i + e_j, e_i - e_j and, stored, e_i,
// e_j) and A4(i,j,k,l) with distinct indices 8.
//
// It panics if n > Order or an index is out of range.
func (e *Expansion) Entries(n int, idx [][]int) []float64 {
	if n < 0 || n > e.k {
		panic(fmt.Sprintf("action: Entries: order %d of an expansion of order %d", n, e.k))
	}
	out := make([]float64, len(idx))
	type need struct {
		slot int
		w    float64
	}
	var dirs [][]dirTerm
	slots := map[string]int{}
	needs := make([][]need, len(idx))
	for t, ix := range idx {
		if len(ix) != n {
			panic(fmt.Sprintf("action: Entries: tuple %d has %d indices, want %d", t, len(ix), n))
		}
		for _, i := range ix {
			if i < 0 || i >= e.d {
				panic(fmt.Sprintf("action: Entries: index %d outside 0..%d", i, e.d-1))
			}
		}
		switch {
		case n == 0:
			out[t] = e.a0
			continue
		case n == 1:
			out[t] = e.a1[ix[0]]
			continue
		case n == 2:
			out[t] = e.a2[ix[0]*e.d+ix[1]]
			continue
		case allEqual(ix):
			out[t] = e.diags[n][ix[0]]
			continue
		}
		for _, p := range polarize(slices.Sorted(slices.Values(ix))) {
			if len(p.dir) == 1 {
				// a multiple of a unit direction: the stored diagonal
				out[t] += float64(p.w * e.diags[n][p.dir[0].i])
				continue
			}
			key := dirKey(p.dir)
			s, ok := slots[key]
			if !ok {
				s = len(dirs)
				slots[key] = s
				dirs = append(dirs, p.dir)
			}
			needs[t] = append(needs[t], need{s, p.w})
		}
	}
	if len(dirs) > 0 {
		_, f := e.along(dirs, n)
		for t := range idx {
			for _, q := range needs[t] {
				out[t] += float64(q.w * f[n][q.slot])
			}
		}
	}
	norm := math.Ldexp(1/factorial(n), -(n - 1))
	for t, ix := range idx {
		if n > 2 && !allEqual(ix) {
			out[t] *= norm
		}
	}
	return out
}

func allEqual(ix []int) bool {
	for _, i := range ix {
		if i != ix[0] {
			return false
		}
	}
	return true
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// polTerm is one direction of a polarization with its weight.
type polTerm struct {
	dir []dirTerm // primitive, leading coefficient > 0, indices increasing
	w   float64
}

// polarize returns the directions and weights w with
// sum_p w_p f_n(dir_p) = 2^(n-1) n! A_n(e_ix[0], ..., e_ix[n-1]), merged by
// direction (in order of first appearance).
func polarize(ix []int) []polTerm {
	n := len(ix)
	distinct := sortedDistinct(ix)
	var terms []polTerm
	pos := map[string]int{}
	c := make([]int, len(distinct))
	for s := 0; s < 1<<(n-1); s++ {
		clear(c)
		sign := 1.0
		for r, i := range ix {
			e := 1
			if r > 0 && s>>(r-1)&1 == 1 {
				e, sign = -1, -sign
			}
			c[indexOf(distinct, i)] += e
		}
		g := 0
		for _, v := range c {
			g = gcd(g, abs(v))
		}
		if g == 0 {
			continue // the zero direction: f_n(0) = 0
		}
		lead := 0
		for _, v := range c {
			if v != 0 {
				lead = v
				break
			}
		}
		scale := g
		if lead < 0 {
			scale = -g
		}
		var dir []dirTerm
		for q, v := range c {
			if v != 0 {
				dir = append(dir, dirTerm{distinct[q], float64(v / scale)})
			}
		}
		w := sign * math.Pow(float64(scale), float64(n)) // exact: |scale| <= n
		key := dirKey(dir)
		if p, ok := pos[key]; ok {
			terms[p].w += w
			continue
		}
		pos[key] = len(terms)
		terms = append(terms, polTerm{dir, w})
	}
	out := terms[:0]
	for _, p := range terms {
		if p.w != 0 {
			out = append(out, p)
		}
	}
	return out
}

func sortedDistinct(ix []int) []int {
	var out []int
	for _, i := range ix {
		found := false
		for _, j := range out {
			found = found || j == i
		}
		if !found {
			out = append(out, i)
		}
	}
	for a := 1; a < len(out); a++ {
		for b := a; b > 0 && out[b] < out[b-1]; b-- {
			out[b], out[b-1] = out[b-1], out[b]
		}
	}
	return out
}

func indexOf(v []int, x int) int {
	for i, y := range v {
		if y == x {
			return i
		}
	}
	return -1
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func dirKey(dir []dirTerm) string {
	var sb strings.Builder
	for _, t := range dir {
		sb.WriteString(strconv.Itoa(t.i))
		sb.WriteByte(':')
		sb.WriteString(strconv.FormatFloat(t.c, 'g', -1, 64))
		sb.WriteByte(' ')
	}
	return sb.String()
}

// MaxFull bounds the number of distinct entries Full computes (A4 up to
// d = 32: C(35, 4) = 52360).
const MaxFull = 1 << 16

// Full returns the whole symmetric tensor A_n (0 <= n <= Order) in packed
// storage, one value per multiset of indices. It is meant for small d: it
// reports an error when the tensor has more than MaxFull distinct entries
// (A4 of d = 64 has C(67, 4) = 766480, and needs about 3.3 million
// directions; read single entries with Entries instead).
func (e *Expansion) Full(n int) (*Sym, error) {
	if n < 0 || n > e.k {
		return nil, fmt.Errorf("action: Full(%d) of an expansion of order %d", n, e.k)
	}
	size := SymLen(e.d, n)
	if size < 0 || size > MaxFull {
		return nil, fmt.Errorf("action: Full(%d): d = %d gives more than %d distinct entries", n, e.d, MaxFull)
	}
	s := &Sym{D: e.d, N: n, Data: make([]float64, size)}
	idx := make([][]int, 0, size)
	Multisets(e.d, n, func(t []int) { idx = append(idx, append([]int(nil), t...)) })
	vals := e.Entries(n, idx)
	for i, t := range idx {
		s.Data[SymRank(t)] = vals[i]
	}
	return s, nil
}

// Multisets calls f with every non-decreasing tuple of n indices in
// 0..d-1 (one per multiset), in lexicographic order; f must not keep the
// slice.
func Multisets(d, n int, f func([]int)) {
	t := make([]int, n)
	var rec func(r, from int)
	rec = func(r, from int) {
		if r == n {
			f(t)
			return
		}
		for i := from; i < d; i++ {
			t[r] = i
			rec(r+1, i)
		}
	}
	rec(0, 0)
}
