package phi4

import (
	"math"
	"testing"
)

// The statistical tests below use the same sample counts on every
// architecture (the whole package runs in about 1 s on amd64, 20 s in
// qemu-aarch64), so arm64 reproduces the amd64 numbers bit for bit.

func hmcOpts(seed uint64, chains, steps int, eps float64) HMCOptions {
	return HMCOptions{RunOptions: RunOptions{Seed: seed, Chains: chains, Therm: 100}, Steps: steps, StepSize: eps, Jitter: 0.3}
}

func metOpts(seed uint64, chains int, delta float64) MetropolisOptions {
	return MetropolisOptions{RunOptions: RunOptions{Seed: seed, Chains: chains, Therm: 100}, Delta: delta}
}

// zscore is |a - b| / sqrt(ea^2 + eb^2).
func zscore(a, ea, b, eb float64) float64 { return math.Abs(a-b) / math.Hypot(ea, eb) }

// At lambda = 0 the sampled connected two-point function is the exact
// lattice propagator ((2 A2)^-1, TestFreePropagator), for every
// displacement, within 4 error bars of the Gamma method; in 2D also the
// time-slice correlator. (The z of different displacements are strongly
// correlated, through the zero mode: TestErrorBarsCalibrated checks the
// error bars themselves.)
func TestGaussianPropagator(t *testing.T) {
	cases := []struct {
		shape []int
		m2    float64
		steps int
		eps   float64
		delta float64
	}{
		{[]int{8}, 0.5, 10, 0.15, 1.5},
		{[]int{4, 4}, 1, 10, 0.1, 1.2},
		{[]int{4, 3}, 0.3, 10, 0.12, 1.2},
	}
	for _, c := range cases {
		th, _ := New(c.shape, c.m2, 0)
		exact, _ := th.FreePropagator()
		l0, l1 := c.shape[0], th.Sites()/c.shape[0]
		for _, sampler := range []string{"HMC", "Metropolis"} {
			var run *Run
			var err error
			if sampler == "HMC" {
				run, err = th.HMC(4000, hmcOpts(3, 16, c.steps, c.eps))
			} else {
				run, err = th.Metropolis(4000, metOpts(3, 16, c.delta))
			}
			if err != nil {
				t.Fatal(err)
			}
			g, err := th.TwoPoint(run.Samples, run.Chains)
			if err != nil {
				t.Fatal(err)
			}
			var zmax, z2 float64
			for r, e := range g {
				z := zscore(e.Value, e.Err, exact[r], 0)
				zmax, z2 = max(zmax, z), z2+z*z
				if e.Capped {
					t.Errorf("%v %s: G(%d): window capped", c.shape, sampler, r)
				}
			}
			z2 /= float64(len(g))
			ts, err := th.TimeSlice(run.Samples, run.Chains)
			if err != nil {
				t.Fatal(err)
			}
			var tmax float64
			for tt, e := range ts {
				var want float64
				for s := range l1 {
					want += exact[tt*l1+s]
				}
				tmax = max(tmax, zscore(e.Value, e.Err, want, 0))
			}
			t.Logf("%v m2=%v %s: acceptance %.3f, G(0) = %.5f ± %.5f (exact %.5f, tau %.2f), max |z| %.2f, mean z^2 %.2f over %d displacements; C(t): max |z| %.2f over %d",
				c.shape, c.m2, sampler, run.Acceptance(), g[0].Value, g[0].Err, exact[0], g[0].Tau, zmax, z2, len(g), tmax, l0)
			if zmax > 4 || tmax > 4 {
				t.Errorf("%v %s: sampled propagator off the exact one: max |z| = %.2f (G), %.2f (C)", c.shape, sampler, zmax, tmax)
			}
		}
	}
}

// quadrature returns <f(phi_0, phi_1)> under exp(-S) for the 2-site lattice
// by the trapezoidal rule on [-R, R]^2 (spectrally accurate for a smooth
// integrand that vanishes at the edges).
func quadrature(th *Theory, fs []func(a, b float64) float64) []float64 {
	const R, n = 6.0, 1200
	h := 2 * R / n
	z := 0.0
	out := make([]float64, len(fs))
	s := make([]float64, 1)
	phi := make([]float64, 2)
	var smin float64 = math.Inf(1)
	// Shift by the minimum of S on the grid to keep exp(-S) in range.
	for pass := range 2 {
		for i := 0; i <= n; i++ {
			for j := 0; j <= n; j++ {
				phi[0], phi[1] = -R+float64(i)*h, -R+float64(j)*h
				th.Action(s, batch(1, 2, phi))
				if pass == 0 {
					smin = min(smin, s[0])
					continue
				}
				w := math.Exp(-(s[0] - smin))
				z += w
				for k, f := range fs {
					out[k] += w * f(phi[0], phi[1])
				}
			}
		}
	}
	for k := range out {
		out[k] /= z
	}
	return out
}

