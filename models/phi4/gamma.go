package phi4

import (
	"fmt"
	"math"
)

// Estimate is a Monte Carlo estimate with its error bar from the Gamma
// method.
type Estimate struct {
	Value float64
	// Err is the standard error of Value, autocorrelations included:
	// sqrt(2 Tau Var / N) for a primary observable.
	Err float64
	// Tau is the integrated autocorrelation time in units of the sample
	// spacing (0.5 for independent samples), TauErr its error.
	Tau, TauErr float64
	// Window is the summation window W the automatic rule chose; Capped
	// reports that the rule found none below half a chain's length, so W
	// is that limit and Err is likely too small: the chains are too short
	// for their autocorrelation.
	Window int
	Capped bool
}

// gammaS is Wolff's S: the window rule's guess of tau_exp/tau_int.
const gammaS = 1.5

// Gamma estimates the mean of one observable from its series: chains
// chains of equal length, back to back (chain-major, as Run.Samples). See
// GammaFunc.
func Gamma(series []float64, chains int) (Estimate, error) {
	return GammaFunc([][]float64{series}, chains, func(a []float64) float64 { return a[0] })
}

// GammaFunc estimates f(<a_1>, ..., <a_k>) for primary observables a_alpha
// given as series prim[alpha] (all of one length N: chains chains of N/chains
// samples each, back to back), with Wolff's Gamma method ("Monte Carlo
// errors with less errors", Comput. Phys. Commun. 156 (2004) 143):
//
//   - the derivatives f_alpha by central differences with steps
//     h_alpha = sqrt(Gamma_alpha alpha(0)/N)/2, and the projected series
//     sum_alpha f_alpha (a_alpha - abar_alpha);
//   - its autocorrelation function Gamma(t), averaged over the chains,
//     normalised by N - chains*t;
//   - the window: the first W with exp(-W/tau) - tau/sqrt(W N) < 0, where
//     tau = S/ln((2 tau_int(W) + 1)/(2 tau_int(W) - 1)) and S = 1.5; but
//     when Gamma(1) < 0 (anticorrelation, where that rule stops at W = 1
//     and misses the positive even lags), the last odd W = 2K+1 for which
//     every pair Gamma(2k) + Gamma(2k+1), k <= K, is positive (Geyer's
//     initial positive sequence, Stat. Sci. 7 (1992) 473);
//   - the bias correction Gamma(t) += C(W)/N, then Err = sqrt(C(W)/N),
//     Tau = C(W)/(2 Gamma(0)), TauErr = 2 Tau sqrt((W + 1/2 - Tau)/N), with
//     C(W) = Gamma(0) + 2 sum_{t=1..W} Gamma(t).
//
// Value is f at the means (no bias correction for f's curvature). It
// reports an error for no series, series of different lengths, a length
// that chains does not divide or chains shorter than 2 samples, and NaN or
// Inf in the data.
func GammaFunc(prim [][]float64, chains int, f func(a []float64) float64) (Estimate, error) {
	if len(prim) == 0 {
		return Estimate{}, fmt.Errorf("phi4: GammaFunc: no observables")
	}
	n := len(prim[0])
	if chains < 1 {
		return Estimate{}, fmt.Errorf("phi4: GammaFunc: %d chains < 1", chains)
	}
	for al, a := range prim {
		if len(a) != n {
			return Estimate{}, fmt.Errorf("phi4: GammaFunc: observable %d has %d samples, observable 0 %d", al, len(a), n)
		}
		for i, x := range a {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return Estimate{}, fmt.Errorf("phi4: GammaFunc: sample %d of observable %d is %v", i, al, x)
			}
		}
	}
	if n%chains != 0 || n/chains < 2 {
		return Estimate{}, fmt.Errorf("phi4: GammaFunc: %d samples do not make %d chains of >= 2 equal lengths", n, chains)
	}
	nf := float64(n)
	k := len(prim)
	abar := make([]float64, k)
	for al, a := range prim {
		var s float64
		for _, x := range a {
			s += x
		}
		abar[al] = s / nf
	}
	value := f(abar)
	// Derivatives and the projected series.
	pf := make([]float64, n)
	arg := make([]float64, k)
	for al, a := range prim {
		var v float64
		for _, x := range a {
			v += (x - abar[al]) * (x - abar[al])
		}
		h := math.Sqrt(v/nf) / math.Sqrt(nf) / 2
		if h == 0 {
			continue
		}
		copy(arg, abar)
		arg[al] = abar[al] + h
		fp := f(arg)
		arg[al] = abar[al] - h
		fm := f(arg)
		d := (fp - fm) / (2 * h)
		for i, x := range a {
			pf[i] += d * (x - abar[al])
		}
	}
	nr := n / chains
	gamma := func(t int) float64 {
		var s float64
		for r := range chains {
			c := pf[r*nr : (r+1)*nr]
			for i := 0; i+t < nr; i++ {
				s += c[i] * c[i+t]
			}
		}
		return s / float64(n-chains*t)
	}
	g0 := gamma(0)
	if g0 == 0 {
		return Estimate{Value: value, Tau: 0.5}, nil
	}
	gs := []float64{g0}
	wmax := max(nr/2, 1)
	w, capped := 0, true
	if g1 := gamma(1); g1 < 0 {
		// Anticorrelated at lag 1 (HMC often is): tau_int(W) starts below
		// 1/2, where Wolff's rule has no tau and stops at W = 1, missing
		// the positive even lags (rho = -0.5 would get tau = 0). Geyer's
		// initial positive sequence instead: add the pairs
		// Gamma(2k) + Gamma(2k+1) while they are positive.
		gs = append(gs, g1)
		w, capped = 1, false
		for k := 1; 2*k+1 <= wmax; k++ {
			a, b := gamma(2*k), gamma(2*k+1)
			if a+b <= 0 {
				break
			}
			gs = append(gs, a, b)
			w = 2*k + 1
		}
	} else {
		c := g0
		for t := 1; t <= wmax; t++ {
			gt := g1
			if t > 1 {
				gt = gamma(t)
			}
			gs = append(gs, gt)
			c += 2 * gt
			tint := c / (2 * g0)
			tau := 1e-300 // tau_int <= 1/2: no correlation left to sum
			if tint > 0.5 {
				tau = gammaS / math.Log((2*tint+1)/(2*tint-1))
			}
			if math.Exp(-float64(t)/tau)-tau/math.Sqrt(float64(t)*nf) < 0 {
				w, capped = t, false
				break
			}
		}
		if capped {
			w = wmax
		}
	}
	// Bias correction.
	cw := g0
	for t := 1; t <= w; t++ {
		cw += 2 * gs[t]
	}
	shift := cw / nf
	g0c := g0 + shift
	cw += float64(2*w+1) * shift
	cw = max(cw, 0)
	tau := cw / (2 * g0c)
	return Estimate{
		Value:  value,
		Err:    math.Sqrt(cw / nf),
		Tau:    tau,
		TauErr: 2 * tau * math.Sqrt(max(float64(w)+0.5-tau, 0)/nf),
		Window: w,
		Capped: capped,
	}, nil
}
