package action

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/flowkern/flowkern/internal/jet"
	"github.com/flowkern/flowkern/kernels"
)

// PolyNet is a flow whose action is an exact polynomial, in the spirit of
// Merger et al. (PRX 13, 041033): a sequence of layers from data x to
// latent z with a standard normal base distribution, each layer either
//
//	Linear:        z = W x + b,                          log|det| = log|det W|
//	QuadCoupling:  z_A = x_A,  z_B = x_B + V phi(U x_A + c) + e,
//	               phi(h) = h + alpha h^2 (element-wise),  log|det| = 0
//
// so that z is a polynomial in x (each coupling doubles the degree), the
// log-determinant a constant, and
//
//	S(x) = |z(x)|^2/2 + (d/2) log(2 pi) - sum log|det W|
//
// a polynomial of degree 2^(1 + number of couplings). Rules computes its
// coefficients by composing polynomials layer by layer; as a Model
// (ActionJet) it is expanded by the same jets as any flow, which is how
// the two are checked against each other.
type PolyNet struct {
	d      int
	layers []PolyLayer
	logdet []float64 // per layer
}

// PolyLayer is a layer of a PolyNet: *Linear or *QuadCoupling.
type PolyLayer interface {
	check(d int) error
}

// Linear is the layer z = W x + B with W d x d (row-major, invertible) and
// B of length d (nil: 0).
type Linear struct {
	W []float64
	B []float64
}

// QuadCoupling is the additive coupling z_B = x_B + V phi(U x_A + C) + E,
// z_A = x_A, phi(h) = h + Alpha h^2: a one-hidden-layer conditioner (H
// hidden units) with a quadratic activation. U is H x |A|, C has H values,
// V is |B| x H, E has |B| values (C and E nil: 0); A and B partition
// 0..d-1.
type QuadCoupling struct {
	A, B  []int
	U, C  []float64
	V, E  []float64
	Alpha float64
}

func (l *Linear) check(d int) error {
	if len(l.W) != d*d {
		return fmt.Errorf("Linear: W has %d values, want %d x %d", len(l.W), d, d)
	}
	if l.B != nil && len(l.B) != d {
		return fmt.Errorf("Linear: B has %d values, want %d", len(l.B), d)
	}
	return finiteAll("Linear", l.W, l.B)
}

func (q *QuadCoupling) check(d int) error {
	if _, err := kernels.NewSplit(d, q.A, q.B); err != nil {
		return fmt.Errorf("QuadCoupling: %w", err)
	}
	na, nb := len(q.A), len(q.B)
	if na == 0 || nb == 0 {
		return errors.New("QuadCoupling: A and B must both be non-empty")
	}
	if na == 0 || len(q.U)%na != 0 || len(q.U) == 0 {
		return fmt.Errorf("QuadCoupling: U has %d values, want H x |A| = H x %d", len(q.U), na)
	}
	h := len(q.U) / na
	switch {
	case q.C != nil && len(q.C) != h:
		return fmt.Errorf("QuadCoupling: C has %d values, want H = %d", len(q.C), h)
	case len(q.V) != nb*h:
		return fmt.Errorf("QuadCoupling: V has %d values, want |B| x H = %d x %d", len(q.V), nb, h)
	case q.E != nil && len(q.E) != nb:
		return fmt.Errorf("QuadCoupling: E has %d values, want |B| = %d", len(q.E), nb)
	case math.IsNaN(q.Alpha) || math.IsInf(q.Alpha, 0):
		return fmt.Errorf("QuadCoupling: Alpha = %v", q.Alpha)
	}
	return finiteAll("QuadCoupling", q.U, q.C, q.V, q.E)
}

func finiteAll(name string, vs ...[]float64) error {
	for _, v := range vs {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%s: parameter %v is not finite", name, x)
			}
		}
	}
	return nil
}

// hidden returns H.
func (q *QuadCoupling) hidden() int { return len(q.U) / len(q.A) }

