package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/action"
	"github.com/flowkern/flowkern/models/phi4"
	"gonum.org/v1/plot/plotter"
)

// probeRun is one training variant of the overshoot experiment.
type probeRun struct {
	n, epochs int
	lr        float64
}

func (p probeRun) String() string { return fmt.Sprintf("N=%d/%dep/lr%g", p.n, p.epochs, p.lr) }

// parseProbeRuns reads "N/epochs/lr,...".
func parseProbeRuns(s string) ([]probeRun, error) {
	var out []probeRun
	for _, f := range strings.Split(s, ",") {
		p := strings.Split(strings.TrimSpace(f), "/")
		if len(p) != 3 {
			return nil, usagef("-probe-runs: %q is not N/epochs/lr", f)
		}
		n, err1 := strconv.Atoi(p[0])
		ep, err2 := strconv.Atoi(p[1])
		lr, err3 := strconv.ParseFloat(p[2], 64)
		if err1 != nil || err2 != nil || err3 != nil || n < 2 || ep < 1 || ep > 10000 || !(lr > 0) || lr > 1 {
			return nil, usagef("-probe-runs: %q: want N >= 2, 1 <= epochs <= 10000, 0 < lr <= 1", f)
		}
		out = append(out, probeRun{n, ep, lr})
	}
	return out, nil
}

// probeRow is what one trained flow of the overshoot experiment says.
type probeRow struct {
	taylorA4, taylorA2Diag, taylorA2NN, taylorA2Err float64 // at x = 0
	fitA4, fitA2Diag, fitA2NN, fitA2Err, fitResid   float64 // least squares over the test data
	fit6A4, fit6A6, fit6Resid                       float64 // the same with x_i^6 terms
	nllTrain, nllVal, nllTest, kl, klTrain          float64
	k4Model                                         float64 // fourth cumulant per site of the flow's samples
	epochs, best                                    int
	seconds                                         float64
}

