package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/mat"
)

const fashionSynopsis = "flow exp fashion -out DIR [-data DIR] [-archs realnvp,glow] [-hidden 512,512] [-epochs 3] ..."

func expFashion(args []string, stderr io.Writer) error {
	var e expFlags
	e.archs = "realnvp"
	c := defaultTrainConfig()
	c.Blocks, c.Hidden, c.Epochs, c.LR, c.Warmup, c.Mask = 8, intList{512, 512}, 3, 1e-3, 200, "checkerboard:28x28x1"
	fs := e.register("fashion", c)
	dir := fs.String("data", lindiff.DefaultFashionMNISTDir, "directory of the Fashion-MNIST IDX files (Debian dataset-fashion-mnist)")
	ntrain := fs.Int("ntrain", 60000, "training images used (the first ones of the file), validation included")
	nval := fs.Int("nval", 5000, "of those, images held out for validation (picks the epoch kept)")
	ntest := fs.Int("ntest", 10000, "test images used")
	alpha := fs.Float64("alpha", 0.05, "logit transform y = logit(alpha + (1 - 2 alpha) x)")
	nsamp := fs.Int("samples", 64, "images per sample grid")
	if err := parse(fs, fashionSynopsis, args, stderr); err != nil {
		return err
	}
	archs, err := e.check()
	if err != nil {
		return usageError{err}
	}
	switch {
	case *nval < 1 || *ntrain-*nval < 2 || *ntest < 1:
		return usageError{fmt.Errorf("-ntrain %d -nval %d -ntest %d: need nval >= 1, ntrain - nval >= 2, ntest >= 1", *ntrain, *nval, *ntest)}
	case !(*alpha > 0 && *alpha < 0.5):
		return usageError{fmt.Errorf("-alpha %v: need 0 < alpha < 0.5", *alpha)}
	case *nsamp < 1:
		return usageError{fmt.Errorf("-samples %d: need at least 1", *nsamp)}
	}
	start := time.Now()
	trainPx, side, err := readImages(*dir, "train-images-idx3-ubyte.gz", *ntrain)
	if err != nil {
		return err
	}
	testPx, _, err := readImages(*dir, "t10k-images-idx3-ubyte.gz", *ntest)
	if err != nil {
		return err
	}
	if err := e.mkdirs(); err != nil {
		return err
	}
	d := side * side
	seed := e.c.Seed
	all := dequantize(trainPx, *ntrain, d, seed, 1)
	test := dequantize(testPx, *ntest, d, seed, 2)
	train, val := splitRows(all, float64(*nval)/float64(*ntrain), seed)
	fmt.Fprintf(stderr, "flow exp fashion: %d training, %d validation, %d test images of %dx%d (tier %s)\n",
		train.rows, val.rows, test.rows, side, side, kernels.ISA())
	if err := imageGrid(filepath.Join(e.out, "fashion_data.png"), head(test, *nsamp), side, 2); err != nil {
		return err
	}

	header := "model,params,epochs,best_epoch,train_seconds,test_bpd,val_bpd,test_nll_logit_space,model_sha256"
	var rows []string
	// The Gaussian of the pixels themselves (the linear diffusion model's
	// family, on [0, 1) data): bits/dim = NLL/(d ln 2) + 8.
	gx, err := gaussFit(train)
	if err != nil {
		return fmt.Errorf("Gaussian on pixels: %w", err)
	}
	bpdX := func(t table) (float64, error) {
		lp, err := gx.logProb(t)
		return -meanOf(lp)/(float64(d)*math.Ln2) + 8, err
	}
	tx, err := bpdX(test)
	if err != nil {
		return err
	}
	vx, _ := bpdX(val)
	rows = append(rows, fmt.Sprintf("gaussian_pixels,%d,,,,%s,%s,,", d+d*(d+1)/2, fmtG(tx), fmtG(vx)))
	fmt.Fprintf(stderr, "Gaussian on dequantised pixels: test %.4f bits/dim\n", tx)

	for _, t := range []table{train, val, test} {
		logitTransform(t.data, *alpha)
	}
	meanLD := func(t table) float64 {
		s := 0.0
		for i := range t.rows {
			s += logitLogDet(t.row(i), *alpha)
		}
		return s / float64(t.rows)
	}
	ldTest, ldVal := meanLD(test), meanLD(val)
	gy, err := gaussFit(train)
	if err != nil {
		return fmt.Errorf("Gaussian in logit space: %w", err)
	}
	lpt, err := gy.logProb(test)
	if err != nil {
		return err
	}
	lpv, _ := gy.logProb(val)
	ty, vy := pixelBPD(-meanOf(lpt), ldTest, d), pixelBPD(-meanOf(lpv), ldVal, d)
	rows = append(rows, fmt.Sprintf("gaussian_logit,%d,,,,%s,%s,%s,", d+d*(d+1)/2, fmtG(ty), fmtG(vy), fmtG(-meanOf(lpt))))
	fmt.Fprintf(stderr, "Gaussian in logit space: test %.4f bits/dim\n", ty)
	gs := gy.sample(*nsamp, seed)
	unlogit(gs.data, *alpha)
	if err := imageGrid(filepath.Join(e.out, "fashion_gaussian_samples.png"), gs, side, 2); err != nil {
		return err
	}

	for _, a := range archs {
		cc := e.c
		cc.Arch = a
		spec, err := cc.spec(d)
		if err != nil {
			return usageError{err}
		}
		o := cc.options()
		bs := min(cc.Batch, train.rows)
		p := &progress{w: stderr, tty: isTerminal(stderr), n: train.rows, bs: bs, perEpoch: (train.rows + bs - 1) / bs, epochs: cc.Epochs, d: d}
		o.Progress = p.report
		fmt.Fprintf(stderr, "%s: %d blocks, hidden %s, mask %s, %s\n", archNames[a], cc.Blocks, cc.Hidden.String(), cc.Mask, e.dtype)
		r, err := fitEvalDType(e.dtype, spec, seed, o, train, val, test, table{}, *nsamp, e.modelPath("fashion_"+a))
		if err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		h := r.hist
		nll := -meanOf(r.testLP)
		tb, vb := pixelBPD(nll, ldTest, d), pixelBPD(h.ValNLL[h.Best], ldVal, d)
		rows = append(rows, fmt.Sprintf("%s,%d,%d,%d,%.0f,%s,%s,%s,%s", a, r.params, len(h.Loss), h.Best+1, r.seconds,
			fmtG(tb), fmtG(vb), fmtG(nll), r.sha))
		fmt.Fprintf(stderr, "%s: test %.4f bits/dim (validation %.4f, epoch %d of %d), %d parameters, %.0f s; Gaussian in logit space %.4f, on pixels %.4f\n",
			archNames[a], tb, vb, h.Best+1, len(h.Loss), r.params, r.seconds, ty, tx)
		if err := writeLossCurves(filepath.Join(e.out, "fashion_"+a+"_loss"), h, "Fashion-MNIST, "+archNames[a]+" (logit space)"); err != nil {
			return err
		}
		unlogit(r.samples.data, *alpha)
		if err := imageGrid(filepath.Join(e.out, "fashion_"+a+"_samples.png"), r.samples, side, 2); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(e.out, "fashion_bpd.csv"), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, header+"\n"+strings.Join(rows, "\n"))
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote fashion_bpd.csv and the plots to %s in %.0f s\n", e.out, time.Since(start).Seconds())
	return nil
}

