package flow

import (
	"errors"
	"fmt"

	"github.com/flowkern/flowkern/kernels"
)

// Kind names a layer type in a Spec and in the model file.
type Kind string

// The layer kinds.
const (
	KindActNorm  Kind = "actnorm"  // ActNorm, data-initialised
	KindScale    Kind = "scale"    // NICE's diagonal scaling
	KindLU       Kind = "lu"       // LU-parameterised invertible linear layer
	KindReverse  Kind = "reverse"  // feature reversal
	KindShuffle  Kind = "shuffle"  // fixed random permutation
	KindAffine   Kind = "affine"   // affine coupling
	KindAdditive Kind = "additive" // additive coupling
)

// Spec is a flow's architecture: its dimension and its layers, data side
// first. It is what the model file stores (as JSON) besides the
// parameters.
type Spec struct {
	Dim    int         `json:"dim"`
	Layers []LayerSpec `json:"layers"`
}

// LayerSpec describes one layer. Couplings use A (kept columns), B
// (transformed columns), Hidden (the conditioner's hidden sizes),
// Activation and, for affine ones, Scale and Clamp (the soft-clamp bound of
// tanh and atan, the eps of sigmoid).
type LayerSpec struct {
	Kind        Kind    `json:"kind"`
	Initialized bool    `json:"initialized,omitempty"`
	A           []int   `json:"a,omitempty"`
	B           []int   `json:"b,omitempty"`
	Hidden      []int   `json:"hidden,omitempty"`
	Activation  string  `json:"activation,omitempty"`
	Scale       string  `json:"scale,omitempty"`
	Clamp       float64 `json:"clamp,omitempty"`
}

// Block describes the coupling of the standard architectures.
type Block struct {
	Hidden     []int   // conditioner hidden sizes (default 64, 64)
	Activation string  // default "tanh" (smooth: the learned action has Taylor coefficients)
	Scale      string  // default "atan" (affine couplings)
	Clamp      float64 // default 2 for tanh and atan
	Mask       string  // "halves" (default) or "alternating"; "checkerboard:HxWxC" for images
}

func (b Block) withDefaults() Block {
	if b.Hidden == nil {
		b.Hidden = []int{64, 64}
	}
	if b.Activation == "" {
		b.Activation = "tanh"
	}
	if b.Scale == "" {
		b.Scale = ScaleAtan
	}
	if b.Clamp == 0 && (b.Scale == ScaleAtan || b.Scale == ScaleTanh) {
		b.Clamp = 2
	}
	if b.Mask == "" {
		b.Mask = "halves"
	}
	return b
}

// split returns the mask's split for block i (alternate blocks swap A and
// B, so every feature is transformed).
func (b Block) split(d, i int) (kernels.Split, error) {
	var s kernels.Split
	switch b.Mask {
	case "halves":
		s = kernels.Halves(d)
	case "alternating":
		s = kernels.Alternating(d, 0)
	default:
		var h, w, c int
		if _, err := fmt.Sscanf(b.Mask, "checkerboard:%dx%dx%d", &h, &w, &c); err != nil || h < 1 || w < 1 || c < 1 || h*w*c != d {
			return s, fmt.Errorf("mask %q: want halves, alternating or checkerboard:HxWxC with H*W*C = d = %d", b.Mask, d)
		}
		s = kernels.Checkerboard(h, w, c, 0)
	}
	if i%2 == 1 {
		s = s.Swap()
	}
	return s, nil
}

func (b Block) coupling(kind Kind, d, i int) (LayerSpec, error) {
	s, err := b.split(d, i)
	if err != nil {
		return LayerSpec{}, err
	}
	ls := LayerSpec{Kind: kind, A: s.A(), B: s.B(), Hidden: append([]int(nil), b.Hidden...), Activation: b.Activation}
	if kind == KindAffine {
		ls.Scale, ls.Clamp = b.Scale, b.Clamp
	}
	return ls, nil
}

