package lindiff

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSampleModesMoments checks that the eigenbasis sampler draws from
// the exact learned distribution: the sample mean and covariance of 40000
// samples agree with Learned within Monte Carlo error.
func TestSampleModesMoments(t *testing.T) {
	x, err := DiagonalGaussian([]float64{3, 1, 0.3, 0.1}, 40, 3)
	if err != nil {
		t.Fatal(err)
	}
	// A rotated, shifted data set, so U and mu_0 are not trivial.
	rot := mat.NewDense(4, 4, []float64{0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, -0.5, 0.5})
	var xr mat.Dense
	xr.Mul(x, rot)
	for i := range 40 {
		xr.Set(i, 0, xr.At(i, 0)+2)
	}
	s, _ := PaperSchedule(50)
	e, err := FitExact(&xr, s, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []SampleOptions{{Seed: 5}, {Seed: 6, Variance: PosteriorVariance, NoiseAtLast: true}} {
		const n = 40000
		u, err := e.SampleModes(n, opt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.Learned(opt)
		if err != nil {
			t.Fatal(err)
		}
		mean, cov, err := Moments(u)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			// Standard errors: sqrt(S_ii/n) for the mean, sqrt((S_ii S_jj +
			// S_ij^2)/n) for the covariance; 5 of them is far out.
			if se := math.Sqrt(want.Cov.At(i, i) / n); math.Abs(mean[i]-want.Mean[i]) > 5*se {
				t.Fatalf("%+v: mean[%d] = %v, learned %v (se %v)", opt, i, mean[i], want.Mean[i], se)
			}
			for j := range 4 {
				sij := want.Cov.At(i, j)
				se := math.Sqrt((want.Cov.At(i, i)*want.Cov.At(j, j) + sij*sij) / n)
				if math.Abs(cov.At(i, j)-sij) > 5*se {
					t.Fatalf("%+v: cov[%d,%d] = %v, learned %v (se %v)", opt, i, j, cov.At(i, j), sij, se)
				}
			}
		}
	}
	if _, err := e.SampleModes(0, SampleOptions{}); err == nil {
		t.Fatal("0 samples: no error")
	}
	if _, err := e.SampleModes(3, SampleOptions{Variance: 9}); err == nil {
		t.Fatal("bad variance: no error")
	}
}