// On the 2-site lattice (D = 1, L = 2: S = 2 (phi_0 - phi_1)^2 + m2 sum
// phi^2 + lambda sum phi^4, a double well at m2 < 0) the moments
// <phi_0^2>, <phi_0^4>, <phi_0 phi_1> of both samplers match numerical
// quadrature of exp(-S) within 4 error bars.
func TestTwoSiteQuadrature(t *testing.T) {
	th, _ := New([]int{2}, -1, 0.5)
	fs := []func(a, b float64) float64{
		func(a, b float64) float64 { return a * a },
		func(a, b float64) float64 { return a * a * a * a },
		func(a, b float64) float64 { return a * b },
	}
	names := []string{"<phi_0^2>", "<phi_0^4>", "<phi_0 phi_1>"}
	exact := quadrature(th, fs)
	for _, sampler := range []string{"HMC", "Metropolis"} {
		var run *Run
		var err error
		if sampler == "HMC" {
			run, err = th.HMC(20000, hmcOpts(5, 16, 5, 0.2))
		} else {
			run, err = th.Metropolis(20000, metOpts(5, 16, 2))
		}
		if err != nil {
			t.Fatal(err)
		}
		n := run.Samples.Rows
		for k, f := range fs {
			series := make([]float64, n)
			for i := range n {
				series[i] = f(run.Samples.Data[2*i], run.Samples.Data[2*i+1])
			}
			e, err := Gamma(series, run.Chains)
			if err != nil {
				t.Fatal(err)
			}
			z := zscore(e.Value, e.Err, exact[k], 0)
			t.Logf("%s %s = %.5f ± %.5f (tau %.2f), quadrature %.5f, z = %.2f", sampler, names[k], e.Value, e.Err, e.Tau, exact[k], z)
			if z > 4 {
				t.Errorf("%s %s = %v ± %v, quadrature %v", sampler, names[k], e.Value, e.Err, exact[k])
			}
		}
	}
}

// HMC and Metropolis agree on <|m|>, chi, the Binder cumulant and <phi^2>
// within 4 combined error bars, on an interacting L = 8 chain and a 4x4
// lattice.
func TestSamplersAgree(t *testing.T) {
	cases := []struct {
		shape      []int
		m2, lambda float64
		steps      int
		eps, delta float64
	}{
		{[]int{8}, -1, 0.5, 8, 0.15, 1.5},
		{[]int{4, 4}, -2, 2, 8, 0.12, 1.2},
	}
	for _, c := range cases {
		th, _ := New(c.shape, c.m2, c.lambda)
		h, err := th.HMC(4000, hmcOpts(7, 16, c.steps, c.eps))
		if err != nil {
			t.Fatal(err)
		}
		m, err := th.Metropolis(8000, metOpts(7, 16, c.delta))
		if err != nil {
			t.Fatal(err)
		}
		oh, err := Measure(h.Samples, h.Chains)
		if err != nil {
			t.Fatal(err)
		}
		om, err := Measure(m.Samples, m.Chains)
		if err != nil {
			t.Fatal(err)
		}
		pairs := []struct {
			name string
			a, b Estimate
		}{
			{"<|m|>", oh.AbsM, om.AbsM}, {"chi", oh.Chi, om.Chi}, {"U", oh.Binder, om.Binder}, {"<phi^2>", oh.Phi2, om.Phi2},
		}
		t.Logf("%v m2=%v lambda=%v: acceptance HMC %.3f, Metropolis %.3f", c.shape, c.m2, c.lambda, h.Acceptance(), m.Acceptance())
		for _, p := range pairs {
			z := zscore(p.a.Value, p.a.Err, p.b.Value, p.b.Err)
			t.Logf("  %-8s HMC %.5f ± %.5f (tau %.2f)  Metropolis %.5f ± %.5f (tau %.2f)  z = %.2f",
				p.name, p.a.Value, p.a.Err, p.a.Tau, p.b.Value, p.b.Err, p.b.Tau, z)
			if z > 4 || p.a.Capped || p.b.Capped {
				t.Errorf("%v %s: HMC %v ± %v, Metropolis %v ± %v (capped: %v %v)", c.shape, p.name, p.a.Value, p.a.Err, p.b.Value, p.b.Err, p.a.Capped, p.b.Capped)
			}
		}
	}
}

