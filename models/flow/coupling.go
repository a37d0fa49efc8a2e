package flow

import (
	"fmt"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/nn"
)

// Coupling is a coupling layer: the features are split into A (kept) and B
// (transformed), and a conditioner network reads x[A]:
//
//	affine (RealNVP, Glow):  z[B] = x[B] * exp(c(s)) + t,  [s, t] = net(x[A]),
//	                         log|det| = sum_j c(s_j)
//	additive (NICE):         z[B] = x[B] + t,              t = net(x[A]),  log|det| = 0
//
// z[A] = x[A]. The network's output holds s in its first |B| columns and t
// in the next |B|. The scale map c is one of Scale*: exp of s itself, of a
// soft clamp (tanh or atan, bound Clamp), or Glow's sigmoid(s + 2) (+ Clamp
// as nflows' 1e-3, when Clamp > 0). The network's last layer starts at
// zero, so every coupling starts as the identity.
type Coupling[T kernels.Float] struct {
	d        int
	split    kernels.Split
	additive bool
	scale    string
	clamp    float64
	kclamp   kernels.Clamp
	act      nn.Activation
	hidden   []int
	net      *nn.MLP[T]
	work     nn.Work[T]

	bxa, bxb, bh, bzb, bc, bdh, bdxa, bdxb, bdza, bdzb []T
	ld                                                 []T
	// ranges is set when A and B are runs of adjacent columns, starting at
	// a0 and b0 (the halves mask): the layer then works on column views of
	// its inputs and outputs instead of gathered copies. fwdRows is the
	// batch of the last Forward (what Backward checks for).
	ranges  bool
	a0, b0  int
	fwdRows int
	// inf is set while the flow runs inference (no Backward follows): the
	// conditioner then runs on this scratch, shared by the replica's
	// couplings, instead of the layer's own work and bh.
	inf *inferScratch[T]
}

// inferScratch is the conditioners' scratch of a replica in inference.
type inferScratch[T kernels.Float] struct {
	work nn.Work[T]
	h    []T
}

// Scale maps of an affine coupling.
const (
	ScaleExp     = "exp"     // exp(s)
	ScaleTanh    = "tanh"    // exp(a tanh(s/a)), |log scale| < a
	ScaleAtan    = "atan"    // exp((2a/pi) atan(s/a)) (FrEIA's soft clamp)
	ScaleSigmoid = "sigmoid" // sigmoid(s + 2) (+ eps): Glow's
)

func newCoupling[T kernels.Float](ls LayerSpec, d int) (*Coupling[T], error) {
	split, err := kernels.NewSplit(d, ls.A, ls.B)
	if err != nil {
		return nil, err
	}
	if split.LenA() == 0 || split.LenB() == 0 {
		return nil, fmt.Errorf("a coupling needs both column sets non-empty (|A| = %d, |B| = %d)", split.LenA(), split.LenB())
	}
	act, err := nn.ParseActivation(ls.Activation)
	if err != nil {
		return nil, err
	}
	c := &Coupling[T]{d: d, split: split, additive: ls.Kind == KindAdditive, scale: ls.Scale, clamp: ls.Clamp,
		act: act, hidden: append([]int(nil), ls.Hidden...)}
	a0, okA := run(split.A())
	b0, okB := run(split.B())
	c.ranges, c.a0, c.b0 = okA && okB, a0, b0
	if !c.additive {
		switch ls.Scale {
		case ScaleExp:
			c.kclamp = kernels.Clamp{Kind: kernels.ClampNone}
		case ScaleTanh, ScaleAtan:
			if !(ls.Clamp > 0) || ls.Clamp > 1e300 {
				return nil, fmt.Errorf("scale %q needs a clamp bound > 0, got %v", ls.Scale, ls.Clamp)
			}
			c.kclamp = kernels.Clamp{Kind: kernels.ClampTanh, A: ls.Clamp}
			if ls.Scale == ScaleAtan {
				c.kclamp.Kind = kernels.ClampAtan
			}
		case ScaleSigmoid:
			if !(ls.Clamp >= 0) || ls.Clamp > 1 {
				return nil, fmt.Errorf("scale sigmoid takes an eps in [0, 1] as its clamp, got %v", ls.Clamp)
			}
		default:
			return nil, fmt.Errorf("unknown scale map %q (want exp, tanh, atan or sigmoid)", ls.Scale)
		}
	}
	return c, nil
}

// sizes returns the conditioner's layer sizes.
func (c *Coupling[T]) sizes() []int {
	out := c.split.LenB()
	if !c.additive {
		out *= 2
	}
	return append(append([]int{c.split.LenA()}, c.hidden...), out)
}

func (c *Coupling[T]) Dim() int { return c.d }

func (c *Coupling[T]) Spec() LayerSpec {
	k := KindAffine
	if c.additive {
		k = KindAdditive
	}
	ls := LayerSpec{Kind: k, A: c.split.A(), B: c.split.B(), Hidden: append([]int(nil), c.hidden...),
		Activation: c.act.String()}
	if !c.additive {
		ls.Scale, ls.Clamp = c.scale, c.clamp
	}
	return ls
}