// NewPolyNet returns the network of these layers on d variables (data side
// first). The layers are used, not copied. It reports an error for a bad
// shape, a non-finite parameter or a singular W.
func NewPolyNet(d int, layers ...PolyLayer) (*PolyNet, error) {
	if d < 1 {
		return nil, fmt.Errorf("action: NewPolyNet: d = %d", d)
	}
	n := &PolyNet{d: d, layers: layers, logdet: make([]float64, len(layers))}
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("action: NewPolyNet: layer %d is nil", i)
		}
		if err := l.check(d); err != nil {
			return nil, fmt.Errorf("action: NewPolyNet: layer %d: %w", i, err)
		}
		if lin, ok := l.(*Linear); ok {
			ld, ok := logAbsDet(lin.W, d)
			if !ok {
				return nil, fmt.Errorf("action: NewPolyNet: layer %d: W is singular", i)
			}
			n.logdet[i] = ld
		}
	}
	return n, nil
}

// logAbsDet returns log|det a| of the d x d matrix a by Gaussian
// elimination with partial pivoting, and false if a is singular.
func logAbsDet(a []float64, d int) (float64, bool) {
	m := slices.Clone(a)
	ld := 0.0
	for k := range d {
		p := k
		for i := k + 1; i < d; i++ {
			if math.Abs(m[i*d+k]) > math.Abs(m[p*d+k]) {
				p = i
			}
		}
		if m[p*d+k] == 0 {
			return 0, false
		}
		if p != k {
			for j := range d {
				m[k*d+j], m[p*d+j] = m[p*d+j], m[k*d+j]
			}
		}
		ld += math.Log(math.Abs(m[k*d+k]))
		for i := k + 1; i < d; i++ {
			f := m[i*d+k] / m[k*d+k]
			for j := k + 1; j < d; j++ {
				m[i*d+j] -= float64(f * m[k*d+j])
			}
		}
	}
	return ld, true
}

// Dim returns d.
func (n *PolyNet) Dim() int { return n.d }

// Forward returns z = f(x) and the sum of the layers' log|det|.
func (n *PolyNet) Forward(x []float64) ([]float64, float64) {
	if len(x) != n.d {
		panic(fmt.Sprintf("action: PolyNet.Forward: %d values, want %d", len(x), n.d))
	}
	z := slices.Clone(x)
	ld := 0.0
	for i, l := range n.layers {
		z = n.layerForward(l, z)
		ld += n.logdet[i]
	}
	return z, ld
}

// layerForward returns the layer's map of x.
func (n *PolyNet) layerForward(l PolyLayer, x []float64) []float64 {
	d := n.d
	z := make([]float64, d)
	switch l := l.(type) {
	case *Linear:
		for i := range d {
			s := 0.0
			for j := range d {
				s += float64(l.W[i*d+j] * x[j])
			}
			if l.B != nil {
				s += l.B[i]
			}
			z[i] = s
		}
	case *QuadCoupling:
		copy(z, x)
		h := l.hidden()
		phi := make([]float64, h)
		for r := range h {
			g := 0.0
			for a, c := range l.A {
				g += float64(l.U[r*len(l.A)+a] * x[c])
			}
			if l.C != nil {
				g += l.C[r]
			}
			phi[r] = g + float64(l.Alpha*float64(g*g))
		}
		for i, c := range l.B {
			s := 0.0
			for r := range h {
				s += float64(l.V[i*h+r] * phi[r])
			}
			if l.E != nil {
				s += l.E[i]
			}
			z[c] = x[c] + s
		}
	}
	return z
}

// Action returns S(x) = |f(x)|^2/2 + (d/2) log(2 pi) - sum log|det W|.
func (n *PolyNet) Action(x []float64) float64 {
	z, ld := n.Forward(x)
	s := 0.0
	for _, v := range z {
		s += float64(v * v)
	}
	return s/2 + float64(n.d)/2*ln2Pi - ld
}

// ln2Pi is log(2 pi).
const ln2Pi = 1.83787706640934548356065947281123527972279494727556682563430308

