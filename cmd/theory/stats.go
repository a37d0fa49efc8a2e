package main

import (
	"errors"
	"math"
	"strconv"
)

// The numbers written to the CSV files must have the same bits on every
// architecture: products that meet a sum are rounded by an explicit
// float64() (Go fuses a*b+c into an FMA on arm64, not on amd64), and
// logarithms come from kernels.Log (logs), not from the math package.
// math.Sqrt and math.Abs are exact everywhere.

func sqrt(x float64) float64 { return math.Sqrt(x) }

// g formats a number for the CSV files.
func g(v float64) string { return strconv.FormatFloat(v, 'g', 7, 64) }

// meanSD returns the mean and the sample standard deviation of v.
func meanSD(v []float64) (mean, sd float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	if len(v) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range v {
		d := x - mean
		ss += float64(d * d)
	}
	return mean, sqrt(ss / (n - 1))
}

// rms returns sqrt(mean(v^2)) (NaN for no values).
func rms(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += float64(x * x)
	}
	return sqrt(s / float64(len(v)))
}

// logSlope is the least-squares slope of log y against log x over the
// points with both positive (NaN if fewer than two).
func logSlope(x, y []float64) float64 {
	var lx, ly []float64
	for i := range x {
		if x[i] > 0 && y[i] > 0 && !math.IsInf(y[i], 0) {
			lx, ly = append(lx, x[i]), append(ly, y[i])
		}
	}
	if len(lx) < 2 {
		return math.NaN()
	}
	lx, ly = logs(lx), logs(ly)
	mx, _ := meanSD(lx)
	my, _ := meanSD(ly)
	var sxy, sxx float64
	for i := range lx {
		dx := lx[i] - mx
		sxy += float64(dx * (ly[i] - my))
		sxx += float64(dx * dx)
	}
	return sxy / sxx
}

// cholesky factors the symmetric positive definite n x n matrix a
// (row-major) as L L^T and returns L (lower, row-major).
func cholesky(a []float64, n int) ([]float64, error) {
	l := make([]float64, n*n)
	for j := range n {
		s := a[j*n+j]
		for k := range j {
			s -= float64(l[j*n+k] * l[j*n+k])
		}
		if !(s > 0) {
			return nil, errors.New("matrix not positive definite")
		}
		l[j*n+j] = sqrt(s)
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= float64(l[i*n+k] * l[j*n+k])
			}
			l[i*n+j] = s / l[j*n+j]
		}
	}
	return l, nil
}

// spdInverse returns the inverse of the symmetric positive definite matrix
// a and log det a.
func spdInverse(a []float64, n int) (inv []float64, logDet float64, err error) {
	l, err := cholesky(a, n)
	if err != nil {
		return nil, 0, err
	}
	diag := make([]float64, n)
	for i := range n {
		diag[i] = l[i*n+i]
	}
	ld := logs(diag)
	for _, v := range ld {
		logDet += 2 * v
	}
	// Columns of L^-1 by forward substitution, then inv = L^-T L^-1.
	li := make([]float64, n*n)
	for c := range n {
		for i := c; i < n; i++ {
			s := 0.0
			if i == c {
				s = 1
			}
			for k := c; k < i; k++ {
				s -= float64(l[i*n+k] * li[k*n+c])
			}
			li[i*n+c] = s / l[i*n+i]
		}
	}
	inv = make([]float64, n*n)
	for i := range n {
		for j := range n {
			s := 0.0
			for k := max(i, j); k < n; k++ {
				s += float64(li[k*n+i] * li[k*n+j])
			}
			inv[i*n+j] = s
		}
	}
	return inv, logDet, nil
}

// covariance returns the mean of the rows of x (n x d, row-major in data
// with stride d) and their covariance with divisor n (the maximum
// likelihood estimate).
func covariance(data []float64, n, d int) (mean, cov []float64) {
	mean = make([]float64, d)
	for i := range n {
		for j := range d {
			mean[j] += data[i*d+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cov = make([]float64, d*d)
	c := make([]float64, d)
	for i := range n {
		for j := range d {
			c[j] = data[i*d+j] - mean[j]
		}
		for j := range d {
			for k := j; k < d; k++ {
				cov[j*d+k] += float64(c[j] * c[k])
			}
		}
	}
	for j := range d {
		for k := j; k < d; k++ {
			cov[j*d+k] /= float64(n)
			cov[k*d+j] = cov[j*d+k]
		}
	}
	return mean, cov
}

// gaussKL returns KL(N(0, sigma) || N(mu, s)) for the true covariance
// sigma (log det logDetSigma) and a fitted N(mu, s) with s^-1 = sInv
// (log det s = logDetS).
func gaussKL(sigma []float64, logDetSigma float64, mu, sInv []float64, logDetS float64, d int) float64 {
	tr, quad := 0.0, 0.0
	for i := range d {
		for j := range d {
			tr += float64(sInv[i*d+j] * sigma[j*d+i])
			quad += float64(mu[i] * float64(sInv[i*d+j]*mu[j]))
		}
	}
	return 0.5 * (tr - float64(d) + quad + logDetS - logDetSigma)
}

// relFro returns |a - b|_F / |b|_F.
func relFro(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		e := a[i] - b[i]
		num += float64(e * e)
		den += float64(b[i] * b[i])
	}
	return sqrt(num / den)
}