// readImages reads the first n images of an IDX file in dir and returns
// their pixels and side.
func readImages(dir, name string, n int) ([]byte, int, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("Fashion-MNIST: %s not found; install the Debian package dataset-fashion-mnist or pass -data DIR", path)
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	dims, px, err := lindiff.ReadIDX(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if len(dims) != 3 || dims[1] != dims[2] || dims[1] == 0 {
		return nil, 0, fmt.Errorf("%s: dimensions %v are not n x side x side images", path, dims)
	}
	if dims[0] < n {
		return nil, 0, fmt.Errorf("%s has %d images, %d asked", path, dims[0], n)
	}
	return px, dims[1], nil
}

// head returns the first n rows of t (fewer if t is shorter).
func head(t table, n int) table {
	n = min(n, t.rows)
	return table{rows: n, cols: t.cols, data: t.data[:n*t.cols]}
}

// sample draws n rows of the Gaussian: mean + U^T z, z standard normal
// from stream 0 of seed.
func (g *gauss) sample(n int, seed uint64) table {
	d := len(g.mean)
	z := mat.NewDense(n, d, nil)
	gen := kernels.NewNormal(seed, 0)
	gen.Fill(z.RawMatrix().Data)
	var x mat.Dense
	x.Mul(z, &g.u) // rows z^T U = (U^T z)^T
	t := table{rows: n, cols: d, data: make([]float64, n*d)}
	for i := range n {
		for j := range d {
			t.data[i*d+j] = x.At(i, j) + g.mean[j]
		}
	}
	return t
}
