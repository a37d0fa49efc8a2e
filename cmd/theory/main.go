// Command theory runs the experiments of docs/theory (issue 15, item 4):
// normalizing flows (models/flow) trained on Hybrid Monte Carlo samples of
// lattice phi^4 (models/phi4), their learned action S(x) = -log p(x) read
// as a polynomial (models/action) and compared with the true couplings,
// after Merger et al., "Learning Interacting Theories from Data", PRX 13,
// 041033 (2023):
//
//	theory -mode symmetric -out docs/theory   # A2, A4 of the learned action against the truth, vs N and depth
//	theory -mode gauss -out docs/theory       # lambda = 0: A2 against the sample inverse covariance
//	theory -mode broken -out docs/theory      # bimodal data: cumulants 1-3 (and 4) of the model vs the data
//	theory -mode sampler -out docs/theory     # the flow as an independence Metropolis proposal vs HMC
//	theory -mode overshoot -out docs/theory   # why A4_iiii at 0 overshoots with depth: longer training, larger N, a fit over the data
//	theory -mode lattice2d -out docs/theory   # A2 and A4_iiii vs N and depth on a larger 2-D lattice (8x8)
//	theory -mode all -out docs/theory         # all six
//
// Every mode writes CSV files and SVG+PNG plots into -out and progress
// lines with timings to stderr. The CSV files depend only on the flags:
// the same seed gives the same bytes on every kernel tier (FLOWKERN_ISA)
// and architecture. Bad flags are one line on stderr and exit status 2,
// a failure exit status 1; -h prints the flags and exits 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// config holds the flags.
type config struct {
	mode, out string
	seed      uint64

	// Sampling (HMC) and training, shared by the modes.
	chains, hmcSteps       int
	eps, jitter            float64
	nval, ntest            int
	hidden, batch, maxEp   int
	budget                 int // rows processed per training run (sets the epochs)
	lr                     float64
	jobs                   int
	reps                   int
	samplesPerModel        int // model samples drawn for moments (multiple of N)
	symL, sym2D            int
	m2                     float64
	lambdas                []float64
	ns, ns2D, depths       []int
	brokenL, brokenN       int
	brokenM2, brokenLambda float64
	brokenDepth            int
	samplerL               []int
	samplerM2, samplerLam  float64
	samplerN, samplerDepth int
	proposals              int
	probeRuns              []probeRun
	probeLambda            float64
	probeReps              int
	bigL                   int
	bigNs                  []int

	log io.Writer
}

