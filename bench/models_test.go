package main

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/bench/internal/flowcase"
	"github.com/flowkern/flowkern/models/lindiff"
)

// TestModelsTable checks the section's table: a ratio column per peer
// measured, the ratio the median of the repetitions' pairs with their
// range, empty cells where a peer did not run the workload, and without
// PyTorch no PyTorch column but the line saying how to get it.
func TestModelsTable(t *testing.T) {
	res := []ModelResult{
		newResult("flow", "toy", "float32", "train", "steps/s", "ours", []float64{100, 300, 200}),
		newResult("flow", "toy", "float32", "train", "steps/s", "pytorch", []float64{50, 100, 100}),
		newResult("lindiff", "n=10", "float64", "sample", "samples/s", "ours", []float64{60, 60}),
		newResult("lindiff", "n=10", "float64", "sample", "samples/s", "gonum", []float64{20, 30}),
		newResult("lindiff", "n=10", "float64", "sample", "samples/s", "pytorch", []float64{40, 40}),
	}
	var b bytes.Buffer
	writeModels(&b, &ModelsSection{Tier: "avx2", Results: res, Torch: "torch 1.13"})
	md := b.String()
	for _, want := range []string{
		"| ours | gonum | ours / gonum | PyTorch | ours / PyTorch |",
		// ratios 2, 3, 2: median 2, range 2-3; the rate is the median, 200.
		"| flow | toy | float32 | train | 200 steps/s ±100% | | | 100 steps/s ±50% | **2.00x** (2.00-3.00) |",
		// ratios 3 and 2 against gonum: the upper median, as for the rates.
		"| 30 samples/s ±33% | **3.00x** (2.00-3.00) | 40 samples/s ±0% | **1.50x** (1.50-1.50) |",
		"torch 1.13",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "apt-get install python3-torch") {
		t.Errorf("PyTorch was measured, yet the table says how to get it:\n%s", md)
	}

	b.Reset()
	writeModels(&b, &ModelsSection{Tier: "avx2", Results: res[2:4], NoTorch: "no Python with torch and numpy (python3: No module named 'torch')", TorchMissing: true})
	md = b.String()
	if strings.Contains(md, "ours / PyTorch") || !strings.Contains(md, "| ours | gonum | ours / gonum |\n") {
		t.Errorf("without PyTorch results the table has a PyTorch column, or lacks gonum's:\n%s", md)
	}
	if !strings.Contains(md, "No module named 'torch'); to add it, `apt-get install python3-torch python3-numpy`") {
		t.Errorf("the table does not say why PyTorch is missing and how to get it:\n%s", md)
	}

	// Left out on purpose (-quick): the reason, and no installation advice.
	b.Reset()
	writeModels(&b, &ModelsSection{Tier: "avx2", Results: res[2:4], NoTorch: "not run in -quick mode"})
	md = b.String()
	if !strings.Contains(md, "- **PyTorch**: not run in -quick mode.\n") || strings.Contains(md, "apt-get") {
		t.Errorf("PyTorch left out by -quick: the section should say so, without installation advice:\n%s", md)
	}
}

// TestNoTorch checks that an interpreter that is not there is reported as
// missing, naming it.
func TestNoTorch(t *testing.T) {
	t.Setenv("FLOWKERN_PYTHON", "/nonexistent/python3")
	py, why := findTorch()
	if py != nil {
		py.cleanup()
		t.Fatalf("found torch in %s", py.python)
	}
	if !strings.Contains(why, "/nonexistent/python3: not found") {
		t.Errorf("reason %q does not name the interpreter", why)
	}
}

// TestGonumSample checks that the gonum peer computes lindiff.Sample's
// samples (same noise streams; only the rounding of the update differs),
// at sizes that are not multiples of its chunks and noise blocks.
func TestGonumSample(t *testing.T) {
	m, err := lindiffModel(7, 30)
	if err != nil {
		t.Fatal(err)
	}
	coef := stepCoefs(m.Sched)
	for _, n := range []int{1, 17, 300} {
		want, err := lindiff.Sample(m, n, lindiff.SampleOptions{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		got := gonumSample(m, coef, n, 5)
		for i, v := range got {
			w := want.RawMatrix().Data[i]
			if math.Abs(v-w) > 1e-12*(1+math.Abs(w)) {
				t.Fatalf("n = %d: sample %d, column %d: gonum %v, lindiff.Sample %v", n, i/7, i%7, v, w)
			}
		}
	}
}

// TestModelsQuick runs the section as -quick does (no PyTorch) and checks
// that it measured every workload, ours and the gonum peer.
func TestModelsQuick(t *testing.T) {
	sec, err := runModels(modelOpts{quick: true}, newProgress(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range sec.Results {
		seen[r.Model+" "+r.Prec+" "+r.Work+" "+r.Impl] = true
		if len(r.Rates) != 2 || !(r.Rate > 0) {
			t.Errorf("%s %s %s %s %s: rates %v", r.Model, r.Config, r.Prec, r.Work, r.Impl, r.Rates)
		}
		if r.Impl == "pytorch" {
			t.Errorf("PyTorch ran in -quick mode")
		}
	}
	for _, want := range []string{"flow float32 train ours", "flow float64 sample ours", "flow float64 logprob ours",
		"lindiff float64 sample ours", "lindiff float64 sample gonum"} {
		if !seen[want] {
			t.Errorf("no result for %s", want)
		}
	}
	if sec.NoTorch == "" {
		t.Errorf("no reason given for the missing PyTorch column")
	}
}

// TestModelsFlags checks when the section runs: by default, not with -run
// or -nobench unless asked for, never with -models=false.
func TestModelsFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"-quick"}, true},
		{[]string{"-run", "Dot"}, false},
		{[]string{"-nobench"}, false},
		{[]string{"-run", "Dot", "-models"}, true},
		{[]string{"-models=false"}, false},
	} {
		opt, err := parseFlags(c.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if opt.models != c.want {
			t.Errorf("%v: models %v, want %v", c.args, opt.models, c.want)
		}
	}
}

// TestPeerFailure checks that a PyTorch peer that dies is reported as the
// peer's failure (the section then drops it), with its last words.
func TestPeerFailure(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "python3")
	script := "#!/bin/sh\nif [ \"$1\" = -c ]; then echo 1.13; exit 0; fi\necho 'Traceback ...' >&2\necho 'MemoryError: out of memory' >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	t.Setenv("FLOWKERN_PYTHON", fake)
	py, why := findTorch()
	if py == nil {
		t.Fatalf("the fake interpreter was not taken: %s", why)
	}
	defer py.cleanup()
	_, err := measureFlow[float32](flowConfig{flowcase.Config{Name: "tiny", D: 2, Width: 4}, 1, 0}, py)
	var pe peerError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "MemoryError: out of memory") {
		t.Errorf("error %v is not the peer's failure with its message", err)
	}
}
