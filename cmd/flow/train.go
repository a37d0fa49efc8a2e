package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// trainConfig is what `flow train` takes, as flags or as a JSON file with
// the same names (flags given on the command line override the file).
type trainConfig struct {
	Data     string  `json:"data"`
	Val      string  `json:"val"`
	ValFrac  float64 `json:"valfrac"`
	Arch     string  `json:"arch"`
	Blocks   int     `json:"blocks"`
	Hidden   intList `json:"hidden"`
	Act      string  `json:"act"`
	Scale    string  `json:"scale"`
	Clamp    float64 `json:"clamp"`
	Mask     string  `json:"mask"`
	Epochs   int     `json:"epochs"`
	Batch    int     `json:"batch"`
	LR       float64 `json:"lr"`
	WD       float64 `json:"wd"`
	Clip     float64 `json:"clip"`
	Warmup   int     `json:"warmup"`
	Cosine   bool    `json:"cosine"`
	Patience int     `json:"patience"`
	Seed     uint64  `json:"seed"`
	DType    string  `json:"dtype"`
	Out      string  `json:"out"`
	Plots    string  `json:"plots"`
}

func defaultTrainConfig() trainConfig {
	return trainConfig{ValFrac: 0.1, Arch: "glow", Blocks: 8, Hidden: intList{64, 64}, Act: "tanh", Scale: "atan",
		Mask: "halves", Epochs: 20, Batch: 256, LR: 1e-3, Seed: 1, DType: "float32", Out: "model.safetensors"}
}

// intList is a comma-separated flag of positive integers (a JSON array in
// the config file).
type intList []int

