// Command lindiff runs the linear diffusion experiments of Merger & Goldt,
// "Generalization Dynamics of Linear Diffusion Models" (arXiv:2505.24769),
// on flowkern's models/lindiff, and writes CSV files and SVG/PNG plots:
//
//	go run ./cmd/lindiff -exp synthetic -out docs/lindiff   # Gaussian data, d = 100
//	go run ./cmd/lindiff -exp fashion -out docs/lindiff     # Fashion-MNIST, d = 784
//
// synthetic: data from N(0, diag(lambda)) with lambda_nu ~ nu^-k (k = 0, 1,
// 2; mean eigenvalue 1); for N/d from 0.1 to 100 and several seeds, the
// KL divergence KL(learned || true)/d of the exact model, of the exact model
// with a ridge penalty, and of early-stopped gradient descent on the exact
// loss (its closed form), with the large-N theory beside them.
//
// fashion: the covariance spectrum of the Fashion-MNIST training images and
// its power-law fit; for N from 10 to 60000 training images, the KL between
// the learned Gaussian and the Gaussian of the full training set, and the
// test loss on the test images; sample images as PNG grids.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	os.Exit(exitCode(run(os.Args[1:])))
}

// exitCode is the process status for run's error: 0 for success and for
// -h/-help (the flag package has printed the usage), 1 otherwise.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(os.Stderr, "lindiff:", err)
	return 1
}

// defaultOut is the output folder when -out is not given; .gitignore lists
// it, so a run in the repository leaves the tree clean for CI.
const defaultOut = "lindiff-out"

// config holds the flags of both experiments.
type config struct {
	exp, out, data    string
	d, T, seeds       int
	ks, ratios        []float64
	gamma, eta        float64
	steps             int
	fashionN          []int
	samples, samplesN int
	fitLo, fitHi      int
}

func run(args []string) error {
	fs := flag.NewFlagSet("lindiff", flag.ContinueOnError)
	var c config
	var ks, ratios, ns string
	fs.StringVar(&c.exp, "exp", "", "experiment: synthetic, fashion or all")
	fs.StringVar(&c.out, "out", defaultOut, "output directory (created)")
	fs.StringVar(&c.data, "data", "", "directory of the Fashion-MNIST IDX files (default: the Debian package's)")
	fs.IntVar(&c.d, "d", 100, "synthetic: dimension")
	fs.IntVar(&c.T, "T", 1000, "diffusion steps (paper schedule beta_t = (1e-2 - 1e-4) t/T + 1e-4)")
	fs.IntVar(&c.seeds, "seeds", 20, "synthetic: data sets per point (averaged)")
	fs.StringVar(&ks, "k", "0,1,2", "synthetic: spectrum exponents k")
	fs.StringVar(&ratios, "ratios", "0.1,0.2,0.5,1,2,5,10,20,50,100", "synthetic: values of N/d")
	fs.Float64Var(&c.gamma, "gamma", 0.1, "ridge penalty of the regularized model")
	// eta*steps = 5 is the training time; eta stays below 1/lambda_max of
	// every spectrum here (lambda_1 = 61 for k = 2), where descent diverges.
	fs.Float64Var(&c.eta, "eta", 0.005, "early stopping: gradient descent step size")
	fs.IntVar(&c.steps, "steps", 1000, "early stopping: gradient descent steps")
	fs.StringVar(&ns, "n", "10,30,100,300,1000,3000,10000,30000,60000", "fashion: training set sizes N")
	fs.IntVar(&c.samples, "samples", 64, "fashion: images per sample grid")
	fs.IntVar(&c.samplesN, "samples-n", 100, "fashion: a small N whose samples are drawn beside those of the largest N")
	var fit string
	fs.StringVar(&fit, "fit", "10,500", "fashion: eigenvalue ranks lo,hi (1 = largest) of the power-law fit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.ks, err = floats("-k", ks); err != nil {
		return err
	}
	if c.ratios, err = floats("-ratios", ratios); err != nil {
		return err
	}
	if c.fashionN, err = ints("-n", ns, 2); err != nil {
		return err
	}
	fr, err := ints("-fit", fit, 1)
	if err != nil {
		return err
	}
	if len(fr) != 2 || fr[0] >= fr[1] {
		return fmt.Errorf("-fit %q: need two ranks lo,hi with lo < hi", fit)
	}
	c.fitLo, c.fitHi = fr[0], fr[1]
	switch {
	case c.d < 2:
		return fmt.Errorf("-d %d: need at least 2", c.d)
	case c.T < 1:
		return fmt.Errorf("-T %d: need at least 1 step", c.T)
	case c.seeds < 1:
		return fmt.Errorf("-seeds %d: need at least 1", c.seeds)
	case !(c.gamma >= 0):
		return fmt.Errorf("-gamma %v: need >= 0", c.gamma)
	case !(c.eta > 0) || c.steps < 0:
		return fmt.Errorf("-eta %v -steps %d: need eta > 0 and steps >= 0", c.eta, c.steps)
	case c.samples < 1 || c.samplesN < 2:
		return fmt.Errorf("-samples %d -samples-n %d: need >= 1 and >= 2", c.samples, c.samplesN)
	}
	for _, r := range c.ratios {
		if !(r > 0) {
			return fmt.Errorf("-ratios: %v is not positive", r)
		}
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	switch c.exp {
	case "synthetic":
		return synthetic(c)
	case "fashion":
		return fashion(c)
	case "all":
		if err := synthetic(c); err != nil {
			return err
		}
		return fashion(c)
	case "":
		return errors.New("-exp is required: synthetic, fashion or all")
	}
	return fmt.Errorf("-exp %q: not synthetic, fashion or all", c.exp)
}

func floats(name, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func ints(name, s string, lo int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < lo {
			return nil, fmt.Errorf("%s: %q is not an integer >= %d", name, f, lo)
		}
		out = append(out, v)
	}
	return out, nil
}
