package lindiff

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// PowerLawSpectrum returns the eigenvalues lambda_nu = C nu^-k, nu = 1..d,
// of the synthetic data of the experiments, with C chosen so that their
// mean is 1 (the total variance is d for every k).
func PowerLawSpectrum(d int, k float64) ([]float64, error) {
	if d < 1 {
		return nil, fmt.Errorf("lindiff: PowerLawSpectrum: dimension %d < 1", d)
	}
	if math.IsNaN(k) || math.IsInf(k, 0) || k < 0 {
		return nil, fmt.Errorf("lindiff: PowerLawSpectrum: exponent %v is not finite and >= 0", k)
	}
	lam := make([]float64, d)
	sum := 0.0
	for nu := range lam {
		lam[nu] = math.Pow(float64(nu+1), -k)
		sum += lam[nu]
	}
	for nu := range lam {
		lam[nu] *= float64(d) / sum
	}
	return lam, nil
}

// DiagonalGaussian returns n samples (rows) of N(0, diag(lambda)), drawn
// from a generator seeded with seed. A diagonal covariance loses nothing
// here: the linear diffusion model and the KL divergence are invariant
// under a rotation of the data.
func DiagonalGaussian(lambda []float64, n int, seed uint64) (*mat.Dense, error) {
	if n < 1 || len(lambda) == 0 {
		return nil, fmt.Errorf("lindiff: DiagonalGaussian: %d samples of dimension %d", n, len(lambda))
	}
	sd := make([]float64, len(lambda))
	for i, l := range lambda {
		if !(l >= 0) || math.IsInf(l, 1) {
			return nil, fmt.Errorf("lindiff: DiagonalGaussian: variance %d is %v", i, l)
		}
		sd[i] = math.Sqrt(l)
	}
	r := rand.New(rand.NewPCG(seed, 0x6c696e64))
	x := mat.NewDense(n, len(lambda), nil)
	raw := x.RawMatrix()
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] = sd[j] * r.NormFloat64()
		}
	}
	return x, nil
}

// DiagonalCov returns diag(lambda) as a symmetric matrix.
func DiagonalCov(lambda []float64) *mat.SymDense {
	c := mat.NewSymDense(len(lambda), nil)
	for i, l := range lambda {
		c.SetSym(i, i, l)
	}
	return c
}

// Subset returns the first n rows of x (a view, not a copy).
func Subset(x *mat.Dense, n int) (*mat.Dense, error) {
	r, _ := x.Dims()
	if n < 1 || n > r {
		return nil, errors.New("lindiff: Subset: " + fmt.Sprintf("%d rows asked of %d", n, r))
	}
	return x.Slice(0, n, 0, x.RawMatrix().Cols).(*mat.Dense), nil
}
