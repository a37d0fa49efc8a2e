package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
)

// fashion runs the Fashion-MNIST experiment. The reference of the KL is the
// Gaussian of the full training set, N(mu, Sigma + c I), with c the
// variance the model gives a mode of zero variance (beta_1: the noise of
// the last reverse step, which every sample carries; see sampler). The
// full-set Sigma has eigenvalues down to ~1e-7, far below c: against plain
// N(mu, Sigma) the KL would be dominated by directions the model cannot
// resolve and would not go to zero as N grows (it is written as kl_raw).
// The same c I is in every learned covariance, so the comparison is of
// like with like. klopt is the KL to the model fit on all images.
func fashion(c config) error {
	start := time.Now()
	train, err := lindiff.FashionMNIST(c.data, true)
	if err != nil {
		return err
	}
	test, err := lindiff.FashionMNIST(c.data, false)
	if err != nil {
		return err
	}
	m, d := train.Dims()
	if _, dt := test.Dims(); dt != d {
		return fmt.Errorf("fashion: training images have %d pixels, test images %d", d, dt)
	}
	side := int(math.Round(math.Sqrt(float64(d))))
	if side*side != d {
		return fmt.Errorf("fashion: images of %d pixels are not square", d)
	}
	ns := slices.Clone(c.fashionN)
	slices.Sort(ns)
	ns = slices.Compact(ns)
	if ns[len(ns)-1] > m {
		return fmt.Errorf("-n %d: the training set has %d images", ns[len(ns)-1], m)
	}
	if c.samplesN > m {
		return fmt.Errorf("-samples-n %d: the training set has %d images", c.samplesN, m)
	}
	if c.fitHi > d {
		return fmt.Errorf("-fit %d,%d: only %d eigenvalues", c.fitLo, c.fitHi, d)
	}
	s, err := lindiff.PaperSchedule(c.T)
	if err != nil {
		return err
	}
	exact := methods(c, s)[0]
	fmt.Printf("fashion: %d training and %d test images of %d pixels (%.1fs)\n", m, test.RawMatrix().Rows, d, time.Since(start).Seconds())

	meanF, covF, err := lindiff.Moments(train)
	if err != nil {
		return err
	}
	full, err := lindiff.FitExactMoments(meanF, covF, s, 0)
	if err != nil {
		return err
	}
	if err := spectrum(c, full.Lambda); err != nil {
		return err
	}
	_, c0, err := modeMap(exact, 0)
	if err != nil {
		return err
	}
	regCov := mat.NewSymDense(d, nil)
	regCov.CopySym(covF)
	for i := range d {
		regCov.SetSym(i, i, regCov.At(i, i)+c0)
	}
	qReg := lindiff.Gaussian{Mean: meanF, Cov: regCov}
	qRaw := lindiff.Gaussian{Mean: meanF, Cov: covF}
	qOpt, err := full.Learned(sampler)
	if err != nil {
		return err
	}
	meanT, covT, err := lindiff.Moments(test)
	if err != nil {
		return err
	}
	// Large-N theory of klopt (see asymptote), in the eigenbasis of the
	// full-set covariance: once with Gaussian moment fluctuations, once
	// with those of the images (their fourth moments).
	G, F, F1, F2, err := modeMaps(exact, full.Lambda)
	if err != nil {
		return err
	}
	aGauss := optCoef(full.Lambda, G, F, F1, F2, gaussVar(full.Lambda))
	v4 := fourth(train, full)
	a4 := optCoef(full.Lambda, G, F, F1, F2, func(i, j int) float64 { return v4.At(i, j) })
	fmt.Printf("fashion: theory coefficients / (d(d+3)/4): Gaussian %.4f, fourth moments %.4f (%.1fs)\n",
		aGauss/(float64(d)*float64(d+3)/4), a4/(float64(d)*float64(d+3)/4), time.Since(start).Seconds())

	zeroPix := 0
	for i := range d {
		if covF.At(i, i) == 0 {
			zeroPix++
		}
	}
	fmt.Printf("fashion: full-set moments and fit (%.1fs); %d zero-variance pixels, eigenvalues %.3g..%.3g, c = %.4g\n",
		time.Since(start).Seconds(), zeroPix, full.Lambda[0], full.Lambda[d-1], c0)

	fd := float64(d)
	header := []string{"N", "kl_per_d", "kl_raw_per_d", "klopt_per_d", "klopt_theory_gaussian_per_d", "klopt_theory_fourth_per_d",
		"train_loss_per_d", "test_loss_per_d"}
	var rows [][]string
	var klReg, klOpt, trainL, testL, theory, theory4, neff []float64
	models := map[int]*lindiff.Exact{}
	rawNote := false
	for _, n := range ns {
		sub, err := lindiff.Subset(train, n)
		if err != nil {
			return err
		}
		mean, cov, err := lindiff.Moments(sub)
		if err != nil {
			return err
		}
		e, err := exact.fit(mean, cov)
		if err != nil {
			return fmt.Errorf("fashion N = %d: %w", n, err)
		}
		if n == ns[len(ns)-1] || n == c.samplesN {
			models[n] = e
		}
		p, err := e.Learned(sampler)
		if err != nil {
			return err
		}
		kr, err := lindiff.KL(p, qReg)
		if err != nil {
			return fmt.Errorf("fashion N = %d: %w", n, err)
		}
		// Without the c I the reference may be singular (always-zero
		// pixels): then there is no raw KL, written as NaN.
		kw, err := lindiff.KL(p, qRaw)
		if err != nil {
			kw = math.NaN()
			rawNote = true
		}
		ko, err := lindiff.KL(p, qOpt)
		if err != nil {
			return fmt.Errorf("fashion N = %d: %w", n, err)
		}
		tr, err := e.Loss(mean, cov)
		if err != nil {
			return err
		}
		te, err := e.Loss(meanT, covT)
		if err != nil {
			return err
		}
		// n of m images drawn without replacement: the moment errors have
		// the variance of n independent draws times (m-n)/(m-1).
		fpc := float64(m-n) / float64(m-1) / float64(n)
		thG, th4 := aGauss*fpc/fd, a4*fpc/fd
		rows = append(rows, []string{fmt.Sprint(n), g(kr / fd), g(kw / fd), g(ko / fd), g(thG), g(th4), g(tr / fd), g(te / fd)})
		klReg, klOpt, trainL, testL = append(klReg, kr/fd), append(klOpt, ko/fd), append(trainL, tr/fd), append(testL, te/fd)
		theory, theory4, neff = append(theory, thG), append(theory4, th4), append(neff, 1/fpc)
		fmt.Printf("fashion N = %d: KL/d %.4g, to full-data model %.4g, test loss/d %.4g (%.1fs)\n", n, kr/fd, ko/fd, te/fd, time.Since(start).Seconds())
	}
	if rawNote {
		fmt.Println("fashion: the full-set covariance is singular; kl_raw_per_d is NaN")
	}
	if err := writeCSV(filepath.Join(c.out, "fashion_kl.csv"), header, rows); err != nil {
		return err
	}
	xs := make([]float64, len(ns))
	for i, n := range ns {
		xs[i] = float64(n)
	}
	xy := func(y []float64) plotter.XYs {
		var out plotter.XYs
		for i := range y {
			out = append(out, plotter.XY{X: xs[i], Y: y[i]})
		}
		return out
	}
	title := fmt.Sprintf("Fashion-MNIST, d = %d, T = %d, exact model on the first N images", d, c.T)
	if err := savePlot(filepath.Join(c.out, "fashion_kl.svg"), title, "N", "KL / d", true, true, []curve{
		{name: "KL(learned || model on all images)", xy: xy(klOpt), points: true, color: 1},
		{name: "KL(learned || full-set Gaussian + cI)", xy: xy(klReg), points: true, color: 0},
		{name: "large-N theory, Gaussian data", xy: xy(theory), dash: 2, color: -1},
		{name: "large-N theory, fourth moments of the images", xy: xy(theory4), dash: 1, color: 1},
	}); err != nil {
		return err
	}
	if err := savePlot(filepath.Join(c.out, "fashion_loss.svg"), title, "N", "denoising loss / d", true, false, []curve{
		{name: "training loss", xy: xy(trainL), points: true, color: 0},
		{name: "test loss", xy: xy(testL), points: true, color: 1},
	}); err != nil {
		return err
	}

	// Slopes on the large-N side, d < N <= m/2 (above m/2 the subsets
	// are most of the reference set).
	var sx, sn, sr, so, rg, r4 []float64
	for i, n := range ns {
		if n > d && 2*n <= m {
			sx, sn, sr, so = append(sx, xs[i]), append(sn, neff[i]), append(sr, klReg[i]), append(so, klOpt[i])
			rg, r4 = append(rg, klOpt[i]/theory[i]), append(r4, klOpt[i]/theory4[i])
		}
	}
	mg, _ := meanSE(rg)
	m4, _ := meanSE(r4)
	sumRows := [][]string{
		{"zero_variance_pixels", fmt.Sprint(zeroPix)},
		{"eigenvalue_min", g(full.Lambda[0])},
		{"eigenvalue_max", g(full.Lambda[d-1])},
		{"model_zero_mode_variance_c", g(c0)},
		{"slope_fit_N_from", fmt.Sprint(firstOr(sx))},
		{"slope_fit_N_to", fmt.Sprint(lastOr(sx))},
		{"slope_kl", g(logSlope(sx, sr))},
		{"slope_klopt", g(logSlope(sx, so))},
		{"slope_kl_vs_Neff", g(logSlope(sn, sr))},
		{"slope_klopt_vs_Neff", g(logSlope(sn, so))},
		{"theory_gaussian_over_d(d+3)/4", g(aGauss / (fd * (fd + 3) / 4))},
		{"theory_fourth_over_d(d+3)/4", g(a4 / (fd * (fd + 3) / 4))},
		{"klopt_over_theory_gaussian", g(mg)},
		{"klopt_over_theory_fourth", g(m4)},
	}
	exp, amp := powerFit(full.Lambda, c.fitLo, c.fitHi)
	sumRows = append(sumRows, []string{"spectrum_fit_rank_from", fmt.Sprint(c.fitLo)}, []string{"spectrum_fit_rank_to", fmt.Sprint(c.fitHi)},
		[]string{"spectrum_exponent_k", g(exp)}, []string{"spectrum_amplitude", g(amp)})
	if err := writeCSV(filepath.Join(c.out, "fashion_summary.csv"), []string{"quantity", "value"}, sumRows); err != nil {
		return err
	}

	// Samples, drawn mode by mode (no T d^2 weights).
	for _, n := range []int{ns[len(ns)-1], c.samplesN} {
		e := models[n]
		if e == nil { // -samples-n not among -n
			sub, err := lindiff.Subset(train, n)
			if err != nil {
				return err
			}
			if e, err = lindiff.FitExact(sub, s, 0); err != nil {
				return err
			}
		}
		x, err := e.SampleModes(c.samples, sampler)
		if err != nil {
			return err
		}
		if err := saveGrid(filepath.Join(c.out, fmt.Sprintf("fashion_samples_N%d.png", n)), x, side); err != nil {
			return err
		}
	}
	first, err := lindiff.Subset(train, min(c.samples, m))
	if err != nil {
		return err
	}
	if err := saveGrid(filepath.Join(c.out, "fashion_train.png"), first, side); err != nil {
		return err
	}
	fmt.Printf("fashion: wrote %s (%.1fs)\n", c.out, time.Since(start).Seconds())
	return nil
}

