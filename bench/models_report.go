package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// modelPeers are the peers of the models section, in column order, with
// their column titles.
var modelPeers = [][2]string{{"gonum", "gonum"}, {"pytorch", "PyTorch"}}

// writeModels prints the models section: one row per model, configuration,
// precision and workload; our rate, then each peer's and the ratio ours /
// peer (the median of the repetitions' ratios, each repetition of ours
// against the peer's next to it, and their range). Without PyTorch it says
// why and how to get it.
func writeModels(w io.Writer, s *ModelsSection) {
	clockName := "CPU time of its process"
	if s.ByWall {
		clockName = "wall clock (this OS gives no process CPU time)"
	}
	fmt.Fprintf(w, "## Models\n\nThe normalizing flows of models/flow (Glow: %d blocks of ActNorm, LU and affine coupling, tanh conditioners\n"+
		"with two hidden layers of the width, batch %d: a training step with Adam, LogProb and Sample of the batch)\n"+
		"and the linear diffusion sampler of models/lindiff (the exact model of a power-law Gaussian), ours on tier\n"+
		"%s. Every contestant runs on one thread (ours at GOMAXPROCS 1; PyTorch with torch.set_num_threads(1)) and is\n"+
		"timed by the %s; the repetitions of ours and of each peer alternate, and a\n"+
		"rate is their median (± the spread (max-min)/median). A ratio is ours / peer, above 1x ours is faster: the median\n"+
		"of the repetitions' ratios, each against the peer's repetition next to it, and their range.\n\n",
		flowBlocks, flowBatch, s.Tier, clockName)
	fmt.Fprintf(w, "- **gonum**: lindiff.Sample with the denoiser product on gonum's Dgemm and the update on gonum's floats\n"+
		"  (the same chunks and noise streams)\n")
	if s.NoTorch == "" {
		fmt.Fprintf(w, "- **PyTorch**: bench/pytorch/flowkern_torch.py (`serve`) on the same weights: %s\n\n", s.Torch)
	} else if s.TorchMissing {
		fmt.Fprintf(w, "- **PyTorch**: %s; %s.\n\n", s.NoTorch, torchHowTo)
	} else {
		fmt.Fprintf(w, "- **PyTorch**: %s.\n\n", s.NoTorch)
	}
	type key struct{ model, config, prec, work string }
	var keys []key
	by := map[key]map[string]ModelResult{}
	var peers [][2]string
	for _, r := range s.Results {
		k := key{r.Model, r.Config, r.Prec, r.Work}
		if by[k] == nil {
			keys = append(keys, k)
			by[k] = map[string]ModelResult{}
		}
		by[k][r.Impl] = r
	}
	for _, p := range modelPeers {
		if slices.ContainsFunc(s.Results, func(r ModelResult) bool { return r.Impl == p[0] }) {
			peers = append(peers, p)
		}
	}
	fmt.Fprintf(w, "| model | configuration | precision | workload | ours |")
	for _, p := range peers {
		fmt.Fprintf(w, " %s | ours / %s |", p[1], p[1])
	}
	fmt.Fprintf(w, "\n|---|---|---|---|---:|%s\n", strings.Repeat("---:|---:|", len(peers)))
	for _, k := range keys {
		ours, ok := by[k]["ours"]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |", k.model, k.config, k.prec, k.work, rateCell(ours))
		for _, p := range peers {
			peer, ok := by[k][p[0]]
			if !ok {
				fmt.Fprintf(w, " | |")
				continue
			}
			fmt.Fprintf(w, " %s | %s |", rateCell(peer), ratioCell(ours.Rates, peer.Rates))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// rateCell prints a rate with its unit and spread.
func rateCell(r ModelResult) string {
	v := fmt.Sprintf("%.0f", r.Rate)
	if r.Rate < 100 {
		v = fmt.Sprintf("%.3g", r.Rate)
	}
	return fmt.Sprintf("%s %s ±%.0f%%", v, r.Unit, 100*r.Spread)
}

// ratioCell is the median of ours[i]/peer[i] and, with several
// repetitions, their range.
func ratioCell(ours, peer []float64) string {
	var q []float64
	for i := range min(len(ours), len(peer)) {
		if peer[i] > 0 {
			q = append(q, ours[i]/peer[i])
		}
	}
	if len(q) == 0 {
		return ""
	}
	slices.Sort(q)
	if len(q) == 1 {
		return fmt.Sprintf("**%.2fx**", q[0])
	}
	return fmt.Sprintf("**%.2fx** (%.2f-%.2f)", q[len(q)/2], q[0], q[len(q)-1])
}
