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

// lattice2d: the 2-D case of symmetric on a larger lattice (-big-L), at
// the middle coupling of -lambdas: A2 and A4_iiii (the whole of A3 and A4
// only while it has at most action.MaxFull entries).
func lattice2d(c config) error {
	tc := theoryCase{[]int{c.bigL, c.bigL}, c.m2, c.lambdas[len(c.lambdas)/2], c.bigNs}
	return coefExperiment(c, "lattice2d", []theoryCase{tc}, 200)
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
	if action.SymLen(d, 4) > action.MaxFull {
		// Too many entries to walk (8x8: 766480); A2 and A4_iiii above are
		// complete, the RMS of the entries that should vanish is not given.
		r.a4NN, r.a4Rest, r.a3 = math.NaN(), math.NaN(), math.NaN()
		return r, nil
	}
	t4, err := ex.Full(4)
	if err != nil {
		return r, err
	}
	var nn4, rest4 []float64
	action.Multisets(d, 4, func(t []int) {
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

// coefExperiment trains a flow for every case, replicate, N and depth,
// and writes name.csv (one row per run), name_mean.csv (means and standard
// errors over the replicates), name_slopes.csv, name_ensembles.csv and the
// plots. Replicate r has its own HMC data and its own flow seed.
// seedOffset separates the data of the experiments.
func coefExperiment(c config, name string, cases []theoryCase, seedOffset uint64) error {
	header := []string{"lattice", "m2", "lambda", "rep", "N", "depth", "epochs", "best_epoch",
		"nll_test", "kl", "kl_se",
		"a2_rel_err", "a2_diag_true", "a2_diag_mean", "a2_diag_rel_err", "a2_nn_true", "a2_nn_mean", "a2_nn_rel_err", "a2_rest_rms",
		"a4_diag_true", "a4_diag_mean", "a4_diag_rel_err", "a4_diag_rms_err", "a4_nn_rms", "a4_rest_rms", "a3_rms",
		"phi2_model", "phi2_data", "binder_model", "binder_data", "g1_model", "g1_data"}
	meanHeader := []string{"lattice", "m2", "lambda", "N", "depth", "reps"}
	for _, q := range aggQuantities {
		meanHeader = append(meanHeader, q.name, q.name+"_se")
	}
	var rows, meanRows, slopeRows, ensRows, baseRows [][]string
	for ci, tc := range cases {
		th, err := phi4.New(tc.shape, tc.m2, tc.lam)
		if err != nil {
			return err
		}
		nmax := slices.Max(tc.ns)
		logZ := math.NaN()
		if len(tc.shape) == 1 {
			logZ = logZ1D(tc.m2, tc.lam, tc.shape[0])
		}
		ens := make([]*ensemble, c.reps)
		var dataMoments [][3]float64
		for r := range c.reps {
			seed := c.seed*1000000 + seedOffset*1000 + uint64(ci)*100 + uint64(r)*4
			e, err := c.sample(th, nmax, seed)
			if err != nil {
				return fmt.Errorf("%s: %w", tc.tag(), err)
			}
			ens[r] = e
			ensRows = append(ensRows, ensembleRow(name, tc.lattice(), tc.m2, tc.lam, r, e, nmax, logZ))
			fmt.Fprintf(c.log, "%s %s rep %d: HMC acceptance %.3f, tau_int %v, thin %d, thinned tau %.2f\n",
				name, tc.tag(), r, e.acc, e.pilot, e.thin, e.thinTau)
			p2d, ud, g1d, err := moments(th, e.test)
			if err != nil {
				return err
			}
			dataMoments = append(dataMoments, [3]float64{p2d, ud, g1d})
		}
		type job struct{ rep, n, depth int }
		var jobs []job
		for r := range c.reps {
			for _, n := range tc.ns {
				for _, depth := range c.depths {
					jobs = append(jobs, job{r, n, depth})
				}
			}
		}
		res := make([]coefRow, len(jobs))
		err = parallel(len(jobs), c.jobs, func(i int) error {
			j := jobs[i]
			e := ens[j.rep]
			sp, err := c.spec(tc.shape, j.depth)
			if err != nil {
				return err
			}
			ft, err := c.train(sp, c.seed+uint64(j.rep), head(e.train, j.n), e.val)
			if err != nil {
				return fmt.Errorf("%s rep %d N=%d depth %d: %w", tc.tag(), j.rep, j.n, j.depth, err)
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
			fmt.Fprintf(c.log, "%s %s rep %d N=%d depth %d: %d epochs in %.1f s, KL %.4f, A2 rel. err %.3f, A4_iiii mean %.3f (true %g)\n",
				name, tc.tag(), j.rep, j.n, j.depth, ft.epochs, ft.seconds, r.kl, r.a2Err, r.a4Diag, tc.lam)
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
			dm := dataMoments[j.rep]
			rows = append(rows, []string{tc.lattice(), g(tc.m2), g(tc.lam), strconv.Itoa(j.rep), strconv.Itoa(j.n), strconv.Itoa(j.depth),
				strconv.Itoa(r.epochs), strconv.Itoa(r.best), g(r.nll), g(r.kl), g(r.klErr),
				g(r.a2Err), g(at[0]), g(r.a2Diag), g(r.a2DiagErr), g(nnTrue), g(r.a2NN), g(r.a2NNErr), g(r.a2Rest),
				g(tc.lam), g(r.a4Diag), g(r.a4DiagErr), g(r.a4DiagAbs), g(r.a4NN), g(r.a4Rest), g(r.a3),
				g(r.phi2), g(dm[0]), g(r.binder), g(dm[1]), g(r.g1), g(dm[2])})
		}
		// Means over the replicates, per N and depth.
		type key struct{ n, depth int }
		agg := map[key][][]float64{} // [quantity][rep]
		for i, j := range jobs {
			k := key{j.n, j.depth}
			if agg[k] == nil {
				agg[k] = make([][]float64, len(aggQuantities))
			}
			for q, aq := range aggQuantities {
				agg[k][q] = append(agg[k][q], aq.get(res[i]))
			}
		}
		mean := func(n, depth, q int) (float64, float64) {
			m, sd := meanSD(agg[key{n, depth}][q])
			return m, sd / sqrt(float64(c.reps))
		}
		for _, n := range tc.ns {
			for _, depth := range c.depths {
				row := []string{tc.lattice(), g(tc.m2), g(tc.lam), strconv.Itoa(n), strconv.Itoa(depth), strconv.Itoa(c.reps)}
				for q := range aggQuantities {
					m, se := mean(n, depth, q)
					row = append(row, g(m), g(se))
				}
				meanRows = append(meanRows, row)
			}
		}
		// The Gaussian baseline, per replicate, and its mean.
		var base, baseSE, baseKL, baseKLSE []float64
		if tc.lam == 0 {
			perRep := make([][2][]float64, c.reps)
			for r, e := range ens {
				a, k, err := sampleBaseline(th, e, tc.ns)
				if err != nil {
					return err
				}
				perRep[r] = [2][]float64{a, k}
				for i, n := range tc.ns {
					baseRows = append(baseRows, []string{tc.lattice(), g(tc.m2), strconv.Itoa(r), strconv.Itoa(n), g(a[i]), g(k[i])})
				}
			}
			for i := range tc.ns {
				var a, k []float64
				for r := range perRep {
					a, k = append(a, perRep[r][0][i]), append(k, perRep[r][1][i])
				}
				ma, sa := meanSD(a)
				mk, sk := meanSD(k)
				base, baseSE = append(base, ma), append(baseSE, sa/sqrt(float64(c.reps)))
				baseKL, baseKLSE = append(baseKL, mk), append(baseKLSE, sk/sqrt(float64(c.reps)))
			}
			var a2s, kls [][]float64
			for r := range perRep {
				a2s, kls = append(a2s, perRep[r][0]), append(kls, perRep[r][1])
			}
			slopeRows = append(slopeRows, slopeRow(tc, "sample-inverse-covariance", "a2_rel_err", floats(tc.ns), base, a2s),
				slopeRow(tc, "sample-inverse-covariance", "kl", floats(tc.ns), baseKL, kls))
		}
		// Slopes of the means against N, per depth; plots of the means.
		var a2c, a4c, klc []curve
		ns := floats(tc.ns)
		for di, depth := range c.depths {
			col := func(q int) (y, se []float64) {
				for _, n := range tc.ns {
					m, s := mean(n, depth, q)
					y, se = append(y, m), append(se, s)
				}
				return y, se
			}
			a2, a2se := col(qA2)
			q4 := qA4Rel
			if tc.lam == 0 {
				q4 = qA4Abs
			}
			a4, a4se := col(q4)
			kls, klse := col(qKL)
			// Each replicate's errors against N (its N-sample training sets
			// are nested), for the spread of the slope.
			perRep := func(q int) [][]float64 {
				ys := make([][]float64, c.reps)
				for r := range c.reps {
					for _, n := range tc.ns {
						i := slices.Index(jobs, job{r, n, depth})
						ys[r] = append(ys[r], aggQuantities[q].get(res[i]))
					}
				}
				return ys
			}
			for _, q := range []struct {
				q int
				y []float64
			}{{qA2, a2}, {q4, a4}, {qKL, kls}} {
				slopeRows = append(slopeRows, slopeRow(tc, "depth "+strconv.Itoa(depth), aggQuantities[q.q].name, ns, q.y, perRep(q.q)))
			}
			lab := fmt.Sprintf("depth %d", depth)
			a2c = append(a2c, curve{name: "A2, " + lab, xy: xys(ns, a2), yerr: a2se, points: true, color: di})
			a4c = append(a4c, curve{name: "A4_iiii, " + lab, xy: xys(ns, a4), yerr: a4se, points: true, color: di, dash: 1})
			klc = append(klc, curve{name: lab, xy: xys(ns, kls), yerr: klse, points: true, color: di})
		}
		if base != nil {
			a2c = append(a2c, curve{name: "sample inverse covariance / 2", xy: xys(ns, base), yerr: baseSE, points: true, color: -2, dash: 2})
			klc = append(klc, curve{name: "Gaussian fit (sample mean and covariance)", xy: xys(ns, baseKL), yerr: baseKLSE, points: true, color: -2, dash: 2})
		}
		// A guide line N^-1/2 through the first point of the deepest curve
		// (of the baseline in the Gaussian case).
		ref := a2c[len(c.depths)-1].xy
		if base != nil {
			ref = a2c[len(a2c)-1].xy
		}
		var guide plotter.XYs
		for _, q := range ref {
			guide = append(guide, plotter.XY{X: q.X, Y: ref[0].Y * sqrt(ref[0].X/q.X)})
		}
		a2c = append(a2c, curve{name: "N^-1/2", xy: guide, color: -1, dash: 2})
		ylab := "relative error (A2: Frobenius; A4_iiii: RMS over sites)"
		if tc.lam == 0 {
			ylab = "A2: relative error (Frobenius); A4_iiii: RMS (true 0)"
		}
		title := fmt.Sprintf("learned action vs truth: %s, m2 = %g, lambda = %g (mean of %d)", tc.lattice(), tc.m2, tc.lam, c.reps)
		fg := figure{title: title, xlab: "training samples N", ylab: ylab, logX: true, logY: true, legendLeft: true, legendBottom: true,
			curves: append(a2c, a4c...)}
		if err := fg.save(c.out, name+"_"+tc.tag()+"_err"); err != nil {
			return err
		}
		if len(tc.shape) == 1 {
			fk := figure{title: fmt.Sprintf("KL(data || flow): %s, m2 = %g, lambda = %g (mean of %d)", tc.lattice(), tc.m2, tc.lam, c.reps),
				xlab: "training samples N", ylab: "KL divergence (nats per configuration)", logX: true, logY: true,
				legendLeft: true, legendBottom: true, curves: klc}
			if err := fk.save(c.out, name+"_"+tc.tag()+"_kl"); err != nil {
				return err
			}
		}
		// The coefficients site by site at the largest N and depth, replicate 0.
		last := slices.IndexFunc(jobs, func(j job) bool { return j.rep == 0 && j.n == nmax && j.depth == c.depths[len(c.depths)-1] })
		if err := sitePlot(c.out, name+"_"+tc.tag()+"_sites", tc, th, res[last], nmax, c.depths[len(c.depths)-1]); err != nil {
			return err
		}
	}
	if err := writeCSV(c.out, name+".csv", header, rows); err != nil {
		return err
	}
	if err := writeCSV(c.out, name+"_mean.csv", meanHeader, meanRows); err != nil {
		return err
	}
	if err := writeCSV(c.out, name+"_slopes.csv", []string{"lattice", "lambda", "estimator", "quantity", "slope_vs_N", "reps", "slope_rep_mean", "slope_rep_se"}, slopeRows); err != nil {
		return err
	}
	if baseRows != nil {
		if err := writeCSV(c.out, name+"_baseline.csv", []string{"lattice", "m2", "rep", "N", "a2_rel_err", "kl"}, baseRows); err != nil {
			return err
		}
	}
	return writeCSV(c.out, name+"_ensembles.csv", ensembleHeader, ensRows)
}

// slopeRow is a row of the slopes file: the least-squares slope of
// log(mean) on log N, and the mean and standard error of the replicates'
// own slopes (perRep[r] the errors of replicate r at every N): replicate r
// trains on the first N rows of one HMC ensemble for every N, so its
// errors at different N are correlated, and the spread of the per-replicate
// slopes is what measures how well the slope is pinned.
func slopeRow(tc theoryCase, estimator, quantity string, ns, mean []float64, perRep [][]float64) []string {
	var sl []float64
	for _, y := range perRep {
		sl = append(sl, logSlope(ns, y))
	}
	m, sd := meanSD(sl)
	return []string{tc.lattice(), g(tc.lam), estimator, quantity, g(logSlope(ns, mean)),
		strconv.Itoa(len(perRep)), g(m), g(sd / sqrt(float64(len(sl))))}
}

// aggQuantities are the measures averaged over replicates.
var aggQuantities = []struct {
	name string
	get  func(r coefRow) float64
}{
	{"a2_rel_err", func(r coefRow) float64 { return r.a2Err }},
	{"a4_diag_rel_err", func(r coefRow) float64 { return r.a4DiagErr }},
	{"a4_diag_rms_abs", func(r coefRow) float64 { return r.a4DiagAbs }},
	{"kl", func(r coefRow) float64 { return r.kl }},
	{"a2_diag_mean", func(r coefRow) float64 { return r.a2Diag }},
	{"a2_nn_mean", func(r coefRow) float64 { return r.a2NN }},
	{"a2_rest_rms", func(r coefRow) float64 { return r.a2Rest }},
	{"a4_diag_mean", func(r coefRow) float64 { return r.a4Diag }},
	{"a4_nn_rms", func(r coefRow) float64 { return r.a4NN }},
	{"a4_rest_rms", func(r coefRow) float64 { return r.a4Rest }},
	{"a3_rms", func(r coefRow) float64 { return r.a3 }},
	{"binder_model", func(r coefRow) float64 { return r.binder }},
}

// Indices into aggQuantities.
const (
	qA2 = iota
	qA4Rel
	qA4Abs
	qKL
)

var ensembleHeader = slices.Concat([]string{"experiment", "lattice", "m2", "lambda", "rep", "hmc_acceptance"}, tauHeader("tau_"),
	[]string{"thin", "thinned_tau_max", "divergent_trajectories", "n_train", "log_Z"})

func ensembleRow(name, lattice string, m2, lam float64, rep int, e *ensemble, n int, logZ float64) []string {
	return slices.Concat([]string{name, lattice, g(m2), g(lam), strconv.Itoa(rep), g(e.acc)}, e.pilot.cols(),
		[]string{strconv.Itoa(e.thin), g(e.thinTau), strconv.FormatInt(e.divergent, 10), strconv.Itoa(n), g(logZ)})
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
