// Package lindiff is the linear diffusion model of C. Merger and S. Goldt,
// "Generalization Dynamics of Linear Diffusion Models" (arXiv:2505.24769):
// a DDPM whose denoiser is linear in its input, eps_theta(x_t, t) =
// W_t (x_t + b_t), so that training, sampling and the learned distribution
// (a Gaussian) are all tractable.
//
// Conventions. Data are d-dimensional; a data set is an N x d mat.Dense
// whose rows are the samples. The forward process has T steps t = 1..T:
// x_t = sqrt(abar_t) x_0 + sqrt(1-abar_t) eps, eps ~ N(0, I), abar_t =
// prod_{s<=t} (1 - beta_s). Everything indexed by t is stored at index t-1.
// The empirical mean mu_0 and covariance Sigma_0 of the training set use
// 1/N (the moments of the empirical distribution, which is what the
// training loss averages over), not 1/(N-1).
//
// The loss of step t is L_t = E ||eps - eps_theta(x_t, t)||^2 (summed over
// the d coordinates, averaged over x_0 and eps), and the training objective
// is their mean over t, (1/T) sum_t L_t, plus an optional ridge penalty
// gamma sum_t ||W_t||_F^2 / T (so gamma is per step, as the loss is).
package lindiff

import (
	"errors"
	"fmt"
	"math"
)

// Schedule is a DDPM noise schedule with T steps. Step t (1..T) is stored at
// index t-1 of every slice.
//
// AlphaBar is computed in float64 from log abar_t = sum_{s<=t} log1p(-beta_s)
// (one rounding per step instead of a product of T roundings of numbers
// near 1), SqrtAlphaBar as exp(log abar / 2), and SqrtOneMinusAlphaBar as
// sqrt(-expm1(log abar)), which keeps full relative accuracy when abar_t is
// close to 1 (at small t, where 1 - abar_t ~ beta_1 would lose digits).
type Schedule struct {
	T                    int
	Beta                 []float64 // beta_t in (0, 1)
	Alpha                []float64 // 1 - beta_t
	LogAlphaBar          []float64 // sum_{s<=t} log1p(-beta_s)
	AlphaBar             []float64 // abar_t = prod_{s<=t} alpha_s
	SqrtAlphaBar         []float64 // sqrt(abar_t): a_t, the signal scale of x_t
	SqrtOneMinusAlphaBar []float64 // sqrt(1 - abar_t): s_t, the noise scale of x_t
}

// NewSchedule builds a schedule from beta_1..beta_T (copied). It is an
// error if T = 0 or a beta is NaN or outside (0, 1).
func NewSchedule(beta []float64) (*Schedule, error) {
	T := len(beta)
	if T == 0 {
		return nil, errors.New("lindiff: schedule: no steps (T = 0)")
	}
	for i, b := range beta {
		if !(b > 0 && b < 1) { // also catches NaN
			return nil, fmt.Errorf("lindiff: schedule: beta_%d = %v is not in (0, 1)", i+1, b)
		}
	}
	s := &Schedule{
		T:                    T,
		Beta:                 append([]float64(nil), beta...),
		Alpha:                make([]float64, T),
		LogAlphaBar:          make([]float64, T),
		AlphaBar:             make([]float64, T),
		SqrtAlphaBar:         make([]float64, T),
		SqrtOneMinusAlphaBar: make([]float64, T),
	}
	sum := 0.0
	for i, b := range beta {
		s.Alpha[i] = 1 - b
		sum += math.Log1p(-b)
		s.LogAlphaBar[i] = sum
		s.AlphaBar[i] = math.Exp(sum)
		s.SqrtAlphaBar[i] = math.Exp(sum / 2)
		s.SqrtOneMinusAlphaBar[i] = math.Sqrt(-math.Expm1(sum))
	}
	return s, nil
}

// LinearSchedule is beta_t = lo + (hi - lo)(t-1)/(T-1), t = 1..T, evenly
// spaced from lo to hi (beta_1 = lo when T = 1). Ho et al. (2020) use
// lo = 1e-4, hi = 0.02, T = 1000.
func LinearSchedule(T int, lo, hi float64) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("lindiff: LinearSchedule: T = %d < 1", T)
	}
	beta := make([]float64, T)
	for i := range beta {
		f := 0.0
		if T > 1 {
			f = float64(i) / float64(T-1)
		}
		beta[i] = lo + (hi-lo)*f
	}
	return NewSchedule(beta)
}

// PaperSchedule is the schedule of Merger and Goldt: beta_t =
// (1e-2 - 1e-4) t/T + 1e-4, t = 1..T.
func PaperSchedule(T int) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("lindiff: PaperSchedule: T = %d < 1", T)
	}
	beta := make([]float64, T)
	for i := range beta {
		beta[i] = (1e-2-1e-4)*float64(i+1)/float64(T) + 1e-4
	}
	return NewSchedule(beta)
}

// CosineSchedule is the schedule of Nichol and Dhariwal (2021): abar_t =
// f(t)/f(0) with f(t) = cos^2((t/T + s)/(1 + s) pi/2), so beta_t =
// 1 - f(t)/f(t-1), clipped to at most 0.999 (beta_T would be 1). They use
// s = 0.008. beta_t is computed as sin(p-q) sin(p+q)/cos^2(q) (p, q the
// angles of t and t-1), which equals 1 - cos^2 p / cos^2 q without its
// cancellation for small beta.
func CosineSchedule(T int, s float64) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("lindiff: CosineSchedule: T = %d < 1", T)
	}
	if !(s >= 0) || math.IsInf(s, 1) {
		return nil, fmt.Errorf("lindiff: CosineSchedule: offset s = %v is not finite and >= 0", s)
	}
	angle := func(t int) float64 { return (float64(t)/float64(T) + s) / (1 + s) * math.Pi / 2 }
	beta := make([]float64, T)
	for i := range beta {
		p, q := angle(i+1), angle(i)
		c := math.Cos(q)
		beta[i] = min(math.Sin(p-q)*math.Sin(p+q)/(c*c), 0.999)
	}
	return NewSchedule(beta)
}

// PosteriorVariance returns the variance of q(x_{t-1} | x_t, x_0),
// beta_t (1 - abar_{t-1})/(1 - abar_t) with abar_0 = 1 (so 0 at t = 1).
func (s *Schedule) PosteriorVariance(t int) float64 {
	if t <= 1 {
		return 0
	}
	prev := -math.Expm1(s.LogAlphaBar[t-2])
	cur := s.SqrtOneMinusAlphaBar[t-1]
	return s.Beta[t-1] * prev / (cur * cur)
}
