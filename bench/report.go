package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
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
	Models      *ModelsSection `json:",omitempty"`
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
	if len(r.Results) == 0 && len(r.Equivalence) == 0 && r.Models == nil {
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
	fmt.Fprintf(w, "# flowkern benchmark report\n\nMade by `%s` on %s", r.Command, r.Date)
	if m.Commit != "" {
		isa := "FLOWKERN_ISA unset"
		if m.FlowkernISA != "" {
			isa = "FLOWKERN_ISA=" + m.FlowkernISA
		}
		fmt.Fprintf(w, " at commit `%s`, build tags: %s, %s", m.Commit, m.BuildTags, isa)
	}
	fmt.Fprintf(w, ".\n\n")
	if len(r.Results) > 0 {
		writeSummary(w, r)
	}
	fmt.Fprintf(w, "## Machine\n\n| | |\n|---|---|\n")
	fmt.Fprintf(w, "| CPU | %s (%d physical, %d logical cores) |\n", m.CPU, m.PhysicalCores, m.LogicalCore)
	fmt.Fprintf(w, "| features | %s |\n", strings.Join(m.Features, " "))
	tier := m.Tier
	if m.TierWarning != "" {
		tier += " (" + m.TierWarning + ")"
	}
	fmt.Fprintf(w, "| tier in use | **%s** |\n| usable tiers | %s |\n", tier, strings.Join(m.Usable, ", "))
	fmt.Fprintf(w, "| Go | %s, %s/%s, GOMAXPROCS %d |\n", m.GoVersion, m.OS, m.Arch, m.GOMAXPROCS)
	if m.Load != "" {
		fmt.Fprintf(w, "| load average at start (1, 5, 15 min) | %s |\n", m.Load)
	}
	if m.LoadEnd != "" {
		fmt.Fprintf(w, "| load average at the end | %s |\n", m.LoadEnd)
	}
	if m.OpenBLAS != "" {
		fmt.Fprintf(w, "| OpenBLAS | %s |\n", m.OpenBLAS)
	}
	if len(m.Peaks) == 0 { // a results.json of an older run
		for _, t := range m.Usable {
			if p, ok := m.PeakGFLOPS[t]; ok {
				fmt.Fprintf(w, "| FMA peak, %s, 1 core | %.1f GFLOP/s float64, %.1f GFLOP/s float32 |\n", t, p["float64"], p["float32"])
			}
		}
		fmt.Fprintf(w, "| read bandwidth (256 MiB) | %.1f GB/s one core, %.1f GB/s all cores |\n", m.BandwidthOne, m.BandwidthAll)
	}
	fmt.Fprintln(w)
	if len(m.Peaks) > 0 || m.AllProbe.Runs > 0 {
		writeLimits(w, m)
	}
	if len(r.Equivalence) > 0 {
		writeEquivalence(w, r.Equivalence)
	}
	if len(r.Results) > 0 {
		writeResults(w, r)
	}
	if r.Models != nil {
		writeModels(w, r.Models)
	}
	if len(plots) > 0 {
		fmt.Fprintf(w, "## Plots\n\nOne file per kernel family: a panel per kernel (batch size) and precision, rate against size (for\n"+
			"the matrix kernels, the side n of the n x n matrix), the legend at the right. The text is set in Go Regular,\n"+
			"embedded in every SVG, so the plots render without any font installed.\n\n")
	}
	for _, p := range plots {
		fmt.Fprintf(w, "![%s](%s)\n\n", strings.TrimSuffix(p, ".svg"), p)
	}
}

