package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/phi4"
)

// mhChains is the number of independence Metropolis chains per lattice.
const mhChains = 4

// imh runs independence Metropolis chains with proposals x_t (rows of x)
// of density q: from the current x, x_t is accepted with probability
// min(1, p(x_t) q(x) / (p(x) q(x_t))), i.e. when log u < w_t - w with the
// log-weights w = -S - log q (p = exp(-S) unnormalised). The proposals are
// split into mhChains consecutive segments, one chain each, starting at the
// segment's first proposal; it returns the chains' states (chain-major
// rows) and the number of accepted proposals. The log-uniforms come from
// kernels.Log of uniforms in (0, 1) drawn from kernels.NewNormal(seed,
// chain).
func imh(x kernels.Matrix[float64], w []float64, seed uint64) (kernels.Matrix[float64], int) {
	per := x.Rows / mhChains
	v := x.Cols
	out := kernels.Matrix[float64]{Rows: per * mhChains, Cols: v, Stride: v, Data: make([]float64, per*mhChains*v)}
	acc := 0
	u := make([]float64, per)
	for ch := range mhChains {
		gen := kernels.NewNormal(seed, uint64(ch))
		for t := range u {
			// (2k + 1) 2^-54 for a 53-bit k: never 0 or 1.
			u[t] = float64(2*(gen.Uint64()>>11)+1) * 0x1p-54
		}
		lu := logs(u)
		cur := ch * per
		for t := range per {
			prop := ch*per + t
			if t > 0 && lu[t] < w[prop]-w[cur] {
				cur = prop
				acc++
			}
			copy(out.Data[(ch*per+t)*v:(ch*per+t+1)*v], x.Data[cur*x.Stride:cur*x.Stride+v])
		}
	}
	return out, acc
}

// kish returns the effective sample size fraction of importance weights
// e^w: (sum e^w)^2 / (n sum e^2w).
func kish(w []float64) float64 {
	m := maxOf(w)
	e := make([]float64, len(w))
	for i, v := range w {
		e[i] = v - m
	}
	kernels.Exp(e, e)
	var s, s2 float64
	for _, v := range e {
		s += v
		s2 += float64(v * v)
	}
	return float64(s*s) / float64(float64(len(w))*s2)
}

