package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/action"
	"github.com/flowkern/flowkern/models/phi4"
	"gonum.org/v1/plot/plotter"
)

// blocks is the number of consecutive blocks whose spread gives the
// standard errors of the cumulants (batch means).
const blocks = 20

// cumulantSet holds the joint cumulants of orders 1..4 of the sites, one
// value per index multiset (sorted tuples in the order action.Multisets visits
// them), and the cumulants 1..4 of the magnetisation m and its Binder
// cumulant.
type cumulantSet struct {
	k   [5][]float64
	mag [5]float64 // k1..k4 of m, then U = 1 - <m^4>/(3 <m^2>^2)
}

// cumulants computes the cumulants of the rows x[r0:r1] (row-major, d
// columns), centred at their own mean, with divisor n.
func cumulants(x []float64, d, r0, r1 int) cumulantSet {
	var c cumulantSet
	n := float64(r1 - r0)
	mu := make([]float64, d)
	var mm float64
	for r := r0; r < r1; r++ {
		s := 0.0
		for j := range d {
			mu[j] += x[r*d+j]
			s += x[r*d+j]
		}
		mm += s / float64(d)
	}
	for j := range mu {
		mu[j] /= n
	}
	mm /= n
	c.k[1] = mu
	var tup [5][][]int
	for o := 2; o <= 4; o++ {
		action.Multisets(d, o, func(t []int) { tup[o] = append(tup[o], append([]int(nil), t...)) })
		c.k[o] = make([]float64, len(tup[o]))
	}
	y := make([]float64, d)
	var m2, m3, m4 float64
	for r := r0; r < r1; r++ {
		s := 0.0
		for j := range d {
			y[j] = x[r*d+j] - mu[j]
			s += x[r*d+j]
		}
		dm := s/float64(d) - mm
		dm2 := float64(dm * dm)
		m2 += dm2
		m3 += float64(dm2 * dm)
		m4 += float64(dm2 * dm2)
		for o := 2; o <= 4; o++ {
			for i, t := range tup[o] {
				p := y[t[0]]
				for _, a := range t[1:] {
					p = float64(p * y[a])
				}
				c.k[o][i] += p
			}
		}
	}
	for o := 2; o <= 4; o++ {
		for i := range c.k[o] {
			c.k[o][i] /= n
		}
	}
	// Fourth moments to cumulants: subtract the three pairings.
	k2 := func(a, b int) float64 { return c.k[2][rank2(a, b, d)] }
	for i, t := range tup[4] {
		a, b, e, f := t[0], t[1], t[2], t[3]
		c.k[4][i] -= float64(k2(a, b)*k2(e, f)) + float64(k2(a, e)*k2(b, f)) + float64(k2(a, f)*k2(b, e))
	}
	m2, m3, m4 = m2/n, m3/n, m4/n
	c.mag = [5]float64{mm, m2, m3, m4 - float64(3*float64(m2*m2)), 0}
	raw2 := m2 + float64(mm*mm)
	raw4 := m4 + float64(4*float64(m3*mm)) + float64(6*float64(m2*float64(mm*mm))) + float64(float64(mm*mm)*float64(mm*mm))
	c.mag[4] = 1 - raw4/float64(3*float64(raw2*raw2))
	return c
}

// rank2 is the position of the pair {a, b} in the order of action.Multisets(d, 2).
func rank2(a, b, d int) int {
	a, b = min(a, b), max(a, b)
	// Tuples (i, j), i <= j, in lexicographic order: row i starts after
	// sum_{k<i} (d - k) tuples.
	return a*d - a*(a-1)/2 + (b - a)
}

// withErrors returns the cumulants of all n rows and their standard
// errors from the spread over blocks consecutive blocks.
func withErrors(x []float64, d, n int) (all, se cumulantSet) {
	all = cumulants(x, d, 0, n)
	var parts []cumulantSet
	for b := range blocks {
		parts = append(parts, cumulants(x, d, b*n/blocks, (b+1)*n/blocks))
	}
	for o := 1; o <= 4; o++ {
		se.k[o] = make([]float64, len(all.k[o]))
		v := make([]float64, blocks)
		for i := range all.k[o] {
			for b := range parts {
				v[b] = parts[b].k[o][i]
			}
			_, sd := meanSD(v)
			se.k[o][i] = sd / sqrt(blocks)
		}
	}
	v := make([]float64, blocks)
	for q := range se.mag {
		for b := range parts {
			v[b] = parts[b].mag[q]
		}
		_, sd := meanSD(v)
		se.mag[q] = sd / sqrt(blocks)
	}
	return all, se
}

