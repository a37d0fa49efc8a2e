package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/plot/plotter"
)

// sampler is the paper's reverse chain: noise sigma_t z with sigma_t^2 =
// beta_t at every step, the last one (t = 1) included. DDPM's default
// leaves out the noise at t = 1; a direction of zero empirical variance
// then gets zero learned variance, so for N <= d the learned Gaussian is
// singular and KL(learned || true) infinite. With the noise every learned
// covariance is at least beta_1 I, and exactly beta_1 in those directions
// (the exact model maps them to 0 at t = 1).
var sampler = lindiff.SampleOptions{NoiseAtLast: true, Seed: 1}

// method is one way of training the linear denoiser on data moments.
type method struct {
	name string
	fit  func(mean []float64, cov *mat.SymDense) (*lindiff.Exact, error)
}

func methods(c config, s *lindiff.Schedule) []method {
	return []method{
		{"exact", func(m []float64, cv *mat.SymDense) (*lindiff.Exact, error) {
			return lindiff.FitExactMoments(m, cv, s, 0)
		}},
		{fmt.Sprintf("ridge gamma=%g", c.gamma), func(m []float64, cv *mat.SymDense) (*lindiff.Exact, error) {
			return lindiff.FitExactMoments(m, cv, s, c.gamma)
		}},
		{fmt.Sprintf("early stop eta=%g steps=%d", c.eta, c.steps), func(m []float64, cv *mat.SymDense) (*lindiff.Exact, error) {
			e, err := lindiff.FitExactMoments(m, cv, s, 0)
			if err != nil {
				return nil, err
			}
			es, err := e.EarlyStopped(c.eta, c.steps)
			if err != nil {
				return nil, fmt.Errorf("early stopping (-eta %g -steps %d): %w", c.eta, c.steps, err)
			}
			return es, nil
		}},
	}
}

// asymptote is the large-N expansion of the mean KL of one method and
// spectrum: E KL(learned || true) = inf + aTrue/N and E KL(learned ||
// learned_inf) = aOpt/N, to leading order in 1/N.
//
// Each method learns N(G(Sigma_0) mu_0, F(Sigma_0)), with G and F scalar
// functions applied to the eigenvalues of Sigma_0 (all three methods act
// mode by mode). Expand around the true Sigma = diag(lambda) with
// Delta = Sigma_0 - Sigma: E Delta = -Sigma/N (1/N normalisation),
// E Delta_ij^2 = kappa_ij lambda_i lambda_j / N (kappa = 2 on the
// diagonal, 1 off it; Gaussian data), E mu_0 mu_0^T = Sigma/N. The
// Daleckii-Krein formula gives F(Sigma_0) = F + L1 + L2 with
// (L1)_ij = Delta_ij D_ij and (L2)_ii = sum_j Delta_ij^2 S_ij, where D_ij =
// F[lambda_i, lambda_j] and S_ij = F[lambda_i, lambda_j, lambda_i] are
// divided differences. Expanding the log-determinant to second order,
//
//	aTrue = 1/2 sum_i G_i^2 + 1/4 sum_ij kappa_ij lambda_i lambda_j D_ij^2 / (F_i F_j)
//	      + 1/2 sum_i (1/lambda_i - 1/F_i) (-lambda_i F'_i + sum_j kappa_ij lambda_i lambda_j S_ij),
//	aOpt  = 1/2 sum_i G_i^2 lambda_i / F_i + 1/4 sum_ij kappa_ij lambda_i lambda_j D_ij^2 / (F_i F_j),
//
// (against F(Sigma) the first-order term cancels). For F = identity and
// G = 1 both are d(d+3)/4, the KL of a Gaussian fit from N samples.
type asymptote struct{ inf, aTrue, aOpt float64 }

// modeMap returns G(lambda) and F(lambda): the learned mean (per unit of
// data mean) and variance of one mode, from a one-dimensional model.
func modeMap(m method, lambda float64) (gm, f float64, err error) {
	cov := mat.NewSymDense(1, []float64{lambda})
	e, err := m.fit([]float64{1}, cov)
	if err != nil {
		return 0, 0, err
	}
	l, err := e.Learned(sampler)
	if err != nil {
		return 0, 0, err
	}
	return l.Mean[0], l.Cov.At(0, 0), nil
}

