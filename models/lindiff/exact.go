package lindiff

import (
	"errors"
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Exact training.
//
// With x_t = a x_0 + s eps (a = sqrt(abar_t), s = sqrt(1-abar_t)), x_0
// drawn from the N training points (mean mu_0, covariance Sigma_0, 1/N) and
// eps ~ N(0, I) averaged exactly, the loss of step t is
//
//	L_t(W, b) = E ||eps - W (a x_0 + s eps + b)||^2
//	          = d - 2 s tr W + tr(W (C + m m^T) W^T),
//	C = a^2 Sigma_0 + s^2 I,   m = a mu_0 + b,
//
// (E eps eps^T = I, eps independent of x_0 and of mean zero, and
// E (a x_0 + b)(a x_0 + b)^T = a^2 Sigma_0 + m m^T). The m m^T term is
// positive semidefinite and vanishes at b = -a mu_0, which is therefore
// optimal for every W. With the ridge term gamma ||W||_F^2 the gradient in W
// is 2 W (C + gamma I) - 2 s I, so the minimizer is
//
//	b_t = -a_t mu_0,   W_t = s_t (C_t + gamma I)^-1
//	    = U diag(s_t / (a_t^2 lambda_k + s_t^2 + gamma)) U^T,
//
// where Sigma_0 = U diag(lambda) U^T: every W_t is diagonal in the
// eigenbasis of Sigma_0, so the fit stores U once and d coefficients per
// step (T x d numbers instead of T x d x d).

// Exact is the exact (or closed-form early-stopped) linear denoiser of a
// data set, stored in the eigenbasis of its covariance:
// W_t = U diag(Coef[(t-1)*D : t*D]) U^T and b_t = -sqrt(abar_t) Mean.
type Exact struct {
	D      int
	Sched  *Schedule
	Gamma  float64   // ridge penalty
	Mean   []float64 // mu_0
	Lambda []float64 // eigenvalues of Sigma_0, ascending (rounding negatives set to 0)
	U      *mat.Dense
	Coef   []float64 // T x D mode coefficients w_{t,k}
	meanU  []float64 // U^T mu_0
}

// FitExact fits the exact model to the rows of x (N x d, N >= 2), with
// ridge penalty gamma >= 0: the moments of x (see Moments), then
// FitExactMoments.
func FitExact(x *mat.Dense, s *Schedule, gamma float64) (*Exact, error) {
	mean, cov, err := Moments(x)
	if err != nil {
		return nil, err
	}
	return FitExactMoments(mean, cov, s, gamma)
}

// FitExactMoments fits the exact model to data of mean mu_0 and
// covariance Sigma_0 (which must be symmetric positive semidefinite).
// Sigma_0's eigen-decomposition is gonum's EigenSym; eigenvalues below zero
// by rounding (down to -sqrt(eps) lambda_max) are set to zero, larger
// negative ones are an error.
func FitExactMoments(mean []float64, cov *mat.SymDense, s *Schedule, gamma float64) (*Exact, error) {
	d, err := checkMoments("FitExactMoments", mean, cov)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("lindiff: FitExactMoments: nil schedule")
	}
	if !(gamma >= 0) || math.IsInf(gamma, 1) {
		return nil, fmt.Errorf("lindiff: FitExactMoments: ridge gamma = %v is not finite and >= 0", gamma)
	}
	var es mat.EigenSym
	if !es.Factorize(cov, true) {
		return nil, errors.New("lindiff: FitExactMoments: eigen-decomposition of the covariance failed")
	}
	lam := es.Values(nil)
	top := math.Abs(lam[d-1])
	for k, l := range lam {
		if l < 0 {
			if l < -math.Sqrt(0x1p-52)*top {
				return nil, fmt.Errorf("lindiff: FitExactMoments: covariance is not positive semidefinite (eigenvalue %v)", l)
			}
			lam[k] = 0
		}
	}
	u := mat.NewDense(d, d, nil)
	es.VectorsTo(u)
	e := &Exact{D: d, Sched: s, Gamma: gamma, Mean: append([]float64(nil), mean...), Lambda: lam, U: u}
	e.meanU = make([]float64, d)
	mat.NewVecDense(d, e.meanU).MulVec(u.T(), mat.NewVecDense(d, e.Mean))
	e.Coef = make([]float64, s.T*d)
	for t := range s.T {
		a2, sn := s.AlphaBar[t], s.SqrtOneMinusAlphaBar[t]
		w := e.Coef[t*d : (t+1)*d]
		for k, l := range lam {
			w[k] = sn / e.curvature(a2, sn, l)
		}
	}
	return e, nil
}

