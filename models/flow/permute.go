package flow

import "github.com/flowkern/flowkern/kernels"

// Permute reorders the features, z[b][i] = x[b][perm[i]] (log|det| = 0):
// Reverse, or a fixed random permutation drawn at initialisation.
type Permute[T kernels.Float] struct {
	d      int
	random bool
	perm   []int
}

// NewReverse returns the layer z[i] = x[d-1-i].
func NewReverse[T kernels.Float](d int) *Permute[T] {
	p := &Permute[T]{d: d, perm: make([]int, d)}
	for i := range d {
		p.perm[i] = d - 1 - i
	}
	return p
}

// NewShuffle returns a layer whose fixed permutation is drawn at
// initialisation.
func NewShuffle[T kernels.Float](d int) *Permute[T] {
	p := NewReverse[T](d)
	p.random = true
	return p
}

func (p *Permute[T]) Dim() int { return p.d }

func (p *Permute[T]) Spec() LayerSpec {
	if p.random {
		return LayerSpec{Kind: KindShuffle}
	}
	return LayerSpec{Kind: KindReverse}
}

func (p *Permute[T]) NumParams() int    { return 0 }
func (p *Permute[T]) tensors() []tensor { return nil }
func (p *Permute[T]) buffers() []buffer { return []buffer{{name: "perm", ints: p.perm}} }
func (p *Permute[T]) bind(_, _ []T)     {}

func (p *Permute[T]) clone() Layer[T] { return &Permute[T]{d: p.d, random: p.random, perm: p.perm} }

func (p *Permute[T]) init(g *kernels.Normal) {
	if !p.random {
		return
	}
	shuffle(p.perm, g)
}

// shuffle sets perm to a uniformly drawn permutation (Fisher-Yates).
func shuffle(perm []int, g *kernels.Normal) {
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := int(g.Uniform() * float64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
}

func (p *Permute[T]) Forward(z, x Matrix[T], logdet []float64) {
	checkShapes("Permute.Forward", p.d, ldLen(logdet), nm(x, "x"), nm(z, "z"))
	kernels.Gather(z, x, p.perm)
}

func (p *Permute[T]) Inverse(x, z Matrix[T], logdet []float64) {
	checkShapes("Permute.Inverse", p.d, ldLen(logdet), nm(z, "z"), nm(x, "x"))
	kernels.Scatter(x, z, p.perm)
}

func (p *Permute[T]) Backward(dx, dz, x Matrix[T], dlogdet []T) {
	checkShapes("Permute.Backward", p.d, ldLen(dlogdet), nm(x, "x"), nm(dz, "dz"), nm(dx, "dx"))
	kernels.Scatter(dx, dz, p.perm)
}