// modeMaps evaluates G and F at every lambda, and F1 = dF/dlambda and
// F2 = d2F/dlambda2 by central differences (h = 1e-3 lambda keeps both the
// truncation error, ~h^2, and the rounding error, ~eps/h^2, near 1e-6
// relative).
func modeMaps(m method, lam []float64) (G, F, F1, F2 []float64, err error) {
	d := len(lam)
	G, F, F1, F2 = make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	for i, l := range lam {
		h := 1e-3 * l
		if h == 0 { // lambda = 0: one-sided, F is smooth there
			h = 1e-9
		}
		var fp, fm float64
		if G[i], F[i], err = modeMap(m, l); err == nil {
			if _, fp, err = modeMap(m, l+h); err == nil {
				_, fm, err = modeMap(m, max(l-h, 0))
			}
		}
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if l-h < 0 {
			F1[i] = (fp - F[i]) / h
			continue // F2 is unused where lambda = 0 (fashion only needs aOpt)
		}
		F1[i] = (fp - fm) / (2 * h)
		F2[i] = (fp - 2*F[i] + fm) / (h * h)
	}
	return G, F, F1, F2, nil
}

// divided returns D_ij = F[lambda_i, lambda_j] and S_ij = F[lambda_i,
// lambda_j, lambda_i], by derivatives when the two are (nearly) equal.
func divided(lam, F, F1, F2 []float64, i, j int) (dij, sij float64) {
	li, lj := lam[i], lam[j]
	if math.Abs(li-lj) <= 1e-9*max(li, lj) {
		return (F1[i] + F1[j]) / 2, F2[i] / 2
	}
	dij = (F[i] - F[j]) / (li - lj)
	return dij, (dij - F1[i]) / (lj - li)
}

// optCoef is aOpt for moment fluctuations N Var(Delta_ij) = v(i, j).
func optCoef(lam, G, F, F1, F2 []float64, v func(i, j int) float64) float64 {
	var mean, quad float64
	for i, li := range lam {
		mean += G[i] * G[i] * li / F[i]
		for j := range lam {
			dij, _ := divided(lam, F, F1, F2, i, j)
			quad += v(i, j) * dij * dij / (F[i] * F[j])
		}
	}
	return mean/2 + quad/4
}

// gaussVar is N Var(Delta_ij) for Gaussian data in its eigenbasis.
func gaussVar(lam []float64) func(i, j int) float64 {
	return func(i, j int) float64 {
		if i == j {
			return 2 * lam[i] * lam[i]
		}
		return lam[i] * lam[j]
	}
}

func expand(m method, lam []float64, trueG lindiff.Gaussian) (asymptote, error) {
	d := len(lam)
	var a asymptote
	inf, err := m.fit(make([]float64, d), lindiff.DiagonalCov(lam))
	if err != nil {
		return a, err
	}
	pinf, err := inf.Learned(sampler)
	if err != nil {
		return a, err
	}
	if a.inf, err = lindiff.KL(pinf, trueG); err != nil {
		return a, err
	}
	G, F, F1, F2, err := modeMaps(m, lam)
	if err != nil {
		return a, err
	}
	v := gaussVar(lam)
	a.aOpt = optCoef(lam, G, F, F1, F2, v)
	// aTrue = aOpt + 1/2 sum_i G_i^2 (1 - lambda_i/F_i) + the bias term.
	var mean, bias float64
	for i, li := range lam {
		mean += G[i] * G[i] * (1 - li/F[i])
		second := 0.0
		for j := range lam {
			_, sij := divided(lam, F, F1, F2, i, j)
			second += v(i, j) * sij
		}
		bias += (1/li - 1/F[i]) * (-li*F1[i] + second)
	}
	a.aTrue = a.aOpt + mean/2 + bias/2
	return a, nil
}

// gaussFitKL is E KL(N(mu_0, Sigma_0) || N(0, Sigma)) for n Gaussian
// samples, exactly in n (NaN for n <= d, where Sigma_0 is singular): the
// exact model with F = identity. Whitened, N Sigma_0 ~ Wishart_d(n-1, I)
// and mu_0 ~ N(0, I/n), so E tr = d(n-1)/n and the mean term d/n cancel
// the -d, and E log det(n Sigma_0) = sum_{i=1..d} psi((n-i)/2) + d log 2:
//
//	E KL = (d log(n/2) - sum_{i=1..d} psi((n-i)/2)) / 2  ->  d(d+3)/(4n).
func gaussFitKL(d, n int) float64 {
	if n <= d {
		return math.NaN()
	}
	s := float64(d) * math.Log(float64(n)/2)
	for i := 1; i <= d; i++ {
		s -= mathext.Digamma(float64(n-i) / 2)
	}
	return s / 2
}

// point is the per-seed results of one (k, N, method).
type point struct{ kl, klOpt, train, test []float64 }

