package flow

import (
	"crypto/sha256"
	"fmt"
	"math"
	"testing"
)

func hashF(v []float64) string {
	h := sha256.New()
	for _, x := range v {
		fmt.Fprintf(h, "%x", math.Float64bits(x))
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:12]
}

func TestZZDebug(t *testing.T) {
	const d, n = 8, 256
	sp, _ := Glow(d, 2, Block{Hidden: []int{64, 64}, Mask: "alternating"})
	f, _ := New[float64](sp, 31)
	x := randMat[float64](n, d, 32)
	for i := range x.Data {
		x.Data[i] = x.Data[i] * x.Data[i] * 0.5
	}
	for ep := 1; ep <= 3; ep++ {
		f.Train(x, Matrix[float64]{}, TrainOptions{Epochs: 1, Batch: 256, LR: 3e-3, Seed: 4})
		for i := range f.layers {
			t.Logf("ep %d layer %d %s: %s grads %s", ep, i, f.layers[i].Spec().Kind, hashF(f.LayerParams(i)), hashF(f.grads[f.offs[i]:f.offs[i+1]]))
		}
	}
}
