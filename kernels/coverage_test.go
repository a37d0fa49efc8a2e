package kernels

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// The pure-Go path returns the same bits as the assembly, so a kernel left
// out of a test table passes every other test and nobody notices.
// TestEveryKernelCovered walks the manifest (manifestKernels, written by
// gen/wire) and fails for a kernel without a test, a fuzz target or a
// benchmark. Where a table ranges over a family, the table itself says what
// is covered: vmathSpecs for the vector math (TestVmathTiers,
// TestVmathSpecials, TestVmathAccuracy, BenchmarkVmath and the fuzz targets
// read it), testClamps for the coupling kernels, and manifestFuzz (generated)
// for the fuzz targets of group members. The other kernels, each with tests
// of its own, are rows of kernelTests, keyed by manifest row.

// covered names a test, a fuzz target and a benchmark that run a kernel on
// every tier.
type covered struct {
	test  func(*testing.T)
	fuzz  func(*testing.F)
	bench func(*testing.B)
}

var kernelTests = map[string]covered{
	"Dot":          {TestDot, FuzzDot, BenchmarkDot},
	"Sum":          {TestSum, FuzzSum, BenchmarkSum},
	"Axpy":         {TestAxpy, FuzzAxpy, BenchmarkAxpy},
	"Scale":        {TestScale, FuzzScale, BenchmarkScale},
	"Add":          {test: TestAdd, bench: BenchmarkAdd},
	"Mul":          {test: TestMul, bench: BenchmarkMul},
	"KeepPositive": {test: TestKeepPositive, bench: BenchmarkKeepPositive},
	// Outer is MatTVecs' and AddOuters' kernel; each has its own three.
	"MatVecs":      {TestMatVecs, FuzzMatVecs, BenchmarkMatVecs},
	"MatVecsWT":    {TestMatVecsWT, FuzzMatVecs, BenchmarkMatVecsSmall},
	"MatVecSpaced": {TestMatVecSpaced, FuzzMatVecSpaced, BenchmarkMatVecs},
	"OuterRow":     {TestOuterRow, FuzzOuterRow, BenchmarkMatTVecs},
	"Outer":        {TestAddOuters, FuzzAddOuters, BenchmarkAddOuters},
	"Transpose4":   {TestTranspose, FuzzTranspose, BenchmarkTranspose},
	"Normals":      {TestNormalTiers, FuzzNormalFill, BenchmarkNormal},
	"Adam":         {TestAdam, FuzzAdam, BenchmarkAdam},
	"CouplingSub":  {TestAdditiveCoupling, FuzzAdditiveInverse, BenchmarkCoupling},
	"TanhGrad":     {TestTanhGrad, FuzzTanhGrad, BenchmarkTanhGrad},
}

// coverage returns what covers each manifest row.
func coverage() map[string]covered {
	cov := map[string]covered{}
	merge := func(row string, c covered) {
		have := cov[row]
		if c.test != nil {
			have.test = c.test
		}
		if c.fuzz != nil {
			have.fuzz = c.fuzz
		}
		if c.bench != nil {
			have.bench = c.bench
		}
		cov[row] = have
	}
	for row, c := range kernelTests {
		merge(row, c)
	}
	for row, f := range manifestFuzz {
		merge(row, covered{fuzz: f})
	}
	for _, s := range vmathSpecs {
		merge(s.f.String(), covered{test: TestVmathTiers, bench: BenchmarkVmath})
	}
	// A coupling kernel is covered when a clamp in testClamps runs it; the
	// fused row-sum kernels (group streamSum) run inside the same calls.
	for _, c := range testClamps {
		for _, d := range []struct {
			op   couplingOp
			fuzz func(*testing.F)
		}{{fwdKernel(c.Kind), FuzzCouplingForward}, {invKernel(c.Kind), FuzzCouplingInverse}, {bwdKernel(c.Kind), FuzzCouplingBackward}} {
			ks := []streamKernel{d.op.k}
			if c.Kind != ClampNone {
				ks = append(ks, clampKernel(c.Kind, d.op.k == skBwdNone))
			}
			if c.Kind == ClampAtan && d.op.k == skBwdNone {
				ks = append(ks, skChainAtan)
			}
			for _, e := range manifestKernels {
				if strings.HasPrefix(e.name, "stream") && slices.Contains(ks, streamKernel(e.member)) {
					merge(e.row, covered{TestCouplingTiers, d.fuzz, BenchmarkCoupling})
				}
			}
		}
	}
	return cov
}

func TestEveryKernelCovered(t *testing.T) {
	cov := coverage()
	var rows []string
	for _, e := range manifestKernels {
		if slices.Contains(rows, e.row) {
			continue
		}
		rows = append(rows, e.row)
		c := cov[e.row]
		var lacks []string
		if c.test == nil {
			lacks = append(lacks, "test")
		}
		if c.fuzz == nil {
			lacks = append(lacks, "fuzz target")
		}
		if c.bench == nil {
			lacks = append(lacks, "benchmark")
		}
		if len(lacks) > 0 {
			t.Errorf("manifest kernel %s has no %s: add it to its family's table or to kernelTests (coverage_test.go)", e.row, strings.Join(lacks, ", no "))
		}
	}
	// A row for a kernel the manifest no longer has is stale.
	var stale []string
	for row := range cov {
		if !slices.Contains(rows, row) {
			stale = append(stale, row)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("covered but not in the manifest: %v", stale)
	}
}
