package lindiff

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Optimizer selects the update rule of Train.
type Optimizer int

const (
	// SGD is plain stochastic gradient descent, p <- p - LR g.
	SGD Optimizer = iota
	// Adam is Kingma and Ba's Adam, with moments and bias correction kept
	// per step t (each t's parameters are only updated when t is drawn).
	Adam
)

// TrainOptions configure Train. LR, Batch and Steps have no defaults.
type TrainOptions struct {
	Optimizer Optimizer
	LR        float64 // learning rate, > 0
	Batch     int     // samples per gradient step, >= 1
	// Steps is the number of gradient steps (each on one t); stopping after
	// few of them is early stopping. 0 returns the initial model.
	Steps int
	Gamma float64 // ridge penalty gamma ||W_t||_F^2, as in FitExact
	Seed  uint64
	// FixBias holds b_t at -a_t mu_0 (its exact optimum for every W, see
	// Exact) and trains W_t only; otherwise b_t starts at 0 and is trained.
	// Under SGD a trained b_t converges slowly where W_t is small (small t:
	// the curvature in b_t is 2 W_t^T W_t); Adam does not have that problem.
	FixBias bool
	// Adam's decay rates and epsilon; 0 means 0.9, 0.999 and 1e-8.
	Beta1, Beta2, Epsilon float64
}

func (o *TrainOptions) check() error {
	switch {
	case o.Optimizer != SGD && o.Optimizer != Adam:
		return fmt.Errorf("lindiff: Train: unknown optimizer %d", o.Optimizer)
	case !(o.LR > 0) || math.IsInf(o.LR, 1):
		return fmt.Errorf("lindiff: Train: learning rate %v is not finite and > 0", o.LR)
	case o.Batch < 1:
		return fmt.Errorf("lindiff: Train: batch size %d < 1", o.Batch)
	case o.Steps < 0:
		return fmt.Errorf("lindiff: Train: %d steps", o.Steps)
	case !(o.Gamma >= 0) || math.IsInf(o.Gamma, 1):
		return fmt.Errorf("lindiff: Train: ridge gamma = %v is not finite and >= 0", o.Gamma)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"Beta1", o.Beta1}, {"Beta2", o.Beta2}} {
		if !(p.v >= 0 && p.v < 1) {
			return fmt.Errorf("lindiff: Train: Adam %s = %v is not in [0, 1)", p.name, p.v)
		}
	}
	if !(o.Epsilon >= 0) || math.IsInf(o.Epsilon, 1) {
		return fmt.Errorf("lindiff: Train: Adam Epsilon = %v is not finite and >= 0", o.Epsilon)
	}
	return nil
}

