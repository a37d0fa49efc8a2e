// Command flow trains, samples and scores normalizing flows (models/flow)
// on data from CSV or NumPy .npy files, and runs the experiments of
// docs/flows:
//
//	flow toy -density moons -n 10000 -out moons.csv        # 2-D test data
//	flow train -data train.csv -out model.safetensors      # fit a flow, plot the loss curves
//	flow sample -model model.safetensors -n 1000 -out s.csv -plot s.png
//	flow logprob -model model.safetensors -data test.csv   # log p per row; mean NLL, bits/dim
//	flow exp toy -out docs/flows                           # 2-D densities: NICE, RealNVP, Glow, Gaussian
//	flow exp fashion -out docs/flows                       # Fashion-MNIST bits/dim against the best Gaussian
//
// `flow <subcommand> -h` lists the flags of each. Bad input is one line on
// stderr and exit status 1 (2 for a usage error: unknown flag or
// subcommand); no output file is left half-written, since every file is
// written to a temporary file in its directory and renamed into place.
//
// Training is deterministic: the same data, flags and seed write the same
// model file, byte for byte, on every kernel tier (FLOWKERN_ISA) and
// architecture.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: flow <command> [flags]

commands:
  train    fit a flow to the rows of a CSV or .npy file and save it
  sample   draw rows from a saved flow (CSV or .npy; a picture for 2-D or square image data)
  logprob  log-density of every row of a data file under a saved flow
  toy      write points of a 2-D test density (moons, 8gaussians, checkerboard, spirals)
  exp      the experiments of docs/flows: "flow exp toy" or "flow exp fashion"

"flow <command> -h" lists the flags of a command.
`

// usageError marks an error in the command line (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// run executes the command line args and returns the exit status: 0, 1 for
// a failure, 2 for a usage error. Errors are one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "train":
		err = cmdTrain(rest, stderr)
	case "sample":
		err = cmdSample(rest, stderr)
	case "logprob":
		err = cmdLogProb(rest, stdout, stderr)
	case "exp":
		err = cmdExp(rest, stderr)
	case "toy":
		err = cmdToyData(rest, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "flow: unknown command %q (want train, sample, logprob, toy or exp; flow -h lists them)\n", cmd)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "flow %s: %s\n", cmd, oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// oneLine keeps an error message on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// newFlags returns a flag set that prints nothing by itself: parse reports
// errors as one line, and -h prints the flags to stderr.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args with fs; -h prints the synopsis and the flags to stderr
// and returns flag.ErrHelp; any other error is a usageError.
func parse(fs *flag.FlagSet, synopsis string, args []string, stderr io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "usage: %s\n\nflags:\n", synopsis)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return flag.ErrHelp
	}
	if err != nil {
		return usageError{fmt.Errorf("%w (flow %s -h lists the flags)", err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q (flow %s -h lists the flags)", fs.Args(), fs.Name())}
	}
	return nil
}
