package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/flowkern/flowkern/internal/openblas"
	"github.com/flowkern/flowkern/kernels"
	"github.com/klauspost/cpuid/v2"
)

// Machine describes where the report was made and this machine's limits,
// measured on the spot.
type Machine struct {
	CPU                        string
	PhysicalCores, LogicalCore int
	Features                   []string
	Tier, TierWarning          string
	Usable                     []string
	GoVersion, OS, Arch        string
	GOMAXPROCS                 int
	// Commit is the source revision ("+dirty" when it had changes,
	// "unknown" when neither the build nor git tells), BuildTags the
	// -tags of the build, FlowkernISA the environment's FLOWKERN_ISA.
	Commit, BuildTags, FlowkernISA string
	// Load and LoadEnd are /proc/loadavg's three load averages at the
	// start and at the end of the run, where the OS has them: the 1-minute
	// figure at the end says how busy the machine was while it measured.
	Load, LoadEnd string
	// OpenBLAS describes the OpenBLAS peer (version and kernel set), or is
	// empty when the build has none.
	OpenBLAS string `json:",omitempty"`
	// Peak FMA throughput per tier and precision, GFLOP/s on one core (the
	// best run), and each probe's runs.
	PeakGFLOPS map[string]map[string]float64
	Peaks      map[string]map[string]Probe
	// Read bandwidth, GB/s, streaming 256 MiB: one core, and all cores
	// (the sum over AllThreads threads of bytes per thread CPU time;
	// AllBusy is the share of the wall time those threads ran).
	BandwidthOne, BandwidthAll float64
	AllProbe                   Probe
	AllThreads                 int
	AllBusy                    float64
	// Read bandwidth of one core against working-set size, from L1 to memory:
	// the roof of a kernel whose data fits the same level.
	BandwidthCurve []BandwidthPoint
	// StreamProbe names the load loop the bandwidths were measured with,
	// and StreamTier the tier whose loads it has (its TierCurves entry
	// measures the same loop again).
	StreamProbe, StreamTier string
	// TierCurves is the read bandwidth of one core up to tierCurveMax
	// with the loads of each usable tier (scalar Go loads for generic),
	// where the load width sets the pace: the roof of that tier's
	// kernels in the caches.
	TierCurves map[string][]BandwidthPoint
	// EndRatio is the range, over the limits, of the best measured again at
	// the end of the run over the best at its start (zero when they were
	// measured once); each limit above is the better of the two.
	EndRatio [2]float64 `json:",omitempty"`
}

// tierCurveMax is the largest working set of the per-tier curves: beyond
// the L2 of most cores, the load width no longer matters.
const tierCurveMax = 1 << 20

// BandwidthPoint is the read bandwidth of one core over a buffer of Bytes.
type BandwidthPoint struct {
	Bytes int
	GBps  float64
	Probe Probe
}

// bandwidthSizes are the working sets of the bandwidth curve: powers of two
// from 16 KiB (L1 of any core) to 64 MiB, then 256 MiB (memory), so that
// every cache level of any core has a point close below its size.
var bandwidthSizes = func() []int {
	var s []int
	for b := 16 << 10; b <= 64<<20; b *= 2 {
		s = append(s, b)
	}
	return append(s, 256<<20)
}()

func describeMachine(quick bool) Machine {
	c := cpuid.CPU
	m := Machine{
		CPU: strings.TrimSpace(c.BrandName), PhysicalCores: c.PhysicalCores, LogicalCore: c.LogicalCores,
		Tier: startTier, TierWarning: kernels.ISAWarning(), Usable: usableTiers(),
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, GOMAXPROCS: runtime.GOMAXPROCS(0),
		Load: loadAverage(),
	}
	m.Commit, m.BuildTags = buildVCS()
	m.FlowkernISA = os.Getenv("FLOWKERN_ISA")
	m.OpenBLAS = openblasNote()
	for _, f := range []cpuid.FeatureID{cpuid.SSE2, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F,
		cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.ASIMD, cpuid.SVE} {
		if c.Supports(f) {
			m.Features = append(m.Features, f.String())
		}
	}
	m.measureLimits(quick)
	return m
}

