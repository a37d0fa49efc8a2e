package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/flowkern/flowkern/bench/internal/flowcase"
	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// The models section (issue 14): the normalizing flows of models/flow and
// the linear diffusion sampler of models/lindiff, ours against PyTorch
// (bench/pytorch/flowkern_torch.py, when an interpreter with torch is
// found) and, for the sampler, against the same sampler on gonum's Dgemm.
// Every contestant runs on one thread; the repetitions of ours and the
// peers' alternate, so that a busy phase of the machine hits them alike.

// ModelResult is one implementation of one workload of one model
// configuration.
type ModelResult struct {
	Model, Config, Prec string
	Work                string    // "train", "logprob" or "sample"
	Unit                string    // "steps/s", "rows/s" or "samples/s"
	Impl                string    // "ours", "gonum" or "pytorch"
	Rates               []float64 // per repetition, in Unit by CPU time
	Rate                float64   // the median
	Spread              float64   // (max-min)/median
}

// ModelsSection is what the models section measured, and why a peer is
// missing.
type ModelsSection struct {
	Tier         string // ours ran this tier
	Results      []ModelResult
	Torch        string // interpreter, torch version, BLAS and environment, when measured
	NoTorch      string // why PyTorch was not measured, when it was not
	TorchMissing bool   // no interpreter has torch: the report says how to get it
	ByWall       bool   // the OS gives no process CPU time: rates are by the wall clock
}

// modelOpts sets the size of the section's run.
type modelOpts struct {
	quick bool
	torch bool // measure PyTorch if an interpreter has it
}

// flowConfig is one of the flow shapes (flowcase), its
// repetitions and the least CPU time of one repetition (0: one call).
type flowConfig struct {
	flowcase.Config
	reps  int
	block time.Duration
}

const (
	flowBlocks = flowcase.Blocks
	flowBatch  = flowcase.Batch
)

func flowConfigs(quick bool) []flowConfig {
	toy, d64, d784 := flowcase.Configs[0], flowcase.Configs[1], flowcase.Configs[2]
	if quick {
		// A few calls, to run the code: CI runs this under qemu too, where
		// a d64 training step takes seconds.
		return []flowConfig{{toy, 2, 0}}
	}
	// d784 calls take 0.1-0.7 s each: one call per repetition.
	return []flowConfig{{toy, 5, 200 * time.Millisecond}, {d64, 5, 200 * time.Millisecond}, {d784, 3, 0}}
}

func (c flowConfig) label() string {
	return fmt.Sprintf("%s (d=%d, width %d)", c.Name, c.D, c.Width)
}

// runModels measures the section. Ours runs the tier in use, on one
// thread, as the peers do.
func runModels(mo modelOpts, prog *progress) (*ModelsSection, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	if err := kernels.SetISA(startTier); err != nil {
		return nil, err
	}
	sec := &ModelsSection{Tier: kernels.ISA()}
	if _, ok := cputime.Process(); !ok {
		sec.ByWall = true
	}
	var py *pyEnv
	switch {
	case mo.quick:
		sec.NoTorch = "not run in -quick mode"
	case !mo.torch:
		sec.NoTorch = "not run (-torch=false)"
	default:
		prog.step("models: looking for Python with torch")
		var why string
		if py, why = findTorch(); py == nil {
			sec.NoTorch, sec.TorchMissing = why, true
		} else {
			defer py.cleanup()
		}
	}
	// A failing peer is dropped (its results too) and the section goes on
	// without it, saying why.
	dropTorch := func(err error) bool {
		var pe peerError
		if py == nil || !errors.As(err, &pe) {
			return false
		}
		sec.NoTorch = "failed (" + err.Error() + ")"
		py = nil
		sec.Results = slices.DeleteFunc(sec.Results, func(r ModelResult) bool { return r.Impl == "pytorch" })
		return true
	}
	for _, c := range flowConfigs(mo.quick) {
		for _, prec := range []string{"float32", "float64"} {
			prog.step("models: flow %s %s", c.Name, prec)
			measure := measureFlow[float64]
			if prec == "float32" {
				measure = measureFlow[float32]
			}
			rs, err := measure(c, py)
			if dropTorch(err) {
				rs, err = measure(c, nil)
			}
			if err != nil {
				return nil, fmt.Errorf("models: flow %s %s: %v", c.Name, prec, err)
			}
			sec.Results = append(sec.Results, rs...)
		}
	}
	rs, err := measureLindiff(lindiffSize(mo.quick), py, prog)
	if dropTorch(err) {
		rs, err = measureLindiff(lindiffSize(mo.quick), nil, prog)
	}
	if err != nil {
		return nil, fmt.Errorf("models: lindiff: %v", err)
	}
	sec.Results = append(sec.Results, rs...)
	if py != nil {
		sec.Torch = py.describe()
	}
	prog.done()
	return sec, nil
}

