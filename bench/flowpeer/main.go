// Command flowpeer times flowkern's normalizing flows on the workloads of
// the PyTorch comparison (issue 14): training steps, LogProb and Sample of
// a Glow flow (8 blocks of ActNorm, LU linear and affine coupling; tanh
// conditioners with two hidden layers; atan scale clamp 2) at batch 256,
// by the process's CPU time, and prints one JSON line with the same keys
// as bench/pytorch/flowkern_torch.py's bench command. Peak memory is the
// process's VmHWM.
//
//	go run ./bench/flowpeer -config d64 -dtype float32 -threads 1 -save /tmp/d64.safetensors
//
// -save writes the model at the end (its ActNorm layers initialised by the
// first training step) so that the PyTorch side runs the same architecture
// and weights; the file's encoding is not counted in the peak memory. bench/pytorch/compare.sh runs both sides and writes the table.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/flowkern/flowkern/bench/internal/flowcase"
	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

type options struct {
	config           string
	dtype            string
	threads, batch   int
	seconds          float64
	minReps, maxReps int
	save, cpuprof    string
	only             string
}

func main() {
	var o options
	flag.StringVar(&o.config, "config", "d64", "toy (d=2, width 64), d64 (width 256) or d784 (width 1024)")
	flag.StringVar(&o.dtype, "dtype", "float32", "float32 or float64")
	flag.IntVar(&o.threads, "threads", 1, "GOMAXPROCS and kernel workers")
	flag.IntVar(&o.batch, "batch", 256, "rows per batch")
	flag.Float64Var(&o.seconds, "seconds", 2, "CPU seconds per workload")
	flag.IntVar(&o.minReps, "min-reps", 3, "least repetitions per workload")
	flag.IntVar(&o.maxReps, "max-reps", 100000, "most repetitions per workload")
	flag.StringVar(&o.save, "save", "", "write the model file here before timing")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a pprof CPU profile of the timed part")
	flag.StringVar(&o.only, "only", "", "time only this workload (train, logprob or sample)")
	flag.Parse()
	if _, ok := flowcase.Find(o.config); !ok {
		fail(fmt.Errorf("unknown -config %q (toy, d64, d784)", o.config))
	}
	runtime.GOMAXPROCS(o.threads)
	kernels.SetMaxWorkers(o.threads)
	var err error
	switch o.dtype {
	case "float32":
		err = run[float32](o)
	case "float64":
		err = run[float64](o)
	default:
		err = fmt.Errorf("unknown -dtype %q", o.dtype)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flowpeer:", err)
	os.Exit(1)
}

// result is one workload's count and times.
type result struct {
	Reps     int     `json:"reps"`
	CPU      float64 `json:"cpu_s"`
	Wall     float64 `json:"wall_s"`
	PerCPU   float64 `json:"per_cpu_s"`
	PerWall  float64 `json:"per_wall_s"`
	CPUPerOp float64 `json:"cpu_ms_per_op"`
}

func cpuNow() time.Duration {
	c, ok := cputime.Process()
	if !ok {
		fail(errors.New("no process CPU time on this OS"))
	}
	return c
}

// timed runs op until it has used o.seconds of process CPU time (at least
// minReps, at most maxReps times) after one warm-up call; rows is what one
// call counts for.
func timed(o options, rows int, op func()) result {
	op()
	c0, w0, n := cpuNow(), time.Now(), 0
	for n < o.minReps || (n < o.maxReps && (cpuNow()-c0).Seconds() < o.seconds) {
		op()
		n++
	}
	return finish(n, rows, cpuNow()-c0, time.Since(w0))
}

func finish(n, rows int, cpu, wall time.Duration) result {
	return result{Reps: n, CPU: cpu.Seconds(), Wall: wall.Seconds(),
		PerCPU: float64(n*rows) / cpu.Seconds(), PerWall: float64(n*rows) / wall.Seconds(),
		CPUPerOp: cpu.Seconds() * 1e3 / float64(n)}
}

var errStop = errors.New("stop")

func run[T kernels.Float](o options) error {
	base := procKiB("VmRSS")
	c, _ := flowcase.Find(o.config)
	d := c.D
	sp, err := c.Spec()
	if err != nil {
		return err
	}
	f, err := flow.New[T](sp, 1)
	if err != nil {
		return err
	}
	x := flowcase.Normals[T](o.batch, d, 2)
	none := flow.Matrix[T]{Cols: d, Stride: d}
	// One step initialises ActNorm from the batch (and is the warm-up).
	if _, err := f.Train(x, none, flow.TrainOptions{Epochs: 1, Batch: o.batch, LR: 1e-6}); err != nil {
		return err
	}
	// That call's optimiser state is garbage now: collect it, so that the
	// peak RSS is one training run's (a user trains once; without this the
	// heap goal lets both runs' Adam moments be resident at d = 784).
	runtime.GC()
	if o.cpuprof != "" {
		pf, err := os.Create(o.cpuprof)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	out := map[string]any{"impl": "flowkern", "config": o.config, "dtype": o.dtype, "threads": o.threads,
		"batch": o.batch, "dim": d, "isa": kernels.ISA(), "go": runtime.Version()}
	if o.only == "" || o.only == "train" {
		out["train"] = trainSteps(f, x, o)
	}
	if o.only == "" || o.only == "logprob" {
		lp := make([]float64, o.batch)
		out["logprob"] = timed(o, o.batch, func() { f.LogProb(lp, x) })
	}
	if o.only == "" || o.only == "sample" {
		s := flow.Matrix[T]{Rows: o.batch, Cols: d, Data: make([]T, o.batch*d), Stride: d}
		seed := uint64(3)
		out["sample"] = timed(o, o.batch, func() { f.Sample(s, seed); seed++ })
	}
	out["rss_base_mib"] = float64(base) / 1024
	out["rss_peak_mib"] = float64(procKiB("VmHWM")) / 1024
	// Saved after the peak is read: encoding the file is not part of the
	// workloads. The timed steps (learning rate 1e-6) moved the weights a
	// little, which changes nothing for PyTorch's timing of the same shapes.
	if o.save != "" {
		if err := f.Save(o.save); err != nil {
			return err
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// trainSteps times the steps of one Train call on the batch x (one epoch
// is one step): its optimiser state is allocated once, as in any training
// run, and the clock starts after the first step.
func trainSteps[T kernels.Float](f *flow.Flow[T], x flow.Matrix[T], o options) result {
	var c0 time.Duration
	var w0 time.Time
	n := -1
	var res result
	progress := func(p flow.Progress) error {
		n++
		if n == 0 {
			c0, w0 = cpuNow(), time.Now()
			return nil
		}
		if el := cpuNow() - c0; n >= o.maxReps || (n >= o.minReps && el.Seconds() >= o.seconds) {
			res = finish(n, 1, el, time.Since(w0))
			return errStop
		}
		return nil
	}
	none := flow.Matrix[T]{Cols: x.Cols, Stride: x.Cols}
	_, err := f.Train(x, none, flow.TrainOptions{Epochs: o.maxReps + 2, Batch: o.batch, LR: 1e-6, Progress: progress})
	if !errors.Is(err, errStop) {
		fail(fmt.Errorf("training: %v", err))
	}
	return res
}

// procKiB reads a "<key>: <n> kB" line of /proc/self/status (0 if absent).
func procKiB(key string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				n, _ := strconv.Atoi(fs[0])
				return n
			}
		}
	}
	return 0
}