// writeLimits prints the machine's measured limits, one probe a row.
func writeLimits(w io.Writer, m Machine) {
	how := "as two streams (its halves, a load of each in turn, as Dot reads x and y) of plain\n" +
		"loads (the CPU runs every load; folding each one into a result, as the first probe did, let the vector ALUs\n" +
		"set the pace on Intel's Golden Cove, where Dot then beat its roof)"
	if m.StreamTier == "generic" {
		how = "folding every load into a result by XOR (Go drops a load whose value is unused)"
	}
	fmt.Fprintf(w, "### Limits: FMA peaks and read bandwidths, measured on the spot\n\n"+
		"Measured like the benchmarks, by CPU time (of the calling thread, locked to it), so that time spent behind\n"+
		"other work does not count. Each figure is the best of runs of 1-2 ms, repeated until the best of the last %d\n"+
		"runs is within %.0f%% of the best before them, or until a time cap (then \"no\" under stable). The FMA peaks run\n"+
		"independent FMAs on registers on one core; the bandwidths read a buffer of the given size again and again\n"+
		"on one core with %s, %s.\n\n",
		stableK, 100*stableGain, m.StreamProbe, how)
	if m.EndRatio[1] > 0 {
		fmt.Fprintf(w, "Every limit was measured twice, at the start of the run and again at its end, and each row is the better\n"+
			"of the two: the best at the end was %.2f-%.2fx the best at the start (the rates of a shared host move with\n"+
			"its other work, and a roof measured only while they were low is one the kernels beat).\n\n", m.EndRatio[0], m.EndRatio[1])
	}
	fmt.Fprintf(w, "| limit | best | median | worst | spread | runs | stable |\n|---|---:|---:|---:|---:|---:|---|\n")
	row := func(name string, p Probe) {
		st := "yes"
		if !p.Stable {
			st = "no"
		}
		fmt.Fprintf(w, "| %s | **%.1f** | %.1f | %.1f | %.0f%% | %d | %s |\n", name, p.Best, p.Median, p.Worst, 100*p.Spread(), p.Runs, st)
	}
	for _, t := range m.Usable {
		for _, prec := range []string{"float64", "float32"} {
			if p, ok := m.Peaks[t][prec]; ok {
				row(fmt.Sprintf("FMA peak, %s, %s, GFLOP/s", t, prec), p)
			}
		}
	}
	for _, p := range m.BandwidthCurve {
		row(fmt.Sprintf("read, %s, 1 core, GB/s", sizeName(p.Bytes)), p.Probe)
	}
	if m.AllProbe.Runs > 0 {
		last := m.BandwidthCurve[len(m.BandwidthCurve)-1].Bytes
		row(fmt.Sprintf("read, %s, all %d cores, GB/s", sizeName(last), m.AllThreads), m.AllProbe)
		fmt.Fprintf(w, "\nAll cores: %d threads, each locked to its own, stream their own %s at the same time; a round's rate is\n"+
			"the sum over the threads of bytes per thread CPU time. In the best round the threads ran %.0f%% of its wall time:\n"+
			"below 100%%, other work had their cores part of the time, and the sum overstates what they reach together.\n",
			m.AllThreads, sizeName(last/max(m.AllThreads, 1)), 100*m.AllBusy)
	}
	if len(m.TierCurves) > 0 {
		var ts []string
		for _, t := range m.Usable {
			if len(m.TierCurves[t]) > 0 {
				ts = append(ts, t)
			}
		}
		fmt.Fprintf(w, "\nRead bandwidth of one core by the width of the loads, GB/s (best; the roof of each tier's kernels\n"+
			"up to %s; generic reads with 8-byte Go loads):\n\n| working set |", sizeName(tierCurveMax))
		for _, t := range ts {
			fmt.Fprintf(w, " %s |", t)
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(ts)))
		for i, p := range m.TierCurves[ts[0]] {
			fmt.Fprintf(w, "| %s |", sizeName(p.Bytes))
			for _, t := range ts {
				if c := m.TierCurves[t]; i < len(c) {
					fmt.Fprintf(w, " %.1f |", c[i].GBps)
				} else {
					fmt.Fprintf(w, " |")
				}
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\nThe roof of a result is min(peak, flops per byte loaded x the bandwidth of the largest size at or below its\n"+
		"working set (above %s, of half the working set: the L3 is shared with other processes, and the share a\n"+
		"kernel gets varies), or of a larger size where that measured faster), with the loads of the result's own tier (the\n"+
		"widest for another library; where the table above and the one by load width both measured the widest loads at\n"+
		"a size, the better of the two); stores are left out, since they leave by other ports. A cell above %.0f%% of its\n"+
		"roof is marked **(!)**: a kernel cannot beat a true roof, so that roof is wrong; \"shared cache\" marks one whose\n"+
		"working set is above %s, where the share of the L3 a kernel gets can differ from the probe's.\n\n",
		sizeName(sharedFrom), 100*roofSlack, sizeName(sharedFrom))
}

// roofSlack is how far above its roof a cell may be before it is flagged:
// the roofs and the benchmarks are measured separately, a few percent apart.
const roofSlack = 1.05

// peerNotes explains the implementations the tables name.
var peerNotes = [][2]string{
	{"generic", "our pure-Go tier (the same canonical results as the assembly tiers)"},
	{"avx2, avx512, neon", "our assembly tiers"},
	{"gonum", "gonum: blas64/blas32 for the BLAS kernels, floats for the rest, blas/gonum for the matrix kernels"},
	{"vek", "github.com/viterin/vek (and vek32), which has its own AVX2 code"},
	{"openblas", "OpenBLAS on one thread (built with -tags openblas), with the kernel set the machine table names"},
	{"sleef-avx2, sleef-avx512", "SLEEF's u10 vector functions (built with -tags sleef)"},
	{"math", "a plain scalar Go loop of the same operation: calling the math package (math.Exp, math.Log, ...) for the vector math, internal/testkit's naive loop for the couplings, and the step written out for Adam, the element copy for Transpose and the subtraction for the additive inverse"},
	{"Exp", "not a peer but a yardstick: our Exp kernel over the same number of elements, the cost a fused coupling kernel should approach"},
	{"randv2", "math/rand/v2's NormFloat64 on a PCG source, one draw at a time"},
}

// isOurs tells whether an implementation is one of our tiers.
func isOurs(impl string) bool {
	return slices.Contains([]string{"generic", "avx2", "avx512", "neon"}, impl)
}

// isPeer tells whether an implementation is another library's (a yardstick
// such as Exp is not).
func isPeer(impl string) bool { return !isOurs(impl) && impl != "Exp" }

// writeSummary prints the headline table: for every kernel family (a
// matrix kernel at every batch size is one) and precision, each of our tiers
// against the best peer at each size (the geometric mean over sizes and
// batches, and the range), and the roofline check.
func writeSummary(w io.Writer, r *Report) {
	type key struct{ fam, prec string }
	type point struct {
		kernel string
		n      int
	}
	var keys []key
	by := map[key]map[point]map[string]Result{}
	var tiers []string
	for _, x := range r.Results {
		k, pt := key{summaryFamily(x.Kernel), x.Prec}, point{x.Kernel, x.N}
		if by[k] == nil {
			keys = append(keys, k)
			by[k] = map[point]map[string]Result{}
		}
		if by[k][pt] == nil {
			by[k][pt] = map[string]Result{}
		}
		by[k][pt][x.Impl] = x
		if isOurs(x.Impl) && !slices.Contains(tiers, x.Impl) {
			tiers = append(tiers, x.Impl)
		}
	}
	fmt.Fprintf(w, "## Summary\n\nEach of our tiers against the fastest other library at each size (peers in the column \"best peer\"):\n"+
		"the geometric mean of the ratios over the sizes (and, for a matrix kernel, the batch sizes) measured, and their\n"+
		"range. Above 1x, ours is faster. Details, with every implementation and size, follow the machine.\n\n")
	fmt.Fprintf(w, "| kernel | precision | best peer | cases |")
	for _, t := range tiers {
		fmt.Fprintf(w, " %s |", t)
	}
	fmt.Fprintf(w, "\n|---|---|---|---:|%s\n", strings.Repeat("---:|", len(tiers)))
	for _, k := range keys {
		var pts []point
		for pt := range by[k] {
			pts = append(pts, pt)
		}
		slices.SortFunc(pts, func(a, b point) int {
			if c := strings.Compare(a.kernel, b.kernel); c != 0 {
				return c
			}
			return a.n - b.n
		})
		var bestPeers []string
		ratios := map[string][]float64{}
		cases := 0
		for _, pt := range pts {
			var bp Result
			for impl, x := range by[k][pt] {
				if isPeer(impl) && x.GFLOPS > bp.GFLOPS {
					bp = x
				}
			}
			if bp.GFLOPS == 0 {
				continue
			}
			cases++
			if !slices.Contains(bestPeers, bp.Impl) {
				bestPeers = append(bestPeers, bp.Impl)
			}
			for _, t := range tiers {
				if x, ok := by[k][pt][t]; ok && x.GFLOPS > 0 {
					ratios[t] = append(ratios[t], x.GFLOPS/bp.GFLOPS)
				}
			}
		}
		if cases == 0 {
			continue
		}
		slices.Sort(bestPeers)
		fmt.Fprintf(w, "| %s | %s | %s | %d |", k.fam, k.prec, strings.Join(bestPeers, ", "), cases)
		for _, t := range tiers {
			rs := ratios[t]
			switch {
			case len(rs) == 0:
				fmt.Fprintf(w, " |")
			case len(rs) == 1:
				fmt.Fprintf(w, " %.2fx |", rs[0])
			default:
				lg := 0.0
				for _, v := range rs {
					lg += math.Log(v)
				}
				fmt.Fprintf(w, " %.2fx (%.2f-%.2f) |", math.Exp(lg/float64(len(rs))), slices.Min(rs), slices.Max(rs))
			}
		}
		fmt.Fprintln(w)
	}
	over100, flagged := roofCheck(r)
	cells := 0
	for _, x := range r.Results {
		if _, ok := roofShare(r.Machine, x); ok {
			cells++
		}
	}
	fmt.Fprintf(w, "\nRoofline check: %d of %d cells above 100%% of their roof, %d above %.0f%% (flagged **(!)** below).\n\n",
		over100, cells, len(flagged), 100*roofSlack)
	fmt.Fprintf(w, "The implementations:\n\n")
	for _, p := range peerNotes {
		fmt.Fprintf(w, "- **%s**: %s\n", p[0], p[1])
	}
	fmt.Fprintln(w)
}

// summaryFamily is the row of the summary a kernel goes to: a matrix kernel
// at every batch size is one row (MatVecs-batch=16 goes to MatVecs).
func summaryFamily(kernel string) string {
	f, _, _ := strings.Cut(kernel, "-batch=")
	return f
}

// roofCheck counts the results above their roof and returns, as lines, the
// ones above roofSlack times it.
func roofCheck(r *Report) (over100 int, flagged []string) {
	for _, x := range r.Results {
		s, ok := roofShare(r.Machine, x)
		if !ok {
			continue
		}
		if s > 1 {
			over100++
		}
		if s > roofSlack {
			why := ""
			if x.Bytes > sharedFrom {
				why = " (working set in the shared L3 or memory)"
			}
			flagged = append(flagged, fmt.Sprintf("%s %s n=%d %s: %.0f%%%s", x.Kernel, x.Prec, x.N, x.Impl, 100*s, why))
		}
	}
	return over100, flagged
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
		"Rates (GFLOP/s, or Gelem/s for the vector math) at the median of the repetitions (spread = (max-min)/median), in each of\n"+
		"which the implementations take turns of about 1 ms (at least 16 calls, after an untimed call where one takes several\n"+
		"turns; a longer call is a turn of its own), so that a change in the machine's speed hits them alike;\n"+
		"ratios are the tier in use (%s) against each other implementation in the same run; in parentheses, the\n"+
		"share of the roofline min(FMA peak, flops/byte x read bandwidth at the same working-set size), where\n"+
		"the peak is the implementation's own tier's, or the highest measured for another library and pure Go.\n"+
		"For the matrix kernels (MatVecs-batch=B and the like), n is the side of the n x n matrix.\n\n", ratioTier(r.Machine))
	for _, m := range missingPeers {
		fmt.Fprintf(w, "Missing peer: %s.\n\n", m)
	}
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
		best := ratioTier(r.Machine)
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

// bestTier is the best usable tier of the machine: the one the roofline
// plot shows.
func bestTier(m Machine) string {
	for _, t := range []string{"avx512", "neon", "avx2", "generic"} {
		if slices.Contains(m.Usable, t) {
			return t
		}
	}
	return "generic"
}

// ratioTier is the tier whose ratios the tables show: the tier in use (which
// FLOWKERN_ISA may cap), if it was measured.
func ratioTier(m Machine) string {
	if slices.Contains(m.Usable, m.Tier) {
		return m.Tier
	}
	return bestTier(m)
}

// sizeName prints a byte count as KiB or MiB.
func sizeName(b int) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// bandwidthFor is the read bandwidth a working set of bytes can have: that
// of the largest measured size at or below it (the smallest size when none
// is), or of any larger size if one measured faster (noise on a busy
// machine; a larger working set cannot be truly faster), so that the roof
// is an upper bound.
//
// Above sharedFrom, the roof takes the bandwidth of half the working set:
// there the data lives in the L3 (or memory), which other processes share,
// and the part of it a kernel gets moves between the probe and the
// benchmark (Dot float64 n = 1M, 16 MiB, ran at 115 GB/s where the 16 MiB
// probe had measured 98 a few minutes before, and 116-122 at 4-8 MiB).
//
// The main curve and the tier curve of StreamTier measure the same loop;
// the roof takes the better of the two at each size (in one run the probe
// read 183 GB/s at 512 KiB for the one and 283 for the other, and another
// library's Dot beat the roof of the lower by 19%).
func bandwidthFor(m Machine, bytes int) float64 {
	return envelope(bestOf(m.BandwidthCurve, m.TierCurves[m.StreamTier]), sharedSize(bytes), m.BandwidthOne)
}

// bestOf is curve a with each size that b measured too raised to b's rate
// where that is higher.
func bestOf(a, b []BandwidthPoint) []BandwidthPoint {
	c := slices.Clone(a)
	for i := range c {
		for _, p := range b {
			if p.Bytes == c[i].Bytes && p.GBps > c[i].GBps {
				c[i].GBps = p.GBps
			}
		}
	}
	return c
}

// sharedFrom is the working set above which caches are taken as shared:
// the L2 of most cores is private and at most this large.
const sharedFrom = 1 << 20

func sharedSize(bytes int) int {
	if bytes > sharedFrom {
		return max(sharedFrom, bytes/2)
	}
	return bytes
}

// tierBandwidthFor is bandwidthFor with the loads of tier where that tier's
// curve was measured (up to tierCurveMax), and the main curve above.
func tierBandwidthFor(m Machine, tier string, bytes int) float64 {
	tc := m.TierCurves[tier]
	if len(tc) == 0 {
		return bandwidthFor(m, bytes)
	}
	if tier == m.StreamTier {
		tc = bestOf(tc, m.BandwidthCurve)
	}
	c := slices.Clone(tc)
	for _, p := range m.BandwidthCurve {
		if p.Bytes > tc[len(tc)-1].Bytes {
			c = append(c, p)
		}
	}
	return envelope(c, sharedSize(bytes), m.BandwidthOne)
}

// envelope is the rate of the largest size of curve c at or below bytes
// (the smallest size when none is), raised to that of any larger size that
// measured faster; def when c is empty.
func envelope(c []BandwidthPoint, bytes int, def float64) float64 {
	if len(c) == 0 {
		return def
	}
	k := 0
	for i, p := range c {
		if p.Bytes <= bytes {
			k = i
		}
	}
	bw := 0.0
	for _, p := range c[k:] {
		bw = max(bw, p.GBps)
	}
	return bw
}

// roofShare is a result's share of the lesser of the FMA peak of its tier
// (for another library or the pure-Go tier, the highest peak measured) and
// its flops per byte loaded times the read bandwidth at its working-set size
// (stores leave by other ports, so they are left out: the roof stays an
// upper bound), with the loads of its own tier for one of ours (the
// widest for another library); ok is false when the roof is unknown.
func roofShare(m Machine, x Result) (share float64, ok bool) {
	peak := 0.0
	if p, ok := m.PeakGFLOPS[x.Impl]; ok {
		peak = p[x.Prec]
	} else {
		for _, p := range m.PeakGFLOPS {
			peak = max(peak, p[x.Prec])
		}
	}
	if peak == 0 || m.BandwidthOne == 0 || x.Bytes == 0 || x.Unit == "Gelem/s" {
		return 0, false
	}
	loads := x.Bytes - x.Written
	if loads <= 0 {
		return 0, false
	}
	bw := bandwidthFor(m, x.Bytes)
	if isOurs(x.Impl) {
		bw = tierBandwidthFor(m, x.Impl, x.Bytes)
	}
	roof := min(peak, float64(x.Flops)/float64(loads)*bw)
	return x.GFLOPS / roof, true
}

// roofline returns " (p%)" for a result, flagged when above roofSlack;
// empty when the roof is unknown.
func roofline(m Machine, x Result) string {
	s, ok := roofShare(m, x)
	switch {
	case !ok:
		return ""
	case s > roofSlack && x.Bytes > sharedFrom:
		return fmt.Sprintf(" (%.0f%% **(!)** shared cache)", 100*s)
	case s > roofSlack:
		return fmt.Sprintf(" (%.0f%% **(!)**)", 100*s)
	}
	return fmt.Sprintf(" (%.0f%%)", 100*s)
}