func (l *intList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(s string) error {
	var out intList
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

const trainSynopsis = "flow train -data FILE [-val FILE | -valfrac 0.1] [-arch glow|realnvp|nice -blocks 8 -hidden 64,64 ...] [-config FILE] -out model.safetensors [-plots DIR]"

func (c *trainConfig) flags(name string) *flag.FlagSet {
	fs := newFlags(name)
	fs.StringVar(&c.Data, "data", c.Data, "training data: CSV (header optional) or .npy (2-D float32/float64), one sample per row")
	fs.StringVar(&c.Val, "val", c.Val, "validation data (default: -valfrac of the rows of -data, drawn with -seed)")
	fs.Float64Var(&c.ValFrac, "valfrac", c.ValFrac, "fraction of -data held out for validation when -val is not given (0: none)")
	fs.StringVar(&c.Arch, "arch", c.Arch, "architecture: glow (ActNorm, LU linear, affine coupling), realnvp (ActNorm, affine coupling) or nice (additive couplings, then a scaling)")
	fs.IntVar(&c.Blocks, "blocks", c.Blocks, "number of blocks (couplings)")
	fs.Var(&c.Hidden, "hidden", "hidden sizes of each coupling's conditioner network")
	fs.StringVar(&c.Act, "act", c.Act, "conditioner activation: tanh, silu, gelu, softplus, relu")
	fs.StringVar(&c.Scale, "scale", c.Scale, "affine couplings' scale map: atan, tanh, exp or sigmoid")
	fs.Float64Var(&c.Clamp, "clamp", c.Clamp, "log-scale bound of the atan and tanh maps, eps of sigmoid (0: the map's default, 2 for atan and tanh)")
	fs.StringVar(&c.Mask, "mask", c.Mask, "coupling masks: halves, alternating or checkerboard:HxWxC")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training data")
	fs.IntVar(&c.Batch, "batch", c.Batch, "minibatch rows")
	fs.Float64Var(&c.LR, "lr", c.LR, "peak learning rate (Adam)")
	fs.Float64Var(&c.WD, "wd", c.WD, "decoupled weight decay (AdamW)")
	fs.Float64Var(&c.Clip, "clip", c.Clip, "clip the gradient's 2-norm to this (0: no clipping)")
	fs.IntVar(&c.Warmup, "warmup", c.Warmup, "steps of linear learning-rate warm-up")
	fs.BoolVar(&c.Cosine, "cosine", c.Cosine, "cosine decay of the learning rate to 0")
	fs.IntVar(&c.Patience, "patience", c.Patience, "stop after this many epochs without a better validation NLL and keep the best weights (0: never)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the initial weights, the validation split and the minibatch order")
	fs.StringVar(&c.DType, "dtype", c.DType, "precision of the model: float32 or float64")
	fs.StringVar(&c.Out, "out", c.Out, "model file to write (safetensors)")
	fs.StringVar(&c.Plots, "plots", c.Plots, "directory of the loss curves (default: the model's); files <model>_loss.{svg,png,csv}")
	return fs
}

func cmdTrain(args []string, stderr io.Writer) error {
	c := defaultTrainConfig()
	var config string
	fs := c.flags("train")
	fs.StringVar(&config, "config", "", "JSON file with any of the flags above as fields (flags given here override it)")
	if err := parse(fs, trainSynopsis, args, stderr); err != nil {
		return err
	}
	if config != "" {
		given := map[string]string{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
		c = defaultTrainConfig()
		if err := readConfig(config, &c); err != nil {
			return err
		}
		for name, v := range given {
			if err := fs.Set(name, v); err != nil {
				return usageError{fmt.Errorf("-%s: %w", name, err)}
			}
		}
	}
	if err := c.check(); err != nil {
		return usageError{err}
	}
	if err := checkWritable(c.Out); err != nil {
		return err
	}
	stem := strings.TrimSuffix(filepath.Base(c.Out), filepath.Ext(c.Out))
	plotDir := c.Plots
	if plotDir == "" {
		plotDir = filepath.Dir(c.Out)
	}
	if err := os.MkdirAll(plotDir, 0o755); err != nil {
		return err
	}
	plotBase := filepath.Join(plotDir, stem+"_loss")
	if err := checkWritable(plotBase + ".svg"); err != nil {
		return err
	}
	data, err := readData(c.Data)
	if err != nil {
		return err
	}
	var train, val table
	if c.Val != "" {
		if val, err = readData(c.Val); err != nil {
			return err
		}
		if val.cols != data.cols {
			return fmt.Errorf("%s has %d columns, %s has %d", c.Val, val.cols, c.Data, data.cols)
		}
		train = data
	} else {
		train, val = splitRows(data, c.ValFrac, c.Seed)
	}
	if train.rows == 0 {
		return fmt.Errorf("%s: no training rows left after holding out %v for validation", c.Data, c.ValFrac)
	}
	if c.Patience > 0 && val.rows == 0 {
		return usageError{errors.New("-patience needs validation data (-val or -valfrac > 0)")}
	}
	spec, err := c.spec(data.cols)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(stderr, "flow train: %s, %d blocks, hidden %s, d = %d, %s on %s (tier %s): %d training rows, %d validation rows\n",
		c.Arch, c.Blocks, c.Hidden.String(), data.cols, c.DType, c.Data, kernels.ISA(), train.rows, val.rows)
	start := time.Now()
	var res fitResult
	if c.DType == "float32" {
		res, err = fitSave[float32](c, spec, train, val, stderr)
	} else {
		res, err = fitSave[float64](c, spec, train, val, stderr)
	}
	if err != nil {
		return err
	}
	h := res.hist
	msg := fmt.Sprintf("wrote %s (%d parameters) in %s", c.Out, res.params, time.Since(start).Round(10*time.Millisecond))
	if len(h.ValNLL) > 0 {
		v := h.ValNLL[h.Best]
		msg += fmt.Sprintf("; epoch %d of %d kept: validation NLL %.4f nats, %.4f bits/dim", h.Best+1, len(h.Loss), v, v/(float64(data.cols)*math.Ln2))
		if h.Stopped {
			msg += " (stopped early)"
		}
	}
	fmt.Fprintln(stderr, msg)
	if err := writeLossCurves(plotBase, h, c.Arch); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s.svg, .png, .csv\n", plotBase)
	return nil
}

// readConfig reads a JSON config file into c (unknown fields are errors).
func readConfig(path string, c *trainConfig) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (c *trainConfig) check() error {
	switch {
	case c.Data == "":
		return errors.New("-data is required")
	case c.Arch != "glow" && c.Arch != "realnvp" && c.Arch != "nice":
		return fmt.Errorf("-arch %q: want glow, realnvp or nice", c.Arch)
	case c.DType != "float32" && c.DType != "float64":
		return fmt.Errorf("-dtype %q: want float32 or float64", c.DType)
	case c.Blocks < 1:
		return fmt.Errorf("-blocks %d: need at least 1", c.Blocks)
	case len(c.Hidden) == 0:
		return errors.New("-hidden: need at least one hidden layer size")
	case c.Epochs < 1 || c.Batch < 1:
		return fmt.Errorf("-epochs %d -batch %d: need at least 1", c.Epochs, c.Batch)
	case !(c.ValFrac >= 0 && c.ValFrac < 1):
		return fmt.Errorf("-valfrac %v: need 0 <= valfrac < 1", c.ValFrac)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("-lr %v: need a finite rate > 0", c.LR)
	case !(c.WD >= 0) || !(c.Clip >= 0) || !(c.Clamp >= 0) || math.IsInf(c.WD+c.Clip+c.Clamp, 0):
		return fmt.Errorf("-wd %v -clip %v -clamp %v: need finite values >= 0", c.WD, c.Clip, c.Clamp)
	case c.Warmup < 0 || c.Patience < 0:
		return fmt.Errorf("-warmup %d -patience %d: need >= 0", c.Warmup, c.Patience)
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("-hidden: size %d < 1", h)
		}
	}
	return nil
}

// spec returns the architecture of c on d features.
func (c *trainConfig) spec(d int) (flow.Spec, error) {
	b := flow.Block{Hidden: c.Hidden, Activation: c.Act, Scale: c.Scale, Clamp: c.Clamp, Mask: c.Mask}
	var sp flow.Spec
	var err error
	switch c.Arch {
	case "glow":
		sp, err = flow.Glow(d, c.Blocks, b)
	case "realnvp":
		sp, err = flow.RealNVP(d, c.Blocks, b)
	case "nice":
		sp, err = flow.NICE(d, c.Blocks, b)
	}
	if err != nil {
		return sp, err
	}
	// Build it once here so that a bad combination (an unknown activation,
	// d = 1 for a coupling) is a usage error before any data is touched.
	if _, err := flow.New[float64](flow.Spec{Dim: sp.Dim, Layers: sp.Layers[:min(len(sp.Layers), 3)]}, 0); err != nil {
		return sp, err
	}
	return sp, nil
}

// splitRows holds out round(frac*n) rows for validation, drawn without
// replacement with seed; both parts keep the file's order.
func splitRows(t table, frac float64, seed uint64) (train, val table) {
	nv := int(math.Round(frac * float64(t.rows)))
	if nv == 0 {
		return t, table{cols: t.cols}
	}
	perm := permutation(t.rows, seed)
	isVal := make([]bool, t.rows)
	for _, i := range perm[:nv] {
		isVal[i] = true
	}
	train, val = table{cols: t.cols}, table{cols: t.cols}
	for i := range t.rows {
		p := &train
		if isVal[i] {
			p = &val
		}
		p.data = append(p.data, t.row(i)...)
		p.rows++
	}
	return train, val
}

// permutation returns a permutation of 0..n-1 drawn from seed (a
// Fisher-Yates shuffle on a kernels.Normal stream of its own: the same on
// every architecture).
func permutation(n int, seed uint64) []int {
	g := kernels.NewNormal(seed, 0x76616c) // "val"
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(g.Uint64() % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// toMatrix converts t to a flow batch in precision T.
func toMatrix[T kernels.Float](t table) flow.Matrix[T] {
	m := flow.Matrix[T]{Rows: t.rows, Cols: t.cols, Data: make([]T, len(t.data)), Stride: max(t.cols, 1)}
	for i, v := range t.data {
		m.Data[i] = T(v)
	}
	return m
}

type fitResult struct {
	hist   flow.History
	params int
}

// fitSave trains a flow of spec in precision T as c says, with a progress
// display on stderr, and saves it to c.Out.
func fitSave[T kernels.Float](c trainConfig, spec flow.Spec, train, val table, stderr io.Writer) (fitResult, error) {
	f, err := flow.New[T](spec, c.Seed)
	if err != nil {
		return fitResult{}, err
	}
	bs := min(c.Batch, train.rows)
	p := &progress{w: stderr, tty: isTerminal(stderr), n: train.rows, bs: bs, perEpoch: (train.rows + bs - 1) / bs,
		epochs: c.Epochs, d: train.cols}
	o := c.options()
	o.Progress = p.report
	h, err := f.Train(toMatrix[T](train), toMatrix[T](val), o)
	if err != nil {
		return fitResult{}, err
	}
	if err := f.Save(c.Out); err != nil {
		return fitResult{}, err
	}
	return fitResult{hist: h, params: len(f.Params())}, nil
}

func (c *trainConfig) options() flow.TrainOptions {
	return flow.TrainOptions{Epochs: c.Epochs, Batch: c.Batch, LR: c.LR, WeightDecay: c.WD, ClipNorm: c.Clip,
		Warmup: c.Warmup, Cosine: c.Cosine, Patience: c.Patience, Seed: c.Seed}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows training progress: on a terminal one line rewritten in
// place (\r) a few times a second and kept at the end of every epoch;
// otherwise one line per epoch.
type progress struct {
	w                  io.Writer
	tty                bool
	n, bs, perEpoch, d int
	epochs             int
	rows               int
	epSum              float64 // sum of loss x rows in the current epoch
	epRows             int
	last               time.Time
	width              int
}

func (p *progress) report(pr flow.Progress) error {
	k := (pr.Step - 1) % p.perEpoch
	if k == 0 {
		p.epSum, p.epRows = 0, 0
	}
	r := min(p.bs, p.n-k*p.bs)
	p.rows += r
	p.epRows += r
	p.epSum += pr.Loss * float64(r)
	if !pr.EpochDone && (!p.tty || time.Since(p.last) < 200*time.Millisecond) {
		return nil
	}
	p.last = time.Now()
	sec := pr.Elapsed.Seconds()
	eta := time.Duration(float64(pr.Elapsed) / float64(pr.Step) * float64(pr.Steps-pr.Step))
	val := "-"
	if !math.IsNaN(pr.ValNLL) {
		val = fmt.Sprintf("%.4f", pr.ValNLL)
	}
	line := fmt.Sprintf("epoch %d/%d  step %d/%d  loss %.4f  val NLL %s  %.0f samples/s  ETA %s",
		pr.Epoch, p.epochs, pr.Step, pr.Steps, p.epSum/float64(p.epRows), val, float64(p.rows)/max(sec, 1e-9),
		eta.Round(time.Second))
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return nil
	}
	pad := max(p.width-len(line), 0)
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	if pr.EpochDone {
		fmt.Fprintln(p.w)
		p.width = 0
	}
	return nil
}
