//go:build torch

package main

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/flowkern/flowkern/models/lindiff"
	"gonum.org/v1/gonum/mat"
)

// TestTorchLindiffSampler checks that flowkern_torch.py's linear diffusion
// sampler, the PyTorch peer of the models section, samples the model's
// distribution: the mean and covariance of its samples within 5 standard
// errors of the exact ones (Model.Learned); lindiff.Sample passes the same
// check, which shows the check is fair. It needs Python with torch
// (go test -tags torch ./bench).
func TestTorchLindiffSampler(t *testing.T) {
	py, why := findTorch()
	if py == nil {
		t.Fatal(why)
	}
	defer py.cleanup()
	const d, T, n = 4, 100, 20000
	m, err := lindiffModel(d, T)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Learned(lindiff.SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	model, out := py.tempPath("m.f64"), py.tempPath("x.f64")
	if err := writeLindiff(model, m, stepCoefs(m.Sched)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py.python, filepath.Join(py.dir, "flowkern_torch.py"), "lindiff-sample", "--model", model,
		"--dim", "4", "--steps", "100", "-n", "20000", "--seed", "3", "--out", out)
	cmd.Env = append(os.Environ(), py.env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 8*n*d {
		t.Fatalf("%d bytes, want %d", len(b), 8*n*d)
	}
	x := make([]float64, n*d)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	ours, err := lindiff.Sample(m, n, lindiff.SampleOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name string
		x    []float64
	}{{"PyTorch", x}, {"lindiff.Sample", ours.RawMatrix().Data}} {
		checkMoments(t, s.name, mat.NewDense(n, d, s.x), g)
	}
}

// checkMoments compares the sample mean and covariance of the rows of x
// with g's, each within 5 standard errors.
func checkMoments(t *testing.T, name string, x *mat.Dense, g lindiff.Gaussian) {
	n, d := x.Dims()
	mean := make([]float64, d)
	for j := range d {
		for i := range n {
			mean[j] += x.At(i, j)
		}
		mean[j] /= float64(n)
	}
	for j := range d {
		se := math.Sqrt(g.Cov.At(j, j) / float64(n))
		if math.Abs(mean[j]-g.Mean[j]) > 5*se {
			t.Errorf("%s: mean[%d] = %.5f, want %.5f ± %.5f", name, j, mean[j], g.Mean[j], 5*se)
		}
	}
	for j := range d {
		for k := range d {
			c := 0.0
			for i := range n {
				c += (x.At(i, j) - mean[j]) * (x.At(i, k) - mean[k])
			}
			c /= float64(n - 1)
			want := g.Cov.At(j, k)
			se := math.Sqrt((g.Cov.At(j, j)*g.Cov.At(k, k) + want*want) / float64(n))
			if math.Abs(c-want) > 5*se {
				t.Errorf("%s: cov[%d][%d] = %.5f, want %.5f ± %.5f", name, j, k, c, want, 5*se)
			}
		}
	}
}