// fourth returns N Var(Delta_ij) of the images in the eigenbasis U of their
// covariance, treating the training set as the population: with z = U^T (x
// - mu), E[z_i^2 z_j^2] - delta_ij lambda_i^2 (E z_i z_j = 0 off the
// diagonal). Gaussian data would give (1 + delta_ij) lambda_i lambda_j.
func fourth(x *mat.Dense, e *lindiff.Exact) *mat.SymDense {
	m, d := x.Dims()
	ut := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	for i := range d {
		for j := range d {
			ut.Data[i*d+j] = e.U.At(j, i)
		}
	}
	bias := make([]float64, d) // -U^T mu: z = U^T x + bias
	kernels.MatVecs(kernels.Matrix[float64]{Rows: 1, Cols: d, Data: bias, Stride: d}, ut,
		kernels.Matrix[float64]{Rows: 1, Cols: d, Data: e.Mean, Stride: d}, nil)
	kernels.Scale(-1, bias)
	acc := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	const block = 1024
	z := kernels.Matrix[float64]{Cols: d, Stride: d, Data: make([]float64, block*d)}
	raw := x.RawMatrix()
	for i0 := 0; i0 < m; i0 += block {
		rows := min(block, m-i0)
		z.Rows, z.Data = rows, z.Data[:rows*d]
		xb := kernels.Matrix[float64]{Rows: rows, Cols: d, Data: raw.Data[i0*raw.Stride:], Stride: raw.Stride}
		kernels.MatVecs(z, ut, xb, bias)
		kernels.Mul(z.Data, z.Data, z.Data)
		kernels.AddOuters(acc, nil, z, z)
	}
	v := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			s := (acc.Data[i*d+j] + acc.Data[j*d+i]) / 2 / float64(m)
			if i == j {
				s -= e.Lambda[i] * e.Lambda[i]
			}
			v.SetSym(i, j, s)
		}
	}
	return v
}

