//go:build torch

// The agreement tests: models/flow against the PyTorch model of
// flowkern_torch.py, same log-densities for the same model file, and
// PyTorch-trained files that Go loads and scores alike. They need Python 3
// with torch and numpy (Debian: apt-get install python3-torch
// python3-numpy) and run only with the torch build tag:
//
//	go test -tags torch -v ./bench/pytorch/
//
// FLOWKERN_PYTHON names the interpreter (default /usr/bin/python3);
// FLOWKERN_TORCH_KEEP=dir keeps TestSameLogProb's model and data files.

package pytorch

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// arch is one architecture of the agreement tests.
type arch struct {
	name string
	spec func() (flow.Spec, error)
}

func archs() []arch {
	glow := func(d, blocks int, b flow.Block) func() (flow.Spec, error) {
		return func() (flow.Spec, error) { return flow.Glow(d, blocks, b) }
	}
	return []arch{
		{"glow-atan-tanh", glow(6, 3, flow.Block{Hidden: []int{16, 16}})},
		{"realnvp-exp-relu-alternating", func() (flow.Spec, error) {
			return flow.RealNVP(5, 3, flow.Block{Hidden: []int{12}, Activation: "relu", Scale: flow.ScaleExp, Mask: "alternating"})
		}},
		{"nice-softplus", func() (flow.Spec, error) {
			return flow.NICE(4, 4, flow.Block{Hidden: []int{10, 10}, Activation: "softplus"})
		}},
		{"mixed-all-kinds", mixed},
		{"toy-d2-w64", glow(2, 8, flow.Block{Hidden: []int{64, 64}})},
		{"d64-w256", glow(64, 8, flow.Block{Hidden: []int{256, 256}})},
		{"d784-checkerboard-w128", glow(784, 3, flow.Block{Hidden: []int{128}, Activation: "gelu", Mask: "checkerboard:28x28x1"})},
	}
}

// mixed has every layer kind, scale map and activation, and column sets
// that are neither halves nor contiguous.
func mixed() (flow.Spec, error) {
	a, b := []int{0, 3, 5}, []int{1, 2, 4, 6}
	return flow.Spec{Dim: 7, Layers: []flow.LayerSpec{
		{Kind: flow.KindActNorm},
		{Kind: flow.KindShuffle},
		{Kind: flow.KindAffine, A: a, B: b, Hidden: []int{9, 8}, Activation: "gelu", Scale: flow.ScaleSigmoid},
		{Kind: flow.KindReverse},
		{Kind: flow.KindLU},
		{Kind: flow.KindAffine, A: b, B: a, Hidden: []int{11}, Activation: "silu", Scale: flow.ScaleTanh, Clamp: 1.5},
		{Kind: flow.KindAdditive, A: a, B: b, Hidden: []int{6}, Activation: "identity"},
		{Kind: flow.KindAffine, A: b, B: a, Hidden: []int{7, 7}, Activation: "softplus", Scale: flow.ScaleSigmoid, Clamp: 1e-3},
		{Kind: flow.KindAffine, A: a, B: b, Hidden: []int{5}, Activation: "relu", Scale: flow.ScaleAtan, Clamp: 2},
		{Kind: flow.KindAffine, A: b, B: a, Hidden: []int{5}, Activation: "tanh", Scale: flow.ScaleExp},
		{Kind: flow.KindScale},
	}}, nil
}

func python(t *testing.T) string {
	py := os.Getenv("FLOWKERN_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import torch, numpy").CombinedOutput(); err != nil {
		t.Fatalf("%s has no torch/numpy (apt-get install python3-torch python3-numpy, or set FLOWKERN_PYTHON): %v\n%s", py, err, out)
	}
	return py
}

