package lindiff

import (
	"errors"
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// Gaussian is the normal distribution N(Mean, Cov).
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
}

// cholesky factors g's covariance, Cov = U^T U, and returns the factor and
// log det Cov = 2 sum_i log U[i][i] (kernels.TriLogDet). It is an error
// if the covariance is not positive definite.
func (g Gaussian) cholesky(name string) (*mat.Cholesky, float64, error) {
	var ch mat.Cholesky
	if !ch.Factorize(g.Cov) {
		return nil, 0, fmt.Errorf("lindiff: KL: covariance of %s is not positive definite", name)
	}
	var u mat.TriDense
	ch.UTo(&u)
	raw := u.RawTriangular()
	n := raw.N
	logdet := 2 * kernels.TriLogDet(kernels.Matrix[float64]{Rows: n, Cols: n, Data: raw.Data, Stride: raw.Stride})
	return &ch, logdet, nil
}

// KL returns the Kullback-Leibler divergence KL(p || q) =
// E_p[log p - log q] between two Gaussians of dimension d:
//
//	KL = ( tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - d + log det Sq - log det Sp ) / 2,
//
// with both covariances factored by Cholesky, the log-determinants from the
// triangular factors (kernels.TriLogDet), the trace and the quadratic form
// by solves against the factor of Sq. For KL(q || p) swap the arguments.
// It is an error if the dimensions differ, a value is not finite, or a
// covariance is not positive definite.
func KL(p, q Gaussian) (float64, error) {
	d, err := checkMoments("KL (p)", p.Mean, p.Cov)
	if err != nil {
		return 0, err
	}
	dq, err := checkMoments("KL (q)", q.Mean, q.Cov)
	if err != nil {
		return 0, err
	}
	if dq != d {
		return 0, fmt.Errorf("lindiff: KL: p has dimension %d, q %d", d, dq)
	}
	_, ldp, err := p.cholesky("p")
	if err != nil {
		return 0, err
	}
	cq, ldq, err := q.cholesky("q")
	if err != nil {
		return 0, err
	}
	var s mat.Dense
	if err := cq.SolveTo(&s, p.Cov); err != nil {
		return 0, errors.New("lindiff: KL: covariance of q is singular: " + err.Error())
	}
	tr := mat.Trace(&s)
	diff := make([]float64, d)
	for i := range diff {
		diff[i] = q.Mean[i] - p.Mean[i]
	}
	dv := mat.NewVecDense(d, diff)
	var sol mat.VecDense
	if err := cq.SolveVecTo(&sol, dv); err != nil {
		return 0, errors.New("lindiff: KL: covariance of q is singular: " + err.Error())
	}
	maha := mat.Dot(dv, &sol)
	kl := (tr + maha - float64(d) + ldq - ldp) / 2
	if math.IsNaN(kl) {
		return 0, errors.New("lindiff: KL: result is NaN")
	}
	return kl, nil
}