// overshoot asks why the learned A4_iiii at x = 0 overshoots the true
// lambda as the depth grows (docs/theory, claim c). For one theory and
// every training variant (N, epochs, learning rate) and depth it records:
// the Taylor coefficients at 0; the coefficients of a least-squares fit of
// the learned action over the test data (the region the flow was trained
// on), in the true action's form (constant, every x_i x_j, x_i^4) and with
// x_i^6 added (the true action's fit returns its couplings exactly); the
// training, validation and test NLL; the KL divergence estimated on the
// test and on the training rows (over-fitting shows as a gap between the
// two: unlike the NLLs', their difference does not carry the two sets' own
// entropy fluctuations); and the fourth cumulant per site of the flow's samples
// against the data's.
func overshoot(c config) error {
	tc := theoryCase{[]int{c.symL}, c.m2, c.probeLambda, nil}
	th, err := phi4.New(tc.shape, tc.m2, tc.lam)
	if err != nil {
		return err
	}
	d := th.Sites()
	logZ := logZ1D(tc.m2, tc.lam, c.symL)
	nmax := 0
	for _, p := range c.probeRuns {
		nmax = max(nmax, p.n)
	}
	ens := make([]*ensemble, c.probeReps)
	var ensRows [][]string
	k4Data := make([]float64, c.probeReps)
	for r := range ens {
		seed := c.seed*1000000 + 300*1000 + uint64(r)*4
		e, err := c.sample(th, nmax, seed)
		if err != nil {
			return fmt.Errorf("%s: %w", tc.tag(), err)
		}
		ens[r] = e
		ensRows = append(ensRows, ensembleRow("overshoot", tc.lattice(), tc.m2, tc.lam, r, e, nmax, logZ))
		k4Data[r] = siteK4(e.test)
		fmt.Fprintf(c.log, "overshoot %s rep %d: HMC acceptance %.3f, tau_int %v, thin %d\n", tc.tag(), r, e.acc, e.pilot, e.thin)
	}
	type job struct {
		rep, variant, depth int
	}
	var jobs []job
	for r := range c.probeReps {
		for v := range c.probeRuns {
			for _, depth := range c.depths {
				jobs = append(jobs, job{r, v, depth})
			}
		}
	}
	res := make([]probeRow, len(jobs))
	at := th.A2()
	err = parallel(len(jobs), c.jobs, func(i int) error {
		j := jobs[i]
		e, p := ens[j.rep], c.probeRuns[j.variant]
		sp, err := c.spec(tc.shape, j.depth)
		if err != nil {
			return err
		}
		train := head(e.train, p.n)
		ft, err := c.trainWith(sp, c.seed+uint64(j.rep), train, e.val, p.epochs, p.lr)
		if err != nil {
			return fmt.Errorf("%s rep %d %v depth %d: %w", tc.tag(), j.rep, p, j.depth, err)
		}
		var r probeRow
		ex, err := action.Coefficients(ft.f, nil, 4)
		if err != nil {
			return err
		}
		r.taylorA2Diag, r.taylorA2NN = diagNN(ex.A2(), at, d)
		r.taylorA2Err = relFro(ex.A2(), at)
		r.taylorA4 = meanOf(ex.A4Diag())
		// The learned action -log q on the test data, fitted.
		lq := make([]float64, e.test.Rows)
		ft.f.LogProb(lq, to32(e.test))
		for k := range lq {
			lq[k] = -lq[k]
		}
		q, err := quarticFit(e.test, lq, false)
		if err != nil {
			return err
		}
		r.fitA2Diag, r.fitA2NN = diagNN(q.a2, at, d)
		r.fitA2Err, r.fitA4, r.fitResid = relFro(q.a2, at), meanOf(q.a4), q.resid
		q6, err := quarticFit(e.test, lq, true)
		if err != nil {
			return err
		}
		r.fit6A4, r.fit6A6, r.fit6Resid = meanOf(q6.a4), meanOf(q6.a6), q6.resid
		if r.nllTest, r.kl, _, err = kl(ft.f, e, e.test, logZ); err != nil {
			return err
		}
		if r.nllTrain, r.klTrain, _, err = kl(ft.f, e, train, logZ); err != nil {
			return err
		}
		if r.nllVal, _, _, err = kl(ft.f, e, e.val, logZ); err != nil {
			return err
		}
		xs := kernels.Matrix[float32]{Rows: c.ntest, Cols: d, Stride: d, Data: make([]float32, c.ntest*d)}
		ft.f.Sample(xs, c.seed+7)
		r.k4Model = siteK4(to64(xs))
		r.epochs, r.best, r.seconds = ft.epochs, ft.hist.Best+1, ft.seconds
		res[i] = r
		fmt.Fprintf(c.log, "overshoot %s rep %d %v depth %d: %.1f s, best epoch %d, KL %.4f, A4_iiii Taylor %.3f fit %.3f (true %g), KL on the training rows %.4f\n",
			tc.tag(), j.rep, p, j.depth, ft.seconds, r.best, r.kl, r.taylorA4, r.fitA4, tc.lam, r.klTrain)
		return nil
	})
	if err != nil {
		return err
	}
	header := []string{"lattice", "m2", "lambda", "rep", "N", "epochs", "lr", "depth", "best_epoch", "seconds"}
	type col struct {
		name string
		get  func(r probeRow) float64
	}
	cols := []col{
		{"a4_taylor", func(r probeRow) float64 { return r.taylorA4 }},
		{"a4_fit", func(r probeRow) float64 { return r.fitA4 }},
		{"a4_fit6", func(r probeRow) float64 { return r.fit6A4 }},
		{"a6_fit6", func(r probeRow) float64 { return r.fit6A6 }},
		{"a2_diag_taylor", func(r probeRow) float64 { return r.taylorA2Diag }},
		{"a2_diag_fit", func(r probeRow) float64 { return r.fitA2Diag }},
		{"a2_nn_taylor", func(r probeRow) float64 { return r.taylorA2NN }},
		{"a2_nn_fit", func(r probeRow) float64 { return r.fitA2NN }},
		{"a2_rel_err_taylor", func(r probeRow) float64 { return r.taylorA2Err }},
		{"a2_rel_err_fit", func(r probeRow) float64 { return r.fitA2Err }},
		{"fit_resid_rms", func(r probeRow) float64 { return r.fitResid }},
		{"fit6_resid_rms", func(r probeRow) float64 { return r.fit6Resid }},
		{"nll_train", func(r probeRow) float64 { return r.nllTrain }},
		{"nll_val", func(r probeRow) float64 { return r.nllVal }},
		{"nll_test", func(r probeRow) float64 { return r.nllTest }},
		{"kl", func(r probeRow) float64 { return r.kl }},
		{"kl_train", func(r probeRow) float64 { return r.klTrain }},
		{"kl_gap", func(r probeRow) float64 { return r.kl - r.klTrain }},
		{"k4_site_model", func(r probeRow) float64 { return r.k4Model }},
		{"best_epoch", func(r probeRow) float64 { return float64(r.best) }},
	}
	for _, col := range cols[:len(cols)-1] {
		header = append(header, col.name)
	}
	header = append(header, "k4_site_data")
	var rows [][]string
	for i, j := range jobs {
		r, p := res[i], c.probeRuns[j.variant]
		row := []string{tc.lattice(), g(tc.m2), g(tc.lam), strconv.Itoa(j.rep), strconv.Itoa(p.n), strconv.Itoa(p.epochs), g(p.lr),
			strconv.Itoa(j.depth), strconv.Itoa(r.best), strconv.FormatFloat(r.seconds, 'f', 1, 64)}
		for _, col := range cols[:len(cols)-1] {
			row = append(row, g(col.get(r)))
		}
		rows = append(rows, append(row, g(k4Data[j.rep])))
	}
	// The seconds column is the one that changes from run to run: it goes
	// to its own file, so that overshoot.csv depends only on the flags.
	var timeRows [][]string
	for i := range rows {
		timeRows = append(timeRows, rows[i][:10])
		rows[i] = append(rows[i][:9:9], rows[i][10:]...)
	}
	if err := writeCSV(c.out, "overshoot.csv", append(header[:9:9], header[10:]...), rows); err != nil {
		return err
	}
	if err := writeTimes(c.out, "overshoot_times.txt", header[:10], timeRows); err != nil {
		return err
	}
	meanHeader := []string{"lattice", "m2", "lambda", "N", "epochs", "lr", "depth", "reps"}
	for _, col := range cols {
		meanHeader = append(meanHeader, col.name, col.name+"_se")
	}
	meanHeader = append(meanHeader, "k4_site_data", "k4_site_data_se")
	kd, kdSD := meanSD(k4Data)
	var meanRows [][]string
	type key struct{ v, depth int }
	means := map[key][][2]float64{}
	for v, p := range c.probeRuns {
		for _, depth := range c.depths {
			row := []string{tc.lattice(), g(tc.m2), g(tc.lam), strconv.Itoa(p.n), strconv.Itoa(p.epochs), g(p.lr), strconv.Itoa(depth), strconv.Itoa(c.probeReps)}
			var ms [][2]float64
			for _, col := range cols {
				var vals []float64
				for i, j := range jobs {
					if j.variant == v && j.depth == depth {
						vals = append(vals, col.get(res[i]))
					}
				}
				m, sd := meanSD(vals)
				se := sd / sqrt(float64(len(vals)))
				ms = append(ms, [2]float64{m, se})
				row = append(row, g(m), g(se))
			}
			means[key{v, depth}] = ms
			meanRows = append(meanRows, append(row, g(kd), g(kdSD/sqrt(float64(len(k4Data))))))
		}
	}
	if err := writeCSV(c.out, "overshoot_mean.csv", meanHeader, meanRows); err != nil {
		return err
	}
	if err := writeCSV(c.out, "overshoot_ensembles.csv", ensembleHeader, ensRows); err != nil {
		return err
	}
	// A4_iiii against depth: Taylor at 0 (solid) and the fit over the data
	// (dashed), one colour per variant; the truth in black.
	depths := floats(c.depths)
	iKL := slices.IndexFunc(cols, func(c col) bool { return c.name == "kl" })
	var curves, klc []curve
	for v, p := range c.probeRuns {
		var tay, fit, klv plotter.XYs
		var tse, fse, kse []float64
		for _, depth := range c.depths {
			ms := means[key{v, depth}]
			tay, tse = append(tay, plotter.XY{X: float64(depth), Y: ms[0][0]}), append(tse, ms[0][1])
			fit, fse = append(fit, plotter.XY{X: float64(depth), Y: ms[1][0]}), append(fse, ms[1][1])
			klv, kse = append(klv, plotter.XY{X: float64(depth), Y: ms[iKL][0]}), append(kse, ms[iKL][1])
		}
		curves = append(curves, curve{name: p.String() + ", Taylor at 0", xy: tay, yerr: tse, points: true, color: v},
			curve{name: p.String() + ", fit over data", xy: fit, yerr: fse, points: true, color: v, dash: 1})
		klc = append(klc, curve{name: p.String(), xy: klv, yerr: kse, points: true, color: v})
	}
	curves = append(curves, curve{name: "true lambda", xy: plotter.XYs{{X: depths[0], Y: tc.lam}, {X: depths[len(depths)-1], Y: tc.lam}}, color: -2, dash: 2})
	fg := figure{title: fmt.Sprintf("A4_iiii of the learned action: %s, m2 = %g, lambda = %g (mean of %d)", tc.lattice(), tc.m2, tc.lam, c.probeReps),
		xlab: "depth (Glow blocks)", ylab: "A4_iiii (mean over sites)", logX: true, legendLeft: true, curves: curves}
	if err := fg.save(c.out, "overshoot_a4"); err != nil {
		return err
	}
	fk := figure{title: fmt.Sprintf("KL(data || flow): %s, lambda = %g (mean of %d)", tc.lattice(), tc.lam, c.probeReps),
		xlab: "depth (Glow blocks)", ylab: "KL divergence (nats per configuration)", logX: true, logY: true, legendLeft: true, legendBottom: true, curves: klc}
	return fk.save(c.out, "overshoot_kl")
}