// curvature is c = a^2 lambda + s^2 + gamma: half the second derivative of
// the loss of one mode (the eigenvalue of C + gamma I).
func (e *Exact) curvature(a2, s, lambda float64) float64 {
	return a2*lambda + s*s + e.Gamma
}

// EarlyStopped returns the model that full-batch gradient descent on the
// exact loss reaches after steps steps of learning rate eta, in closed form.
//
// Conditions: gradient descent on each L_t(W_t) + gamma ||W_t||_F^2
// separately (the per-step loss, not divided by T) with the update
// W <- W - eta grad, started from W_t = 0, and b_t held at its optimum
// -a_t mu_0 (equivalently: b_t started there, since its gradient
// 2 W^T W m vanishes at m = 0 for every W; or centred data with b_t = 0).
// Then W stays diagonal in the eigenbasis of Sigma_0 and each mode follows
// w <- w + 2 eta (s - c w), so
//
//	w_k = w* (1 - (1 - 2 eta c)^k),   w* = s/c,   c = a^2 lambda + s^2 + gamma.
//
// It converges to the exact model when 0 < eta < 1/c_max (every
// |1 - 2 eta c| < 1); slow modes (small lambda, early t) lag behind, which is
// the regularisation of early stopping. A learning rate with 2 eta c >= 2 for
// some mode (descent that diverges, or oscillates without converging) is an
// error that names the mode and the largest stable rate, when steps > 0.
// ExactGD runs the same descent on dense matrices.
func (e *Exact) EarlyStopped(eta float64, steps int) (*Exact, error) {
	if !(eta > 0) || math.IsInf(eta, 1) {
		return nil, fmt.Errorf("lindiff: EarlyStopped: learning rate %v is not finite and > 0", eta)
	}
	if steps < 0 {
		return nil, fmt.Errorf("lindiff: EarlyStopped: %d steps", steps)
	}
	out := *e
	out.Coef = make([]float64, len(e.Coef))
	k := float64(steps)
	for t := range e.Sched.T {
		a2, sn := e.Sched.AlphaBar[t], e.Sched.SqrtOneMinusAlphaBar[t]
		for j, l := range e.Lambda {
			c := e.curvature(a2, sn, l)
			q := 2 * eta * c
			if q >= 2 && steps > 0 {
				return nil, fmt.Errorf("lindiff: EarlyStopped: learning rate %v diverges on the mode of eigenvalue %.6g "+
					"at step t = %d (curvature %.6g, 2 eta c = %.6g >= 2); it needs eta < %.6g", eta, l, t+1, c, q, 1/e.maxCurvature())
			}
			var frac float64 // 1 - (1 - q)^k
			if q < 1 {
				frac = -math.Expm1(k * math.Log1p(-q)) // accurate when q is small
			} else {
				frac = 1 - math.Pow(1-q, k)
			}
			out.Coef[t*e.D+j] = sn / c * frac
		}
	}
	return &out, nil
}

// maxCurvature is the largest curvature c over every step and mode.
func (e *Exact) maxCurvature() float64 {
	top := 0.0
	for t := range e.Sched.T {
		for _, l := range e.Lambda {
			top = max(top, e.curvature(e.Sched.AlphaBar[t], e.Sched.SqrtOneMinusAlphaBar[t], l))
		}
	}
	return top
}

// Modes returns the coefficients w_{t,k} of step t (1..T): the eigenvalues
// of W_t, in the order of Lambda. The slice aliases the model.
func (e *Exact) Modes(t int) []float64 {
	return e.Coef[(t-1)*e.D : t*e.D]
}

