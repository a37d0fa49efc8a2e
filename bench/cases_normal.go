package main

import (
	"math/rand/v2"

	"github.com/flowkern/flowkern/kernels"
)

// The normal generator (kernels.Normal.Fill) against math/rand/v2's
// NormFloat64 on a PCG source, in Gelem/s (one "flop" per draw).

func init() { caseSets = append(caseSets, normalCases) }

func normalCases() []kernelCase {
	sizes := []int{4096, 1 << 20}
	return []kernelCase{{kernel: "Normal", prec: "float64", work: linear(1, 8), elems: true, sizes: sizes, quickSizes: sizes[:1],
		runs: []string{"Normals"},
		ours: func(n int) func() {
			g, dst := kernels.NewNormal(1, 2), make([]float64, n)
			return func() { g.Fill(dst) }
		},
		peers: []peer{{"randv2", func(n int) func() {
			r, dst := rand.New(rand.NewPCG(1, 2)), make([]float64, n)
			return func() { normFloatLoop(r, dst) }
		}}}}}
}

//go:noinline
func normFloatLoop(r *rand.Rand, dst []float64) {
	for i := range dst {
		dst[i] = r.NormFloat64()
	}
}
