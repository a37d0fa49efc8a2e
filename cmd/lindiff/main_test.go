package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readCSV returns the header and rows of a CSV file written by the command.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(all) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return all[0], all[1:]
}

// finite checks that the named columns of every row parse as finite numbers.
func finite(t *testing.T, name string, header []string, rows [][]string, cols ...string) {
	t.Helper()
	for _, col := range cols {
		j := -1
		for i, h := range header {
			if h == col {
				j = i
			}
		}
		if j < 0 {
			t.Fatalf("%s: no column %q in %v", name, col, header)
		}
		for _, r := range rows {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: %s = %q in row %v", name, col, r[j], r)
			}
		}
	}
}

func TestSynthetic(t *testing.T) {
	dir := t.TempDir()
	err := run([]string{"-exp", "synthetic", "-d", "6", "-T", "20", "-seeds", "2", "-ratios", "0.5,5", "-out", dir})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readCSV(t, filepath.Join(dir, "synthetic.csv"))
	if len(rows) != 3*2*3 { // k x ratios x methods
		t.Fatalf("synthetic.csv: %d rows, want 18", len(rows))
	}
	finite(t, "synthetic.csv", header, rows, "kl_per_d_mean", "kl_per_d_se", "kl_per_d_theory",
		"klopt_per_d_mean", "klopt_per_d_theory", "train_loss_per_d_mean", "test_loss_per_d_mean")
	for _, r := range rows {
		if r[2] != "3" && r[2] != "30" {
			t.Errorf("N = %s, want 3 or 30", r[2])
		}
		if kl, _ := strconv.ParseFloat(r[5], 64); !(kl > 0) {
			t.Errorf("KL/d = %v in row %v, want > 0", kl, r)
		}
	}
	_, slopes := readCSV(t, filepath.Join(dir, "synthetic_slopes.csv"))
	if len(slopes) != 3*3 {
		t.Errorf("synthetic_slopes.csv: %d rows, want 9", len(slopes))
	}
	for _, k := range []string{"0", "1", "2"} {
		for _, f := range []string{"synthetic_k" + k + ".svg", "synthetic_loss_k" + k + ".svg"} {
			if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s: not an SVG (%v)", f, err)
			}
		}
	}
}

// idx builds a gzip-compressed unsigned-byte IDX file.
func idx(t *testing.T, dims []int, data []byte) []byte {
	var raw bytes.Buffer
	raw.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&raw, binary.BigEndian, uint32(d))
	}
	raw.Write(data)
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyFashion writes 40 training and 20 test images of 4 x 4 random pixels
// in the Fashion-MNIST file names; pixel 0 is always zero, so the full-set
// covariance is singular.
func tinyFashion(t *testing.T) string {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range []struct {
		name string
		n    int
	}{{"train-images-idx3-ubyte.gz", 40}, {"t10k-images-idx3-ubyte.gz", 20}} {
		data := make([]byte, f.n*16)
		for i := range data {
			if i%16 != 0 {
				data[i] = byte(r.IntN(256))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), idx(t, []int{f.n, 4, 4}, data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFashion(t *testing.T) {
	data, out := tinyFashion(t), t.TempDir()
	err := run([]string{"-exp", "fashion", "-data", data, "-n", "5,10,40", "-samples", "4", "-samples-n", "8",
		"-T", "20", "-fit", "2,12", "-out", out})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readCSV(t, filepath.Join(out, "fashion_kl.csv"))
	if len(rows) != 3 {
		t.Fatalf("fashion_kl.csv: %d rows, want 3", len(rows))
	}
	finite(t, "fashion_kl.csv", header, rows, "kl_per_d", "klopt_per_d", "klopt_theory_gaussian_per_d",
		"klopt_theory_fourth_per_d", "train_loss_per_d", "test_loss_per_d")
	for _, r := range rows {
		if r[2] != "NaN" { // the always-zero pixel: no KL to the raw full-set Gaussian
			t.Errorf("kl_raw_per_d = %s at N = %s, want NaN", r[2], r[0])
		}
	}
	if _, spec := readCSV(t, filepath.Join(out, "fashion_spectrum.csv")); len(spec) != 16 {
		t.Errorf("fashion_spectrum.csv: %d rows, want 16", len(spec))
	}
	for _, f := range []string{"fashion_samples_N40.png", "fashion_samples_N8.png", "fashion_train.png"} {
		fh, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b := img.Bounds(); b.Dx() != 2*(4*2+2)+2 { // 2 x 2 tiles of 4 pixels scaled twice, 2-pixel gaps
			t.Errorf("%s: width %d", f, b.Dx())
		}
	}
}

func TestBadFlags(t *testing.T) {
	data := tinyFashion(t)
	tiny := []string{"-d", "6", "-T", "20", "-seeds", "1", "-ratios", "5"}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "-exp is required"},
		{[]string{"-exp", "bogus"}, "not synthetic, fashion or all"},
		{[]string{"-exp", "synthetic", "stray"}, "unexpected arguments"},
		{[]string{"-exp", "synthetic", "-d", "1"}, "-d 1"},
		{[]string{"-exp", "synthetic", "-T", "0"}, "-T 0"},
		{[]string{"-exp", "synthetic", "-seeds", "0"}, "-seeds 0"},
		{[]string{"-exp", "synthetic", "-ratios", "0.5,x"}, "not a number"},
		{[]string{"-exp", "synthetic", "-ratios", "-1"}, "not positive"},
		{[]string{"-exp", "synthetic", "-gamma", "-1"}, "-gamma"},
		{[]string{"-exp", "synthetic", "-eta", "0"}, "-eta"},
		{append([]string{"-exp", "synthetic", "-k", "-1"}, tiny...), "exponent"},
		{[]string{"-exp", "fashion", "-n", "1"}, "-n"},
		{[]string{"-exp", "fashion", "-fit", "5,2"}, "-fit"},
		{[]string{"-exp", "synthetic", "-nosuchflag"}, "not defined"},
		{[]string{"-exp", "synthetic", "-d", "6", "-ratios", "0.1"}, "need at least 2 samples"},
		{append([]string{"-exp", "synthetic", "-eta", "10"}, tiny...), "diverges"},
		{[]string{"-exp", "fashion", "-data", t.TempDir()}, "not found"},
		{[]string{"-exp", "fashion", "-data", data, "-n", "100", "-T", "20"}, "has 40 images"},
		{[]string{"-exp", "fashion", "-data", data, "-n", "10", "-samples-n", "50", "-T", "20"}, "has 40 images"},
		{[]string{"-exp", "fashion", "-data", data, "-n", "10", "-samples-n", "5", "-T", "20"}, "only 16 eigenvalues"},
	}
	for _, c := range cases {
		args := append(c.args, "-out", t.TempDir())
		err := run(args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run %q: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}