// Glow returns Glow's architecture on d features: blocks of ActNorm, LU
// linear and affine coupling.
func Glow(d, blocks int, b Block) (Spec, error) {
	return b.repeat(d, blocks, KindAffine, LayerSpec{Kind: KindActNorm}, LayerSpec{Kind: KindLU})
}

// RealNVP returns RealNVP's architecture on d features: affine couplings
// whose masks alternate, each preceded by ActNorm (in place of RealNVP's
// batch normalisation).
func RealNVP(d, blocks int, b Block) (Spec, error) {
	return b.repeat(d, blocks, KindAffine, LayerSpec{Kind: KindActNorm})
}

// NICE returns NICE's architecture on d features: additive couplings whose
// masks alternate, then a diagonal scaling.
func NICE(d, blocks int, b Block) (Spec, error) {
	sp, err := b.repeat(d, blocks, KindAdditive)
	if err != nil {
		return Spec{}, err
	}
	sp.Layers = append(sp.Layers, LayerSpec{Kind: KindScale})
	return sp, nil
}

// repeat returns blocks blocks of the layers pre followed by a coupling of
// kind, block i with the mask of block i.
func (b Block) repeat(d, blocks int, kind Kind, pre ...LayerSpec) (Spec, error) {
	b = b.withDefaults()
	sp := Spec{Dim: d}
	for i := range blocks {
		c, err := b.coupling(kind, d, i)
		if err != nil {
			return Spec{}, err
		}
		sp.Layers = append(append(sp.Layers, pre...), c)
	}
	return sp, nil
}

// maxDim and maxParams bound what a Spec (possibly read from a file) may ask
// for before anything is allocated.
const (
	maxDim    = 1 << 20
	maxParams = 1<<31 - 1 // fits int on 32-bit platforms
)

// build makes the layers of sp (parameters not yet bound).
func build[T kernels.Float](sp Spec) ([]Layer[T], int, error) {
	d := sp.Dim
	if d < 1 || d > maxDim {
		return nil, 0, fmt.Errorf("flow: dimension %d out of range 1..%d", d, maxDim)
	}
	if len(sp.Layers) == 0 {
		return nil, 0, errors.New("flow: a flow needs at least one layer")
	}
	var layers []Layer[T]
	total := 0
	for i, ls := range sp.Layers {
		var l Layer[T]
		switch ls.Kind {
		case KindActNorm:
			a := NewActNorm[T](d)
			a.done = ls.Initialized
			l = a
		case KindScale:
			l = NewScale[T](d)
		case KindLU:
			if int64(d)*int64(d) > maxParams {
				return nil, 0, fmt.Errorf("flow: layer %d: LU on %d features is too large", i, d)
			}
			l = NewLU[T](d)
		case KindReverse:
			l = NewReverse[T](d)
		case KindShuffle:
			l = NewShuffle[T](d)
		case KindAffine, KindAdditive:
			for _, h := range ls.Hidden {
				if h < 1 || h > maxDim {
					return nil, 0, fmt.Errorf("flow: layer %d: hidden size %d out of range 1..%d", i, h, maxDim)
				}
			}
			c, err := newCoupling[T](ls, d)
			if err != nil {
				return nil, 0, fmt.Errorf("flow: layer %d (%s): %w", i, ls.Kind, err)
			}
			if p := c.NumParams(); p < 0 || p > maxParams {
				return nil, 0, fmt.Errorf("flow: layer %d: conditioner too large", i)
			}
			l = c
		default:
			return nil, 0, fmt.Errorf("flow: layer %d: unknown kind %q", i, ls.Kind)
		}
		// In int64: the sum of two counts up to maxParams overflows a
		// 32-bit int.
		if int64(total)+int64(l.NumParams()) > maxParams {
			return nil, 0, fmt.Errorf("flow: more than %d parameters", maxParams)
		}
		total += l.NumParams()
		layers = append(layers, l)
	}
	return layers, total, nil
}
