package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
	"github.com/flowkern/flowkern/models/toy2d"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

const expUsage = `usage: flow exp toy|fashion [flags]

  toy      2-D densities (moons, 8gaussians, checkerboard, spirals): NICE, RealNVP and Glow
           against the Gaussian fit; test NLL table and density heat maps
  fashion  Fashion-MNIST, dequantised and logit-transformed: bits/dim of a flow against the
           best Gaussian on the same data; loss curves and sample grids

"flow exp toy -h" and "flow exp fashion -h" list the flags.
`

func cmdExp(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("which experiment? toy or fashion (flow exp -h)")}
	}
	switch args[0] {
	case "toy":
		return expToy(args[1:], stderr)
	case "fashion":
		return expFashion(args[1:], stderr)
	case "-h", "-help", "--help":
		fmt.Fprint(stderr, expUsage)
		return flag.ErrHelp
	}
	return usageError{fmt.Errorf("unknown experiment %q (want toy or fashion)", args[0])}
}

// archNames are the display names of the architectures.
var archNames = map[string]string{"nice": "NICE", "realnvp": "RealNVP", "glow": "Glow"}

// trained is one trained model of an experiment.
type trained struct {
	hist    flow.History
	params  int
	seconds float64
	sha     string    // SHA-256 of the model file's bytes
	testLP  []float64 // log p of the test rows
	gridLP  []float64 // log p of the grid points (toy)
	samples table     // samples (fashion)
}

// fitEval trains a flow of spec on train (validation val) with options o,
// optionally saves it to path, and scores test and grid rows and draws
// nsamp samples with seed 1.
func fitEval[T kernels.Float](spec flow.Spec, seed uint64, o flow.TrainOptions, train, val, test, grid table, nsamp int, path string) (trained, error) {
	f, err := flow.New[T](spec, seed)
	if err != nil {
		return trained{}, err
	}
	start := time.Now()
	h, err := f.Train(toMatrix[T](train), toMatrix[T](val), o)
	if err != nil {
		return trained{}, err
	}
	r := trained{hist: h, params: len(f.Params()), seconds: time.Since(start).Seconds()}
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		return trained{}, err
	}
	sum := sha256.Sum256(buf.Bytes())
	r.sha = hex.EncodeToString(sum[:])
	if path != "" {
		if err := f.Save(path); err != nil {
			return trained{}, err
		}
	}
	r.testLP = make([]float64, test.rows)
	f.LogProb(r.testLP, toMatrix[T](test))
	if grid.rows > 0 {
		r.gridLP = make([]float64, grid.rows)
		f.LogProb(r.gridLP, toMatrix[T](grid))
	}
	if nsamp > 0 {
		x := flow.Matrix[T]{Rows: nsamp, Cols: f.Dim(), Data: make([]T, nsamp*f.Dim()), Stride: f.Dim()}
		f.Sample(x, 1)
		r.samples = table{rows: nsamp, cols: f.Dim(), data: make([]float64, len(x.Data))}
		for i, v := range x.Data {
			r.samples.data[i] = float64(v)
		}
	}
	return r, nil
}

func fitEvalDType(dtype string, spec flow.Spec, seed uint64, o flow.TrainOptions, train, val, test, grid table, nsamp int, path string) (trained, error) {
	if dtype == "float64" {
		return fitEval[float64](spec, seed, o, train, val, test, grid, nsamp, path)
	}
	return fitEval[float32](spec, seed, o, train, val, test, grid, nsamp, path)
}

// fromMatrix copies a kernels matrix into a table.
func fromMatrix(m kernels.Matrix[float64]) table {
	t := table{rows: m.Rows, cols: m.Cols, data: make([]float64, m.Rows*m.Cols)}
	for i := range m.Rows {
		copy(t.row(i), m.Data[i*m.Stride:i*m.Stride+m.Cols])
	}
	return t
}

// expFlags are the flags both experiments share.
type expFlags struct {
	out, models, dtype, archs string
	c                         trainConfig
}