// ActionJet makes a PolyNet a Model: the jets of its layers (Linear by
// jet.Linear, the coupling's phi by one Cauchy product) and of the base
// term.
func (n *PolyNet) ActionJet(x0 []float64, u kernels.Matrix[float64], order int) *jet.Jet {
	d := n.d
	if len(x0) != d || u.Cols != d {
		panic(fmt.Sprintf("action: PolyNet.ActionJet: x0 has %d values and u %d columns, want %d", len(x0), u.Cols, d))
	}
	x := jet.New(u.Rows, d, order)
	copy(x.V0, x0)
	if order >= 1 {
		for b := range u.Rows {
			copy(x.Hi[b*d:(b+1)*d], u.Data[b*u.Stride:b*u.Stride+d])
		}
	}
	ld := 0.0
	for i, l := range n.layers {
		ld += n.logdet[i]
		switch l := l.(type) {
		case *Linear:
			z := x.Like(d)
			jet.Linear(z, kernels.Matrix[float64]{Rows: d, Cols: d, Data: l.W, Stride: d}, l.B, x)
			x = z
		case *QuadCoupling:
			split, _ := kernels.NewSplit(d, l.A, l.B)
			h := l.hidden()
			xa, xb := x.Like(len(l.A)), x.Like(len(l.B))
			jet.GatherSplit(xa, xb, x, split)
			g := x.Like(h)
			jet.Linear(g, kernels.Matrix[float64]{Rows: h, Cols: len(l.A), Data: l.U, Stride: len(l.A)}, l.C, xa)
			g2 := x.Like(h)
			jet.Mul(g2, g, g)
			jet.Axpy(g, l.Alpha, g2)
			q := x.Like(len(l.B))
			jet.Linear(q, kernels.Matrix[float64]{Rows: len(l.B), Cols: h, Data: l.V, Stride: h}, l.E, g)
			jet.Add(xb, xb, q)
			z := x.Like(d)
			jet.ScatterSplit(z, xa, xb, split)
			x = z
		}
	}
	s := jet.New(u.Rows, 1, order)
	jet.SumSquares(s, x)
	jet.Affine(s, s, 0.5, float64(d)/2*ln2Pi-ld)
	return s
}

// Poly is a truncated polynomial action around a point x0,
//
//	S_K(x0 + y) = sum_{k=0..K} T_k[y, ..., y] + Gamma sum_i y_i^M,
//
// T_k symmetric, dense (d^k values, row-major in the indices), and the
// normalising diagonal term of order M, the smallest even number above K:
// for any Gamma > 0 it makes exp(-S_K) normalisable (it dominates every
// lower order at large |y|) and it leaves T_0..T_K unchanged. Rules sets
// Gamma = 0.
type Poly struct {
	D, K  int
	X0    []float64
	T     [][]float64
	Gamma float64
}

// NormOrder returns M, the order of the normalising diagonal term.
func (p *Poly) NormOrder() int { return p.K + 2 - p.K%2 }

// Eval returns S_K(x0 + y) with the normalising term.
func (p *Poly) Eval(y []float64) float64 {
	s := 0.0
	for k := range p.T {
		s += contractDense(p.T[k], y, k)
	}
	if p.Gamma != 0 {
		m := p.NormOrder()
		for _, v := range y {
			s += float64(p.Gamma * math.Pow(v, float64(m)))
		}
	}
	return s
}

// Entry returns T_n at the indices idx (n = len(idx)).
func (p *Poly) Entry(idx ...int) float64 {
	return p.T[len(idx)][flat(idx, p.D)]
}

// Full returns T_n in packed symmetric storage.
func (p *Poly) Full(n int) *Sym {
	s := &Sym{D: p.D, N: n, Data: make([]float64, SymLen(p.D, n))}
	Multisets(p.D, n, func(t []int) { s.Data[SymRank(t)] = p.T[n][flat(t, p.D)] })
	return s
}

// flat returns the row-major position of the index tuple idx.
func flat(idx []int, d int) int {
	f := 0
	for _, i := range idx {
		f = f*d + i
	}
	return f
}

// contractDense returns T[y, ..., y] for the dense order-k tensor t.
func contractDense(t, y []float64, k int) float64 {
	// contract the last index repeatedly: t (d^k) -> d^(k-1) -> ... -> 1
	d := len(y)
	cur := t
	for r := k; r > 0; r-- {
		next := make([]float64, len(cur)/d)
		for i := range next {
			s := 0.0
			for j := range d {
				s += float64(cur[i*d+j] * y[j])
			}
			next[i] = s
		}
		cur = next
	}
	return cur[0]
}