func synthetic(c config) error {
	start := time.Now()
	s, err := lindiff.PaperSchedule(c.T)
	if err != nil {
		return err
	}
	d := c.d
	ratios := slices.Clone(c.ratios)
	slices.Sort(ratios)
	ns := make([]int, len(ratios))
	for i, r := range ratios {
		ns[i] = int(math.Round(r * float64(d)))
		if ns[i] < 2 {
			return fmt.Errorf("-ratios %g with -d %d: N = %d, need at least 2 samples", r, d, ns[i])
		}
	}
	nmax := ns[len(ns)-1]
	ms := methods(c, s)
	zero := make([]float64, d)
	fd := float64(d)
	header := []string{"k", "ratio", "N", "method", "seeds",
		"kl_per_d_mean", "kl_per_d_se", "kl_per_d_theory",
		"klopt_per_d_mean", "klopt_per_d_se", "klopt_per_d_theory", "kl_per_d_gaussian_fit",
		"train_loss_per_d_mean", "train_loss_per_d_se", "test_loss_per_d_mean", "test_loss_per_d_se"}
	var rows, slopeRows [][]string
	for _, k := range c.ks {
		lam, err := lindiff.PowerLawSpectrum(d, k)
		if err != nil {
			return err
		}
		trueCov := lindiff.DiagonalCov(lam)
		trueG := lindiff.Gaussian{Mean: zero, Cov: trueCov}
		asy := make([]asymptote, len(ms))
		infs := make([]lindiff.Gaussian, len(ms))
		for mi, m := range ms {
			if asy[mi], err = expand(m, lam, trueG); err != nil {
				return fmt.Errorf("k = %g, %s: %w", k, m.name, err)
			}
			e, err := m.fit(zero, trueCov)
			if err != nil {
				return err
			}
			if infs[mi], err = e.Learned(sampler); err != nil {
				return err
			}
		}
		res := make([][]point, len(ns))
		for i := range res {
			res[i] = make([]point, len(ms))
		}
		for seed := range c.seeds {
			// Seed i draws the same standard normals for every k, and the
			// data sets of one seed are nested (the first N rows).
			x, err := lindiff.DiagonalGaussian(lam, nmax, uint64(seed+1))
			if err != nil {
				return err
			}
			for i, n := range ns {
				sub, err := lindiff.Subset(x, n)
				if err != nil {
					return err
				}
				mean, cov, err := lindiff.Moments(sub)
				if err != nil {
					return err
				}
				for mi, m := range ms {
					e, err := m.fit(mean, cov)
					if err != nil {
						return fmt.Errorf("k = %g, N = %d, seed %d, %s: %w", k, n, seed+1, m.name, err)
					}
					p, err := e.Learned(sampler)
					if err != nil {
						return err
					}
					kl, err := lindiff.KL(p, trueG)
					if err != nil {
						return fmt.Errorf("k = %g, N = %d, seed %d, %s: %w", k, n, seed+1, m.name, err)
					}
					klOpt, err := lindiff.KL(p, infs[mi])
					if err != nil {
						return err
					}
					train, err := e.Loss(mean, cov)
					if err != nil {
						return err
					}
					test, err := e.Loss(zero, trueCov)
					if err != nil {
						return err
					}
					r := &res[i][mi]
					r.kl = append(r.kl, kl/fd)
					r.klOpt = append(r.klOpt, klOpt/fd)
					r.train = append(r.train, train/fd)
					r.test = append(r.test, test/fd)
				}
			}
		}
		curves, losses := []curve{}, []curve{}
		for mi, m := range ms {
			var pts, trainPts, testPts plotter.XYs
			var errs, means, opts []float64
			for i, n := range ns {
				r := res[i][mi]
				klm, kls := meanSE(r.kl)
				om, os := meanSE(r.klOpt)
				trm, trs := meanSE(r.train)
				tem, tes := meanSE(r.test)
				fn := float64(n)
				rows = append(rows, []string{g(k), g(ratios[i]), fmt.Sprint(n), m.name, fmt.Sprint(c.seeds),
					g(klm), g(kls), g((asy[mi].inf + asy[mi].aTrue/fn) / fd),
					g(om), g(os), g(asy[mi].aOpt / fn / fd), g(gaussFitKL(d, n) / fd),
					g(trm), g(trs), g(tem), g(tes)})
				pts = append(pts, plotter.XY{X: ratios[i], Y: klm})
				trainPts = append(trainPts, plotter.XY{X: ratios[i], Y: trm})
				testPts = append(testPts, plotter.XY{X: ratios[i], Y: tem})
				errs = append(errs, kls)
				means = append(means, klm)
				opts = append(opts, om)
			}
			curves = append(curves, curve{name: m.name, xy: pts, yerr: errs, points: true, color: mi})
			curves = append(curves, curve{name: m.name + ": large-N theory", xy: theoryLine(ratios, d, asy[mi]), dash: 1, color: mi})
			losses = append(losses, curve{name: m.name + ": test", xy: testPts, points: true, color: mi},
				curve{name: m.name + ": training", xy: trainPts, dash: 1, color: mi})
			slopeRows = append(slopeRows, slopeRow(k, m.name, ratios, means, opts, asy[mi], d))
		}
		var ref plotter.XYs
		for _, q := range theoryLine(ratios, d, asymptote{}) {
			n := int(math.Round(q.X * fd))
			ref = append(ref, plotter.XY{X: q.X, Y: gaussFitKL(d, n) / fd})
		}
		curves = append(curves, curve{name: "Gaussian fit, exact in N > d (-> (d+3)/(4N))", xy: ref, dash: 2, color: -1})
		name := filepath.Join(c.out, fmt.Sprintf("synthetic_k%g.svg", k))
		title := fmt.Sprintf("Gaussian data, d = %d, lambda_nu ~ nu^-k with k = %g, T = %d, %d seeds", d, k, c.T, c.seeds)
		if err := savePlot(name, title, "N/d", "KL(learned || true) / d", true, true, curves); err != nil {
			return err
		}
		name = filepath.Join(c.out, fmt.Sprintf("synthetic_loss_k%g.svg", k))
		if err := savePlot(name, title, "N/d", "denoising loss / d", true, false, losses); err != nil {
			return err
		}
		fmt.Printf("synthetic k = %g done (%.1fs)\n", k, time.Since(start).Seconds())
	}
	if err := writeCSV(filepath.Join(c.out, "synthetic.csv"), header, rows); err != nil {
		return err
	}
	slopeHeader := []string{"k", "method", "fit_ratio_from", "fit_ratio_to", "slope_kl", "slope_kl_excess", "slope_klopt", "slope_gaussian_fit",
		"kl_inf_per_d", "theory_atrue_over_d(d+3)/4", "theory_aopt_over_d(d+3)/4",
		"steepest_ratio_from", "steepest_ratio_to", "steepest_slope"}
	if err := writeCSV(filepath.Join(c.out, "synthetic_slopes.csv"), slopeHeader, slopeRows); err != nil {
		return err
	}
	fmt.Printf("synthetic: wrote %s (%.1fs)\n", c.out, time.Since(start).Seconds())
	return nil
}

