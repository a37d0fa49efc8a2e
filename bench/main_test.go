package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowkern/flowkern/internal/openblas"
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
	wants := []string{"tier in use", "## Equivalence", "### Dot float64", "gonum", "Every limit was measured twice"}
	if loadAverage() != "" {
		wants = append(wants, "load average at start", "load average at the end")
	}
	if openblas.Available {
		wants = append(wants, "| OpenBLAS | "+openblas.Version()+", kernels "+openblas.Corename())
	}
	for _, want := range wants {
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

// TestReadStream checks that the read probe reaches the end of both halves
// of the whole 64-word blocks of its buffer (the last 8 words of each are
// its result), and reads nothing after them.
func TestReadStream(t *testing.T) {
	sets := [][]string{usableTiers(), nil}
	if slices.Contains(sets[0], "avx2") {
		sets = append(sets, []string{"avx2"})
	}
	for _, tiers := range sets {
		f, name, _ := streamReader(tiers)
		for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000, 4096} {
			buf := make([]int, n)
			for i := range buf {
				buf[i] = int(uint64(i)*0x1e3779b97f4a7c15 + 1) // truncated where int has 32 bits
			}
			want, half := 0, n/64*32
			if half > 0 {
				for _, w := range append(buf[half-8:half:half], buf[2*half-8:2*half]...) {
					want ^= w
				}
			}
			if got := f(buf); got != want {
				t.Errorf("%s: n = %d: got %#x, want %#x", name, n, got, want)
			}
		}
	}
}