// diagNN returns the mean diagonal of a2 and its mean over the entries
// where the truth at is a nonzero off-diagonal (nearest neighbours).
func diagNN(a2, at []float64, d int) (diag, nn float64) {
	var n int
	for i := range d {
		diag += a2[i*d+i]
		for j := range d {
			if j != i && at[i*d+j] != 0 {
				nn += a2[i*d+j]
				n++
			}
		}
	}
	return diag / float64(d), nn / float64(n)
}

func meanOf(v []float64) float64 {
	m, _ := meanSD(v)
	return m
}

// siteK4 returns the fourth cumulant of phi_x, <(phi - <phi>)^4> -
// 3 <(phi - <phi>)^2>^2, averaged over the sites x (rows of x are
// configurations).
func siteK4(x kernels.Matrix[float64]) float64 {
	var sum float64
	col := make([]float64, x.Rows)
	for j := range x.Cols {
		for i := range x.Rows {
			col[i] = x.Data[i*x.Stride+j]
		}
		mu, _ := meanSD(col)
		var c2, c4 float64
		for _, v := range col {
			q := float64((v - mu) * (v - mu))
			c2 += q
			c4 += float64(q * q)
		}
		c2 /= float64(x.Rows)
		c4 /= float64(x.Rows)
		sum += c4 - float64(3*float64(c2*c2))
	}
	return sum / float64(x.Cols)
}