func (c *Coupling[T]) NumParams() int { return nn.ParamCount(c.sizes()) }

// Net returns the conditioner network.
func (c *Coupling[T]) Net() *nn.MLP[T] { return c.net }

// Split returns the column split (A kept, B transformed).
func (c *Coupling[T]) Split() kernels.Split { return c.split }

func (c *Coupling[T]) tensors() []tensor {
	var ts []tensor
	for _, t := range c.net.Tensors("net.") {
		ts = append(ts, tensor{t.Name, t.Shape, t.Offset})
	}
	return ts
}

func (c *Coupling[T]) buffers() []buffer { return nil }

func (c *Coupling[T]) bind(p, g []T) {
	net, err := nn.NewMLP(c.sizes(), c.act, p, g)
	if err != nil {
		panic("flow: coupling: " + err.Error()) // sizes were checked by newCoupling
	}
	c.net = net
}

func (c *Coupling[T]) init(g *kernels.Normal) { c.net.Init(g, true) }

func (c *Coupling[T]) clone() Layer[T] {
	return &Coupling[T]{d: c.d, split: c.split, additive: c.additive, scale: c.scale, clamp: c.clamp,
		kclamp: c.kclamp, act: c.act, hidden: c.hidden, ranges: c.ranges, a0: c.a0, b0: c.b0}
}

// st returns the s and t views of the network output h.
func (c *Coupling[T]) st(h Matrix[T]) (s, t Matrix[T]) {
	nb := c.split.LenB()
	return cols(h, 0, nb), cols(h, nb, nb)
}

// sigmoidScale sets cm = log(sigmoid(s + 2) + eps), Glow's log-scale:
// -softplus(-(s + 2)) when eps = 0.
func (c *Coupling[T]) sigmoidScale(cm, s Matrix[T]) {
	if c.clamp == 0 {
		// log sigmoid(u) = -softplus(-u), u = s + 2.
		for b := range s.Rows {
			sr, cr := rowOf(s, b), rowOf(cm, b)
			for j, v := range sr {
				cr[j] = -(v + 2)
			}
		}
		kernels.Softplus(cm.Data, cm.Data)
		for i, v := range cm.Data {
			cm.Data[i] = -v
		}
		return
	}
	for b := range s.Rows {
		sr, cr := rowOf(s, b), rowOf(cm, b)
		for j, v := range sr {
			cr[j] = v + 2
		}
	}
	kernels.Sigmoid(cm.Data, cm.Data)
	e := T(c.clamp)
	for i, v := range cm.Data {
		cm.Data[i] = v + e
	}
	kernels.Log(cm.Data, cm.Data)
}

// sigmoidGrad multiplies dc (dL/dc) by dc/ds in place, turning it into
// dL/ds: sigmoid(-(s+2)) when eps = 0, else g(1-g)/(g+eps) with g =
// sigmoid(s+2). buf is scratch of dc's shape, contiguous.
func (c *Coupling[T]) sigmoidGrad(dc, s Matrix[T], buf []T) {
	nb := s.Cols
	for b := range s.Rows {
		sr := rowOf(s, b)
		for j, v := range sr {
			buf[b*nb+j] = v + 2
		}
	}
	e := T(c.clamp)
	if e == 0 {
		for i, v := range buf {
			buf[i] = -v
		}
		kernels.Sigmoid(buf, buf)
	} else {
		kernels.Sigmoid(buf, buf)
		for i, g := range buf {
			buf[i] = T(g*(1-g)) / (g + e)
		}
	}
	for b := range dc.Rows {
		r := rowOf(dc, b)
		for j := range r {
			r[j] *= buf[b*nb+j]
		}
	}
}

func (c *Coupling[T]) Forward(z, x Matrix[T], logdet []float64) {
	checkShapes("Coupling.Forward", c.d, ldLen(logdet), nm(x, "x"), nm(z, "z"))
	c.transform(z, x, logdet, false)
}

func (c *Coupling[T]) Inverse(x, z Matrix[T], logdet []float64) {
	checkShapes("Coupling.Inverse", c.d, ldLen(logdet), nm(z, "z"), nm(x, "x"))
	c.transform(x, z, logdet, true)
}