// TestKeepBetter checks that a limit measured again keeps the better best,
// probe by probe, and that the derived figures and the ratio range follow.
func TestKeepBetter(t *testing.T) {
	pr := func(best float64) Probe { return Probe{Best: best, Median: best, Worst: best, Runs: 16, Stable: true} }
	pt := func(b int, best float64) BandwidthPoint { return BandwidthPoint{Bytes: b, GBps: best, Probe: pr(best)} }
	start := Machine{
		PeakGFLOPS:     map[string]map[string]float64{"avx2": {"float64": 40}},
		Peaks:          map[string]map[string]Probe{"avx2": {"float64": pr(40)}},
		BandwidthCurve: []BandwidthPoint{pt(16<<10, 100), pt(256<<20, 20)},
		TierCurves:     map[string][]BandwidthPoint{"avx2": {pt(16<<10, 100)}},
		AllProbe:       pr(30), AllBusy: 0.9,
	}
	end := Machine{
		Peaks:          map[string]map[string]Probe{"avx2": {"float64": pr(50)}},
		BandwidthCurve: []BandwidthPoint{pt(16<<10, 80), pt(256<<20, 25)},
		TierCurves:     map[string][]BandwidthPoint{"avx2": {pt(16<<10, 150)}},
		AllProbe:       pr(27), AllBusy: 0.5,
	}
	start.keepBetter(end)
	if start.PeakGFLOPS["avx2"]["float64"] != 50 || start.Peaks["avx2"]["float64"].Best != 50 {
		t.Errorf("peak: %v %+v, want 50", start.PeakGFLOPS, start.Peaks)
	}
	if c := start.BandwidthCurve; c[0].GBps != 100 || c[1].GBps != 25 || c[1].Probe.Best != 25 || start.BandwidthOne != 25 {
		t.Errorf("curve: %+v, one %v", c, start.BandwidthOne)
	}
	if start.TierCurves["avx2"][0].GBps != 150 {
		t.Errorf("tier curve: %+v", start.TierCurves)
	}
	if start.BandwidthAll != 30 || start.AllBusy != 0.9 {
		t.Errorf("all cores: %v busy %v, want the start's 30 and 0.9", start.BandwidthAll, start.AllBusy)
	}
	if start.EndRatio != [2]float64{0.8, 1.5} {
		t.Errorf("EndRatio %v, want [0.8 1.5]", start.EndRatio)
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

// TestRoofCheck checks the roofline on a made-up machine: the bandwidth of
// a working set, a result above its roof flagged and counted, a result
// below it not, and the ratio column named after the tier in use.
func TestRoofCheck(t *testing.T) {
	m := Machine{Tier: "avx2", Usable: []string{"generic", "avx2", "avx512"},
		PeakGFLOPS:   map[string]map[string]float64{"avx2": {"float64": 50}, "avx512": {"float64": 100}},
		BandwidthOne: 20,
		BandwidthCurve: []BandwidthPoint{{Bytes: 16 << 10, GBps: 400}, {Bytes: 64 << 10, GBps: 150},
			{Bytes: 256 << 10, GBps: 180}, {Bytes: 1 << 20, GBps: 100}, {Bytes: 256 << 20, GBps: 20}}}
	for _, c := range []struct {
		bytes int
		want  float64
	}{{8 << 10, 400}, {16 << 10, 400}, {32 << 10, 400}, {64 << 10, 180}, {300 << 10, 180}, {2 << 20, 100}, {1 << 30, 20}} {
		if got := bandwidthFor(m, c.bytes); got != c.want {
			t.Errorf("bandwidthFor(%d) = %v, want %v", c.bytes, got, c.want)
		}
	}
	// The stream tier's curve measured the main curve's loop again: each
	// size takes the better reading of the two, for another library and
	// for that tier; another tier keeps its own loads.
	m2 := m
	m2.StreamTier = "avx512"
	m2.TierCurves = map[string][]BandwidthPoint{
		"avx512": {{Bytes: 16 << 10, GBps: 380}, {Bytes: 64 << 10, GBps: 150}, {Bytes: 256 << 10, GBps: 260}},
		"avx2":   {{Bytes: 16 << 10, GBps: 200}, {Bytes: 64 << 10, GBps: 120}, {Bytes: 256 << 10, GBps: 130}}}
	for _, c := range []struct {
		tier  string
		bytes int
		want  float64
	}{{"", 16 << 10, 400}, {"", 64 << 10, 260}, {"", 300 << 10, 260}, {"", 2 << 20, 100}, {"avx512", 16 << 10, 400},
		{"avx512", 128 << 10, 260}, {"avx2", 16 << 10, 200}, {"avx2", 128 << 10, 130}, {"avx2", 2 << 20, 100}} {
		got := bandwidthFor(m2, c.bytes)
		if c.tier != "" {
			got = tierBandwidthFor(m2, c.tier, c.bytes)
		}
		if got != c.want {
			t.Errorf("%q bandwidth at %d bytes = %v, want %v", c.tier, c.bytes, got, c.want)
		}
	}
	// Dot-like, 16 KiB loaded, 2 flops per 16 bytes: roof min(50, 400/8) = 50.
	ok := Result{Kernel: "Dot", Prec: "float64", Impl: "avx2", N: 1024, Flops: 2048, Bytes: 16 << 10, GFLOPS: 45}
	// Axpy-like: 24 KiB of which 8 stored, roof min(100, 2048/16384*400) = 50.
	over := Result{Kernel: "Axpy", Prec: "float64", Impl: "avx512", N: 1024, Flops: 2048, Bytes: 24 << 10, Written: 8 << 10, GFLOPS: 60}
	peer := Result{Kernel: "Axpy", Prec: "float64", Impl: "gonum", N: 1024, Flops: 2048, Bytes: 24 << 10, Written: 8 << 10, GFLOPS: 20}
	r := &Report{Machine: m, Results: []Result{ok, over, peer}}
	over100, flagged := roofCheck(r)
	if over100 != 1 || len(flagged) != 1 || !strings.Contains(flagged[0], "Axpy float64 n=1024 avx512: 120%") {
		t.Errorf("roofCheck: %d above 100%%, flagged %q", over100, flagged)
	}
	if s, _ := roofShare(m, ok); s != 0.9 {
		t.Errorf("Dot share = %v, want 0.9", s)
	}
	var b bytes.Buffer
	writeResults(&b, r)
	if !strings.Contains(b.String(), "avx2 vs") || strings.Contains(b.String(), "avx512 vs") {
		t.Errorf("the ratio column is not the tier in use (avx2):\n%s", b.String())
	}
	if !strings.Contains(b.String(), "(120% **(!)**)") {
		t.Errorf("the cell above its roof is not flagged:\n%s", b.String())
	}
}

// TestSizesFlag: -sizes replaces the lengths of vector cases but not the
// matrix sides of the shaped ones (MatVecs, the couplings, Tri*), which at a
// vector length of 2^20 would not fit in memory; every shaped case says so.
func TestSizesFlag(t *testing.T) {
	opt := options{sizes: []int{1 << 20}, sizesSet: true}
	for _, c := range cases() {
		got := opt.sizesFor(c)
		shaped := strings.HasPrefix(c.kernel, "MatVecs") || strings.HasPrefix(c.kernel, "MatTVecs") ||
			strings.HasPrefix(c.kernel, "AddOuters") || strings.HasPrefix(c.kernel, "Coupling") || strings.HasPrefix(c.kernel, "Tri")
		if shaped != c.side {
			t.Errorf("%s %s: side = %v", c.kernel, c.prec, c.side)
		}
		if c.side && slices.Contains(got, 1<<20) {
			t.Errorf("%s %s: -sizes 1048576 gives sizes %v", c.kernel, c.prec, got)
		}
		if !c.side && !slices.Equal(got, opt.sizes) {
			t.Errorf("%s %s: -sizes 1048576 gives sizes %v", c.kernel, c.prec, got)
		}
	}
}

// TestMeasureTurns runs measureCase on a fast and a slow contestant (calls
// of 20 µs and of two rounds): the fast one takes turns of equal length, an
// untimed call and its timed ones, on both sides of the slow one's, which
// take one call each.
func TestMeasureTurns(t *testing.T) {
	var log []byte // a capital letter for each turn (prepare), a small one for each call
	spin := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); {
		}
	}
	mk := func(name string, d time.Duration) contestant {
		return contestant{name,
			func() error { log = append(log, name[0]-'a'+'A'); return nil },
			func(int) func() { return func() { log = append(log, name[0]); spin(d) } }}
	}
	c := kernelCase{kernel: "Turns", prec: "float64", work: func(int) (int, int) { return 1, 1 }}
	rs, err := measureCase(c, 1, []contestant{mk("fast", 20*time.Microsecond), mk("slow", 2*turnTime)},
		options{measure: 8 * turnTime, reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The calibration: F f... S s...; then the repetition's turns.
	cal := strings.IndexByte(string(log), 'S')
	run := string(log[cal+1+strings.IndexAny(string(log[cal+1:]), "FS"):])
	first, last := strings.Index(run, "S"), strings.LastIndex(run, "S")
	if first < 0 {
		t.Fatalf("the slow contestant took no turn: %q", run)
	}
	if strings.Count(run[:first], "F") < 1 || strings.Count(run[last:], "F") < 1 {
		t.Errorf("the fast contestant's turns do not surround the slow one's: %q", run)
	}
	var fast []int
	for _, turn := range strings.FieldsFunc(run, func(r rune) bool { return r == 'F' || r == 'S' }) {
		if turn[0] == 'f' {
			fast = append(fast, len(turn))
		} else if len(turn) != 1 {
			t.Errorf("a turn of the slow contestant ran %d calls, want 1: %q", len(turn), run)
		}
	}
	for _, n := range fast {
		if n != fast[0] || n < 2 {
			t.Fatalf("the fast contestant's turns ran %v calls", fast)
		}
	}
	for _, r := range rs {
		if r.NsPerOp <= 0 || len(r.Times) != 1 {
			t.Errorf("%s: %v ns a call, %d times", r.Impl, r.NsPerOp, len(r.Times))
		}
	}
}