// polyFit is a least-squares fit y ~ c + x^T A2 x + sum_i a4_i x_i^4
// (+ sum_i a6_i x_i^6) over rows of x.
type polyFit struct {
	a2     []float64 // d x d, symmetric
	a4, a6 []float64
	resid  float64 // RMS of y minus the fit
}

// quarticFit fits y (one value per row of x) by least squares on the
// basis 1, x_i x_j (i <= j), x_i^4 and, with sixth, x_i^6: the form of the
// true action (plus its next even order). Each basis column is scaled to
// unit RMS before the normal equations are formed and solved (Cholesky),
// which keeps them well conditioned for |x| of a few units.
func quarticFit(x kernels.Matrix[float64], y []float64, sixth bool) (polyFit, error) {
	d, n := x.Cols, x.Rows
	np := 1 + d*(d+1)/2 + d
	if sixth {
		np += d
	}
	basis := func(row, out []float64) {
		out[0] = 1
		k := 1
		for i := range d {
			for j := i; j < d; j++ {
				out[k] = float64(row[i] * row[j])
				k++
			}
		}
		for i := range d {
			q := float64(row[i] * row[i])
			out[k] = float64(q * q)
			if sixth {
				out[k+d] = float64(out[k] * q)
			}
			k++
		}
	}
	b := make([]float64, np)
	scale := make([]float64, np)
	for i := range n {
		basis(x.Data[i*x.Stride:i*x.Stride+d], b)
		for k, v := range b {
			scale[k] += float64(v * v)
		}
	}
	for k := range scale {
		scale[k] = sqrt(scale[k] / float64(n))
		if !(scale[k] > 0) {
			return polyFit{}, fmt.Errorf("quartic fit: basis column %d is 0 on the data", k)
		}
	}
	gram, rhs := make([]float64, np*np), make([]float64, np)
	for i := range n {
		basis(x.Data[i*x.Stride:i*x.Stride+d], b)
		for k := range b {
			b[k] /= scale[k]
		}
		for k, u := range b {
			rhs[k] += float64(u * y[i])
			row := gram[k*np:]
			for l := k; l < np; l++ {
				row[l] += float64(u * b[l])
			}
		}
	}
	for k := range np {
		for l := range k {
			gram[k*np+l] = gram[l*np+k]
		}
	}
	inv, _, err := spdInverse(gram, np)
	if err != nil {
		return polyFit{}, fmt.Errorf("quartic fit: %w", err)
	}
	coef := make([]float64, np)
	for k := range np {
		var s float64
		for l := range np {
			s += float64(inv[k*np+l] * rhs[l])
		}
		coef[k] = s / scale[k]
	}
	f := polyFit{a2: make([]float64, d*d), a4: make([]float64, d)}
	k := 1
	for i := range d {
		for j := i; j < d; j++ {
			if i == j {
				f.a2[i*d+i] = coef[k]
			} else {
				f.a2[i*d+j], f.a2[j*d+i] = coef[k]/2, coef[k]/2
			}
			k++
		}
	}
	copy(f.a4, coef[k:k+d])
	if sixth {
		f.a6 = append([]float64(nil), coef[k+d:k+2*d]...)
	}
	var ss float64
	for i := range n {
		basis(x.Data[i*x.Stride:i*x.Stride+d], b)
		var s float64
		for k, v := range b {
			s += float64(coef[k] * v)
		}
		r := y[i] - s
		ss += float64(r * r)
	}
	f.resid = sqrt(ss / float64(n))
	return f, nil
}

// writeTimes writes the training times, tab-separated, to dir/name: not
// deterministic, so not a CSV file (the tests hash every CSV file).
func writeTimes(dir, name string, header []string, rows [][]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# training seconds on this run's machine (kernels tier %s)\n", kernels.ISA())
	fmt.Fprintln(&b, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(&b, strings.Join(r, "\t"))
	}
	return os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644)
}
