package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Report is everything one run measured; results.json holds it whole.
type Report struct {
	Command     string
	Date        string
	Machine     Machine
	Equivalence []equivRow
	Results     []Result
}

func writeJSON(path string, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readJSON(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a bench results file: %v", path, err)
	}
	if len(r.Results) == 0 && len(r.Equivalence) == 0 {
		return nil, fmt.Errorf("%s: holds no results", path)
	}
	return &r, nil
}

// writeBenchfmt writes the results in Go's benchmark text format, one line
// per repetition, so that benchstat can compare two runs.
func writeBenchfmt(w io.Writer, r *Report) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/flowkern/flowkern/bench\ncpu: %s\n",
		r.Machine.OS, r.Machine.Arch, r.Machine.CPU)
	for _, res := range r.Results {
		for _, ns := range res.Times {
			unit := res.Unit
			if unit == "" {
				unit = "GFLOP/s"
			}
			fmt.Fprintf(w, "Benchmark%s/%s/n=%d/%s 1 %.2f ns/op %.2f MB/s %.3f %s\n",
				res.Kernel, res.Prec, res.N, res.Impl, ns, float64(res.Bytes)/ns*1e3, float64(res.Flops)/ns, unit)
		}
	}
}

func writeMarkdown(w io.Writer, r *Report, plots []string) {
	m := r.Machine
	fmt.Fprintf(w, "# flowkern benchmark report\n\nMade by `%s` on %s.\n\n## Machine\n\n", r.Command, r.Date)
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| CPU | %s (%d physical, %d logical cores) |\n", m.CPU, m.PhysicalCores, m.LogicalCore)
	fmt.Fprintf(w, "| features | %s |\n", strings.Join(m.Features, " "))
	tier := m.Tier
	if m.TierWarning != "" {
		tier += " (" + m.TierWarning + ")"
	}
	fmt.Fprintf(w, "| tier in use | **%s** |\n| usable tiers | %s |\n", tier, strings.Join(m.Usable, ", "))
	fmt.Fprintf(w, "| Go | %s, %s/%s, GOMAXPROCS %d |\n", m.GoVersion, m.OS, m.Arch, m.GOMAXPROCS)
	for _, t := range m.Usable {
		if p, ok := m.PeakGFLOPS[t]; ok {
			fmt.Fprintf(w, "| FMA peak, %s, 1 core | %.1f GFLOP/s float64, %.1f GFLOP/s float32 |\n", t, p["float64"], p["float32"])
		}
	}
	fmt.Fprintf(w, "| read bandwidth (256 MiB) | %.1f GB/s one core, %.1f GB/s all cores |\n", m.BandwidthOne, m.BandwidthAll)
	var curve []string
	for _, p := range m.BandwidthCurve {
		curve = append(curve, fmt.Sprintf("%s: %.0f", sizeName(p.Bytes), p.GBps))
	}
	fmt.Fprintf(w, "| read bandwidth by working set, 1 core, GB/s | %s |\n\n", strings.Join(curve, ", "))

	if len(r.Equivalence) > 0 {
		writeEquivalence(w, r.Equivalence)
	}
	if len(r.Results) > 0 {
		writeResults(w, r)
	}
	for _, p := range plots {
		fmt.Fprintf(w, "![%s](%s)\n\n", strings.TrimSuffix(p, ".svg"), p)
	}
}

func writeEquivalence(w io.Writer, rows []equivRow) {
	fmt.Fprintf(w, "## Equivalence\n\nEvery kernel on every tier against `internal/ref` (bit for bit, NaN payloads aside) on random\n"+
		"shapes and values, and against an exact math/big result. Element-wise kernels must be correctly\n"+
		"rounded (at most 0.5 ulp); reductions must stay within the bound of their doc comment (1 = the bound).\n\n")
	fmt.Fprintf(w, "| kernel | precision | tier | cases | mismatches | max error | allowed |\n|---|---|---|---:|---:|---:|---:|\n")
	for _, e := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %.3g %s | %.3g |\n", e.Kernel, e.Prec, e.Tier, e.Cases, e.Mismatches, e.MaxErr, e.Unit, e.Bound)
	}
	fmt.Fprintln(w)
}

