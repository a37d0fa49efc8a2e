package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

const sampleSynopsis = "flow sample -model FILE -n N [-seed S] -out FILE.csv|FILE.npy [-plot FILE.png [-image [-alpha 0.05]] [-grid 64]]"

func cmdSample(args []string, stderr io.Writer) error {
	fs := newFlags("sample")
	model := fs.String("model", "", "model file written by flow train")
	n := fs.Int("n", 1000, "number of samples")
	seed := fs.Uint64("seed", 1, "seed of the latent draws (the same seed gives the same rows on every tier)")
	out := fs.String("out", "", "output: FILE.npy (NumPy) or any other name for CSV with a header x0,x1,...")
	pic := fs.String("plot", "", "picture of the samples: a scatter plot when d = 2 (.png, .svg, .pdf), a grid of images when d is a square (.png)")
	img := fs.Bool("image", false, "the data are logit-transformed pixels y = logit(alpha + (1 - 2 alpha) x): draw x = (sigmoid(y) - alpha)/(1 - 2 alpha)")
	alpha := fs.Float64("alpha", 0.05, "alpha of the logit transform (-image)")
	grid := fs.Int("grid", 64, "images in the grid")
	if err := parse(fs, sampleSynopsis, args, stderr); err != nil {
		return err
	}
	switch {
	case *model == "":
		return usageError{errors.New("-model is required")}
	case *out == "":
		return usageError{errors.New("-out is required")}
	case *n < 1:
		return usageError{fmt.Errorf("-n %d: need at least 1 sample", *n)}
	case *grid < 1:
		return usageError{fmt.Errorf("-grid %d: need at least 1 image", *grid)}
	case !(*alpha >= 0 && *alpha < 0.5):
		return usageError{fmt.Errorf("-alpha %v: need 0 <= alpha < 0.5", *alpha)}
	}
	spec, dtype, err := modelInfo(*model)
	if err != nil {
		return err
	}
	d := spec.Dim
	side := int(math.Round(math.Sqrt(float64(d))))
	if *pic != "" && d != 2 && side*side != d {
		return fmt.Errorf("-plot: no picture for d = %d (a scatter plot needs d = 2, an image grid a square d)", d)
	}
	if *pic != "" {
		ext := strings.ToLower(filepath.Ext(*pic))
		if d == 2 && !slices.Contains([]string{".png", ".svg", ".pdf", ".eps", ".jpg", ".jpeg", ".tif", ".tiff"}, ext) {
			return fmt.Errorf("-plot %s: the format follows the name: .png, .svg, .pdf, .eps, .jpg or .tif", *pic)
		}
		if d != 2 && ext != ".png" {
			return fmt.Errorf("-plot %s: an image grid is written as PNG (name it .png)", *pic)
		}
		if err := checkWritable(*pic); err != nil {
			return err
		}
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	var t table
	bits := 64
	if dtype == "float32" {
		bits = 32
		t, err = sampleModel[float32](*model, *n, *seed)
	} else {
		t, err = sampleModel[float64](*model, *n, *seed)
	}
	if err != nil {
		return err
	}
	if err := writeTable(*out, t, nil, bits); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d samples of d = %d (%s) to %s\n", t.rows, d, dtype, *out)
	if *pic == "" {
		return nil
	}
	if d == 2 {
		err = scatterPlot(*pic, t, fmt.Sprintf("%d samples", t.rows))
	} else {
		g := table{rows: min(*grid, t.rows), cols: d}
		g.data = append([]float64(nil), t.data[:g.rows*d]...)
		if *img {
			unlogit(g.data, *alpha)
		} else {
			minMax(g.data)
		}
		err = imageGrid(*pic, g, side, 2)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *pic)
	return nil
}

// sampleModel draws n rows from the model file at path in precision T.
func sampleModel[T kernels.Float](path string, n int, seed uint64) (table, error) {
	f, err := flow.Load[T](path)
	if err != nil {
		return table{}, err
	}
	x := flow.Matrix[T]{Rows: n, Cols: f.Dim(), Data: make([]T, n*f.Dim()), Stride: f.Dim()}
	f.Sample(x, seed)
	t := table{rows: n, cols: f.Dim(), data: make([]float64, len(x.Data))}
	for i, v := range x.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return table{}, fmt.Errorf("sample %d is not finite: the model's inverse overflowed", i/f.Dim()+1)
		}
		t.data[i] = float64(v)
	}
	return t, nil
}

