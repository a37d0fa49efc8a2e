// Command bench is flowkern's report: what this machine is and can do, an
// equivalence run of every kernel on every tier against the reference, and
// every kernel measured against gonum, vek and pure Go (and OpenBLAS and
// SLEEF when built with the openblas or sleef tags) in one run, and the
// models (normalizing flows, linear diffusion sampler) against PyTorch and
// gonum.
//
//	go run ./bench                    # full run, report in ./flowkern-report
//	go run ./bench -quick             # under a minute
//	go run ./bench -models=false      # without the models section
//	go run ./bench compare A.json B.json
//	go run ./bench -h                 # every flag
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
)

type options struct {
	quick     bool
	run       *regexp.Regexp
	sizes     []int
	measure   time.Duration
	reps      int
	equivTime time.Duration
	out       string
	noBench   bool
	sizesSet  bool // -sizes was given
	models    bool // run the models section
	torch     bool // with PyTorch in it, if found
}

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs the command and returns its exit status: 0 success, 1 a kernel
// violated its contract or the run failed, 2 bad usage.
func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "compare" {
		if len(args) != 3 {
			fmt.Fprintln(stderr, "usage: go run ./bench compare OLD.json NEW.json")
			return 2
		}
		if err := compare(args[1], args[2], stdout); err != nil {
			fmt.Fprintln(stderr, "bench compare:", err)
			return 1
		}
		return 0
	}
	opt, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	ok, err := run(opt, args, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "short run (under a minute): two sizes, short measurements, 2s equivalence run")
	runRE := fs.String("run", "", "only kernels whose name matches this regular expression (e.g. 'Dot|Axpy')")
	sizes := fs.String("sizes", "", "comma-separated vector lengths (default 1024,16384,1048576; quick 1024,16384); the matrix kernels keep their own sides")
	measure := fs.Duration("time", 0, "time per measurement (default 40ms; quick 4ms)")
	reps := fs.Int("reps", 0, "interleaved repetitions per implementation, the median is reported (default 5; quick 3)")
	equiv := fs.Duration("equiv", 0, "time budget of the equivalence run (default 20s; quick 2s; 0s with -noequiv)")
	noEquiv := fs.Bool("noequiv", false, "skip the equivalence run")
	noBench := fs.Bool("nobench", false, "skip the benchmarks (equivalence only)")
	out := fs.String("out", "flowkern-report", "directory for report.md, results.json, results.txt and the SVG plots")
	models := fs.Bool("models", true, "run the models section: flows and the linear diffusion sampler against PyTorch and gonum (off by default with -run or -nobench)")
	torch := fs.Bool("torch", true, "measure PyTorch in the models section when a Python with torch is found (FLOWKERN_PYTHON, /usr/bin/python3, python3); never in -quick")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n       go run ./bench compare OLD.json NEW.json\n\n"+
			"Describes the machine (tier in use, FMA peak, bandwidth), checks every kernel on every\n"+
			"usable tier against internal/ref, then measures every kernel against gonum, vek and\n"+
			"pure Go, interleaved, and writes a Markdown report with plots, the raw results as JSON\n"+
			"and in Go benchmark format (for benchstat). FLOWKERN_ISA caps the tier in use; every\n"+
			"usable tier is measured regardless. The models section times the normalizing flows and\n"+
			"the linear diffusion sampler against PyTorch (if found) and gonum, on one thread.\n"+
			"Exit status 1 means a kernel broke its contract.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	opt := options{quick: *quick, measure: *measure, reps: *reps, equivTime: *equiv, out: *out, noBench: *noBench, models: *models, torch: *torch}
	// The models take minutes: a run narrowed to some kernels, or to the
	// equivalence, skips them unless -models is given.
	modelsSet := false
	fs.Visit(func(f *flag.Flag) { modelsSet = modelsSet || f.Name == "models" })
	if !modelsSet && (*runRE != "" || *noBench) {
		opt.models = false
	}
	var err error
	if opt.run, err = regexp.Compile(*runRE); err != nil {
		return options{}, fmt.Errorf("-run: %v", err)
	}
	sz := *sizes
	opt.sizesSet = sz != ""
	if sz == "" {
		sz = "1024,16384,1048576"
		if opt.quick {
			sz = "1024,16384"
		}
	}
	for _, f := range strings.Split(sz, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return options{}, fmt.Errorf("-sizes: %q is not a positive length", f)
		}
		opt.sizes = append(opt.sizes, n)
	}
	if opt.measure < 0 || opt.reps < 0 || opt.equivTime < 0 {
		return options{}, fmt.Errorf("-time, -reps and -equiv must not be negative")
	}
	opt.measure = orDefault(opt.measure, 40*time.Millisecond, 4*time.Millisecond, opt.quick)
	opt.equivTime = orDefault(opt.equivTime, 20*time.Second, 2*time.Second, opt.quick)
	if opt.reps == 0 {
		opt.reps = 5
		if opt.quick {
			opt.reps = 3
		}
	}
	if *noEquiv {
		opt.equivTime = 0
	}
	if len(selectCases(opt)) == 0 {
		return options{}, fmt.Errorf("-run %q matches no kernel", *runRE)
	}
	return opt, nil
}