// transform runs the coupling (or its inverse) from in to out: the kept
// columns A through the conditioner, the columns B through the coupling
// kernel. x[A], x[B] (forward) and the conditioner's output stay in the
// layer's buffers for Backward.
func (c *Coupling[T]) transform(out, in Matrix[T], logdet []float64, inverse bool) {
	nb, n := c.split.LenB(), in.Rows
	c.fwdRows = n
	var ia, ib, ob Matrix[T]
	if c.ranges {
		var oa Matrix[T]
		ia, ib = c.views(in)
		oa, ob = c.views(out)
		copyRows(oa, ia)
	} else {
		ia, ib, ob = dense(&c.bxa, n, c.split.LenA()), dense(&c.bxb, n, nb), dense(&c.bzb, n, nb)
		if inverse {
			ib, ob = ob, ib
		}
		kernels.GatherSplit(ia, ib, in, c.split)
	}
	ws, hb := &c.work, &c.bh
	if c.inf != nil {
		ws, hb = &c.inf.work, &c.inf.h
		c.fwdRows = -1 // what Backward needs is not kept
	}
	h := dense(hb, n, c.net.Sizes[len(c.net.Sizes)-1])
	c.net.Forward(h, ia, ws)
	switch {
	case c.additive && inverse:
		kernels.AdditiveInverse(ob, ib, h)
	case c.additive:
		kernels.AdditiveForward(ob, ib, h)
	default:
		ld := grow(&c.ld, n)
		clear(ld)
		s, t := c.st(h)
		cl := c.kclamp
		if c.scale == ScaleSigmoid {
			cm := dense(&c.bc, n, nb)
			c.sigmoidScale(cm, s)
			s, cl = cm, kernels.Clamp{}
		}
		if inverse {
			kernels.CouplingInverse(ob, ib, s, t, ld, cl) // ld -= the row sums
		} else {
			kernels.CouplingForward(ob, ib, s, t, ld, cl)
		}
		if logdet != nil {
			addLogdet(logdet, ld, 1)
		}
	}
	if !c.ranges {
		kernels.ScatterSplit(out, ia, ob, c.split)
	}
}

// run returns the first of idx and whether idx is a run of adjacent
// columns.
func run(idx []int) (int, bool) {
	for i, j := range idx {
		if j != idx[0]+i {
			return 0, false
		}
	}
	return idx[0], len(idx) > 0
}

// views returns the column views of m on A and on B (ranges only).
func (c *Coupling[T]) views(m Matrix[T]) (a, b Matrix[T]) {
	return cols(m, c.a0, c.split.LenA()), cols(m, c.b0, c.split.LenB())
}

// Backward runs after Forward on the same batch: the network's activations
// and output are those of that call, and so are the gathered x[A], x[B]
// (when A and B are not runs of columns: otherwise they are views of x).
func (c *Coupling[T]) Backward(dx, dz, x Matrix[T], dlogdet []T) {
	c.backward(dx, dz, x, dlogdet, false)
}

// backwardSet is Backward with the conditioner's gradients set instead of
// added (gradSetter).
func (c *Coupling[T]) backwardSet(dx, dz, x Matrix[T], dlogdet []T) {
	c.backward(dx, dz, x, dlogdet, true)
}

func (c *Coupling[T]) backward(dx, dz, x Matrix[T], dlogdet []T, set bool) {
	checkShapes("Coupling.Backward", c.d, ldLen(dlogdet), nm(x, "x"), nm(dz, "dz"), nm(dx, "dx"))
	na, nb, n := c.split.LenA(), c.split.LenB(), x.Rows
	if c.fwdRows != n || len(c.bh) != n*c.net.Sizes[len(c.net.Sizes)-1] {
		panic(fmt.Sprintf("flow: Coupling.Backward: batch of %d rows without a Forward of that batch", n))
	}
	h := Matrix[T]{Rows: n, Cols: c.net.Sizes[len(c.net.Sizes)-1], Data: c.bh, Stride: c.net.Sizes[len(c.net.Sizes)-1]}
	var xa, xb, dza, dzb, dxa, dxb Matrix[T]
	if c.ranges {
		xa, xb = c.views(x)
		dza, dzb = c.views(dz)
		dxa, dxb = c.views(dx)
	} else {
		xa, xb = Matrix[T]{Rows: n, Cols: na, Data: c.bxa, Stride: max(1, na)}, Matrix[T]{Rows: n, Cols: nb, Data: c.bxb, Stride: max(1, nb)}
		dza, dzb = dense(&c.bdza, n, na), dense(&c.bdzb, n, nb)
		kernels.GatherSplit(dza, dzb, dz, c.split)
		dxa, dxb = dense(&c.bdxa, n, na), dense(&c.bdxb, n, nb)
	}
	var dh Matrix[T]
	if c.additive {
		kernels.AdditiveBackward(dxb, Matrix[T]{}, dzb)
		dh = dzb
	} else {
		dh = dense(&c.bdh, n, 2*nb)
		ds, dt := c.st(dh)
		s, _ := c.st(h)
		if c.scale == ScaleSigmoid {
			cm := Matrix[T]{Rows: n, Cols: nb, Data: c.bc, Stride: max(1, nb)}
			kernels.CouplingBackward(dxb, ds, dt, dzb, dlogdet, xb, cm, kernels.Clamp{})
			c.sigmoidGrad(ds, s, grow(&c.bc, n*nb))
		} else {
			kernels.CouplingBackward(dxb, ds, dt, dzb, dlogdet, xb, s, c.kclamp)
		}
	}
	if set {
		c.net.BackwardSet(dxa, dh, xa, &c.work)
	} else {
		c.net.Backward(dxa, dh, xa, &c.work)
	}
	if c.ranges {
		kernels.AdditiveForward(dxa, dxa, dza) // dL/dx_a += dL/dz_a, views row by row
		return
	}
	kernels.Add(dxa.Data, dxa.Data, dza.Data)
	kernels.ScatterSplit(dx, dxa, dxb, c.split)
}
