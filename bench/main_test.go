package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-sizes", "10,x"},
		{"-sizes", "-5"},
		{"-run", "("},
		{"-run", "NoSuchKernel"},
		{"-reps", "-1"},
		{"-bogus"},
		{"extra"},
	} {
		var out, errb bytes.Buffer
		if code := cli(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if errb.Len() == 0 {
			t.Errorf("%v: no message on stderr", args)
		}
	}
	var out, errb bytes.Buffer
	if code := cli([]string{"-h"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "-quick") {
		t.Errorf("-h: exit %d, usage %q", code, errb.String())
	}
}

func TestUnwritableOutput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cli([]string{"-out", filepath.Join(file, "sub"), "-run", "Dot", "-nobench", "-noequiv"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "output directory") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// TestTinyRun makes a whole report on tiny sizes and compares it with
// itself.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := cli([]string{"-out", dir, "-run", "^(Dot|Axpy)$", "-sizes", "37", "-time", "1ms", "-reps", "1", "-equiv", "200ms"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	for _, f := range []string{"report.md", "results.json", "results.txt", "vec.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"tier in use", "## Equivalence", "### Dot float64", "gonum"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	txt, _ := os.ReadFile(filepath.Join(dir, "results.txt"))
	if !bytes.Contains(txt, []byte("BenchmarkDot/float64/n=37/gonum 1 ")) {
		t.Errorf("results.txt is not in benchmark format:\n%s", txt)
	}
	out.Reset()
	j := filepath.Join(dir, "results.json")
	if code := cli([]string{"compare", j, j}, &out, &errb); code != 0 || !strings.Contains(out.String(), "1.00x") {
		t.Errorf("compare: exit %d, output %s", code, out.String())
	}
	if code := cli([]string{"compare", j, filepath.Join(dir, "report.md")}, &out, &errb); code != 1 {
		t.Errorf("compare with a non-JSON file: exit %d", code)
	}
}

// TestReadStream checks that the read probe folds every word of the whole
// 64-word blocks of its buffer, and none after them.
func TestReadStream(t *testing.T) {
	sets := [][]string{usableTiers(), nil}
	if slices.Contains(sets[0], "avx2") {
		sets = append(sets, []string{"avx2"})
	}
	for _, tiers := range sets {
		f, name := streamReader(tiers)
		for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000, 4096} {
			buf := make([]int, n)
			want := 0
			for i := range buf {
				buf[i] = i*0x1e3779b97f4a7c15 + 1
				if i < n-n%64 {
					want ^= buf[i]
				}
			}
			if got := f(buf); got != want {
				t.Errorf("%s: n = %d: got %#x, want %#x", name, n, got, want)
			}
		}
	}
}

// TestStableRate checks the stopping rule: a constant rate stops after
// 2*stableK runs, a rate that keeps rising runs to the cap.
func TestStableRate(t *testing.T) {
	p := stableRate(func() float64 { return 3 }, time.Second)
	if !p.Stable || p.Runs != 2*stableK || p.Best != 3 || p.Spread() != 0 {
		t.Errorf("constant: %+v", p)
	}
	r := 1.0
	p = stableRate(func() float64 { r *= 1.1; return r }, 20*time.Millisecond)
	if p.Stable || p.Runs != maxRuns && p.Runs < 2*stableK {
		t.Errorf("rising: %+v", p)
	}
}