func orDefault(d, full, quick time.Duration, isQuick bool) time.Duration {
	switch {
	case d != 0:
		return d
	case isQuick:
		return quick
	}
	return full
}

// run makes the report; ok is false when a kernel broke its contract.
func run(opt options, args []string, stdout, stderr io.Writer) (ok bool, err error) {
	if err := os.MkdirAll(opt.out, 0o755); err != nil {
		return false, fmt.Errorf("cannot create the output directory: %v", err)
	}
	probe := filepath.Join(opt.out, ".write-test")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return false, fmt.Errorf("cannot write to the output directory %s: %v", opt.out, err)
	}
	os.Remove(probe)

	r := &Report{Command: strings.TrimSpace("go run ./bench " + strings.Join(args, " ")), Date: time.Now().UTC().Format("2006-01-02 15:04 MST")}
	prog := newProgress(stderr)
	prog.step("machine: measuring FMA peaks and bandwidths by CPU time")
	r.Machine = describeMachine(opt.quick)
	fmt.Fprintf(stdout, "tier in use: %s (usable: %s)\n", r.Machine.Tier, strings.Join(r.Machine.Usable, ", "))
	if r.Machine.TierWarning != "" {
		fmt.Fprintf(stdout, "FLOWKERN_ISA: %s\n", r.Machine.TierWarning)
	}

	ok = true
	if opt.equivTime > 0 {
		r.Equivalence = runEquivalence(opt.equivTime, opt.run.MatchString, prog)
		for _, e := range r.Equivalence {
			if e.Mismatches > 0 {
				ok = false
				fmt.Fprintf(stdout, "VIOLATION: %s %s on %s differs from internal/ref in %d of %d cases; first: %s\n",
					e.Kernel, e.Prec, e.Tier, e.Mismatches, e.Cases, e.First)
			}
			if e.MaxErr > e.Bound {
				ok = false
				fmt.Fprintf(stdout, "VIOLATION: %s %s on %s has error %.3g %s, above its bound %.3g\n",
					e.Kernel, e.Prec, e.Tier, e.MaxErr, e.Unit, e.Bound)
			}
		}
		if ok {
			fmt.Fprintf(stdout, "equivalence: every kernel on every usable tier matches internal/ref and its error bound\n")
		}
	}
	if !opt.noBench {
		if r.Results, err = measureAll(opt, selectCases(opt), prog); err != nil {
			return false, err
		}
	}
	if opt.models {
		if r.Models, err = runModels(modelOpts{quick: opt.quick, torch: opt.torch}, prog); err != nil {
			return false, err
		}
		if r.Models.NoTorch != "" {
			fmt.Fprintf(stdout, "models: no PyTorch column: %s\n", r.Models.NoTorch)
		}
	}
	r.Machine.LoadEnd = loadAverage()
	if len(r.Results) > 0 {
		prog.step("machine: measuring the FMA peaks and bandwidths again")
		again := Machine{Usable: r.Machine.Usable}
		again.measureLimits(opt.quick)
		r.Machine.keepBetter(again)
	}
	if over100, flagged := roofCheck(r); len(flagged) > 0 {
		fmt.Fprintf(stdout, "warning: %d roofline cells above %.0f%% of their roof (%d above 100%%), so those roofs are wrong: %s\n",
			len(flagged), 100*roofSlack, over100, strings.Join(flagged[:min(len(flagged), 5)], "; "))
	}
	plots, err := writePlots(opt.out, r)
	if err != nil {
		return false, fmt.Errorf("plots: %v", err)
	}
	if err := writeJSON(filepath.Join(opt.out, "results.json"), r); err != nil {
		return false, err
	}
	txt, err := os.Create(filepath.Join(opt.out, "results.txt"))
	if err != nil {
		return false, err
	}
	writeBenchfmt(txt, r)
	if err := txt.Close(); err != nil {
		return false, err
	}
	md, err := os.Create(filepath.Join(opt.out, "report.md"))
	if err != nil {
		return false, err
	}
	writeMarkdown(md, r, plots)
	if err := md.Close(); err != nil {
		return false, err
	}
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(opt.out, "report.md"))
	return ok, nil
}

// startTier is the tier the process started with; the bench switches tiers
// to compare them and returns to it.
var startTier = kernels.ISA()

func usableTiers() []string {
	var ts []string
	for _, t := range []string{"generic", "avx2", "avx512", "neon"} {
		if kernels.SetISA(t) == nil {
			ts = append(ts, t)
		}
	}
	_ = kernels.SetISA(startTier)
	return ts
}
