package action

import (
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/models/flow"
)

// BenchmarkCoefficients64 expands the flow configuration (d = 64,
// an 8x8 lattice; Glow of 8 blocks, conditioners 256 x 2, tanh, atan
// scale) to order 4: the d + d(d-1)/2 = 2080 directions of Expand, then
// the A4 entries of one site with its four neighbours and the
// nearest-neighbour A4(i,i,j,j) of every site (128 entries).
func BenchmarkCoefficients64(b *testing.B) {
	sp, err := flow.Glow(64, 8, flow.Block{Hidden: []int{256, 256}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range sp.Layers {
		if sp.Layers[i].Kind == flow.KindActNorm {
			sp.Layers[i].Initialized = true
		}
	}
	f, err := flow.New[float32](sp, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Expand", func(b *testing.B) {
		defer tk.ProcessCPUTime(b, 0)() // the process's clock: the flow may use several goroutines
		for b.Loop() {
			expand64(b, f)
		}
	})
	e := expand64(b, f)
	var idx [][]int
	for i := range 64 {
		r, c := i/8, i%8
		idx = append(idx, []int{i, i, r*8 + (c+1)%8, r*8 + (c+1)%8}, []int{i, i, ((r+1)%8)*8 + c, ((r+1)%8)*8 + c})
	}
	b.Run("A4-128-entries", func(b *testing.B) {
		defer tk.ProcessCPUTime(b, 0)()
		for b.Loop() {
			e.Entries(4, idx)
		}
	})
}

//go:noinline
func expand64(b *testing.B, f *flow.Flow[float32]) *Expansion {
	e, err := Coefficients(f, nil, 4)
	if err != nil {
		b.Fatal(err)
	}
	return e
}