func firstOr(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return v[0]
}

func lastOr(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return v[len(v)-1]
}

// powerFit fits lambda_nu = amp nu^-k by least squares on log-log over the
// ranks lo..hi (1 = largest) of the ascending eigenvalues lam; ranks of
// zero eigenvalues are left out.
func powerFit(lam []float64, lo, hi int) (k, amp float64) {
	d := len(lam)
	var xs, ys []float64
	for nu := lo; nu <= hi; nu++ {
		xs = append(xs, float64(nu))
		ys = append(ys, lam[d-nu])
	}
	k = -logSlope(xs, ys)
	// The intercept from the means of the logs.
	var mx, my, n float64
	for i := range xs {
		if ys[i] > 0 {
			mx += math.Log(xs[i])
			my += math.Log(ys[i])
			n++
		}
	}
	return k, math.Exp((my + k*mx) / n)
}

// spectrum writes the eigenvalues of the training covariance (largest
// first) with the power-law fit, as CSV and a log-log plot.
func spectrum(c config, lam []float64) error {
	d := len(lam)
	k, amp := powerFit(lam, c.fitLo, c.fitHi)
	var rows [][]string
	var pts, fit plotter.XYs
	for nu := 1; nu <= d; nu++ {
		l := lam[d-nu]
		f := amp * math.Pow(float64(nu), -k)
		rows = append(rows, []string{fmt.Sprint(nu), g(l), g(f)})
		pts = append(pts, plotter.XY{X: float64(nu), Y: l})
		if nu >= c.fitLo && nu <= c.fitHi {
			fit = append(fit, plotter.XY{X: float64(nu), Y: f})
		}
	}
	if err := writeCSV(filepath.Join(c.out, "fashion_spectrum.csv"), []string{"rank", "eigenvalue", "power_law_fit"}, rows); err != nil {
		return err
	}
	fmt.Printf("fashion: spectrum lambda_nu ~ %.4g nu^-%.4f over ranks %d..%d\n", amp, k, c.fitLo, c.fitHi)
	return savePlot(filepath.Join(c.out, "fashion_spectrum.svg"),
		fmt.Sprintf("Fashion-MNIST covariance spectrum, d = %d", d), "rank nu", "eigenvalue lambda_nu", true, true, []curve{
			{name: "eigenvalues of the training covariance", xy: pts, color: 0},
			{name: fmt.Sprintf("fit %.3g nu^-%.3f (ranks %d-%d)", amp, k, c.fitLo, c.fitHi), xy: fit, dash: 1, color: 1},
		})
}
