package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/klauspost/cpuid/v2"
)

// result is one implementation of one kernel case at one size.
type result struct {
	kernel, prec, impl string
	n                  int
	nsPerOp            float64 // median
	spread             float64 // (max-min)/median over the repetitions
	gflops             float64
}

// impl is one contestant: prepare switches to it, make builds its closure.
type impl struct {
	name    string
	prepare func() error
	make    func(n int) func()
}

func machine() string {
	c := cpuid.CPU
	var feats []string
	for _, f := range []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512VL,
		cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.ASIMD} {
		if c.Supports(f) {
			feats = append(feats, f.String())
		}
	}
	return fmt.Sprintf("CPU: %s, %d physical / %d logical cores, features: %s",
		c.BrandName, c.PhysicalCores, c.LogicalCores, strings.Join(feats, " "))
}

// timeOp returns the nanoseconds per call of f, run iters times.
func timeOp(f func(), iters int) float64 {
	start := time.Now()
	for range iters {
		f()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(iters)
}

// calibrate finds how many calls of f take about d.
func calibrate(f func(), d time.Duration) int {
	iters := 1
	for {
		start := time.Now()
		for range iters {
			f()
		}
		el := time.Since(start)
		if el >= d/2 || iters >= 1<<30 {
			return max(1, int(float64(iters)*float64(d)/float64(max(el, 1))))
		}
		iters *= 4
	}
}

func measureAll(opt options, stderr io.Writer) ([]result, error) {
	var all []result
	cs := cases()
	var todo []kernelCase
	for _, c := range cs {
		if opt.run.MatchString(c.kernel) {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil, fmt.Errorf("-run %q matches no kernel", opt.run)
	}
	total, done := len(todo)*len(opt.sizes), 0
	for _, c := range todo {
		var impls []impl
		if c.gonum != nil {
			impls = append(impls, impl{"gonum", func() error { return nil }, c.gonum})
		}
		for _, t := range usableTiers() {
			impls = append(impls, impl{t, func() error { return kernels.SetISA(t) }, c.ours})
		}
		for _, n := range opt.sizes {
			done++
			fmt.Fprintf(stderr, "\r[%d/%d] %s %s n=%d          ", done, total, c.kernel, c.prec, n)
			rs, err := measureCase(c, n, impls, opt)
			if err != nil {
				return nil, err
			}
			all = append(all, rs...)
		}
	}
	fmt.Fprintln(stderr)
	return all, nil
}

// measureCase interleaves the repetitions of every implementation, so that
// a slow phase of a shared machine hits them all alike.
func measureCase(c kernelCase, n int, impls []impl, opt options) ([]result, error) {
	fs := make([]func(), len(impls))
	iters := make([]int, len(impls))
	times := make([][]float64, len(impls))
	for i, im := range impls {
		if err := im.prepare(); err != nil {
			return nil, err
		}
		fs[i] = im.make(n)
		iters[i] = calibrate(fs[i], opt.measure)
	}
	for range opt.reps {
		for i, im := range impls {
			if err := im.prepare(); err != nil {
				return nil, err
			}
			times[i] = append(times[i], timeOp(fs[i], iters[i]))
		}
	}
	var rs []result
	for i, im := range impls {
		ts := times[i]
		slices.Sort(ts)
		med := ts[len(ts)/2]
		rs = append(rs, result{kernel: c.kernel, prec: c.prec, impl: im.name, n: n, nsPerOp: med,
			spread: (ts[len(ts)-1] - ts[0]) / med, gflops: float64(c.flops*n) / med})
	}
	return rs, nil
}

// writeTables prints one Markdown table per kernel: GFLOP/s of every
// implementation and our best tier's ratio to gonum and to pure Go.
func writeTables(w io.Writer, rs []result) {
	var kernelsSeen []string
	for _, r := range rs {
		if !slices.Contains(kernelsSeen, r.kernel) {
			kernelsSeen = append(kernelsSeen, r.kernel)
		}
	}
	for _, k := range kernelsSeen {
		fmt.Fprintf(w, "## %s\n\n| precision | n | implementation | GFLOP/s | spread | vs gonum | vs generic |\n|---|---:|---|---:|---:|---:|---:|\n", k)
		for _, r := range rs {
			if r.kernel != k {
				continue
			}
			base := func(name string) string {
				for _, b := range rs {
					if b.kernel == r.kernel && b.prec == r.prec && b.n == r.n && b.impl == name {
						return fmt.Sprintf("%.2fx", r.gflops/b.gflops)
					}
				}
				return "-"
			}
			fmt.Fprintf(w, "| %s | %d | %s | %.2f | %.0f%% | %s | %s |\n",
				r.prec, r.n, r.impl, r.gflops, 100*r.spread, base("gonum"), base("generic"))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "GFLOP/s counts 2 flops per element for Dot and Axpy, 1 for the others.\n")
}