func runPy(t *testing.T, py string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, append([]string{"flowkern_torch.py"}, args...)...)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// perturb moves every parameter away from its initial value (the zero last
// layers, zero ActNorm, orthogonal LU), by amounts that keep the flow well
// conditioned.
func perturb[T kernels.Float](f *flow.Flow[T], seed uint64) {
	d := f.Dim()
	for i, l := range f.Layers() {
		g := kernels.NewNormal(seed, uint64(i))
		p := f.LayerParams(i)
		noise := make([]float64, len(p))
		g.Fill(noise)
		switch l := l.(type) {
		case *flow.ActNorm[T]:
			for k := range p {
				p[k] += T(0.3 * noise[k])
			}
		case *flow.LU[T]:
			for r := range d {
				for c := range d {
					if r != c { // small: U of an orthogonal W has entries up to 27 at d = 784
						p[r*d+c] += T(0.3 / float64(d) * noise[r*d+c])
					}
				}
			}
			for k := d * d; k < len(p); k++ {
				p[k] += T(0.3 / math.Sqrt(float64(d)) * noise[k])
			}
		case *flow.Coupling[T]:
			for k, dl := range l.Net().Layers {
				s := 0.8 / math.Sqrt(float64(dl.W.Cols))
				if k == len(l.Net().Layers)-1 {
					s /= 4 // s and t: log-scales and shifts of order 0.1 to 1
				}
				for k := range dl.W.Data {
					dl.W.Data[k] += T(s * noise[0])
					noise = noise[1:]
				}
				for k := range dl.B {
					dl.B[k] += T(0.1 * noise[0])
					noise = noise[1:]
				}
			}
		}
	}
}

// data returns n rows of d shifted, scaled normals, as float64 (written
// for Python) and as T (the same values: float32 data is rounded first).
func data[T kernels.Float](n, d int, seed uint64) ([]float64, flow.Matrix[T]) {
	g := kernels.NewNormal(seed, 0)
	v := make([]float64, n*d)
	g.Fill(v)
	m := flow.Matrix[T]{Rows: n, Cols: d, Data: make([]T, n*d), Stride: d}
	for i := range v {
		m.Data[i] = T(1.3*v[i] + 0.2*float64(i%d%3))
		v[i] = float64(m.Data[i])
	}
	return v, m
}

func writeF64(t *testing.T, path string, v []float64) {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readF64(t *testing.T, path string) []float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

// maxRel returns max_b |got[b] - want[b]| / |want[b]| and its row.
func maxRel(t *testing.T, got, want []float64) (float64, int) {
	if len(got) != len(want) {
		t.Fatalf("%d log-densities, want %d", len(got), len(want))
	}
	worst, at := 0.0, -1
	for b := range want {
		r := math.Abs(got[b]-want[b]) / math.Abs(want[b])
		if !(r <= worst) { // NaN counts as worst
			worst, at = r, b
		}
	}
	return worst, at
}

func tolerance[T kernels.Float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 1e-5
	}
	return 1e-12
}

// TestSameLogProb: PyTorch loads each model file and its log p of the same
// rows agrees with flow.LogProb to 1e-5 relative (float32), 1e-12 (float64).
func TestSameLogProb(t *testing.T) {
	py := python(t)
	for _, a := range archs() {
		t.Run(a.name+"/float32", func(t *testing.T) { sameLogProb[float32](t, py, a) })
		t.Run(a.name+"/float64", func(t *testing.T) { sameLogProb[float64](t, py, a) })
	}
}

func sameLogProb[T kernels.Float](t *testing.T, py string, a arch) {
	sp, err := a.spec()
	if err != nil {
		t.Fatal(err)
	}
	f, err := flow.New[T](sp, 7)
	if err != nil {
		t.Fatal(err)
	}
	perturb(f, 11)
	dir := t.TempDir()
	if k := os.Getenv("FLOWKERN_TORCH_KEEP"); k != "" {
		dir = k // keep the files of one subtest (-run) for a look
	}
	model, xs, lps := filepath.Join(dir, "m.safetensors"), filepath.Join(dir, "x.f64"), filepath.Join(dir, "lp.f64")
	if err := f.Save(model); err != nil {
		t.Fatal(err)
	}
	n := 300 // more than LogProb's chunk of 256 rows
	xv, x := data[T](n, sp.Dim, 5)
	writeF64(t, xs, xv)
	want := make([]float64, n)
	f.LogProb(want, x)
	runPy(t, py, "logprob", "--model", model, "--data", xs, "--out", lps)
	got := readF64(t, lps)
	rel, at := maxRel(t, got, want)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range want {
		lo, hi = min(lo, v), max(hi, v)
	}
	t.Logf("max relative difference %.3g (row %d: Go %.10g; log p in [%.4g, %.4g])", rel, at, want[max(at, 0)], lo, hi)
	if !(rel <= tolerance[T]()) {
		t.Errorf("max relative difference %.3g > %g", rel, tolerance[T]())
	}
	if _, ok := any(f).(*flow.Flow[float32]); ok {
		// Both float32 results against the float64 evaluation of the same
		// model (parameters and data widened exactly).
		ref := widened(t, sp, f.Params(), x)
		rg, _ := maxRel(t, want, ref)
		rp, _ := maxRel(t, got, ref)
		t.Logf("against float64: Go %.3g, PyTorch %.3g", rg, rp)
	}
}