// sampler: the trained flow as an independence Metropolis proposal
// against HMC, on L x L lattices.
func sampler(c config) error {
	header := slices.Concat([]string{"L", "sites", "m2", "lambda", "N", "depth", "epochs", "best_epoch", "hmc_acceptance"},
		tauHeader("tau_hmc_"), []string{"proposals", "imh_acceptance", "kish_ess_fraction"},
		tauHeader("tau_imh_"), []string{"ess_per_hmc_trajectory", "ess_per_flow_proposal",
			"abs_m_hmc", "abs_m_hmc_se", "abs_m_imh", "abs_m_imh_se", "chi_hmc", "chi_hmc_se", "chi_imh", "chi_imh_se",
			"phi2_hmc", "phi2_hmc_se", "phi2_imh", "phi2_imh_se"})
	var rows [][]string
	var timing strings.Builder
	fmt.Fprintf(&timing, "# seconds on this run's machine (kernels tier %s); not deterministic, so not a CSV file\n", kernels.ISA())
	fmt.Fprintln(&timing, "L\thmc_seconds_per_trajectory\tflow_seconds_per_proposal\ttraining_seconds")
	var ls, essH, essF, acc []float64
	for k, L := range c.samplerL {
		shape := []int{L, L}
		th, err := phi4.New(shape, c.samplerM2, c.samplerLam)
		if err != nil {
			return err
		}
		start := time.Now()
		e, err := c.sample(th, c.samplerN, c.seed*1000+300+10*uint64(k))
		if err != nil {
			return err
		}
		total := time.Since(start).Seconds()
		// Trajectories of the whole sampling: pilot plus the three sets.
		trajs := float64(c.chains) * (pilotPerChain + pilotTherm)
		for _, n := range []int{c.samplerN, c.nval, c.ntest} {
			trajs += float64(c.chains) * float64(200+20*e.thin+(n+c.chains-1)/c.chains*e.thin)
		}
		fmt.Fprintf(c.log, "sampler %dx%d: HMC acceptance %.3f, tau_int %v, thin %d\n", L, L, e.acc, e.pilot, e.thin)
		sp, err := c.spec(shape, c.samplerDepth)
		if err != nil {
			return err
		}
		ft, err := c.train(sp, c.seed, e.train, e.val)
		if err != nil {
			return err
		}
		ft.f.SetWorkers(0)
		nprop := c.proposals / mhChains * mhChains
		start = time.Now()
		xs := kernels.Matrix[float32]{Rows: nprop, Cols: L * L, Stride: L * L, Data: make([]float32, nprop*L*L)}
		ft.f.Sample(xs, c.seed+11)
		lq := make([]float64, nprop)
		ft.f.LogProb(lq, xs)
		x := to64(xs)
		s := make([]float64, nprop)
		if err := th.Action(s, x); err != nil {
			return err
		}
		w := make([]float64, nprop)
		for i := range w {
			w[i] = -s[i] - lq[i]
		}
		chain, accepted := imh(x, w, c.seed+13)
		perProp := time.Since(start).Seconds() / float64(nprop)
		fmt.Fprintf(&timing, "%d\t%.3g\t%.3g\t%.1f\n", L, total/trajs, perProp, ft.seconds)
		tauF, err := taus(chain, shape, mhChains)
		if err != nil {
			return err
		}
		oF, err := phi4.Measure(chain, mhChains)
		if err != nil {
			return err
		}
		oH, err := phi4.Measure(e.trainRun.Samples, e.trainRun.Chains)
		if err != nil {
			return err
		}
		eh, ef := 1/(2*maxOf(e.pilot[:])), 1/(2*maxOf(tauF[:]))
		ar := float64(accepted) / float64(nprop-mhChains)
		fmt.Fprintf(c.log, "sampler %dx%d: %d epochs in %.1f s; independence Metropolis acceptance %.3f, tau_int %v; ESS per proposal %.3f vs per HMC trajectory %.3f\n",
			L, L, ft.epochs, ft.seconds, ar, tauF, ef, eh)
		rows = append(rows, slices.Concat([]string{strconv.Itoa(L), strconv.Itoa(L * L), g(c.samplerM2), g(c.samplerLam), strconv.Itoa(c.samplerN),
			strconv.Itoa(c.samplerDepth), strconv.Itoa(ft.epochs), strconv.Itoa(ft.hist.Best + 1), g(e.acc)},
			e.pilot.cols(), []string{strconv.Itoa(nprop), g(ar), g(kish(w))}, tauF.cols(), []string{g(eh), g(ef),
				g(oH.AbsM.Value), g(oH.AbsM.Err), g(oF.AbsM.Value), g(oF.AbsM.Err), g(oH.Chi.Value), g(oH.Chi.Err), g(oF.Chi.Value), g(oF.Chi.Err),
				g(oH.Phi2.Value), g(oH.Phi2.Err), g(oF.Phi2.Value), g(oF.Phi2.Err)}))
		ls = append(ls, float64(L))
		essH = append(essH, eh)
		essF = append(essF, ef)
		acc = append(acc, ar)
	}
	if err := writeCSV(c.out, "sampler.csv", header, rows); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.out, "sampler_timing.txt"), []byte(timing.String()), 0o644); err != nil {
		return err
	}
	fg := figure{title: fmt.Sprintf("flow proposals vs HMC, L x L, m2 = %g, lambda = %g", c.samplerM2, c.samplerLam),
		xlab: "L", ylab: "per HMC trajectory or per flow proposal", logY: true, legendBottom: true, legendLeft: true,
		curves: []curve{
			{name: "ESS per HMC trajectory (worst of m, |m|, m^2, phi^2, m_s^2)", xy: xys(ls, essH), points: true, color: 0},
			{name: "ESS per flow proposal (same)", xy: xys(ls, essF), points: true, color: 1},
			{name: "independence Metropolis acceptance", xy: xys(ls, acc), points: true, color: 2, dash: 1},
		}}
	return fg.save(c.out, "sampler")
}