func (e *expFlags) register(name string, c trainConfig) *flag.FlagSet {
	e.c = c
	fs := newFlags("exp " + name)
	fs.StringVar(&e.out, "out", "flows-out", "output directory (created): CSV results, SVG/PNG plots")
	fs.StringVar(&e.models, "models", "", "directory to save the trained model files in (default: none saved; their SHA-256 is in the results)")
	fs.StringVar(&e.dtype, "dtype", "float32", "precision of the flows: float32 or float64")
	fs.StringVar(&e.archs, "archs", e.archs, "architectures, comma-separated: nice, realnvp, glow")
	fs.IntVar(&e.c.Blocks, "blocks", c.Blocks, "blocks per flow")
	fs.Var(&e.c.Hidden, "hidden", "hidden sizes of the conditioners")
	fs.StringVar(&e.c.Act, "act", c.Act, "conditioner activation")
	fs.StringVar(&e.c.Mask, "mask", c.Mask, "coupling masks: halves, alternating or checkerboard:HxWxC")
	fs.IntVar(&e.c.Epochs, "epochs", c.Epochs, "epochs")
	fs.IntVar(&e.c.Batch, "batch", c.Batch, "minibatch rows")
	fs.Float64Var(&e.c.LR, "lr", c.LR, "peak learning rate (Adam, cosine decay)")
	fs.IntVar(&e.c.Warmup, "warmup", c.Warmup, "warm-up steps")
	fs.Float64Var(&e.c.Clip, "clip", c.Clip, "gradient norm clip (0: none)")
	fs.Uint64Var(&e.c.Seed, "seed", c.Seed, "seed of the data, the weights and the minibatch order")
	return fs
}

// check validates the shared flags and returns the architectures.
func (e *expFlags) check() ([]string, error) {
	if e.dtype != "float32" && e.dtype != "float64" {
		return nil, fmt.Errorf("-dtype %q: want float32 or float64", e.dtype)
	}
	var archs []string
	for _, a := range strings.Split(e.archs, ",") {
		a = strings.TrimSpace(a)
		if archNames[a] == "" {
			return nil, fmt.Errorf("-archs: %q is not nice, realnvp or glow", a)
		}
		archs = append(archs, a)
	}
	e.c.Data, e.c.DType, e.c.Cosine = "-", e.dtype, true
	if err := e.c.check(); err != nil {
		return nil, err
	}
	return archs, nil
}

// modelPath returns where to save a model, or "".
func (e *expFlags) modelPath(name string) string {
	if e.models == "" {
		return ""
	}
	return filepath.Join(e.models, name+".safetensors")
}

