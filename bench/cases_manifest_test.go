package main

import (
	"slices"
	"testing"

	"github.com/flowkern/flowkern/gen/manifest"
)

// runsOf returns the manifest kernels a case or check names: runs, or
// the one named kernel.
func runsOf(kernel string, runs []string) []string {
	if runs != nil {
		return runs
	}
	return []string{kernel}
}

// TestEveryKernelMeasured walks gen/manifest: every kernel package kernels
// dispatches, in each of its precisions, must have a benchmark case and an
// equivalence check, or the report would not show it (and a tier falling
// back to Go would show nowhere). The probes (PeakFMA, ReadStream) are the
// machine's roofs, not kernels of the API. A name in runs that is not a
// manifest row is a typo.
func TestEveryKernelMeasured(t *testing.T) {
	type key struct{ kernel, prec string }
	measured, checked := map[key]bool{}, map[key]bool{}
	rows := map[string]bool{}
	for _, k := range manifest.Kernels {
		rows[k.Name] = true
	}
	note := func(what string, set map[key]bool, kernel, prec string, runs []string) {
		for _, r := range runs {
			if !rows[r] {
				t.Errorf("%s %s %s runs %s, which is not a row of gen/manifest", what, kernel, prec, r)
			}
		}
		for _, r := range runsOf(kernel, runs) {
			set[key{r, prec}] = true
		}
	}
	for _, c := range cases() {
		note("benchmark case", measured, c.kernel, c.prec, c.runs)
	}
	for _, set := range equivSets {
		for _, c := range set() {
			note("equivalence check", checked, c.kernel, c.prec, c.runs)
		}
	}
	var missing []string
	for _, k := range manifest.Kernels {
		if k.NoDispatch {
			continue
		}
		for _, p := range k.Precs {
			if !measured[key{k.Name, p.Type}] {
				missing = append(missing, k.Name+" "+p.Type+": no benchmark case (cases_*.go)")
			}
			if !checked[key{k.Name, p.Type}] {
				missing = append(missing, k.Name+" "+p.Type+": no equivalence check (equiv_*.go)")
			}
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Error(m)
	}
}