// usageError marks a bad command line (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// run executes the command line and returns the exit status.
func run(args []string, stderr io.Writer) int {
	err := runErr(args, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(stderr, "theory:", strings.Join(strings.Fields(err.Error()), " "))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func runErr(args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	modes := []string{c.mode}
	if c.mode == "all" {
		modes = []string{"symmetric", "gauss", "broken", "sampler", "overshoot", "lattice2d"}
	}
	for _, m := range modes {
		start := time.Now()
		var err error
		switch m {
		case "symmetric":
			err = symmetric(c)
		case "gauss":
			err = gauss(c)
		case "broken":
			err = broken(c)
		case "sampler":
			err = sampler(c)
		case "overshoot":
			err = overshoot(c)
		case "lattice2d":
			err = lattice2d(c)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		fmt.Fprintf(c.log, "%s: done in %.1f s\n", m, time.Since(start).Seconds())
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("theory", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := config{log: stderr}
	var lambdas, ns, ns2D, depths, samplerL, probeRuns, bigNs string
	fs.StringVar(&c.mode, "mode", "", "experiment: symmetric, gauss, broken, sampler, overshoot, lattice2d or all")
	fs.StringVar(&c.out, "out", "theory-out", "output directory (created)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the samplers, the flows and their training")

	fs.IntVar(&c.chains, "chains", 32, "HMC chains run together")
	fs.IntVar(&c.hmcSteps, "hmc-steps", 10, "leapfrog steps per HMC trajectory")
	fs.Float64Var(&c.eps, "eps", 0.1, "HMC leapfrog step size (> 0)")
	fs.Float64Var(&c.jitter, "jitter", 0.3, "HMC step-size jitter in [0, 1)")
	fs.IntVar(&c.nval, "nval", 4000, "validation samples (independent chains) for choosing the epoch")
	fs.IntVar(&c.ntest, "ntest", 16000, "test samples (independent chains) for the KL divergence and the moments")
	fs.IntVar(&c.hidden, "hidden", 32, "width of the two hidden layers of each coupling's conditioner")
	fs.IntVar(&c.batch, "batch", 256, "training minibatch")
	fs.IntVar(&c.maxEp, "max-epochs", 200, "most epochs of one training run")
	fs.IntVar(&c.budget, "budget", 1000000, "rows processed per training run: epochs = budget/N, within [3, max-epochs]")
	fs.Float64Var(&c.lr, "lr", 1e-3, "peak learning rate (Adam, cosine decay)")
	fs.IntVar(&c.jobs, "jobs", 2, "training runs in parallel (results do not depend on it)")
	fs.IntVar(&c.reps, "reps", 8, "symmetric, gauss, lattice2d: replicates (independent HMC data and flow seeds) of every N and depth")
	fs.IntVar(&c.samplesPerModel, "model-samples", 4, "broken: samples drawn from the trained flow, as a multiple of its N")

	fs.IntVar(&c.symL, "L", 8, "symmetric, gauss: extent of the 1-D lattice")
	fs.IntVar(&c.sym2D, "L2d", 4, "symmetric: extent of the L2d x L2d lattice of the 2-D case (0: none)")
	fs.Float64Var(&c.m2, "m2", 1, "symmetric, gauss: m^2")
	fs.StringVar(&lambdas, "lambdas", "0.5,2", "symmetric: quartic couplings lambda (> 0)")
	fs.StringVar(&ns, "ns", "1000,4000,16000,64000", "symmetric, gauss: training set sizes N (1-D)")
	fs.StringVar(&ns2D, "ns2d", "1000,4000,16000", "symmetric: training set sizes N of the 2-D case")
	fs.StringVar(&depths, "depths", "2,4,8", "symmetric, gauss: depths (Glow blocks of ActNorm, LU and affine coupling)")

	fs.IntVar(&c.brokenL, "broken-L", 8, "broken: extent of the 1-D lattice")
	fs.Float64Var(&c.brokenM2, "broken-m2", -1.5, "broken: m^2 (< 0 for the double well)")
	fs.Float64Var(&c.brokenLambda, "broken-lambda", 0.5, "broken: lambda")
	fs.IntVar(&c.brokenN, "broken-n", 32000, "broken: training samples")
	fs.IntVar(&c.brokenDepth, "broken-depth", 8, "broken: depth")

	fs.StringVar(&samplerL, "sampler-L", "4,6,8", "sampler: extents of the L x L lattices")
	fs.Float64Var(&c.samplerM2, "sampler-m2", -4, "sampler: m^2")
	fs.Float64Var(&c.samplerLam, "sampler-lambda", 8, "sampler: lambda")
	fs.IntVar(&c.samplerN, "sampler-n", 32000, "sampler: training samples")
	fs.IntVar(&c.samplerDepth, "sampler-depth", 8, "sampler: depth")
	fs.IntVar(&c.proposals, "proposals", 32000, "sampler: flow proposals per lattice (4 Metropolis chains)")

	fs.StringVar(&probeRuns, "probe-runs", "64000/15/1e-3,64000/60/1e-3,64000/240/1e-3,64000/60/2.5e-4,256000/15/1e-3",
		"overshoot: training variants N/epochs/lr (on the -L lattice, m2 = -m2)")
	fs.Float64Var(&c.probeLambda, "probe-lambda", 2, "overshoot: lambda")
	fs.IntVar(&c.probeReps, "probe-reps", 4, "overshoot: replicates (own HMC data and flow seed) of every variant and depth")
	fs.IntVar(&c.bigL, "big-L", 8, "lattice2d: extent of the L x L lattice (lambda: the middle of -lambdas)")
	fs.StringVar(&bigNs, "big-ns", "4000,16000,64000", "lattice2d: training set sizes N")

	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "usage: theory -mode symmetric|gauss|broken|sampler|overshoot|lattice2d|all [-out dir] [flags]\n\nflags:")
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return c, flag.ErrHelp
	}
	if err != nil {
		return c, usagef("%v (theory -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return c, usagef("unexpected arguments %q (theory -h lists the flags)", fs.Args())
	}
	switch c.mode {
	case "symmetric", "gauss", "broken", "sampler", "overshoot", "lattice2d", "all":
	case "":
		return c, usagef("-mode is required: symmetric, gauss, broken, sampler, overshoot, lattice2d or all")
	default:
		return c, usagef("-mode %q: not symmetric, gauss, broken, sampler, overshoot, lattice2d or all", c.mode)
	}
	if c.probeRuns, err = parseProbeRuns(probeRuns); err != nil {
		return c, err
	}
	if c.bigNs, err = intList("-big-ns", bigNs, 2); err != nil {
		return c, err
	}
	if c.lambdas, err = floatList("-lambdas", lambdas); err != nil {
		return c, err
	}
	for _, l := range c.lambdas {
		if !(l > 0) || l > 1e6 {
			return c, usagef("-lambdas: %v is not a positive coupling (lambda = 0 is -mode gauss)", l)
		}
	}
	if c.ns, err = intList("-ns", ns, 2); err != nil {
		return c, err
	}
	if c.ns2D, err = intList("-ns2d", ns2D, 2); err != nil {
		return c, err
	}
	if c.depths, err = intList("-depths", depths, 1); err != nil {
		return c, err
	}
	if c.samplerL, err = intList("-sampler-L", samplerL, 2); err != nil {
		return c, err
	}
	for _, l := range c.samplerL {
		if l > 16 {
			return c, usagef("-sampler-L: %d is larger than 16 (d = L^2 would be above 256)", l)
		}
	}
	type check struct {
		bad bool
		msg string
	}
	for _, k := range []check{
		{c.symL < 1, fmt.Sprintf("-L %d: the lattice size must be positive", c.symL)},
		{c.symL < 2, fmt.Sprintf("-L %d: the experiments need at least 2 sites", c.symL)},
		{c.symL > 64, fmt.Sprintf("-L %d: at most 64 sites", c.symL)},
		{c.sym2D < 0 || c.sym2D == 1 || c.sym2D > 8, fmt.Sprintf("-L2d %d: want 0 (none) or 2..8", c.sym2D)},
		{c.brokenL < 1, fmt.Sprintf("-broken-L %d: the lattice size must be positive", c.brokenL)},
		{c.brokenL < 2, fmt.Sprintf("-broken-L %d: the experiments need at least 2 sites", c.brokenL)},
		{c.brokenL > 64, fmt.Sprintf("-broken-L %d: at most 64 sites", c.brokenL)},
		{!(c.eps > 0) || c.eps > 10, fmt.Sprintf("-eps %v: the step size must be positive (and at most 10)", c.eps)},
		{c.hmcSteps < 1, fmt.Sprintf("-hmc-steps %d: need at least 1", c.hmcSteps)},
		{!(c.jitter >= 0 && c.jitter < 1), fmt.Sprintf("-jitter %v: want 0 <= jitter < 1", c.jitter)},
		{c.chains < 1, fmt.Sprintf("-chains %d: need at least 1", c.chains)},
		{c.nval < 2 || c.ntest < 2, fmt.Sprintf("-nval %d -ntest %d: need at least 2 each", c.nval, c.ntest)},
		{c.hidden < 1 || c.batch < 1 || c.maxEp < 3, fmt.Sprintf("-hidden %d -batch %d -max-epochs %d: need >= 1, >= 1, >= 3", c.hidden, c.batch, c.maxEp)},
		{c.budget < 1, fmt.Sprintf("-budget %d: need at least 1", c.budget)},
		{!(c.lr > 0) || c.lr > 1, fmt.Sprintf("-lr %v: want 0 < lr <= 1", c.lr)},
		{c.jobs < 1, fmt.Sprintf("-jobs %d: need at least 1", c.jobs)},
		{c.reps < 1 || c.reps > 20, fmt.Sprintf("-reps %d: want 1..20", c.reps)},
		{c.probeReps < 1 || c.probeReps > 20, fmt.Sprintf("-probe-reps %d: want 1..20", c.probeReps)},
		{!(c.probeLambda > 0) || c.probeLambda > 1e6, fmt.Sprintf("-probe-lambda %v: need lambda > 0", c.probeLambda)},
		{c.bigL < 2 || c.bigL > 16, fmt.Sprintf("-big-L %d: want 2..16", c.bigL)},
		{c.samplesPerModel < 1, fmt.Sprintf("-model-samples %d: need at least 1", c.samplesPerModel)},
		{!finite(c.m2) || !finite(c.brokenM2) || !finite(c.samplerM2), "m^2 flags must be finite"},
		{!(c.brokenLambda > 0) || !(c.samplerLam > 0), fmt.Sprintf("-broken-lambda %v -sampler-lambda %v: need lambda > 0", c.brokenLambda, c.samplerLam)},
		{c.brokenN < 2 || c.samplerN < 2, fmt.Sprintf("-broken-n %d -sampler-n %d: need at least 2 samples", c.brokenN, c.samplerN)},
		{c.brokenDepth < 1 || c.samplerDepth < 1, fmt.Sprintf("-broken-depth %d -sampler-depth %d: need at least 1", c.brokenDepth, c.samplerDepth)},
		{c.proposals < 8, fmt.Sprintf("-proposals %d: need at least 8", c.proposals)},
	} {
		if k.bad {
			return c, usageError{errors.New(k.msg)}
		}
	}
	if c.mode == "symmetric" || c.mode == "gauss" || c.mode == "overshoot" || c.mode == "lattice2d" || c.mode == "all" {
		if !(c.m2 > 0) {
			return c, usagef("-m2 %v: the symmetric and Gaussian experiments need m^2 > 0", c.m2)
		}
	}
	return c, nil
}

func finite(v float64) bool { return v-v == 0 }

func floatList(name, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !finite(v) {
			return nil, usagef("%s: %q is not a finite number", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func intList(name, s string, lo int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < lo {
			return nil, usagef("%s: %q is not an integer >= %d", name, f, lo)
		}
		out = append(out, v)
	}
	return out, nil
}