// maxDense bounds d^K for Rules.
const maxDense = 1 << 22

// Rules returns the action's coefficients at x0 (nil: the origin) up to
// order K by the layer rules, from the latent side down, each step exact
// up to order K:
//
//  1. The points: p_0 = x0, p_(l+1) = f_l(p_l); every S_l is expanded
//     around p_l, so each layer's map of the displacement has no constant
//     term and truncating after each layer loses nothing below order K
//     (around a fixed origin, a bias would carry the dropped high orders
//     down into the low ones).
//  2. The base: S_L(p_L + y) = |p_L|^2/2 + (d/2) log(2 pi) + p_L.y + |y|^2/2.
//  3. Linear, y_out = W y: every index of every tensor goes through W,
//     new T_k[i..] = sum_j T_k[j..] W[j1,i1] ... W[jk,ik]; T_0 -= log|det W|.
//  4. QuadCoupling at p: y_out = M (y + Q(y, y)) with M = I + J the
//     coupling's Jacobian at p (J maps A to B) and Q the pure quadratic
//     part, Q_j(y, y) = Alpha sum_h V_jh (U_h . y_A)^2 on B (M Q = Q, as J
//     reads A and Q writes B). First the linear rule with M, then the
//     quadratic substitution y -> y + Q(y, y):
//     new T_n = sum_r C(n-r, r) Sym(T_(n-r) with r of its indices each
//     replaced by Q's two): a vertex of n-r legs of which r split in two.
//
// Dense tensors make it O(K! d^K) in time and d^K in memory: a tool for
// small d (it reports an error when d^K > 2^22).
func (n *PolyNet) Rules(x0 []float64, K int) (*Poly, error) {
	d := n.d
	if K < 0 || K > MaxOrder {
		return nil, fmt.Errorf("action: Rules: order %d outside 0..%d", K, MaxOrder)
	}
	if x0 != nil && len(x0) != d {
		return nil, fmt.Errorf("action: Rules: x0 has %d values, want %d", len(x0), d)
	}
	if math.Pow(float64(d), float64(K)) > maxDense {
		return nil, fmt.Errorf("action: Rules: d^K = %d^%d dense values is too many", d, K)
	}
	p := make([][]float64, len(n.layers)+1)
	p[0] = make([]float64, d)
	copy(p[0], x0)
	for l, layer := range n.layers {
		p[l+1] = n.layerForward(layer, p[l])
	}
	// The base around p_L.
	pl := p[len(n.layers)]
	t := make([][]float64, K+1)
	for k := range t {
		t[k] = make([]float64, pow(d, k))
	}
	sq := 0.0
	for _, v := range pl {
		sq += float64(v * v)
	}
	t[0][0] = sq/2 + float64(d)/2*ln2Pi
	if K >= 1 {
		copy(t[1], pl)
	}
	if K >= 2 {
		for i := range d {
			t[2][i*d+i] = 0.5
		}
	}
	for l := len(n.layers) - 1; l >= 0; l-- {
		switch layer := n.layers[l].(type) {
		case *Linear:
			for k := 1; k <= K; k++ {
				t[k] = linearRule(t[k], layer.W, d, k)
			}
			t[0][0] -= n.logdet[l]
		case *QuadCoupling:
			m, q := layer.linearise(p[l], d)
			for k := 1; k <= K; k++ {
				t[k] = linearRule(t[k], m, d, k)
			}
			t = quadRule(t, q, d, K)
		}
	}
	return &Poly{D: d, K: K, X0: slices.Clone(p[0]), T: t}, nil
}

func pow(d, k int) int {
	r := 1
	for range k {
		r *= d
	}
	return r
}

