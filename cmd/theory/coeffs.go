package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/action"
	"github.com/flowkern/flowkern/models/phi4"
	"gonum.org/v1/plot/plotter"
)

// theoryCase is one theory of the coefficient experiments.
type theoryCase struct {
	shape   []int
	m2, lam float64
	ns      []int
}

func (tc theoryCase) lattice() string {
	if len(tc.shape) == 1 {
		return fmt.Sprintf("1d-L%d", tc.shape[0])
	}
	return fmt.Sprintf("2d-%dx%d", tc.shape[0], tc.shape[1])
}

func (tc theoryCase) tag() string {
	return fmt.Sprintf("%s-lambda%s", tc.lattice(), strconv.FormatFloat(tc.lam, 'g', -1, 64))
}

// symmetric: the learned A2 and A4 of flows trained on the symmetric
// phase, against the true couplings, for every N and depth.
func symmetric(c config) error {
	var cases []theoryCase
	for _, l := range c.lambdas {
		cases = append(cases, theoryCase{[]int{c.symL}, c.m2, l, c.ns})
	}
	if c.sym2D > 0 {
		cases = append(cases, theoryCase{[]int{c.sym2D, c.sym2D}, c.m2, c.lambdas[len(c.lambdas)/2], c.ns2D})
	}
	return coefExperiment(c, "symmetric", cases, 0)
}

// gauss: lambda = 0, where the best any estimator does is the sample
// inverse covariance.
func gauss(c config) error {
	return coefExperiment(c, "gauss", []theoryCase{{[]int{c.symL}, c.m2, 0, c.ns}}, 100)
}

// coefRow is what one trained flow's coefficients say.
type coefRow struct {
	a2Err                          float64 // |A2 - A2_true|_F / |A2_true|_F
	a2Diag, a2DiagErr              float64 // mean learned diagonal, RMS relative error
	a2NN, a2NNErr                  float64 // the same over nearest-neighbour entries
	a2Rest                         float64 // RMS of the other entries (true 0)
	a4Diag, a4DiagErr, a4DiagAbs   float64 // mean A4_iiii, RMS relative error, RMS absolute error
	a4NN, a4Rest, a3               float64 // RMS of A4 entries on neighbour pairs, of the other off-diagonal ones, of A3 (all true 0)
	nll, kl, klErr                 float64
	phi2, binder, g1               float64 // of the model's samples
	epochs, best                   int
	seconds                        float64
	a2Learned, a4Learned, a2TrueCp []float64
}

// analyse expands the learned action at 0 to order 4 and compares it with
// the theory's couplings.
func analyse(ex *action.Expansion, th *phi4.Theory) (coefRow, error) {
	var r coefRow
	d := th.Sites()
	lam := th.Lambda()
	at, al := th.A2(), ex.A2()
	r.a2Learned, r.a2TrueCp = al, at
	r.a2Err = relFro(al, at)
	var dErr, nnErr, rest []float64
	var nnSum float64
	nb := make([]bool, d*d)
	for i := range d {
		r.a2Diag += al[i*d+i] / float64(d)
		dErr = append(dErr, (al[i*d+i]-at[i*d+i])/math.Abs(at[i*d+i]))
		for j := i + 1; j < d; j++ {
			if at[i*d+j] != 0 {
				nb[i*d+j], nb[j*d+i] = true, true
				nnErr = append(nnErr, (al[i*d+j]-at[i*d+j])/math.Abs(at[i*d+j]))
				nnSum += al[i*d+j]
			} else {
				rest = append(rest, al[i*d+j])
			}
		}
	}
	r.a2DiagErr, r.a2NNErr, r.a2Rest = rms(dErr), rms(nnErr), rms(rest)
	r.a2NN = nnSum / float64(len(nnErr))
	a4 := ex.A4Diag()
	r.a4Learned = a4
	var a4Err, a4Abs []float64
	for _, v := range a4 {
		r.a4Diag += v / float64(d)
		a4Abs = append(a4Abs, v-lam)
		a4Err = append(a4Err, (v-lam)/lam)
	}
	r.a4DiagAbs = rms(a4Abs)
	r.a4DiagErr = math.NaN()
	if lam > 0 {
		r.a4DiagErr = rms(a4Err)
	}
	t4, err := ex.Full(4)
	if err != nil {
		return r, err
	}
	var nn4, rest4 []float64
	multisets(d, 4, func(t []int) {
		distinct := slices.Compact(slices.Clone(t))
		switch {
		case len(distinct) == 1:
		case len(distinct) == 2 && nb[distinct[0]*d+distinct[1]]:
			nn4 = append(nn4, t4.At(t...))
		default:
			rest4 = append(rest4, t4.At(t...))
		}
	})
	r.a4NN, r.a4Rest = rms(nn4), rms(rest4)
	t3, err := ex.Full(3)
	if err != nil {
		return r, err
	}
	r.a3 = rms(t3.Data)
	return r, nil
}