// The leapfrog is reversible: n steps, negated momenta, n steps return to
// the start (to rounding), and its energy error falls as eps^2 at fixed
// trajectory length.
func TestLeapfrog(t *testing.T) {
	th, _ := New([]int{4, 4}, -0.7, 0.9)
	b, v := 3, th.Sites()
	start := normals(21, b*v)
	mom := normals(22, b*v)
	w := th.newLeapfrog(b)
	copy(w.phi, start)
	copy(w.p, mom)
	w.evaluate()
	w.integrate(20, 0.05)
	for i := range w.p {
		w.p[i] = -w.p[i]
	}
	w.evaluate()
	w.integrate(20, 0.05)
	var dphi, dp float64
	for i := range start {
		dphi = max(dphi, math.Abs(w.phi[i]-start[i]))
		dp = max(dp, math.Abs(w.p[i]+mom[i]))
	}
	t.Logf("forward and back, 20 steps: max |dphi| = %.2g, max |dp| = %.2g", dphi, dp)
	if dphi > 1e-12 || dp > 1e-12 {
		t.Errorf("leapfrog not reversible: max |dphi| = %v, max |dp| = %v", dphi, dp)
	}
	// Energy error at trajectory length 1 for eps = 0.1, 0.05, 0.025.
	dh := func(n int) float64 {
		copy(w.phi, start)
		copy(w.p, mom)
		h0, h1 := make([]float64, b), make([]float64, b)
		w.evaluate()
		w.hamiltonian(h0)
		w.integrate(n, 1/float64(n))
		w.hamiltonian(h1)
		var s float64
		for c := range b {
			s += math.Abs(h1[c] - h0[c])
		}
		return s
	}
	e1, e2, e3 := dh(10), dh(20), dh(40)
	t.Logf("|dH| summed over %d chains: eps 0.1: %.3g, 0.05: %.3g, 0.025: %.3g (ratios %.2f, %.2f)", b, e1, e2, e3, e1/e2, e2/e3)
	if r := e2 / e3; r < 3.5 || r > 4.5 {
		t.Errorf("energy error ratio %v on halving eps, want ~4", r)
	}
}

// The error bars are honest: over 40 seeds, the z-scores of G(0) and
// <|m|> against the exact Gaussian values have mean square within the 99.9%
// range of a chi^2 with 40 degrees of freedom divided by 40, [0.47, 1.83],
// for both samplers (Metropolis with tau_int ~ 4, so an error bar without
// the autocorrelation would be 3x too small and fail).
func TestErrorBarsCalibrated(t *testing.T) {
	th, _ := New([]int{8}, 0.5, 0)
	exact, _ := th.FreePropagator()
	var s float64
	for _, g := range exact {
		s += g
	}
	absm := math.Sqrt(s/float64(th.Sites())) * math.Sqrt(2/math.Pi) // m ~ N(0, sum_r G(r)/V)
	const seeds = 40
	for _, sampler := range []string{"HMC", "Metropolis"} {
		var zg, zm, tau float64
		for seed := range uint64(seeds) {
			var run *Run
			var err error
			if sampler == "HMC" {
				run, err = th.HMC(800, hmcOpts(100+seed, 8, 10, 0.15))
			} else {
				run, err = th.Metropolis(800, metOpts(100+seed, 8, 1.5))
			}
			if err != nil {
				t.Fatal(err)
			}
			o, _ := Measure(run.Samples, run.Chains)
			g, _ := th.TwoPoint(run.Samples, run.Chains)
			z := zscore(g[0].Value, g[0].Err, exact[0], 0)
			zg += z * z
			z = zscore(o.AbsM.Value, o.AbsM.Err, absm, 0)
			zm += z * z
			tau += o.AbsM.Tau
		}
		zg, zm, tau = zg/seeds, zm/seeds, tau/seeds
		t.Logf("%s: mean z^2 over %d seeds: G(0) %.2f, <|m|> %.2f (mean tau_int of |m| %.2f)", sampler, seeds, zg, zm, tau)
		for _, z := range []float64{zg, zm} {
			if z < 0.47 || z > 1.83 {
				t.Errorf("%s: mean z^2 = %.2f over %d seeds, outside [0.47, 1.83]: error bars wrong", sampler, z, seeds)
			}
		}
	}
}