// widened returns the float64 log p of the float32 flow with parameters p
// (the buffers are those of New's seed 7, as in sameLogProb).
func widened[T kernels.Float](t *testing.T, sp flow.Spec, p []T, x flow.Matrix[T]) []float64 {
	f, err := flow.New[float64](sp, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range p {
		f.Params()[i] = float64(v)
	}
	x64 := flow.Matrix[float64]{Rows: x.Rows, Cols: x.Cols, Data: make([]float64, len(x.Data)), Stride: x.Stride}
	for i, v := range x.Data {
		x64.Data[i] = float64(v)
	}
	lp := make([]float64, x.Rows)
	f.LogProb(lp, x64)
	return lp
}

// TestPyTorchTrained: PyTorch trains a few Adam steps from a Go model file
// (its ActNorm layers initialised from PyTorch's first batch) and exports;
// Go loads the export and its log p agrees with PyTorch's for the trained
// weights.
func TestPyTorchTrained(t *testing.T) {
	py := python(t)
	for _, a := range archs() {
		if strings.HasPrefix(a.name, "d784") {
			continue
		}
		t.Run(a.name+"/float32", func(t *testing.T) { pytorchTrained[float32](t, py, a) })
		t.Run(a.name+"/float64", func(t *testing.T) { pytorchTrained[float64](t, py, a) })
	}
}

func pytorchTrained[T kernels.Float](t *testing.T, py string, a arch) {
	sp, err := a.spec()
	if err != nil {
		t.Fatal(err)
	}
	f, err := flow.New[T](sp, 3)
	if err != nil {
		t.Fatal(err)
	}
	perturb(f, 13)
	dir := t.TempDir()
	model, trained := filepath.Join(dir, "m.safetensors"), filepath.Join(dir, "trained.safetensors")
	xs, lps := filepath.Join(dir, "x.f64"), filepath.Join(dir, "lp.f64")
	if err := f.Save(model); err != nil {
		t.Fatal(err)
	}
	n := 200
	xv, x := data[T](n, sp.Dim, 9)
	writeF64(t, xs, xv)
	out := runPy(t, py, "train", "--model", model, "--data", xs, "--out", trained, "--steps", "5", "--batch", "64",
		"--lr", "1e-2", "--logprob-out", lps)
	t.Logf("PyTorch: %s", strings.TrimSpace(out))
	g, err := flow.Load[T](trained)
	if err != nil {
		t.Fatalf("Go cannot load the PyTorch export: %v", err)
	}
	for i, ls := range g.Spec().Layers {
		if ls.Kind == flow.KindActNorm && !ls.Initialized {
			t.Errorf("layer %d: ActNorm not marked initialised in the export", i)
		}
	}
	changed := false
	for i, v := range g.Params() {
		if v != f.Params()[i] {
			changed = true
			break
		}
	}
	if !changed {
		t.Fatal("the exported parameters are those of the Go file: PyTorch did not train")
	}
	got := make([]float64, n)
	g.LogProb(got, x)
	rel, at := maxRel(t, got, readF64(t, lps))
	t.Logf("max relative difference %.3g (row %d: Go %.10g)", rel, at, got[max(at, 0)])
	if !(rel <= tolerance[T]()) {
		t.Errorf("max relative difference %.3g > %g", rel, tolerance[T]())
	}
}