// writeResults prints one table per kernel and precision: every
// implementation's GFLOP/s, spread, ratio to each peer and to pure Go, and
// position against the roofline.
func writeResults(w io.Writer, r *Report) {
	rs := r.Results
	type key struct{ kernel, prec string }
	var keys []key
	impls := map[key][]string{}
	for _, x := range rs {
		k := key{x.Kernel, x.Prec}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
		if !slices.Contains(impls[k], x.Impl) {
			impls[k] = append(impls[k], x.Impl)
		}
	}
	fmt.Fprintf(w, "## Benchmarks\n\nEvery implementation runs on one core (GOMAXPROCS 1 while measuring) and is timed by the CPU time of\n"+
		"the process, which leaves out the time a shared machine spends on other work.\n"+
		"Rates (GFLOP/s, or Gelem/s for the vector math) at the median of the interleaved repetitions (spread = (max-min)/median);\n"+
		"ratios are our best tier against each other implementation in the same run; in parentheses, the\n"+
		"share of the roofline min(FMA peak, flops/byte x read bandwidth at the same working-set size).\n\n")
	for _, k := range keys {
		unit := "GFLOP/s"
		for _, x := range rs {
			if x.Kernel == k.kernel && x.Prec == k.prec && x.Unit != "" {
				unit = x.Unit
			}
		}
		fmt.Fprintf(w, "### %s %s (%s)\n\n", k.kernel, k.prec, unit)
		names := impls[k]
		fmt.Fprintf(w, "| n |")
		for _, im := range names {
			fmt.Fprintf(w, " %s |", im)
		}
		best := bestTier(r.Machine)
		fmt.Fprintf(w, " %s vs |\n|---:|%s---|\n", best, strings.Repeat("---:|", len(names)))
		var ns []int
		for _, x := range rs {
			if x.Kernel == k.kernel && x.Prec == k.prec && !slices.Contains(ns, x.N) {
				ns = append(ns, x.N)
			}
		}
		for _, n := range ns {
			fmt.Fprintf(w, "| %d |", n)
			by := map[string]Result{}
			for _, x := range rs {
				if x.Kernel == k.kernel && x.Prec == k.prec && x.N == n {
					by[x.Impl] = x
				}
			}
			for _, im := range names {
				x := by[im]
				fmt.Fprintf(w, " %.2f ±%.0f%%%s |", x.GFLOPS, 100*x.Spread, roofline(r.Machine, x))
			}
			var ratios []string
			if b, ok := by[best]; ok {
				for _, im := range names {
					if im != best && by[im].GFLOPS > 0 {
						ratios = append(ratios, fmt.Sprintf("%s %.2fx", im, b.GFLOPS/by[im].GFLOPS))
					}
				}
			}
			fmt.Fprintf(w, " %s |\n", strings.Join(ratios, ", "))
		}
		fmt.Fprintln(w)
	}
}

// bestTier is the best usable tier of the machine: the one whose ratios the
// tables show.
func bestTier(m Machine) string {
	for _, t := range []string{"avx512", "neon", "avx2", "generic"} {
		if slices.Contains(m.Usable, t) {
			return t
		}
	}
	return "generic"
}

// sizeName prints a byte count as KiB or MiB.
func sizeName(b int) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// bandwidthFor is the read bandwidth at the smallest measured working set
// that holds bytes (the level of the memory hierarchy the data lives in).
func bandwidthFor(m Machine, bytes int) float64 {
	for _, p := range m.BandwidthCurve {
		if bytes <= p.Bytes {
			return p.GBps
		}
	}
	return m.BandwidthOne
}

// roofline returns " (p%)" for a result: its share of the lesser of the FMA
// peak of its tier and its arithmetic intensity times the read bandwidth at
// its working-set size; empty when the peak is unknown.
func roofline(m Machine, x Result) string {
	peak := 0.0
	if p, ok := m.PeakGFLOPS[x.Impl]; ok {
		peak = p[x.Prec]
	} else if p, ok := m.PeakGFLOPS[bestTier(m)]; ok {
		peak = p[x.Prec] // a peer: measured against the machine's best
	}
	if peak == 0 || m.BandwidthOne == 0 || x.Bytes == 0 || x.Unit == "Gelem/s" {
		return ""
	}
	roof := min(peak, float64(x.Flops)/float64(x.Bytes)*bandwidthFor(m, x.Bytes))
	return fmt.Sprintf(" (%.0f%%)", 100*x.GFLOPS/roof)
}