// multisets calls fn with every sorted n-tuple 0 <= i_1 <= ... <= i_n < d.
func multisets(d, n int, fn func(t []int)) {
	t := make([]int, n)
	var rec func(k, lo int)
	rec = func(k, lo int) {
		if k == n {
			fn(t)
			return
		}
		for i := lo; i < d; i++ {
			t[k] = i
			rec(k+1, i)
		}
	}
	rec(0, 0)
}

// moments returns <phi^2>, the Binder cumulant and the nearest-neighbour
// connected correlator G(e_last) of the rows of x.
func moments(th *phi4.Theory, x kernels.Matrix[float64]) (phi2, binder, g1 float64, err error) {
	o, err := phi4.Measure(x, 1)
	if err != nil {
		return 0, 0, 0, err
	}
	g, err := th.TwoPoint(x, 1)
	if err != nil {
		return 0, 0, 0, err
	}
	return o.Phi2.Value, o.Binder.Value, g[1].Value, nil
}

// coefExperiment trains a flow for every case, N and depth, and writes
// name.csv, name_slopes.csv, name_ensembles.csv and the plots. seedOffset
// separates the data of the experiments.
func coefExperiment(c config, name string, cases []theoryCase, seedOffset uint64) error {
	header := []string{"lattice", "m2", "lambda", "N", "depth", "epochs", "best_epoch",
		"nll_test", "kl", "kl_se",
		"a2_rel_err", "a2_diag_true", "a2_diag_mean", "a2_diag_rel_err", "a2_nn_true", "a2_nn_mean", "a2_nn_rel_err", "a2_rest_rms",
		"a4_diag_true", "a4_diag_mean", "a4_diag_rel_err", "a4_diag_rms_err", "a4_nn_rms", "a4_rest_rms", "a3_rms",
		"phi2_model", "phi2_data", "binder_model", "binder_data", "g1_model", "g1_data"}
	var rows, slopeRows, ensRows, baseRows [][]string
	for ci, tc := range cases {
		th, err := phi4.New(tc.shape, tc.m2, tc.lam)
		if err != nil {
			return err
		}
		nmax := slices.Max(tc.ns)
		e, err := c.sample(th, nmax, c.seed*1000+seedOffset+10*uint64(ci))
		if err != nil {
			return fmt.Errorf("%s: %w", tc.tag(), err)
		}
		logZ := math.NaN()
		if len(tc.shape) == 1 {
			logZ = logZ1D(tc.m2, tc.lam, tc.shape[0])
		}
		ensRows = append(ensRows, ensembleRow(name, tc.lattice(), tc.m2, tc.lam, e, nmax, logZ))
		fmt.Fprintf(c.log, "%s %s: HMC acceptance %.3f, tau_int %.2f %.2f %.2f %.2f (m |m| m^2 phi^2), thin %d, thinned tau %.2f\n",
			name, tc.tag(), e.acc, e.pilot[0], e.pilot[1], e.pilot[2], e.pilot[3], e.thin, e.thinTau)
		p2d, ud, g1d, err := moments(th, e.test)
		if err != nil {
			return err
		}
		type job struct{ n, depth int }
		var jobs []job
		for _, n := range tc.ns {
			for _, depth := range c.depths {
				jobs = append(jobs, job{n, depth})
			}
		}
		res := make([]coefRow, len(jobs))
		err = parallel(len(jobs), c.jobs, func(i int) error {
			j := jobs[i]
			sp, err := c.spec(tc.shape, j.depth)
			if err != nil {
				return err
			}
			ft, err := c.train(sp, c.seed, head(e.train, j.n), e.val)
			if err != nil {
				return fmt.Errorf("%s N=%d depth %d: %w", tc.tag(), j.n, j.depth, err)
			}
			ex, err := action.Coefficients(ft.f, nil, 4)
			if err != nil {
				return err
			}
			r, err := analyse(ex, th)
			if err != nil {
				return err
			}
			if r.nll, r.kl, r.klErr, err = kl(ft.f, e, e.test, logZ); err != nil {
				return err
			}
			xs := kernels.Matrix[float32]{Rows: c.ntest, Cols: th.Sites(), Stride: th.Sites(), Data: make([]float32, c.ntest*th.Sites())}
			ft.f.Sample(xs, c.seed+7)
			if r.phi2, r.binder, r.g1, err = moments(th, to64(xs)); err != nil {
				return err
			}
			r.epochs, r.best, r.seconds = ft.epochs, ft.hist.Best+1, ft.seconds
			res[i] = r
			fmt.Fprintf(c.log, "%s %s N=%d depth %d: %d epochs in %.1f s, KL %.4f, A2 rel. err %.3f, A4_iiii mean %.3f (true %g)\n",
				name, tc.tag(), j.n, j.depth, ft.epochs, ft.seconds, r.kl, r.a2Err, r.a4Diag, tc.lam)
			return nil
		})
		if err != nil {
			return err
		}
		d := th.Sites()
		at := th.A2()
		nnTrue := -1.0
		for j := 1; j < d; j++ {
			if at[j] != 0 {
				nnTrue = at[j]
				break
			}
		}
		for i, j := range jobs {
			r := res[i]
			rows = append(rows, []string{tc.lattice(), g(tc.m2), g(tc.lam), strconv.Itoa(j.n), strconv.Itoa(j.depth),
				strconv.Itoa(r.epochs), strconv.Itoa(r.best), g(r.nll), g(r.kl), g(r.klErr),
				g(r.a2Err), g(at[0]), g(r.a2Diag), g(r.a2DiagErr), g(nnTrue), g(r.a2NN), g(r.a2NNErr), g(r.a2Rest),
				g(tc.lam), g(r.a4Diag), g(r.a4DiagErr), g(r.a4DiagAbs), g(r.a4NN), g(r.a4Rest), g(r.a3),
				g(r.phi2), g(p2d), g(r.binder), g(ud), g(r.g1), g(g1d)})
		}
		// Slopes against N, per depth.
		var base []float64 // the sample inverse covariance's A2 error per N (gauss)
		var baseKL []float64
		if tc.lam == 0 {
			if base, baseKL, err = sampleBaseline(th, e, tc.ns); err != nil {
				return err
			}
			for k, n := range tc.ns {
				baseRows = append(baseRows, []string{tc.lattice(), g(tc.m2), strconv.Itoa(n), g(base[k]), g(baseKL[k])})
			}
			slopeRows = append(slopeRows, []string{tc.lattice(), g(tc.lam), "sample-inverse-covariance", "a2_rel_err", g(logSlope(floats(tc.ns), base))},
				[]string{tc.lattice(), g(tc.lam), "sample-inverse-covariance", "kl", g(logSlope(floats(tc.ns), baseKL))})
		}
		var a2c, a4c, klc []curve
		for di, depth := range c.depths {
			var ns, a2, a4, kls []float64
			for i, j := range jobs {
				if j.depth == depth {
					ns = append(ns, float64(j.n))
					a2 = append(a2, res[i].a2Err)
					a4 = append(a4, res[i].a4DiagErr)
					if tc.lam == 0 {
						a4[len(a4)-1] = res[i].a4DiagAbs
					}
					kls = append(kls, res[i].kl)
				}
			}
			q4 := "a4_diag_rel_err"
			if tc.lam == 0 {
				q4 = "a4_diag_rms_abs"
			}
			for _, q := range []struct {
				name string
				y    []float64
			}{{"a2_rel_err", a2}, {q4, a4}, {"kl", kls}} {
				slopeRows = append(slopeRows, []string{tc.lattice(), g(tc.lam), "depth " + strconv.Itoa(depth), q.name, g(logSlope(ns, q.y))})
			}
			lab := fmt.Sprintf("depth %d", depth)
			a2c = append(a2c, curve{name: "A2, " + lab, xy: xys(ns, a2), points: true, color: di})
			a4c = append(a4c, curve{name: "A4_iiii, " + lab, xy: xys(ns, a4), points: true, color: di, dash: 1})
			klc = append(klc, curve{name: lab, xy: xys(ns, kls), points: true, color: di})
		}
		if base != nil {
			a2c = append(a2c, curve{name: "sample inverse covariance / 2", xy: xys(floats(tc.ns), base), points: true, color: -2, dash: 2})
			klc = append(klc, curve{name: "Gaussian fit (sample mean and covariance)", xy: xys(floats(tc.ns), baseKL), points: true, color: -2, dash: 2})
		}
		// A guide line N^-1/2 through the first point of the deepest curve.
		if len(a2c) > 0 && len(a2c[0].xy) > 0 {
			ref := a2c[len(c.depths)-1].xy
			if base != nil {
				ref = a2c[len(a2c)-1].xy
			}
			var guide plotter.XYs
			for _, q := range ref {
				guide = append(guide, plotter.XY{X: q.X, Y: ref[0].Y * sqrt(ref[0].X/q.X)})
			}
			a2c = append(a2c, curve{name: "N^-1/2", xy: guide, color: -1, dash: 2})
		}
		ylab := "relative error (A2: Frobenius; A4_iiii: RMS over sites)"
		if tc.lam == 0 {
			ylab = "A2: relative error (Frobenius); A4_iiii: RMS (true 0)"
		}
		fg := figure{title: fmt.Sprintf("learned action vs truth: %s, m2 = %g, lambda = %g", tc.lattice(), tc.m2, tc.lam),
			xlab: "training samples N", ylab: ylab, logX: true, logY: true, legendLeft: true, legendBottom: true,
			curves: append(a2c, a4c...)}
		if err := fg.save(c.out, name+"_"+tc.tag()+"_err"); err != nil {
			return err
		}
		if len(tc.shape) == 1 {
			fk := figure{title: fmt.Sprintf("KL(data || flow): %s, m2 = %g, lambda = %g", tc.lattice(), tc.m2, tc.lam),
				xlab: "training samples N", ylab: "KL divergence (nats per configuration)", logX: true, logY: true,
				legendLeft: true, legendBottom: true, curves: klc}
			if err := fk.save(c.out, name+"_"+tc.tag()+"_kl"); err != nil {
				return err
			}
		}
		// The coefficients site by site at the largest N and depth.
		last := res[len(res)-1]
		if err := sitePlot(c.out, name+"_"+tc.tag()+"_sites", tc, th, last, jobs[len(jobs)-1].n, jobs[len(jobs)-1].depth); err != nil {
			return err
		}
	}
	if err := writeCSV(c.out, name+".csv", header, rows); err != nil {
		return err
	}
	if err := writeCSV(c.out, name+"_slopes.csv", []string{"lattice", "lambda", "estimator", "quantity", "slope_vs_N"}, slopeRows); err != nil {
		return err
	}
	if baseRows != nil {
		if err := writeCSV(c.out, name+"_baseline.csv", []string{"lattice", "m2", "N", "a2_rel_err", "kl"}, baseRows); err != nil {
			return err
		}
	}
	return writeCSV(c.out, name+"_ensembles.csv", ensembleHeader, ensRows)
}