// measureLimits measures the FMA peaks and the read bandwidths of the
// machine's usable tiers into m.
func (m *Machine) measureLimits(quick bool) {
	m.PeakGFLOPS, m.Peaks = map[string]map[string]float64{}, map[string]map[string]Probe{}
	for _, t := range m.Usable {
		for _, prec := range []string{"float64", "float32"} {
			if p, ok := peakFMA(t, prec, quick); ok {
				if m.PeakGFLOPS[t] == nil {
					m.PeakGFLOPS[t], m.Peaks[t] = map[string]float64{}, map[string]Probe{}
				}
				m.PeakGFLOPS[t][prec], m.Peaks[t][prec] = p.Best, p
			}
		}
	}
	read, name, tier := streamReader(m.Usable)
	m.StreamProbe, m.StreamTier = name, tier
	for _, b := range bandwidthSizes {
		if quick && b > 64<<20 {
			continue
		}
		p := readBandwidth(read, b, quick)
		m.BandwidthCurve = append(m.BandwidthCurve, BandwidthPoint{Bytes: b, GBps: p.Best, Probe: p})
	}
	m.TierCurves = map[string][]BandwidthPoint{}
	for _, t := range m.Usable {
		read := tierReader(t)
		if read == nil {
			continue
		}
		for _, b := range bandwidthSizes {
			if b <= tierCurveMax {
				p := readBandwidth(read, b, quick)
				m.TierCurves[t] = append(m.TierCurves[t], BandwidthPoint{Bytes: b, GBps: p.Best, Probe: p})
			}
		}
	}
	last := m.BandwidthCurve[len(m.BandwidthCurve)-1]
	m.BandwidthOne = last.GBps
	m.AllThreads = runtime.GOMAXPROCS(0)
	m.AllProbe, m.AllBusy = allCoresBandwidth(read, last.Bytes, m.AllThreads, quick)
	m.BandwidthAll = m.AllProbe.Best
}

// keepBetter takes, limit by limit, the better of m's probes and those of
// again (the same limits measured again at the end of the run), and records
// the range of again's best over m's in EndRatio. On a host shared with
// other guests the rates can move by half between minutes (an Emerald
// Rapids host of 2026-12-07, docs/perf-notes.md), and a roof measured only
// in a slow minute is one that the kernels beat.
func (m *Machine) keepBetter(again Machine) {
	lo, hi := math.Inf(1), 0.0
	better := func(p *Probe, q Probe) {
		if p.Best <= 0 || q.Best <= 0 {
			return
		}
		r := q.Best / p.Best
		lo, hi = min(lo, r), max(hi, r)
		if q.Best > p.Best {
			*p = q
		}
	}
	for t, byPrec := range m.Peaks {
		for prec, p := range byPrec {
			better(&p, again.Peaks[t][prec])
			m.Peaks[t][prec], m.PeakGFLOPS[t][prec] = p, p.Best
		}
	}
	curve := func(c, d []BandwidthPoint) {
		for i := range min(len(c), len(d)) {
			if c[i].Bytes == d[i].Bytes {
				better(&c[i].Probe, d[i].Probe)
				c[i].GBps = c[i].Probe.Best
			}
		}
	}
	curve(m.BandwidthCurve, again.BandwidthCurve)
	for t, c := range m.TierCurves {
		curve(c, again.TierCurves[t])
	}
	m.BandwidthOne = m.BandwidthCurve[len(m.BandwidthCurve)-1].GBps
	if again.AllProbe.Best > m.AllProbe.Best {
		m.AllBusy = again.AllBusy
	}
	better(&m.AllProbe, again.AllProbe)
	m.BandwidthAll = m.AllProbe.Best
	if hi > 0 {
		m.EndRatio = [2]float64{lo, hi}
	}
}

// streamBuffer returns a buffer of about bytes bytes, written once so that
// every page is mapped.
func streamBuffer(bytes int) []int {
	buf := make([]int, bytes/8)
	for i := range buf {
		buf[i] = i
	}
	return buf
}

// readPasses reads buf passes times with read and returns the bytes read.
func readPasses(read func([]int) int, buf []int, passes int) float64 {
	x := 0
	for range passes {
		x ^= read(buf)
	}
	sinkInt ^= x
	return float64(passes) * float64(len(buf)-len(buf)%64) * 8
}

var sinkInt int

// noBits is zero, but the compiler cannot know it: readStreamGo's loads stay.
var noBits = 0

// readBandwidth is the read rate of one core, in GB/s, over a buffer of the
// given size read again and again, so that it stays in whichever cache
// level holds it: by the CPU time of the calling thread, repeated until
// stable.
func readBandwidth(read func([]int) int, bytes int, quick bool) Probe {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	clock := threadClock()
	budget, target := probeBudget(quick)
	buf := streamBuffer(bytes)
	passes, took := 1, time.Duration(0)
	for passes < 1<<24 {
		c0 := clock()
		readPasses(read, buf, passes)
		if took = clock() - c0; took >= target/4 {
			break
		}
		passes *= 2
	}
	passes = max(1, int(float64(passes)*float64(target)/float64(max(took, 1))))
	readPasses(read, buf, 1) // warm the level it fits
	return stableRate(func() float64 {
		c0 := clock()
		b := readPasses(read, buf, passes)
		return b / float64(max(clock()-c0, 1))
	}, budget)
}

