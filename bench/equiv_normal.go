package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// The normal generator in the equivalence run: a random stream and length,
// every draw bit-identical to ref.Normals (and the state after the fill).
// The error column is the larger z (absolute) of the draws' mean and variance
// against N(0, 1): a broken generator, not a rounding, would move it.

func init() { equivSets = append(equivSets, normalChecks) }

func normalChecks() []equivCheck {
	return []equivCheck{{"Normal", "float64", "z of mean, var", 6, normalCase, []string{"Normals"}}}
}

func normalCase(r *rand.Rand) (string, float64) {
	n := 1 + r.IntN(20000)
	seed, stream := r.Uint64(), r.Uint64()
	g := kernels.NewNormal(seed, stream)
	got := make([]float64, n)
	// Fill in pieces of random length: a stream does not depend on its cuts.
	for k := 0; k < n; {
		m := min(n-k, 1+r.IntN(300))
		g.Fill(got[k : k+m])
		k += m
	}
	want := make([]float64, n)
	state := ref.NormalSeed(seed, stream)
	ref.Normals(&state, want)
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return fmt.Sprintf("seed %#x stream %#x: draw %d of %d = %v, want %v", seed, stream, i, n, got[i], want[i]), 0
		}
	}
	if n%2 == 0 && g.Uint64() != ref.Mix64(state+ref.WeylStep) {
		return fmt.Sprintf("seed %#x stream %#x n %d: the state after Fill differs", seed, stream, n), 0
	}
	var mean, sq float64
	for _, v := range got {
		mean += v
		sq += v * v
	}
	fn := float64(n)
	zMean := mean / math.Sqrt(fn)
	zVar := (sq/fn - 1) / math.Sqrt(2/fn)
	return "", math.Max(math.Abs(zMean), math.Abs(zVar))
}
