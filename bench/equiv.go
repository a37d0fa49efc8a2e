package main

import (
	"math/rand/v2"
	"time"

	"github.com/flowkern/flowkern/kernels"
)

// equivRow is the equivalence result of one kernel on one tier at one
// precision: how many random cases ran, how many differed from internal/ref
// in any bit (NaN payloads aside), and the largest error against an exact
// reference, in the unit the kernel's bound is stated in.
type equivRow struct {
	Kernel, Tier, Prec string
	Cases, Mismatches  int
	MaxErr             float64 // reductions: |err| / documented bound; element-wise: ulps
	Bound              float64 // the largest MaxErr the contract allows
	Unit               string
	First              string // the first mismatch, if any
}

// An equivCheck checks one kernel at one precision: run does one random
// case on the tier SetISA selected and returns a description of the first
// element that is not bit-identical to internal/ref ("" if none) and the
// error against an exact or extended-precision reference, in unit; bound
// is the largest error the kernel's contract allows.
type equivCheck struct {
	kernel, prec, unit string
	bound              float64
	run                func(r *rand.Rand) (mismatch string, err float64)
	// runs names the gen/manifest kernels the check runs (nil: the one
	// named kernel); TestEveryKernelMeasured checks that each kernel has a
	// check.
	runs []string
}

// equivSets are the equivalence checks, one function per kernel family,
// each registered by the init of its equiv_*.go file.
var equivSets []func() []equivCheck

// runEquivalence runs every check selected by run on every usable tier on
// random shapes and values, for about budget in all.
func runEquivalence(budget time.Duration, run func(string) bool, progress *progress) []equivRow {
	var checks []equivCheck
	for _, set := range equivSets {
		for _, c := range set() {
			if run(c.kernel) {
				checks = append(checks, c)
			}
		}
	}
	tiers := usableTiers()
	slot := budget / time.Duration(max(1, len(checks)*len(tiers)))
	var rows []equivRow
	for _, c := range checks {
		for _, tier := range tiers {
			if err := kernels.SetISA(tier); err != nil {
				panic(err) // usableTiers said it was usable
			}
			progress.step("equivalence: %s %s on %s", c.kernel, c.prec, tier)
			rows = append(rows, equivalence(c, tier, slot))
		}
	}
	progress.done()
	_ = kernels.SetISA(startTier)
	return rows
}

// equivalence runs check c for about slot (at least once); the random
// cases are the same on every tier.
func equivalence(c equivCheck, tier string, slot time.Duration) equivRow {
	row := equivRow{Kernel: c.kernel, Tier: tier, Prec: c.prec, Unit: c.unit, Bound: c.bound}
	r := rand.New(rand.NewPCG(uint64(len(c.kernel)), 42))
	deadline := time.Now().Add(slot)
	for row.Cases == 0 || time.Now().Before(deadline) {
		mismatch, err := c.run(r)
		row.Cases++
		if mismatch != "" {
			row.Mismatches++
			if row.First == "" {
				row.First = mismatch
			}
		}
		row.MaxErr = max(row.MaxErr, err)
	}
	return row
}
