package main

import (
	"fmt"
	"io"
	"sort"
)

// compare prints, for every case both runs measured, the GFLOP/s of each and
// the ratio new/old.
func compare(oldPath, newPath string, w io.Writer) error {
	a, err := readJSON(oldPath)
	if err != nil {
		return err
	}
	b, err := readJSON(newPath)
	if err != nil {
		return err
	}
	type key struct {
		kernel, prec, impl string
		n                  int
	}
	old := map[key]Result{}
	for _, x := range a.Results {
		old[key{x.Kernel, x.Prec, x.Impl, x.N}] = x
	}
	fmt.Fprintf(w, "old: %s (%s, %s)\nnew: %s (%s, %s)\n\n", oldPath, a.Machine.CPU, a.Date, newPath, b.Machine.CPU, b.Date)
	fmt.Fprintf(w, "| kernel | precision | n | implementation | old GFLOP/s | new GFLOP/s | new/old |\n|---|---|---:|---|---:|---:|---:|\n")
	matched := 0
	rs := append([]Result(nil), b.Results...)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Kernel != rs[j].Kernel {
			return rs[i].Kernel < rs[j].Kernel
		}
		if rs[i].Prec != rs[j].Prec {
			return rs[i].Prec < rs[j].Prec
		}
		return rs[i].N < rs[j].N
	})
	for _, x := range rs {
		o, ok := old[key{x.Kernel, x.Prec, x.Impl, x.N}]
		if !ok || o.GFLOPS == 0 {
			continue
		}
		matched++
		fmt.Fprintf(w, "| %s | %s | %d | %s | %.2f | %.2f | %.2fx |\n", x.Kernel, x.Prec, x.N, x.Impl, o.GFLOPS, x.GFLOPS, x.GFLOPS/o.GFLOPS)
	}
	if matched == 0 {
		return fmt.Errorf("the two files share no measured case")
	}
	return nil
}