// unlogit maps logit-space values y back to pixels in [0, 1]:
// x = (sigmoid(y) - alpha)/(1 - 2 alpha).
func unlogit(v []float64, alpha float64) {
	kernels.Sigmoid(v, v)
	for i, s := range v {
		v[i] = (s - alpha) / (1 - 2*alpha)
	}
}

// minMax scales v linearly to [0, 1].
func minMax(v []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	for i, x := range v {
		if hi > lo {
			v[i] = (x - lo) / (hi - lo)
		} else {
			v[i] = 0.5
		}
	}
}

const logprobSynopsis = "flow logprob -model FILE -data FILE [-out FILE.csv|FILE.npy] [-image [-alpha 0.05]]"

func cmdLogProb(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("logprob")
	model := fs.String("model", "", "model file written by flow train")
	data := fs.String("data", "", "data: CSV (header optional) or .npy, one sample per row")
	out := fs.String("out", "", "output file (default: CSV on stdout): a column logprob, nats per row")
	img := fs.Bool("image", false, "the data are logit-transformed 8-bit pixels y = logit(alpha + (1 - 2 alpha) (pixel + u)/256): also report bits/dim of the pixels")
	alpha := fs.Float64("alpha", 0.05, "alpha of the logit transform (-image)")
	if err := parse(fs, logprobSynopsis, args, stderr); err != nil {
		return err
	}
	switch {
	case *model == "":
		return usageError{errors.New("-model is required")}
	case *data == "":
		return usageError{errors.New("-data is required")}
	case !(*alpha >= 0 && *alpha < 0.5):
		return usageError{fmt.Errorf("-alpha %v: need 0 <= alpha < 0.5", *alpha)}
	}
	spec, dtype, err := modelInfo(*model)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := checkWritable(*out); err != nil {
			return err
		}
	}
	t, err := readData(*data)
	if err != nil {
		return err
	}
	if t.cols != spec.Dim {
		return fmt.Errorf("%s has %d columns, the model %s has %d features", *data, t.cols, *model, spec.Dim)
	}
	var lp []float64
	if dtype == "float32" {
		lp, err = logProbModel[float32](*model, t)
	} else {
		lp, err = logProbModel[float64](*model, t)
	}
	if err != nil {
		return err
	}
	res := table{rows: len(lp), cols: 1, data: lp}
	if *out != "" {
		err = writeTable(*out, res, []string{"logprob"}, 64)
	} else {
		err = encodeCSV(stdout, res, []string{"logprob"}, 64)
	}
	if err != nil {
		return err
	}
	nll := -meanOf(lp)
	d := float64(t.cols)
	msg := fmt.Sprintf("%d rows, d = %d: mean NLL %.6g nats, %.6g bits/dim", t.rows, t.cols, nll, nll/(d*math.Ln2))
	if *img {
		ld := 0.0
		for i := range t.rows {
			ld += logitLogDet(t.row(i), *alpha)
		}
		msg += fmt.Sprintf("; pixel space (logit Jacobian and 8-bit offset): %.6g bits/dim", pixelBPD(nll, ld/float64(t.rows), t.cols))
	}
	fmt.Fprintln(stderr, msg)
	return nil
}

// logProbModel returns log p of every row of t under the model at path.
func logProbModel[T kernels.Float](path string, t table) ([]float64, error) {
	f, err := flow.Load[T](path)
	if err != nil {
		return nil, err
	}
	lp := make([]float64, t.rows)
	f.LogProb(lp, toMatrix[T](t))
	for i, v := range lp {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("row %d: log p is NaN", i+1)
		}
	}
	return lp, nil
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// modelInfo returns the architecture and dtype of a model file; a missing
// file is reported by the operating system's words alone.
func modelInfo(path string) (flow.Spec, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return flow.Spec{}, "", err
	}
	f.Close()
	return flow.FileInfo(path)
}