// clock is the process's CPU time (every goroutine of ours; the peers
// measure their own process the same way), or the wall clock where the OS
// does not tell.
func clock() time.Duration {
	if c, ok := cputime.Process(); ok {
		return c
	}
	return time.Duration(time.Now().UnixNano())
}

// block runs f until it has used at least minCPU (and at least once) and
// returns its rate: rows per second.
func block(minCPU time.Duration, rows int, f func()) float64 {
	c0, n := clock(), 0
	for n < 1 || clock()-c0 < minCPU {
		f()
		n++
	}
	return float64(n*rows) / max(clock()-c0, 1).Seconds()
}

// newResult fills in a result's median and spread.
func newResult(model, config, prec, work, unit, impl string, rates []float64) ModelResult {
	s := slices.Clone(rates)
	slices.Sort(s)
	r := ModelResult{Model: model, Config: config, Prec: prec, Work: work, Unit: unit, Impl: impl, Rates: rates}
	if len(s) > 0 {
		r.Rate = s[len(s)/2]
		r.Spread = (s[len(s)-1] - s[0]) / r.Rate
	}
	return r
}

var errEnough = errors.New("enough repetitions")

// measureFlow times a training step (one Adam step on the batch), LogProb
// and Sample of the batch, ours and PyTorch's (py non-nil) on the same
// weights, which flowkern_torch.py reads from our model file.
func measureFlow[T kernels.Float](c flowConfig, py *pyEnv) ([]ModelResult, error) {
	prec := fmt.Sprintf("%T", T(0))
	sp, err := c.Spec()
	if err != nil {
		return nil, err
	}
	f, err := flow.New[T](sp, 1)
	if err != nil {
		return nil, err
	}
	f.SetWorkers(1)
	x := flowcase.Normals[T](flowBatch, c.D, 2)
	none := flow.Matrix[T]{Cols: c.D, Stride: c.D}
	// One step initialises ActNorm from the batch, as a training run does.
	if _, err := f.Train(x, none, flow.TrainOptions{Epochs: 1, Batch: flowBatch, LR: 1e-6}); err != nil {
		return nil, err
	}
	var peer *torchPeer
	if py != nil {
		file := py.tempPath(fmt.Sprintf("flow-%s-%s.safetensors", c.Name, prec))
		if err := f.Save(file); err != nil {
			return nil, err
		}
		peer, err = py.serve("--model", file, "--batch", fmt.Sprint(flowBatch))
		os.Remove(file) // read once the peer is ready
		if err != nil {
			return nil, err
		}
		defer peer.close()
	}
	ours := map[string][]float64{}
	theirs := map[string][]float64{}
	peerBlock := func(work string) error {
		if peer == nil {
			return nil
		}
		r, err := peer.time(work, c.block)
		theirs[work] = append(theirs[work], r)
		return err
	}

	// Training: one Train call whose Progress callback closes a repetition
	// after enough steps, lets the peer run its own, and starts the next:
	// the optimiser state is allocated once, as in a training run, and the
	// first step (scratch space) is not timed.
	var c0 time.Duration
	n := -1
	step := func(flow.Progress) error {
		if n < 0 {
			if peer != nil {
				if err := peer.warm("train"); err != nil {
					return err
				}
			}
			n, c0 = 0, clock()
			return nil
		}
		n++
		el := clock() - c0
		if el < c.block {
			return nil
		}
		ours["train"] = append(ours["train"], float64(n)/max(el, 1).Seconds())
		if err := peerBlock("train"); err != nil {
			return err
		}
		if len(ours["train"]) == c.reps {
			return errEnough
		}
		n, c0 = 0, clock()
		return nil
	}
	_, err = f.Train(x, none, flow.TrainOptions{Epochs: 1 << 30, Batch: flowBatch, LR: 1e-6, Progress: step})
	if !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("training: %w", err)
	}

	lp := make([]float64, flowBatch)
	s := flow.Matrix[T]{Rows: flowBatch, Cols: c.D, Data: make([]T, flowBatch*c.D), Stride: c.D}
	seed := uint64(3)
	works := []struct {
		name string
		f    func()
	}{
		{"logprob", func() { f.LogProb(lp, x) }},
		{"sample", func() { f.Sample(s, seed); seed++ }},
	}
	for _, w := range works {
		w.f()
		if peer != nil {
			if err := peer.warm(w.name); err != nil {
				return nil, err
			}
		}
		for range c.reps {
			ours[w.name] = append(ours[w.name], block(c.block, flowBatch, w.f))
			if err := peerBlock(w.name); err != nil {
				return nil, err
			}
		}
	}
	var rs []ModelResult
	for _, w := range []string{"train", "logprob", "sample"} {
		unit := "rows/s"
		if w == "train" {
			unit = "steps/s"
		}
		rs = append(rs, newResult("flow", c.label(), prec, w, unit, "ours", ours[w]))
		if peer != nil {
			rs = append(rs, newResult("flow", c.label(), prec, w, unit, "pytorch", theirs[w]))
		}
	}
	return rs, nil
}
