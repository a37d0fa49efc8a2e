// Command bench is flowkern's report: what this machine is, which tier the
// kernels run, and every kernel on every usable tier measured against gonum
// and pure Go in one run, with the ratios between them.
//
//	go run ./bench            # full run, Markdown on stdout
//	go run ./bench -quick     # under a minute
//	go run ./bench -h         # every flag
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
)

type options struct {
	quick   bool
	run     *regexp.Regexp
	sizes   []int
	measure time.Duration
	reps    int
	out     string
}

func main() {
	opt, err := parseFlags(os.Args[1:], os.Stderr)
	if err == flag.ErrHelp {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(opt, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "short run (under a minute): two sizes, short measurements")
	runRE := fs.String("run", "", "only kernels whose name matches this regular expression")
	sizes := fs.String("sizes", "", "comma-separated vector lengths (default 1024,16384,1048576; quick 1024,16384)")
	measure := fs.Duration("time", 0, "time per measurement (default 40ms; quick 5ms)")
	reps := fs.Int("reps", 0, "interleaved repetitions per implementation; the median is reported (default 5; quick 3)")
	out := fs.String("o", "", "also write the Markdown report to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n\n"+
			"Prints the machine and the tier in use (FLOWKERN_ISA caps it), then measures every\n"+
			"kernel on every usable tier against gonum and pure Go, interleaved, and reports\n"+
			"GFLOP/s and the ratios between them as Markdown.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	opt := options{quick: *quick, measure: *measure, reps: *reps, out: *out}
	var err error
	if opt.run, err = regexp.Compile(*runRE); err != nil {
		return options{}, fmt.Errorf("-run: %v", err)
	}
	sz := *sizes
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
	if opt.measure < 0 || opt.reps < 0 {
		return options{}, fmt.Errorf("-time and -reps must not be negative")
	}
	if opt.measure == 0 {
		opt.measure = 40 * time.Millisecond
		if opt.quick {
			opt.measure = 5 * time.Millisecond
		}
	}
	if opt.reps == 0 {
		opt.reps = 5
		if opt.quick {
			opt.reps = 3
		}
	}
	return opt, nil
}

func run(opt options, stdout, stderr io.Writer) error {
	var w io.Writer = stdout
	if opt.out != "" {
		f, err := os.Create(opt.out)
		if err != nil {
			return fmt.Errorf("cannot write the report: %v", err)
		}
		defer f.Close()
		w = io.MultiWriter(stdout, f)
	}
	fmt.Fprintf(w, "# flowkern benchmark report\n\n")
	fmt.Fprintf(w, "- tier in use: **%s**", kernels.ISA())
	if msg := kernels.ISAWarning(); msg != "" {
		fmt.Fprintf(w, " (%s)", msg)
	}
	fmt.Fprintf(w, "\n- usable tiers: %s\n", strings.Join(usableTiers(), ", "))
	fmt.Fprintf(w, "- %s, %s/%s, GOMAXPROCS %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "- %s\n", machine())
	fmt.Fprintf(w, "- median of %d interleaved repetitions of %v each; spread is (max-min)/median\n\n", opt.reps, opt.measure)

	results, err := measureAll(opt, stderr)
	if err != nil {
		return err
	}
	writeTables(w, results)
	// Leave the process on the tier it started with.
	return kernels.SetISA(startTier)
}

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
