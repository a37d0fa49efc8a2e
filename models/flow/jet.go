package flow

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/internal/jet"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/nn"
)

// The jets of the layers: truncated Taylor series of every layer's map and
// of its log-determinant along a batch of directions through one point,
// for the learned action's coefficients (models/action). Every layer runs
// in float64 whatever T is: a float32 flow's parameters are converted to
// float64 (exactly) and the jets are those of the float64 function with
// these parameters, not of the float32 arithmetic that Forward runs.

// jetLayer is implemented by every layer kind of the package.
type jetLayer interface {
	// jetForward returns the jet of the layer's output for the jet x of
	// its input and adds the jet of log|det dz/dx| to ld (one component).
	jetForward(x, ld *jet.Jet) *jet.Jet
}

// LogProbJet returns the Taylor coefficients of log p(x0 + t u_b) in t, up
// to t^order, for every row u_b of u: a jet of one component whose V0[0]
// is log p(x0) and whose Hi[(k-1)*u.Rows + b] is the coefficient of t^k
// along u_b (so k! times the k-th directional derivative).
//
// The coefficients are exact up to rounding: each layer's map and
// log-determinant is expanded by truncated Taylor arithmetic (package
// jet), the conditioner networks layer by layer (kernels.MatVecs on every
// order, the activations by their recurrences), and the base term
// -|z|^2/2 - (d/2) log(2 pi) by the Cauchy product. The result has the same
// bits on every kernel tier and architecture. A ReLU conditioner is
// piecewise linear: its orders above one are zero almost everywhere.
//
// It panics if len(x0) or u.Cols is not Dim() or order < 0. Memory is
// O(order * u.Rows * the widest layer): call it on chunks of directions.
func (f *Flow[T]) LogProbJet(x0 []float64, u Matrix[float64], order int) *jet.Jet {
	if len(x0) != f.d || u.Cols != f.d || order < 0 || u.Rows < 0 {
		panic(fmt.Sprintf("flow: LogProbJet: x0 has %d values and u is %dx%d (order %d), want %d values, n x %d and order >= 0",
			len(x0), u.Rows, u.Cols, order, f.d, f.d))
	}
	n := u.Rows
	x := jet.New(n, f.d, order)
	copy(x.V0, x0)
	if order >= 1 {
		for b := range n {
			copy(x.Hi[b*f.d:(b+1)*f.d], u.Data[b*u.Stride:b*u.Stride+f.d])
		}
	}
	ld := jet.New(n, 1, order)
	for _, l := range f.layers {
		x = l.(jetLayer).jetForward(x, ld)
	}
	sq := jet.New(n, 1, order)
	jet.SumSquares(sq, x)
	jet.Axpy(ld, -0.5, sq)
	ld.V0[0] += baseConst(f.d)
	return ld
}