// allCoresBandwidth streams bytes split over threads goroutines, each locked
// to its thread and reading its own part at the same time as the others;
// the rate of one round is the sum over threads of bytes read per thread
// CPU time. Rounds repeat until stable. busy is the threads' CPU time over
// threads times the wall time of the best round: below 1 when the threads
// did not all run at once (other work took their cores), in which case the
// sum overstates what they could do together.
func allCoresBandwidth(read func([]int) int, bytes, threads int, quick bool) (p Probe, busy float64) {
	budget, _ := probeBudget(quick)
	parts := make([][]int, threads)
	for i := range parts {
		parts[i] = streamBuffer(bytes / threads)
	}
	bestRate := 0.0
	round := func() float64 {
		rates := make([]float64, threads)
		cpus := make([]time.Duration, threads)
		var ready, wg sync.WaitGroup
		ready.Add(threads)
		start := make(chan struct{})
		t0 := time.Now()
		for i := range threads {
			wg.Go(func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				clock := threadClock()
				ready.Done()
				<-start
				c0 := clock()
				b := readPasses(read, parts[i], 1)
				cpus[i] = clock() - c0
				rates[i] = b / float64(max(cpus[i], 1))
			})
		}
		ready.Wait()
		t0 = time.Now()
		close(start)
		wg.Wait()
		wall := time.Since(t0)
		sum, cpu := 0.0, time.Duration(0)
		for i := range threads {
			sum += rates[i]
			cpu += cpus[i]
		}
		if sum > bestRate {
			bestRate = sum
			busy = float64(cpu) / float64(threads) / float64(max(wall, 1))
		}
		return sum
	}
	return stableRate(round, budget), busy
}

// buildVCS returns the commit the binary was built from and its build
// tags: from the build's own record when the go command stamped it (it
// does not with -buildvcs=false), else from git in the working directory.
func buildVCS() (commit, tags string) {
	commit, tags = "unknown", "none"
	modified := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "-tags":
				if s.Value != "" {
					tags = s.Value
				}
			}
		}
	}
	if commit == "unknown" {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
			st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
			modified = err == nil && len(bytes.TrimSpace(st)) > 0
		}
	}
	if modified {
		commit += "+dirty"
	}
	return commit, tags
}

// loadAverage is the first three fields of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// readStreamGo is the read probe of builds without assembly and of the
// generic tier: 8-byte loads into eight accumulators, with no bounds checks
// in the loop. Its result is that of the assembly probes (the XOR of the
// last 8 words of each half of the whole blocks); since Go drops a load
// whose value is unused, the accumulators join it masked by noBits.
//
//go:noinline
func readStreamGo(buf []int) int {
	var a0, a1, a2, a3, a4, a5, a6, a7 int
	b := buf[:len(buf)-len(buf)%64]
	for len(b) >= 8 {
		a0 ^= b[0]
		a1 ^= b[1]
		a2 ^= b[2]
		a3 ^= b[3]
		a4 ^= b[4]
		a5 ^= b[5]
		a6 ^= b[6]
		a7 ^= b[7]
		b = b[8:]
	}
	x, half := (a0^a1^a2^a3^a4^a5^a6^a7)&noBits, len(buf)/64*32
	if half > 0 {
		for _, w := range buf[half-8 : half] {
			x ^= w
		}
		for _, w := range buf[2*half-8 : 2*half] {
			x ^= w
		}
	}
	return x
}

// openblasNote describes the OpenBLAS peer for the machine table: its
// version and kernel set, and the set OpenBLAS chose by itself when
// internal/openblas asked for a wider one.
func openblasNote() string {
	if !openblas.Available {
		return ""
	}
	s := openblas.Version() + ", kernels " + openblas.Corename()
	if p := openblas.Picked(); p != openblas.Corename() {
		s += " (by itself it picked " + p + ", narrower than this CPU's vectors; OPENBLAS_CORETYPE overrides the choice)"
	} else if ct := os.Getenv("OPENBLAS_CORETYPE"); ct != "" {
		s += " (OPENBLAS_CORETYPE=" + ct + ")"
	}
	return s
}
