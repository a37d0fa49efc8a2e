package lindiff

import (
	"errors"
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Model is a linear denoiser in dense form: eps_theta(x, t) = W_t (x + b_t)
// with one d x d matrix W_t and one vector b_t per step, stored flat:
// W_t row-major at W[(t-1) d^2 : t d^2], b_t at B[(t-1) d : t d].
type Model struct {
	D     int
	Sched *Schedule
	W     []float64 // T x d x d
	B     []float64 // T x d
}

func newModel(d int, s *Schedule) *Model {
	return &Model{D: d, Sched: s, W: make([]float64, s.T*d*d), B: make([]float64, s.T*d)}
}

// Wt returns W_t (t = 1..T) as a kernels view of the model's storage.
func (m *Model) Wt(t int) kernels.Matrix[float64] {
	d := m.D
	return kernels.Matrix[float64]{Rows: d, Cols: d, Data: m.W[(t-1)*d*d : t*d*d], Stride: d}
}

// Bt returns b_t (t = 1..T), aliasing the model's storage.
func (m *Model) Bt(t int) []float64 {
	return m.B[(t-1)*m.D : t*m.D]
}

// check reports a model whose storage does not match its dimensions, or
// whose parameters are not finite.
func (m *Model) check(fn string) error {
	switch {
	case m == nil:
		return fmt.Errorf("lindiff: %s: nil model", fn)
	case m.Sched == nil:
		return fmt.Errorf("lindiff: %s: model has no schedule", fn)
	case m.D < 1:
		return fmt.Errorf("lindiff: %s: model dimension %d < 1", fn, m.D)
	case len(m.W) != m.Sched.T*m.D*m.D:
		return fmt.Errorf("lindiff: %s: len(W) = %d, want T d^2 = %d", fn, len(m.W), m.Sched.T*m.D*m.D)
	case len(m.B) != m.Sched.T*m.D:
		return fmt.Errorf("lindiff: %s: len(B) = %d, want T d = %d", fn, len(m.B), m.Sched.T*m.D)
	}
	if i := nonFinite(m.W); i >= 0 {
		d2 := m.D * m.D
		return fmt.Errorf("lindiff: %s: W_%d[%d][%d] is %v", fn, i/d2+1, i%d2/m.D, i%m.D, m.W[i])
	}
	if i := nonFinite(m.B); i >= 0 {
		return fmt.Errorf("lindiff: %s: b_%d[%d] is %v", fn, i/m.D+1, i%m.D, m.B[i])
	}
	return nil
}

// stepCoefs returns the coefficients of the reverse step t,
// u_{t-1} = c1 u_t - c2 eps_theta(u_t, t) + sigma_t z with
// c1 = 1/sqrt(alpha_t) and c2 = beta_t / (sqrt(1 - abar_t) sqrt(alpha_t)).
func stepCoefs(s *Schedule, t int) (c1, c2 float64) {
	ra := math.Sqrt(s.Alpha[t-1])
	return 1 / ra, s.Beta[t-1] / (s.SqrtOneMinusAlphaBar[t-1] * ra)
}

// Learned returns the distribution of the samples of Sample(m, n, opt):
// the reverse chain u_{t-1} = A_t u_t + g_t + sigma_t z with
// A_t = c1 I - c2 W_t and g_t = -c2 W_t b_t is linear, so from u_T ~ N(0, I)
// every u_t is Gaussian, with
//
//	mu <- A_t mu + g_t,   Sigma <- A_t Sigma A_t^T + sigma_t^2 I.
//
// Cost: two d x d x d products per step (kernels.MatVecs).
func (m *Model) Learned(opt SampleOptions) (Gaussian, error) {
	if err := m.check("Model.Learned"); err != nil {
		return Gaussian{}, err
	}
	if err := opt.check(); err != nil {
		return Gaussian{}, err
	}
	d, s := m.D, m.Sched
	sq := func() kernels.Matrix[float64] {
		return kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	}
	a, sig, y, yt := sq(), sq(), sq(), sq()
	for i := range d {
		sig.Data[i*d+i] = 1
	}
	mean := make([]float64, d)
	next := make([]float64, d)
	g := make([]float64, d)
	row := func(v []float64) kernels.Matrix[float64] {
		return kernels.Matrix[float64]{Rows: 1, Cols: d, Data: v, Stride: d}
	}
	for t := s.T; t >= 1; t-- {
		c1, c2 := stepCoefs(s, t)
		w := m.Wt(t)
		for i, v := range w.Data {
			a.Data[i] = -c2 * v
		}
		for i := range d {
			a.Data[i*d+i] += c1
		}
		// g = -c2 W b, then mean <- A mean + g.
		kernels.MatVecs(row(g), w, row(m.Bt(t)), nil)
		kernels.Scale(-c2, g)
		kernels.MatVecs(row(next), a, row(mean), g)
		mean, next = next, mean
		// Y = Sigma A^T (row i of Y is A Sigma_i), then A Y = A Sigma A^T
		// as rows of A against the transpose of Y.
		kernels.MatVecs(y, a, sig, nil)
		for i := range d {
			for j := range d {
				yt.Data[j*d+i] = y.Data[i*d+j]
			}
		}
		kernels.MatVecs(sig, yt, a, nil)
		s2 := opt.sigma2(s, t)
		for i := range d {
			for j := i; j < d; j++ {
				v := (sig.Data[i*d+j] + sig.Data[j*d+i]) / 2
				sig.Data[i*d+j], sig.Data[j*d+i] = v, v
			}
			sig.Data[i*d+i] += s2
		}
	}
	return Gaussian{Mean: mean, Cov: mat.NewSymDense(d, sig.Data)}, nil
}

// Loss returns the denoising loss (1/T) sum_t L_t of the model on data of
// the given mean and covariance (no ridge term), where
//
//	L_t = d - 2 s tr W + a^2 tr(W Sigma W^T) + s^2 ||W||_F^2 + ||W (a mu + b)||^2
//
// (the expansion of E ||eps - W (a x_0 + s eps + b)||^2; see Exact).
// Cost: one d x d x d product per step.
func (m *Model) Loss(mean []float64, cov *mat.SymDense) (float64, error) {
	if err := m.check("Model.Loss"); err != nil {
		return 0, err
	}
	d, err := checkMoments("Model.Loss", mean, cov)
	if err != nil {
		return 0, err
	}
	if d != m.D {
		return 0, fmt.Errorf("lindiff: Model.Loss: data dimension %d, model %d", d, m.D)
	}
	sig := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	for i := range d {
		for j := range d {
			sig.Data[i*d+j] = cov.At(i, j)
		}
	}
	p := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	v := make([]float64, d)
	wv := make([]float64, d)
	total := 0.0
	for t := 1; t <= m.Sched.T; t++ {
		a, sn := m.Sched.SqrtAlphaBar[t-1], m.Sched.SqrtOneMinusAlphaBar[t-1]
		w := m.Wt(t)
		tr := 0.0
		for i := range d {
			tr += w.Data[i*d+i]
		}
		kernels.MatVecs(p, sig, w, nil) // P = W Sigma
		for j := range v {
			v[j] = a*mean[j] + m.Bt(t)[j]
		}
		kernels.MatVecs(kernels.Matrix[float64]{Rows: 1, Cols: d, Data: wv, Stride: d}, w,
			kernels.Matrix[float64]{Rows: 1, Cols: d, Data: v, Stride: d}, nil)
		total += float64(d) - 2*sn*tr + a*a*kernels.Dot(p.Data, w.Data) +
			sn*sn*kernels.Dot(w.Data, w.Data) + kernels.Dot(wv, wv)
	}
	return total / float64(m.Sched.T), nil
}

// ExactGD runs full-batch gradient descent on the exact loss of data with
// the given mean and covariance, on dense matrices: for every step t
// separately, from W_t = 0,
//
//	W <- W - eta (2 W (C_t + gamma I) - 2 s_t I),   C_t = a_t^2 Sigma + s_t^2 I,
//
// steps times, with b_t held at its optimum -a_t mu (see EarlyStopped for
// why that is the same as descending on b too from there). It is the
// reference that the closed form of EarlyStopped is tested against.
// Cost: steps x T products of d x d matrices.
func ExactGD(mean []float64, cov *mat.SymDense, s *Schedule, gamma, eta float64, steps int) (*Model, error) {
	d, err := checkMoments("ExactGD", mean, cov)
	if err != nil {
		return nil, err
	}
	switch {
	case s == nil:
		return nil, errors.New("lindiff: ExactGD: nil schedule")
	case !(gamma >= 0) || math.IsInf(gamma, 1):
		return nil, fmt.Errorf("lindiff: ExactGD: ridge gamma = %v is not finite and >= 0", gamma)
	case !(eta > 0) || math.IsInf(eta, 1):
		return nil, fmt.Errorf("lindiff: ExactGD: learning rate %v is not finite and > 0", eta)
	case steps < 0:
		return nil, fmt.Errorf("lindiff: ExactGD: %d steps", steps)
	}
	m := newModel(d, s)
	c := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	p := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	for t := 1; t <= s.T; t++ {
		a, sn := s.SqrtAlphaBar[t-1], s.SqrtOneMinusAlphaBar[t-1]
		for i := range d {
			for j := range d {
				c.Data[i*d+j] = a * a * cov.At(i, j)
			}
			c.Data[i*d+i] += sn*sn + gamma
		}
		w := m.Wt(t)
		for range steps {
			kernels.MatVecs(p, c, w, nil) // P = W (C + gamma I)
			kernels.Axpy(-2*eta, p.Data, w.Data)
			for i := range d {
				w.Data[i*d+i] += 2 * eta * sn
			}
		}
		for j, mu := range mean {
			m.Bt(t)[j] = -a * mu
		}
	}
	return m, nil
}