func (e *expFlags) mkdirs() error {
	for _, d := range []string{e.out, e.models} {
		if d != "" {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

const toySynopsis = "flow exp toy -out DIR [-densities moons,8gaussians,checkerboard,spirals] [-archs nice,realnvp,glow] [-n 20000 ...]"

func expToy(args []string, stderr io.Writer) error {
	var e expFlags
	e.archs = "nice,realnvp,glow"
	c := defaultTrainConfig()
	c.Epochs, c.LR, c.Warmup = 40, 2e-3, 100
	fs := e.register("toy", c)
	dens := fs.String("densities", strings.Join(toy2d.Names, ","), "toy2d densities, comma-separated")
	n := fs.Int("n", 20000, "training points per density (a further n/4 for validation, n/2 for the test)")
	gridN := fs.Int("grid", 160, "heat-map resolution (points per side)")
	if err := parse(fs, toySynopsis, args, stderr); err != nil {
		return err
	}
	archs, err := e.check()
	if err != nil {
		return usageError{err}
	}
	if *n < 8 || *gridN < 2 {
		return usageError{fmt.Errorf("-n %d -grid %d: need n >= 8 and grid >= 2", *n, *gridN)}
	}
	names := strings.Split(*dens, ",")
	for _, name := range names {
		if _, err := toy2d.Generate(name, 0, 0); err != nil {
			return usageError{err}
		}
	}
	if err := e.mkdirs(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "flow exp toy: %d densities x %d flows (%d blocks, hidden %s, %d epochs, %s, tier %s)\n",
		len(names), len(archs), e.c.Blocks, e.c.Hidden.String(), e.c.Epochs, e.dtype, kernels.ISA())
	o := e.c.options()
	header := "density,model,params,epochs,best_epoch,train_seconds,test_nll,val_nll,model_sha256"
	var rows []string
	var panels [][]*plot.Plot
	start := time.Now()
	for di, name := range names {
		seed := e.c.Seed + uint64(di)*1000
		trm, _ := toy2d.Generate(name, *n, seed)
		vam, _ := toy2d.Generate(name, *n/4, seed+1)
		tem, _ := toy2d.Generate(name, *n/2, seed+2)
		train, val, test := fromMatrix(trm), fromMatrix(vam), fromMatrix(tem)
		lim := 0.0
		for _, v := range test.data {
			lim = max(lim, math.Abs(v))
		}
		lim = math.Ceil(lim*1.05*2) / 2
		grid := gridPoints(*gridN, lim)

		g, err := gaussFit(train)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		glp, _ := g.logProb(test)
		gvl, _ := g.logProb(val)
		rows = append(rows, fmt.Sprintf("%s,gaussian,5,,,0,%s,%s,", name, fmtG(-meanOf(glp)), fmtG(-meanOf(gvl))))
		ggrid, _ := g.logProb(grid)
		row := []*plot.Plot{
			heatPanel(histogram(train, *gridN, lim), lim, name+": data"),
			heatPanel(ggrid, lim, fmt.Sprintf("Gaussian %.3f", -meanOf(glp))),
		}
		fmt.Fprintf(stderr, "%-12s gaussian  test NLL %.4f nats\n", name, -meanOf(glp))
		for _, a := range archs {
			cc := e.c
			cc.Arch = a
			spec, err := cc.spec(2)
			if err != nil {
				return usageError{err}
			}
			r, err := fitEvalDType(e.dtype, spec, e.c.Seed, o, train, val, test, grid, 0, e.modelPath("toy_"+name+"_"+a))
			if err != nil {
				return fmt.Errorf("%s %s: %w", name, a, err)
			}
			nll := -meanOf(r.testLP)
			h := r.hist
			rows = append(rows, fmt.Sprintf("%s,%s,%d,%d,%d,%.1f,%s,%s,%s", name, a, r.params, len(h.Loss), h.Best+1,
				r.seconds, fmtG(nll), fmtG(h.ValNLL[h.Best]), r.sha))
			fmt.Fprintf(stderr, "%-12s %-9s test NLL %.4f nats (val %.4f, epoch %d of %d), %d parameters, %.1f s\n",
				name, a, nll, h.ValNLL[h.Best], h.Best+1, len(h.Loss), r.params, r.seconds)
			row = append(row, heatPanel(r.gridLP, lim, fmt.Sprintf("%s %.3f", archNames[a], nll)))
		}
		panels = append(panels, row)
	}
	if err := writeFile(filepath.Join(e.out, "toy_nll.csv"), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, header+"\n"+strings.Join(rows, "\n"))
		return err
	}); err != nil {
		return err
	}
	for _, ext := range []string{".png", ".svg"} {
		if err := savePanels(filepath.Join(e.out, "toy_densities"+ext), panels, 1.9*vg.Inch); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "wrote toy_nll.csv, toy_densities.png and .svg to %s in %.0f s\n", e.out, time.Since(start).Seconds())
	return nil
}

// gridPoints returns the centres of a side x side grid over [-lim, lim]^2,
// row by row from the top (y = lim) down, x from left to right.
func gridPoints(side int, lim float64) table {
	t := table{rows: side * side, cols: 2, data: make([]float64, 2*side*side)}
	step := 2 * lim / float64(side)
	for i := range side {
		for j := range side {
			k := i*side + j
			t.data[2*k] = -lim + (float64(j)+0.5)*step
			t.data[2*k+1] = lim - (float64(i)+0.5)*step
		}
	}
	return t
}

// histogram counts the rows of t in the cells of gridPoints' grid, as a
// "log density" (log of count + tiny) so that heatPanel draws it alike.
func histogram(t table, side int, lim float64) []float64 {
	h := make([]float64, side*side)
	step := 2 * lim / float64(side)
	for i := range t.rows {
		x, y := t.data[2*i], t.data[2*i+1]
		j, k := int(math.Floor((x+lim)/step)), int(math.Floor((lim-y)/step))
		if j >= 0 && j < side && k >= 0 && k < side {
			h[k*side+j]++
		}
	}
	for i, c := range h {
		h[i] = math.Log(c + 1e-300)
	}
	return h
}

// heatPanel draws exp(logp) over the grid (normalised to its maximum) as a
// plot with the given title and no axes.
func heatPanel(logp []float64, lim float64, title string) *plot.Plot {
	side := int(math.Round(math.Sqrt(float64(len(logp)))))
	hi := math.Inf(-1)
	for _, v := range logp {
		hi = max(hi, v)
	}
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(1)
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for i, v := range logp {
		p := math.Exp(v - hi)
		if math.IsNaN(p) {
			p = 0
		}
		col, err := cm.At(min(max(p, 0), 1))
		if err != nil {
			col = color.Black
		}
		img.Set(i%side, i/side, col)
	}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.Add(plotter.NewImage(img, -lim, -lim, lim, lim))
	p.HideAxes()
	return p
}

// savePanels draws a grid of plots (panel x panel each) to path, PNG or
// SVG by the extension.
func savePanels(path string, panels [][]*plot.Plot, panel vg.Length) error {
	rows, cols := len(panels), 0
	for _, r := range panels {
		cols = max(cols, len(r))
	}
	w, h := vg.Length(cols)*panel, vg.Length(rows)*panel
	var canvas vg.CanvasWriterTo
	if strings.HasSuffix(path, ".svg") {
		canvas = vgsvg.New(w, h)
	} else {
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(4), PadY: vg.Points(4), PadTop: vg.Points(2), PadBottom: vg.Points(2),
		PadLeft: vg.Points(2), PadRight: vg.Points(2)}
	full := make([][]*plot.Plot, rows)
	for i, r := range panels {
		full[i] = make([]*plot.Plot, cols)
		copy(full[i], r)
	}
	cs := plot.Align(full, tiles, draw.New(canvas))
	for i := range full {
		for j, p := range full[i] {
			if p != nil {
				p.Draw(cs[i][j])
			}
		}
	}
	return writeFile(path, func(w io.Writer) error {
		_, err := canvas.WriteTo(w)
		return err
	})
}

const toyDataSynopsis = "flow toy -density moons|8gaussians|checkerboard|spirals -n 10000 [-seed 1] -out FILE.csv|FILE.npy"

// cmdToyData writes points of a models/toy2d density to a data file.
func cmdToyData(args []string, stderr io.Writer) error {
	fs := newFlags("toy")
	name := fs.String("density", "moons", "density: "+strings.Join(toy2d.Names, ", "))
	n := fs.Int("n", 10000, "number of points")
	seed := fs.Uint64("seed", 1, "seed")
	out := fs.String("out", "", "output: FILE.npy or CSV (header x0,x1)")
	if err := parse(fs, toyDataSynopsis, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("-out is required")}
	}
	if *n < 1 {
		return usageError{fmt.Errorf("-n %d: need at least 1 point", *n)}
	}
	m, err := toy2d.Generate(*name, *n, *seed)
	if err != nil {
		return usageError{err}
	}
	if err := writeTable(*out, fromMatrix(m), nil, 64); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d points of %s to %s\n", *n, *name, *out)
	return nil
}
