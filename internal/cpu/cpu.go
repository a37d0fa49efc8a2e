// Package cpu decides which SIMD tier this machine runs.
//
// Detection uses github.com/klauspost/cpuid/v2 once; the FLOWKERN_ISA
// environment variable caps the choice. Package kernels asks Select at init
// and tests walk Tiers, skipping (never passing) the ones this CPU lacks.
package cpu

import (
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Tier is one implementation level of the kernels.
type Tier int

const (
	Generic Tier = iota // pure Go, runs everywhere
	AVX2                // amd64 with AVX, AVX2 and FMA3
	AVX512              // amd64 with AVX-512 F, VL, DQ and BW
	NEON                // arm64 Advanced SIMD
)

// Tiers lists every tier, generic first.
var Tiers = []Tier{Generic, AVX2, AVX512, NEON}

var names = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon"}

func (t Tier) String() string {
	if t >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

// Parse returns the tier named s (case and surrounding space ignored).
func Parse(s string) (Tier, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for t, n := range names {
		if s == n {
			return Tier(t), nil
		}
	}
	return Generic, fmt.Errorf("%q is not a tier (want one of %s)", s, strings.Join(names[:], ", "))
}

// Supported reports whether this CPU can run t; when it cannot, why says
// what it lacks.
func Supported(t Tier) (ok bool, why string) {
	return supported(t, runtime.GOARCH, cpuid.CPU)
}

func supported(t Tier, goarch string, c cpuid.CPUInfo) (bool, string) {
	switch t {
	case Generic:
		return true, ""
	case AVX2, AVX512:
		if goarch != "amd64" {
			return false, t.String() + " needs amd64, this is " + goarch
		}
		need := []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3}
		if t == AVX512 {
			need = append(need, cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW)
		}
		var missing []string
		for _, f := range need {
			if !c.Supports(f) {
				missing = append(missing, f.String())
			}
		}
		if len(missing) > 0 {
			return false, "this CPU (or OS) lacks " + strings.Join(missing, ", ")
		}
		return true, ""
	case NEON:
		// Advanced SIMD is part of every AArch64 Linux system (Go's own
		// arm64 port assumes it), so cpuid's answer only adds detail.
		if goarch != "arm64" {
			return false, "neon needs arm64, this is " + goarch
		}
		return true, ""
	}
	return false, "unknown tier " + t.String()
}

// L2Size returns the size in bytes of one core's level-2 cache as cpuid
// reports it, or 0 when it does not say.
func L2Size() int { return max(0, cpuid.CPU.Cache.L2) }

// DotHalvesFrom is the length of x, in bytes, from which the AVX-512 Dot
// loads each vector as two 32-byte halves (math.MaxInt: never). With x and
// y in L2 the halves pulled more on AMD Zen 5 (n = 16384 float64: 20.7 ->
// 22.5 GFLOP/s) and less on Intel Emerald Rapids (1.3x the time); in L1
// they halve the rate on both (docs/perf-notes.md). Other AMD cores keep
// Zen 5's rule, unmeasured.
func DotHalvesFrom() int {
	if cpuid.CPU.VendorID == cpuid.AMD {
		return 32 << 10
	}
	return math.MaxInt
}

// OuterRowPays reports whether a single row of an outer product (MatTVecs
// of one X row, a bias gradient) runs faster in the OuterRow kernel's loop
// order (C in L1, B read in order, one stream) than in Outer's tiles (a
// panel of B down k rows, streams a row apart). On AMD Zen 5, whose L2
// serves such streams at about half the rate of one, it took 0.55-0.93x
// the tiles' time; on Intel Emerald Rapids the tiles took 0.53-0.93x
// OuterRow's (docs/perf-notes.md). Other AMD cores keep Zen 5's rule,
// unmeasured.
func OuterRowPays() bool { return cpuid.CPU.VendorID == cpuid.AMD }

// OuterPacks4K reports whether Outer's AVX-512 blocks of B (128 rows) at a
// 4 KiB stride run faster packed into panels when at least 256 rows of C
// reuse them. On Intel Emerald Rapids they took 0.92-0.97x the time packed
// (float32 1024 x 1024, batch 256 and 1024), and lost with 64-128 rows
// (1.02-1.09x); on AMD Zen 5 packing lost at every batch at this stride
// (docs/perf-notes.md). Other AMD cores keep Zen 5's rule, unmeasured.
func OuterPacks4K() bool { return cpuid.CPU.VendorID == cpuid.Intel }

// WTLongRows reports whether MatVecs runs AVX-512's transposed-W kernel
// (MatVecsWT) on rows of 5 to 8 vectors when the batch has at least 2n
// rows. On Intel Emerald Rapids, with the kernel's straight-line chains, it
// took 0.84-0.96x the dot-product tiles' time there (float64 64 x 64,
// float32 64 x 128, batch 256 and 1024); on AMD Zen 5 the kernel before
// those chains lost to the tiles at float32 n = 128 (1.03-1.21x) and tied
// at float64 n = 64 (docs/perf-notes.md). AMD keeps rows of at most 4
// vectors until measured again.
func WTLongRows() bool { return cpuid.CPU.VendorID == cpuid.Intel }

// OuterStreamK reports whether Outer reads a B of a stride of 4 KiB or more
// in place in blocks of 32 rows instead of 128 when A is row-major and C
// has fewer than 64 rows (MatTVecs of a small batch and a large W). Each
// row of such a block is a stream of its own, a page or more from the
// next; on Intel Emerald Rapids, whose L2 prefetcher follows up to 32
// streams, MatTVecs float64 1024 x 1024 batch 16 ran 1.6x as fast with W
// from memory and 1.14-1.18x with W in L3 (docs/perf-notes.md). AMD,
// unmeasured, keeps 128.
func OuterStreamK() bool { return cpuid.CPU.VendorID == cpuid.Intel }

// Select picks the tier to run: the best tier that usable accepts, capped
// by request (the value of FLOWKERN_ISA; empty means no cap). When the
// request cannot be honoured as written, warning says what runs instead:
// an unknown name falls back to generic (the user asked for less than
// full SIMD, so running more would be the surprise), an unsupported tier to
// the best usable tier below it.
func Select(request string, usable func(Tier) bool) (t Tier, warning string) {
	best := Generic
	for _, c := range []Tier{NEON, AVX2, AVX512} {
		if usable(c) {
			best = c
		}
	}
	if strings.TrimSpace(request) == "" {
		return best, ""
	}
	want, err := Parse(request)
	if err != nil {
		return Generic, fmt.Sprintf("FLOWKERN_ISA=%s; running generic", err)
	}
	for _, c := range below(want) {
		if usable(c) {
			if c == want {
				return c, ""
			}
			_, why := Supported(want)
			if why == "" {
				why = "this build has no " + want.String() + " code (purego or noasm tag)"
			}
			return c, fmt.Sprintf("FLOWKERN_ISA=%s cannot run: %s; running %s", want, why, c)
		}
	}
	return Generic, ""
}

// below lists t and the tiers a cap at t allows, best first.
func below(t Tier) []Tier {
	switch t {
	case AVX512:
		return []Tier{AVX512, AVX2, Generic}
	case AVX2:
		return []Tier{AVX2, Generic}
	case NEON:
		return []Tier{NEON, Generic}
	}
	return []Tier{Generic}
}