// linearise returns, at the point x, the coupling's Jacobian M = I + J
// (d x d, row-major: M[i][j] = dz_i/dx_j) and its pure quadratic part Q
// (d x d x d: Q[j][a][b], symmetric in a, b, zero unless j in B and a, b
// in A).
func (l *QuadCoupling) linearise(x []float64, d int) (m, q []float64) {
	m = make([]float64, d*d)
	for i := range d {
		m[i*d+i] = 1
	}
	q = make([]float64, d*d*d)
	h, na := l.hidden(), len(l.A)
	for r := range h {
		g := 0.0
		for a, c := range l.A {
			g += float64(l.U[r*na+a] * x[c])
		}
		if l.C != nil {
			g += l.C[r]
		}
		dphi := 1 + float64(2*l.Alpha*g) // phi'(g)
		for i, bi := range l.B {
			v := l.V[i*h+r]
			for a, ca := range l.A {
				m[bi*d+ca] += float64(float64(v*dphi) * l.U[r*na+a])
				for b, cb := range l.A {
					q[(bi*d+ca)*d+cb] += float64(float64(float64(v*l.Alpha)*l.U[r*na+a]) * l.U[r*na+b])
				}
			}
		}
	}
	return m, q
}

// linearRule returns T'[i1..ik] = sum_j T[j1..jk] W[j1,i1] ... W[jk,ik]
// (d x d W, row-major): k times, contract the first index with W and move
// the new index to the end.
func linearRule(t, w []float64, d, k int) []float64 {
	rest := len(t) / d
	for range k {
		out := make([]float64, len(t))
		for r := range rest {
			for i := range d {
				s := 0.0
				for j := range d {
					s += float64(t[j*rest+r] * w[j*d+i])
				}
				out[r*d+i] = s
			}
		}
		t = out
	}
	return t
}

// quadRule returns the coefficients of P(y + Q(y, y)) truncated at K, for
// P = sum_m t[m][y^m]: the new T_n = sum_r C(n-r, r) Sym(t[n-r] o_r Q).
func quadRule(t [][]float64, q []float64, d, K int) [][]float64 {
	out := make([][]float64, K+1)
	for n := range out {
		out[n] = make([]float64, pow(d, n))
	}
	out[0][0] = t[0][0]
	for m := 1; m <= K; m++ {
		cur := t[m] // order m + r after r contractions
		for r := 0; r <= m && m+r <= K; r++ {
			if r > 0 {
				cur = contractFirstQ(cur, q, d)
			}
			c := binomial(m, r)
			if r == 0 {
				for i, v := range cur {
					out[m][i] += v
				}
				continue
			}
			s := symmetrize(cur, d, m+r)
			for i, v := range s {
				out[m+r][i] += float64(c * v)
			}
		}
	}
	return out
}

func binomial(n, k int) float64 { return float64(binom(n, k)) }

// contractFirstQ returns R[rest, a, b] = sum_j T[j, rest] Q[j][a][b]: the
// first index of T replaced by the two of Q, appended at the end.
func contractFirstQ(t, q []float64, d int) []float64 {
	rest := len(t) / d
	d2 := d * d
	out := make([]float64, rest*d2)
	for j := range d {
		qj := q[j*d2 : (j+1)*d2]
		for r := range rest {
			v := t[j*rest+r]
			if v == 0 {
				continue
			}
			o := out[r*d2 : (r+1)*d2]
			for ab, qv := range qj {
				o[ab] += float64(v * qv)
			}
		}
	}
	return out
}

// symmetrize returns the symmetric part of the order-n tensor t: each
// entry the mean of t over the distinct orderings of its index multiset.
func symmetrize(t []float64, d, n int) []float64 {
	out := make([]float64, len(t))
	perm := make([]int, n)
	Multisets(d, n, func(sorted []int) {
		copy(perm, sorted)
		s, c := 0.0, 0
		for {
			s += t[flat(perm, d)]
			c++
			if !nextPerm(perm) {
				break
			}
		}
		v := s / float64(c)
		copy(perm, sorted)
		for {
			out[flat(perm, d)] = v
			if !nextPerm(perm) {
				break
			}
		}
	})
	return out
}

// nextPerm advances p to the next distinct permutation in lexicographic
// order and reports false (leaving p sorted descending) after the last.
func nextPerm(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}