var ensembleHeader = []string{"experiment", "lattice", "m2", "lambda", "hmc_acceptance", "tau_m", "tau_abs_m", "tau_m2", "tau_phi2",
	"thin", "thinned_tau_max", "divergent_trajectories", "n_train", "log_Z"}

func ensembleRow(name, lattice string, m2, lam float64, e *ensemble, n int, logZ float64) []string {
	return []string{name, lattice, g(m2), g(lam), g(e.acc), g(e.pilot[0]), g(e.pilot[1]), g(e.pilot[2]), g(e.pilot[3]),
		strconv.Itoa(e.thin), g(e.thinTau), strconv.FormatInt(e.divergent, 10), strconv.Itoa(n), g(logZ)}
}

// sampleBaseline returns, for every N, the relative error of the sample
// inverse covariance's A2 = Sigma_hat^-1 / 2 (the maximum likelihood
// estimate, the best a Gaussian model does with N samples) and the KL
// divergence of the fitted Gaussian from the truth.
func sampleBaseline(th *phi4.Theory, e *ensemble, ns []int) (errs, kls []float64, err error) {
	d := th.Sites()
	at := th.A2()
	twoA := make([]float64, d*d)
	for i, v := range at {
		twoA[i] = 2 * v
	}
	sigma, logDetTwoA, err := spdInverse(twoA, d)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range ns {
		mean, cov := covariance(e.train.Data[:n*d], n, d)
		inv, logDetS, err := spdInverse(cov, d)
		if err != nil {
			return nil, nil, fmt.Errorf("N = %d: sample covariance: %w", n, err)
		}
		a2 := make([]float64, d*d)
		for i, v := range inv {
			a2[i] = v / 2
		}
		errs = append(errs, relFro(a2, at))
		kls = append(kls, gaussKL(sigma, -logDetTwoA, mean, inv, logDetS, d))
	}
	return errs, kls, nil
}