// to64 returns v converted to float64 (a copy).
func to64[T kernels.Float](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// mat64 returns m converted to a contiguous float64 matrix.
func mat64[T kernels.Float](m Matrix[T]) Matrix[float64] {
	out := Matrix[float64]{Rows: m.Rows, Cols: m.Cols, Data: make([]float64, m.Rows*m.Cols), Stride: max(1, m.Cols)}
	for i := range m.Rows {
		for j, v := range m.Data[i*m.Stride : i*m.Stride+m.Cols] {
			out.Data[i*m.Cols+j] = float64(v)
		}
	}
	return out
}

// jetForward: z = (x + bias) exp(logs) at order 0, x_k exp(logs) above;
// log|det| = sum logs, a constant.
func (a *ActNorm[T]) jetForward(x, ld *jet.Jet) *jet.Jet {
	logs := to64(a.logs())
	s := make([]float64, a.d)
	kernels.Exp(s, logs)
	z := x.Like(a.d)
	bias := a.bias()
	for c := range a.d {
		b := 0.0
		if bias != nil {
			b = float64(bias[c])
		}
		z.V0[c] = (x.V0[c] + b) * s[c]
	}
	for r := range x.K * x.N {
		for c := range a.d {
			z.Hi[r*a.d+c] = x.Hi[r*a.d+c] * s[c]
		}
	}
	ld.V0[0] += sumIn(logs)
	return z
}

// sumIn is the sum of v in increasing index order.
func sumIn(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// jetForward: z = W x on every order (W has no bias), log|det| = sum logs.
func (l *LU[T]) jetForward(x, ld *jet.Jet) *jet.Jet {
	logs := to64(l.logs)
	lin := &LU[float64]{d: l.d, perm: l.perm, sign: to64(l.sign), lu: mat64(l.lu), logs: logs}
	z := x.Like(l.d)
	lin.apply(z.Point(), x.Point())
	if x.K*x.N > 0 {
		lin.apply(z.High(), x.High())
	}
	ld.V0[0] += sumIn(logs)
	return z
}

// jetForward: z[i] = x[perm[i]] on every order, log|det| = 0.
func (p *Permute[T]) jetForward(x, _ *jet.Jet) *jet.Jet {
	z := x.Like(p.d)
	jet.Gather(z, x, p.perm)
	return z
}

// jetForward: the conditioner's jet h = net(x[A]), then z[B] = x[B] + t
// (additive) or x[B] exp(c(s)) + t with log|det| += sum_j c(s_j) (affine).
func (c *Coupling[T]) jetForward(x, ld *jet.Jet) *jet.Jet {
	na, nb := c.split.LenA(), c.split.LenB()
	xa, xb := x.Like(na), x.Like(nb)
	jet.GatherSplit(xa, xb, x, c.split)
	h := mlpJet(c.net, xa)
	zb := x.Like(nb)
	if c.additive {
		jet.Add(zb, xb, h)
	} else {
		s, t := jet.Cols(h, 0, nb), jet.Cols(h, nb, nb)
		cs := c.scaleJet(s)
		e := x.Like(nb)
		jet.Exp(e, cs)
		jet.Mul(zb, xb, e)
		jet.Add(zb, zb, t)
		sum := x.Like(1)
		jet.RowSums(sum, cs)
		jet.Add(ld, ld, sum)
	}
	z := x.Like(c.d)
	jet.ScatterSplit(z, xa, zb, c.split)
	return z
}

// scaleJet returns the jet of the log-scale c(s), overwriting s:
//
//	exp:     c = s
//	tanh:    c = a tanh(s/a)
//	atan:    c = (2a/pi) atan(s/a)
//	sigmoid: c = -softplus(-(s + 2)) (eps = 0), log(sigmoid(s + 2) + eps)
//
// with a the clamp bound and eps the sigmoid's Clamp.
func (c *Coupling[T]) scaleJet(s *jet.Jet) *jet.Jet {
	switch c.scale {
	case ScaleTanh:
		jet.Affine(s, s, 1/c.clamp, 0)
		jet.Tanh(s, s)
		jet.Affine(s, s, c.clamp, 0)
	case ScaleAtan:
		jet.Affine(s, s, 1/c.clamp, 0)
		jet.Atan(s, s)
		jet.Affine(s, s, 2*c.clamp/math.Pi, 0)
	case ScaleSigmoid:
		if c.clamp == 0 {
			jet.Affine(s, s, -1, -2)
			jet.Softplus(s, s)
			jet.Affine(s, s, -1, 0)
		} else {
			jet.Affine(s, s, 1, 2)
			jet.Sigmoid(s, s)
			jet.Affine(s, s, 1, c.clamp)
			jet.Log(s, s)
		}
	}
	return s
}

// The GELU constants of models/nn: 2 sqrt(2/pi) and the cubic coefficient.
const (
	jetGeluTwoC = 2 * math.Sqrt2 / math.SqrtPi
	jetGeluK    = 0.044715
)

// mlpJet returns the jet of the network's output for the jet x of its
// input: every Dense layer by kernels.MatVecs on the point (with the bias)
// and on the higher orders (without), the activations between them.
func mlpJet[T kernels.Float](m *nn.MLP[T], x *jet.Jet) *jet.Jet {
	in := x
	for l := range m.Layers {
		d := &m.Layers[l]
		out := x.Like(d.W.Rows)
		jet.Linear(out, mat64(d.W), to64(d.B), in)
		if l < len(m.Layers)-1 {
			activationJet(m.Act, out)
		}
		in = out
	}
	return in
}

// activationJet replaces a by act(a), models/nn's definitions: GELU is
// x sigmoid(v), v = 2c x + 2ck x^3; SiLU x sigmoid(x).
func activationJet(act nn.Activation, a *jet.Jet) {
	switch act {
	case nn.Identity:
	case nn.ReLU:
		jet.ReLU(a, a)
	case nn.Tanh:
		jet.Tanh(a, a)
	case nn.Softplus:
		jet.Softplus(a, a)
	case nn.SiLU:
		s := a.Like(a.Cols)
		jet.Sigmoid(s, a)
		jet.Mul(a, a, s)
	case nn.GELU:
		v := a.Like(a.Cols)
		jet.Mul(v, a, a)
		jet.Mul(v, v, a)
		jet.Affine(v, v, jetGeluTwoC*jetGeluK, 0)
		jet.Axpy(v, jetGeluTwoC, a)
		jet.Sigmoid(v, v)
		jet.Mul(a, a, v)
	default:
		panic(fmt.Sprintf("flow: no jet for activation %v", act))
	}
}