// Dense builds the explicit W_t = U diag(w_t) U^T and b_t = -a_t mu_0 of
// every step (T d^2 numbers: for moderate d). Each W_t is one
// kernels.MatVecs call: row i of U diag(w_t) times U^T.
func (e *Exact) Dense() *Model {
	d, T := e.D, e.Sched.T
	m := newModel(d, e.Sched)
	ur := e.U.RawMatrix()
	uk := kernels.Matrix[float64](ur)
	scaled := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	for t := 1; t <= T; t++ {
		w := e.Modes(t)
		for i := range d {
			row := scaled.Data[i*d : (i+1)*d]
			src := ur.Data[i*ur.Stride : i*ur.Stride+d]
			for k := range row {
				row[k] = src[k] * w[k]
			}
		}
		// Y[i][j] = sum_k U[j][k] (U[i][k] w_k) = W_t[i][j].
		kernels.MatVecs(m.Wt(t), uk, scaled, nil)
		b := m.Bt(t)
		for j := range b {
			b[j] = -e.Sched.SqrtAlphaBar[t-1] * e.Mean[j]
		}
	}
	return m
}

// LearnedModes returns the learned distribution in the eigenbasis of
// Sigma_0: it is N(U mean, U diag(variance) U^T). See Learned.
func (e *Exact) LearnedModes(opt SampleOptions) (mean, variance []float64, err error) {
	if err := opt.check(); err != nil {
		return nil, nil, err
	}
	d, s := e.D, e.Sched
	mean = make([]float64, d)
	variance = make([]float64, d)
	for k := range variance {
		variance[k] = 1 // u_T ~ N(0, I)
	}
	for t := s.T; t >= 1; t-- {
		c1, c2 := stepCoefs(s, t)
		sig2 := opt.sigma2(s, t)
		a := s.SqrtAlphaBar[t-1]
		w := e.Modes(t)
		for k := range d {
			// u <- (c1 - c2 w) u + c2 a w (U^T mu_0)_k + sigma z, since
			// -c2 W_t b_t = c2 a W_t mu_0.
			f := c1 - c2*w[k]
			mean[k] = f*mean[k] + c2*a*w[k]*e.meanU[k]
			variance[k] = f*f*variance[k] + sig2
		}
	}
	return mean, variance, nil
}

// Learned returns the distribution of the samples of Sample on the dense
// form of this model, N(mu_N, Sigma_N), computed mode by mode (O(T d) plus
// one d x d x d product to leave the eigenbasis).
func (e *Exact) Learned(opt SampleOptions) (Gaussian, error) {
	mk, vk, err := e.LearnedModes(opt)
	if err != nil {
		return Gaussian{}, err
	}
	d := e.D
	mean := make([]float64, d)
	mat.NewVecDense(d, mean).MulVec(e.U, mat.NewVecDense(d, mk))
	uv := mat.NewDense(d, d, nil)
	uv.Apply(func(i, j int, v float64) float64 { return v * vk[j] }, e.U)
	var c mat.Dense
	c.Mul(uv, e.U.T())
	return Gaussian{Mean: mean, Cov: symmetrize(&c)}, nil
}

// Loss returns the denoising loss (1/T) sum_t L_t of the model on data of
// the given mean and covariance, without the ridge term: with the training
// moments it is the training loss, with a test set's the test loss. Per
// step, with q_k = u_k^T Sigma u_k and delta = U^T (mu - mu_0):
//
//	L_t = d - 2 s sum_k w_k + sum_k w_k^2 (a^2 q_k + s^2 + a^2 delta_k^2).
func (e *Exact) Loss(mean []float64, cov *mat.SymDense) (float64, error) {
	d, err := checkMoments("Exact.Loss", mean, cov)
	if err != nil {
		return 0, err
	}
	if d != e.D {
		return 0, fmt.Errorf("lindiff: Exact.Loss: data dimension %d, model %d", d, e.D)
	}
	var su mat.Dense
	su.Mul(cov, e.U)
	q := make([]float64, d)
	for k := range q {
		q[k] = mat.Dot(su.ColView(k), e.U.ColView(k))
	}
	delta := make([]float64, d)
	mat.NewVecDense(d, delta).MulVec(e.U.T(), mat.NewVecDense(d, mean))
	for k := range delta {
		delta[k] -= e.meanU[k]
	}
	total := 0.0
	for t := 1; t <= e.Sched.T; t++ {
		a2, sn := e.Sched.AlphaBar[t-1], e.Sched.SqrtOneMinusAlphaBar[t-1]
		l := float64(d)
		for k, w := range e.Modes(t) {
			l += -2*sn*w + w*w*(a2*(q[k]+delta[k]*delta[k])+sn*sn)
		}
		total += l
	}
	return total / float64(e.Sched.T), nil
}

// symmetrize returns (A + A^T)/2 as a SymDense.
func symmetrize(a mat.Matrix) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}