// theoryLine is (inf + aTrue/N)/d at 60 points spaced evenly in log N/d.
func theoryLine(ratios []float64, d int, a asymptote) plotter.XYs {
	lo, hi := math.Log(ratios[0]), math.Log(ratios[len(ratios)-1])
	var xy plotter.XYs
	for i := range 60 {
		r := math.Exp(lo + (hi-lo)*float64(i)/59)
		xy = append(xy, plotter.XY{X: r, Y: (a.inf + a.aTrue/(r*float64(d))) / float64(d)})
	}
	return xy
}

// slopeRow measures the log-log slopes over N/d >= 10 (the large-N side:
// of the KL, of the KL above its N = infinity value, of the KL to the
// method's own N = infinity distribution, and of gaussFitKL) and the steepest local slope of
// the KL between neighbouring ratios (the transition).
func slopeRow(k float64, name string, ratios, kl, klOpt []float64, a asymptote, d int) []string {
	var xs, ys, ex, os, gf []float64
	for i, r := range ratios {
		if r >= 10 {
			xs = append(xs, r)
			ys = append(ys, kl[i])
			gf = append(gf, gaussFitKL(d, int(math.Round(r*float64(d)))))
			ex = append(ex, kl[i]-a.inf/float64(d))
			os = append(os, klOpt[i])
		}
	}
	from, to := math.NaN(), math.NaN()
	if len(xs) > 0 {
		from, to = xs[0], xs[len(xs)-1]
	}
	steep, sf, st := math.Inf(1), math.NaN(), math.NaN()
	for i := 1; i < len(ratios); i++ {
		sl := math.Log(kl[i]/kl[i-1]) / math.Log(ratios[i]/ratios[i-1])
		if sl < steep {
			steep, sf, st = sl, ratios[i-1], ratios[i]
		}
	}
	if math.IsInf(steep, 1) {
		steep = math.NaN()
	}
	ref := float64(d) * float64(d+3) / 4
	return []string{g(k), name, g(from), g(to), g(logSlope(xs, ys)), g(logSlope(xs, ex)), g(logSlope(xs, os)), g(logSlope(xs, gf)),
		g(a.inf / float64(d)), g(a.aTrue / ref), g(a.aOpt / ref), g(sf), g(st), g(steep)}
}
