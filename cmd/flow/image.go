package main

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/mat"
)

// The image preprocessing of RealNVP (Dinh et al. 2017, section 4.1) for
// 8-bit pixels p:
//
//	x = (p + u)/256,  u ~ U[0, 1)           (uniform dequantisation)
//	v = alpha + (1 - 2 alpha) x             (keeps v away from 0 and 1)
//	y = logit(v) = log v - log(1 - v)       (the flow models y)
//
// The density of x is p_x(x) = p_y(y) |dy/dx| with
//
//	log|dy/dx| = sum_j [log(1 - 2 alpha) - log v_j - log(1 - v_j)]
//	           = sum_j [log(1 - 2 alpha) + softplus(y_j) + softplus(-y_j)],
//
// and the density of the dequantised pixels p + u = 256 x is p_x / 256^d,
// so the bits per dimension of the 8-bit data are
//
//	bpd = -(log p_y(y) + log|dy/dx|) / (d ln 2) + 8.
//
// Everything runs on kernels (Log, Softplus) and kernels.Normal streams,
// so the same seed gives the same bits on every tier and architecture.

// dequantize returns the n x d pixels of px in [0, 1): (p + u)/256, with u
// drawn from stream `stream` of seed.
func dequantize(px []byte, n, d int, seed, stream uint64) table {
	g := kernels.NewNormal(seed, stream)
	t := table{rows: n, cols: d, data: make([]float64, n*d)}
	for i, p := range px[:n*d] {
		u := g.Uniform()
		t.data[i] = (float64(p) + u) / 256
	}
	return t
}

// logitTransform maps x in [0, 1) to y = logit(alpha + (1 - 2 alpha) x) in
// place.
func logitTransform(v []float64, alpha float64) {
	tmp := make([]float64, len(v))
	for i, x := range v {
		v[i] = alpha + float64((1-2*alpha)*x) // the product rounded: never fused
		tmp[i] = 1 - v[i]
	}
	kernels.Log(v, v)
	kernels.Log(tmp, tmp)
	for i := range v {
		v[i] -= tmp[i]
	}
}

// logitLogDet returns log|dy/dx| of one logit-space row y.
func logitLogDet(y []float64, alpha float64) float64 {
	sp := make([]float64, 2*len(y))
	copy(sp, y)
	for i, v := range y {
		sp[len(y)+i] = -v
	}
	kernels.Softplus(sp, sp)
	c := []float64{1 - 2*alpha}
	kernels.Log(c, c)
	return float64(float64(len(y))*c[0]) + kernels.Sum(sp)
}

// pixelBPD converts a mean NLL of logit-space data (nats per sample) and the
// mean log|dy/dx| to bits per dimension of the 8-bit pixels.
func pixelBPD(nllY, meanLogDet float64, d int) float64 {
	return (nllY-meanLogDet)/(float64(d)*math.Ln2) + 8
}

// gauss is a Gaussian N(mean, U^T U).
type gauss struct {
	mean   []float64
	u      mat.TriDense
	logdet float64 // log det of the covariance
}

// gaussFit returns the maximum-likelihood Gaussian of the rows of t: the
// mean and covariance of lindiff.Moments, Cholesky-factored.
func gaussFit(t table) (*gauss, error) {
	mean, cov, err := lindiff.Moments(mat.NewDense(t.rows, t.cols, t.data))
	if err != nil {
		return nil, err
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return nil, fmt.Errorf("the training covariance (d = %d) is not positive definite", t.cols)
	}
	g := &gauss{mean: mean}
	ch.UTo(&g.u)
	for i := range t.cols {
		g.logdet += 2 * math.Log(g.u.At(i, i))
	}
	return g, nil
}

// logProb returns the exact log-density of every row of t, in nats:
// -(d log 2 pi + log det + |U^-T (x - mean)|^2)/2, the Mahalanobis terms
// by one triangular solve.
func (g *gauss) logProb(t table) ([]float64, error) {
	d := len(g.mean)
	r := mat.NewDense(d, t.rows, nil)
	for i := range t.rows {
		for j, v := range t.row(i) {
			r.Set(j, i, v-g.mean[j])
		}
	}
	var z mat.Dense
	if err := z.Solve(g.u.T(), r); err != nil {
		return nil, err
	}
	c := -0.5 * (float64(d)*math.Log(2*math.Pi) + g.logdet)
	lp := make([]float64, t.rows)
	for i := range lp {
		lp[i] = c
	}
	for j := range d {
		for i, v := range z.RawRowView(j) {
			lp[i] -= 0.5 * v * v
		}
	}
	return lp, nil
}