// zStats returns the RMS and the largest |z| of (a - b)/sqrt(sa^2 + sb^2)
// over the entries.
func zStats(a, sa, b, sb []float64) (rmsZ, maxZ float64) {
	z := make([]float64, len(a))
	for i := range a {
		z[i] = (a[i] - b[i]) / sqrt(float64(sa[i]*sa[i])+float64(sb[i]*sb[i]))
		maxZ = max(maxZ, math.Abs(z[i]))
	}
	return rms(z), maxZ
}

// broken: bimodal data of the double well; the first three cumulants of
// the flow's samples (and the fourth) against the data's.
func broken(c config) error {
	L := c.brokenL
	th, err := phi4.New([]int{L}, c.brokenM2, c.brokenLambda)
	if err != nil {
		return err
	}
	e, err := c.sample(th, c.brokenN, c.seed*1000+200)
	if err != nil {
		return err
	}
	logZ := logZ1D(c.brokenM2, c.brokenLambda, L)
	fmt.Fprintf(c.log, "broken L=%d m2=%g lambda=%g: HMC acceptance %.3f, tau_int %v, thin %d, thinned tau %.2f\n",
		L, c.brokenM2, c.brokenLambda, e.acc, e.pilot, e.thin, e.thinTau)
	sp, err := c.spec([]int{L}, c.brokenDepth)
	if err != nil {
		return err
	}
	ft, err := c.train(sp, c.seed, e.train, e.val)
	if err != nil {
		return err
	}
	nll, klv, klErr, err := kl(ft.f, e, e.test, logZ)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.log, "broken: %d epochs in %.1f s, KL %.4f +- %.4f\n", ft.epochs, ft.seconds, klv, klErr)
	nm := c.samplesPerModel * c.brokenN
	xs := kernels.Matrix[float32]{Rows: nm, Cols: L, Stride: L, Data: make([]float32, nm*L)}
	ft.f.Sample(xs, c.seed+7)
	model := to64(xs)

	dataC, dataSE := withErrors(e.train.Data, L, e.train.Rows)
	testC, testSE := withErrors(e.test.Data, L, e.test.Rows)
	modC, modSE := withErrors(model.Data, L, nm)
	var rows [][]string
	names := []string{"", "mean", "covariance", "third cumulant", "fourth cumulant"}
	for o := 1; o <= 4; o++ {
		zm, xm := zStats(modC.k[o], modSE.k[o], dataC.k[o], dataSE.k[o])
		zt, xt := zStats(testC.k[o], testSE.k[o], dataC.k[o], dataSE.k[o])
		rows = append(rows, []string{strconv.Itoa(o), names[o], strconv.Itoa(len(dataC.k[o])),
			g(rms(dataC.k[o])), g(rms(dataSE.k[o])), g(zm), g(xm), g(zt), g(xt)})
	}
	if err := writeCSV(c.out, "broken_cumulants.csv", []string{"order", "cumulant", "entries", "data_rms_value", "data_rms_se",
		"model_vs_data_rms_z", "model_vs_data_max_z", "test_vs_data_rms_z", "test_vs_data_max_z"}, rows); err != nil {
		return err
	}
	// Translation averages: easier to read than whole tensors.
	rows = rows[:0]
	for q, name := range []string{"<m>", "k2(m) = <m^2>_c", "k3(m)", "k4(m)", "Binder U"} {
		rows = append(rows, []string{name, g(dataC.mag[q]), g(dataSE.mag[q]), g(testC.mag[q]), g(testSE.mag[q]), g(modC.mag[q]), g(modSE.mag[q])})
	}
	for r := range L {
		v := func(cs, ss cumulantSet) (float64, float64) {
			var a, s float64
			for x := range L {
				k := rank2(x, (x+r)%L, L)
				a += cs.k[2][k] / float64(L)
				s += ss.k[2][k] / float64(L)
			}
			return a, s
		}
		dv, ds := v(dataC, dataSE)
		tv, ts := v(testC, testSE)
		mv, ms := v(modC, modSE)
		rows = append(rows, []string{fmt.Sprintf("G(%d)", r), g(dv), g(ds), g(tv), g(ts), g(mv), g(ms)})
	}
	if err := writeCSV(c.out, "broken_observables.csv", []string{"quantity", "data", "data_se", "test", "test_se", "model", "model_se"}, rows); err != nil {
		return err
	}

	// The learned action along the uniform direction u = (1, ..., 1): at
	// the origin its curvature per site u.A2.u/L against the true m2 (the
	// kinetic term vanishes on u), and the whole profile against the
	// double well L (m2 t^2 + lambda t^4).
	ex, err := action.Coefficients(ft.f, nil, 4)
	if err != nil {
		return err
	}
	u := make([]float64, L)
	for i := range u {
		u[i] = 1
	}
	al := ex.Along(u)
	var prof, truth plotter.XYs
	var wellRows [][]string
	const nt = 81
	pts := kernels.Matrix[float32]{Rows: nt, Cols: L, Stride: L, Data: make([]float32, nt*L)}
	for k := range nt {
		t := -2 + 4*float64(k)/(nt-1)
		for j := range L {
			pts.Data[k*L+j] = float32(t)
		}
	}
	lq := make([]float64, nt)
	ft.f.LogProb(lq, pts)
	s0 := -lq[nt/2]
	for k := range nt {
		t := float64(pts.Data[k*L])
		t2 := float64(t * t)
		st := float64(L) * (float64(c.brokenM2*t2) + float64(c.brokenLambda*float64(t2*t2)))
		prof = append(prof, plotter.XY{X: t, Y: -lq[k] - s0})
		truth = append(truth, plotter.XY{X: t, Y: st})
		wellRows = append(wellRows, []string{g(t), g(-lq[k] - s0), g(st)})
	}
	if err := writeCSV(c.out, "broken_well.csv", []string{"t", "learned_S(t u) - S(0)", "true_S(t u)"}, wellRows); err != nil {
		return err
	}
	summary := [][]string{{strconv.Itoa(L), g(c.brokenM2), g(c.brokenLambda), strconv.Itoa(c.brokenN), strconv.Itoa(c.brokenDepth),
		strconv.Itoa(ft.epochs), strconv.Itoa(ft.hist.Best + 1), g(nll), g(klv), g(klErr),
		g(al[2] / float64(L)), g(c.brokenM2), g(al[4] / float64(L)), g(c.brokenLambda), strconv.Itoa(nm)}}
	if err := writeCSV(c.out, "broken_summary.csv", []string{"L", "m2", "lambda", "N", "depth", "epochs", "best_epoch", "nll_test", "kl", "kl_se",
		"uniform_a2_per_site", "uniform_a2_true", "uniform_a4_per_site", "uniform_a4_true", "model_samples"}, summary); err != nil {
		return err
	}
	if err := writeCSV(c.out, "broken_ensembles.csv", ensembleHeader,
		[][]string{ensembleRow("broken", fmt.Sprintf("1d-L%d", L), c.brokenM2, c.brokenLambda, 0, e, c.brokenN, logZ)}); err != nil {
		return err
	}
	fw := figure{title: fmt.Sprintf("action along the uniform direction, L = %d, m2 = %g, lambda = %g", L, c.brokenM2, c.brokenLambda),
		xlab: "t (phi_x = t on every site)", ylab: "S(t u) - S(0)",
		curves: []curve{{name: "learned (flow)", xy: prof, color: 0}, {name: "true", xy: truth, color: -2, dash: 1}}}
	if err := fw.save(c.out, "broken_well"); err != nil {
		return err
	}
	// Histograms of the magnetisation.
	hist := func(x kernels.Matrix[float64]) plotter.XYs {
		const nb = 40
		h := make([]float64, nb)
		for _, m := range phi4.Magnetization(x) {
			b := int(math.Floor((m + 2) / 4 * nb))
			if b >= 0 && b < nb {
				h[b]++
			}
		}
		var xy plotter.XYs
		for b := range nb {
			xy = append(xy, plotter.XY{X: -2 + (float64(b)+0.5)*4/nb, Y: h[b] / float64(x.Rows) / (4.0 / nb)})
		}
		return xy
	}
	hd, hm := hist(e.train), hist(model)
	var hrows [][]string
	for b := range hd {
		hrows = append(hrows, []string{g(hd[b].X), g(hd[b].Y), g(hm[b].Y)})
	}
	if err := writeCSV(c.out, "broken_hist.csv", []string{"m", "data_density", "model_density"}, hrows); err != nil {
		return err
	}
	fh := figure{title: fmt.Sprintf("magnetisation, L = %d, m2 = %g, lambda = %g (N = %d)", L, c.brokenM2, c.brokenLambda, c.brokenN),
		xlab: "m", ylab: "density",
		curves: []curve{{name: "HMC data", xy: hd, points: true, color: 0}, {name: "flow samples", xy: hm, points: true, color: 1, dash: 1}}}
	return fh.save(c.out, "broken_hist")
}