// Train fits a dense model to the rows of x by stochastic gradient descent
// on the sampled loss, from W_t = 0 (and b_t = 0 unless FixBias). Each step
// draws one t uniformly from 1..T, a batch of data rows uniformly with
// replacement and their noise eps, forms h = a_t x_0 + s_t eps + b_t, the
// prediction W_t h (kernels.MatVecs, the batch as rows) and the residual
// r = W_t h - eps, and descends on
//
//	(1/B) sum_b ||r_b||^2 + gamma ||W_t||_F^2
//
// whose gradients are (2/B) sum_b r_b h_b^T + 2 gamma W_t for W_t
// (kernels.AddOuters) and (2/B) W_t^T sum_b r_b for b_t (kernels.MatTVecs).
// Its expectation over the batch is the gradient of L_t + gamma ||W_t||^2,
// the per-step objective that FitExact minimizes, so with a small enough
// learning rate Train approaches the exact model.
//
// All randomness comes from one Normal stream seeded with opt.Seed, drawn
// in a fixed order, so a seed gives the same model on every tier.
func Train(x *mat.Dense, s *Schedule, opt TrainOptions) (*Model, error) {
	n, d, err := checkData(x)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("lindiff: Train: nil schedule")
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	b1, b2, eps := opt.Beta1, opt.Beta2, opt.Epsilon
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	T, B := s.T, opt.Batch
	m := newModel(d, s)
	if opt.FixBias {
		mean, _, err := Moments(x)
		if err != nil {
			return nil, err
		}
		for t := 1; t <= T; t++ {
			for j, mu := range mean {
				m.Bt(t)[j] = -s.SqrtAlphaBar[t-1] * mu
			}
		}
	}
	var mw, vw, mb, vb []float64 // Adam's moments, laid out as W and B
	var count []int              // Adam's updates per t
	if opt.Optimizer == Adam {
		mw, vw = make([]float64, len(m.W)), make([]float64, len(m.W))
		mb, vb = make([]float64, len(m.B)), make([]float64, len(m.B))
		count = make([]int, T)
	}

	buf := func(rows int) kernels.Matrix[float64] {
		return kernels.Matrix[float64]{Rows: rows, Cols: d, Data: make([]float64, rows*d), Stride: d}
	}
	h, noise, res := buf(B), buf(B), buf(B)
	gw, gsum, gb := buf(d), buf(1), buf(1)
	raw := x.RawMatrix()
	g := kernels.NewNormal(opt.Seed, 0)
	draw := func(k int) int { // uniform in [0, k), by the high word of a product
		hi, _ := bits.Mul64(g.Uint64(), uint64(k))
		return int(hi)
	}
	for range opt.Steps {
		t := 1 + draw(T)
		a, sn := s.SqrtAlphaBar[t-1], s.SqrtOneMinusAlphaBar[t-1]
		w, bias := m.Wt(t), m.Bt(t)
		g.Fill(noise.Data)
		for r := range B {
			i := draw(n)
			x0 := raw.Data[i*raw.Stride : i*raw.Stride+d]
			hr := h.Data[r*d : (r+1)*d]
			er := noise.Data[r*d : (r+1)*d]
			for j := range hr {
				// Explicit roundings: the compiler may not fuse them
				// differently per architecture.
				hr[j] = float64(a*x0[j]) + float64(sn*er[j]) + bias[j]
			}
		}
		kernels.MatVecs(res, w, h, nil)
		for k, e := range noise.Data {
			res.Data[k] -= e
		}
		clear(gw.Data)
		clear(gsum.Data)
		kernels.AddOuters(gw, gsum.Data, res, h)
		scale := 2 / float64(B)
		kernels.Scale(scale, gw.Data)
		if opt.Gamma != 0 {
			kernels.Axpy(2*opt.Gamma, w.Data, gw.Data)
		}
		if !opt.FixBias {
			kernels.MatTVecs(gb, w, gsum)
			kernels.Scale(scale, gb.Data)
		}
		switch opt.Optimizer {
		case SGD:
			kernels.Axpy(-opt.LR, gw.Data, w.Data)
			if !opt.FixBias {
				kernels.Axpy(-opt.LR, gb.Data, bias)
			}
		case Adam:
			count[t-1]++
			k := float64(count[t-1])
			// Bias-corrected step size, as in Kingma and Ba's Algorithm 1
			// (the epsilon added to the uncorrected sqrt(v)).
			lr := opt.LR * math.Sqrt(-math.Expm1(k*math.Log1p(-b2))) / -math.Expm1(k*math.Log1p(-b1))
			adam(w.Data, gw.Data, mw[(t-1)*d*d:t*d*d], vw[(t-1)*d*d:t*d*d], b1, b2, eps, lr)
			if !opt.FixBias {
				adam(bias, gb.Data, mb[(t-1)*d:t*d], vb[(t-1)*d:t*d], b1, b2, eps, lr)
			}
		}
	}
	if err := m.check("Train"); err != nil {
		return nil, fmt.Errorf("%w (diverged: lower the learning rate)", err)
	}
	return m, nil
}

// adam applies one Adam update to p with gradient g and moments mo, v.
func adam(p, g, mo, v []float64, b1, b2, eps, lr float64) {
	g, mo, v = g[:len(p)], mo[:len(p)], v[:len(p)]
	for i, gi := range g {
		mo[i] = float64(b1*mo[i]) + float64((1-b1)*gi)
		v[i] = float64(b2*v[i]) + float64((1-b2)*gi*gi)
		p[i] -= lr * mo[i] / (math.Sqrt(v[i]) + eps)
	}
}
