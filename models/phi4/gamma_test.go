package phi4

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/kernels"
)

// ar1 returns chains chains of n steps each of a_t = rho a_{t-1} +
// sqrt(1 - rho^2) z_t, started in equilibrium: unit variance,
// tau_int = (1 + rho)/(2 (1 - rho)).
func ar1(seed uint64, chains, n int, rho float64) []float64 {
	a := make([]float64, chains*n)
	c := math.Sqrt(1 - rho*rho)
	for r := range chains {
		g := kernels.NewNormal(seed, uint64(r))
		z := make([]float64, n)
		g.Fill(z)
		x := z[0]
		for i := range n {
			if i > 0 {
				x = rho*x + c*z[i]
			}
			a[r*n+i] = x
		}
	}
	return a
}

// The Gamma method finds tau_int of AR(1) series (rho = 0, 0.8, 0.95, and
// the anticorrelated -0.5, -0.2 that HMC can give) within 3 of its error
// bars and 20%, and its Err is sqrt(2 tau / N) within 15%; a
// derived quantity (the variance, <a^2> - <a>^2) gets an error bar that
// covers the truth.
func TestGammaAR1(t *testing.T) {
	const chains, n = 8, 25000
	for _, rho := range []float64{0, 0.8, 0.95, -0.5, -0.2} {
		a := ar1(uint64(1000*(rho+1)), chains, n, rho)
		e, err := Gamma(a, chains)
		if err != nil {
			t.Fatal(err)
		}
		tau := (1 + rho) / (2 * (1 - rho))
		errWant := math.Sqrt(2 * tau / float64(chains*n))
		t.Logf("rho %.2f: tau %.3f ± %.3f (exact %.3f), W = %d, mean %.4f ± %.4f (exact 0, want error %.4f)",
			rho, e.Tau, e.TauErr, tau, e.Window, e.Value, e.Err, errWant)
		if math.Abs(e.Tau-tau) > 3*e.TauErr || math.Abs(e.Tau-tau) > 0.2*tau {
			t.Errorf("rho %v: tau %v ± %v, exact %v", rho, e.Tau, e.TauErr, tau)
		}
		if math.Abs(e.Err/errWant-1) > 0.15 || e.Capped {
			t.Errorf("rho %v: error %v, want %v (capped %v)", rho, e.Err, errWant, e.Capped)
		}
		if math.Abs(e.Value) > 4*e.Err {
			t.Errorf("rho %v: mean %v ± %v, exact 0", rho, e.Value, e.Err)
		}
		sq := make([]float64, len(a))
		for i, x := range a {
			sq[i] = x * x
		}
		v, err := GammaFunc([][]float64{sq, a}, chains, func(m []float64) float64 { return m[0] - m[1]*m[1] })
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(v.Value-1) > 4*v.Err {
			t.Errorf("rho %v: variance %v ± %v, exact 1", rho, v.Value, v.Err)
		}
	}
	// A constant series: no error, tau 1/2.
	e, err := Gamma([]float64{2, 2, 2, 2}, 2)
	if err != nil || e.Value != 2 || e.Err != 0 {
		t.Errorf("constant series: %+v, %v", e, err)
	}
}