// sitePlot draws the learned A2_ii, A2_(i,i+e) and A4_iiii site by site
// beside the true values.
func sitePlot(dir, base string, tc theoryCase, th *phi4.Theory, r coefRow, n, depth int) error {
	d := th.Sites()
	step := 1 // the neighbour in the last direction
	var diag, nn, a4 plotter.XYs
	for i := range d {
		x := float64(i)
		j := i + step
		if len(tc.shape) == 1 {
			j %= d
		} else {
			w := tc.shape[1]
			j = i/w*w + (i%w+1)%w
		}
		diag = append(diag, plotter.XY{X: x, Y: r.a2Learned[i*d+i]})
		nn = append(nn, plotter.XY{X: x, Y: r.a2Learned[i*d+j]})
		a4 = append(a4, plotter.XY{X: x, Y: r.a4Learned[i]})
	}
	at := th.A2()
	flat := func(v float64) plotter.XYs { return plotter.XYs{{X: 0, Y: v}, {X: float64(d - 1), Y: v}} }
	fg := figure{title: fmt.Sprintf("learned coefficients, %s, lambda = %g, N = %d, depth %d", tc.lattice(), tc.lam, n, depth),
		xlab: "site i", ylab: "coefficient",
		curves: []curve{
			{name: "A2_ii", xy: diag, points: true, color: 0}, {name: "true A2_ii", xy: flat(at[0]), color: 0, dash: 1},
			{name: "A2_i,i+1", xy: nn, points: true, color: 1}, {name: "true A2_i,i+1", xy: flat(at[1]), color: 1, dash: 1},
			{name: "A4_iiii", xy: a4, points: true, color: 2}, {name: "true A4_iiii", xy: flat(tc.lam), color: 2, dash: 1},
		}}
	return fg.save(dir, base)
}

func floats(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func xys(x, y []float64) plotter.XYs {
	out := make(plotter.XYs, len(x))
	for i := range x {
		out[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return out
}
