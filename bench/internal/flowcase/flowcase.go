// Package flowcase holds what the bench report's models section and
// bench/flowpeer (the flowkern side of bench/pytorch/compare.sh) both run:
// the flow shapes of the PyTorch comparison (issue 14), the Glow flow they
// build and the data they feed it, so that the two measure the same thing.
package flowcase

import (
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// Blocks and Batch are the comparison's: 8 blocks of ActNorm, LU linear
// and affine coupling, 256 rows a batch.
const (
	Blocks = 8
	Batch  = 256
)

// Config is one of the comparison's shapes: D features, conditioners with
// two hidden layers of Width and activation Act ("": the package's
// default, tanh).
type Config struct {
	Name     string
	D, Width int
	Act      string
}

// Configs are the three shapes, then the toy with ReLU
// conditioners: the default of nflows, normflows and Glow, under which
// PyTorch's time is mostly its per-operation overhead (with tanh, half of
// its toy LogProb is the tanh itself).
var Configs = []Config{{"toy", 2, 64, ""}, {"d64", 64, 256, ""}, {"d784", 784, 1024, ""}, {"toy-relu", 2, 64, "relu"}}

// Find returns the shape named name.
func Find(name string) (Config, bool) {
	for _, c := range Configs {
		if c.Name == name {
			return c, true
		}
	}
	return Config{}, false
}

// Spec returns the shape's flow: Glow with Blocks blocks (atan scale
// clamp 2, the package default).
func (c Config) Spec() (flow.Spec, error) {
	return flow.Glow(c.D, Blocks, flow.Block{Hidden: []int{c.Width, c.Width}, Activation: c.Act})
}

// Normals returns a rows x d matrix of standard normals (stream seed).
func Normals[T kernels.Float](rows, d int, seed uint64) flow.Matrix[T] {
	g := kernels.NewNormal(seed, 0)
	v := make([]float64, rows*d)
	g.Fill(v)
	m := flow.Matrix[T]{Rows: rows, Cols: d, Data: make([]T, rows*d), Stride: d}
	for i, x := range v {
		m.Data[i] = T(x)
	}
	return m
}
