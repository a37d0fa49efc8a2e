package vmathalg

import "github.com/flowkern/flowkern/internal/ref"

// Kernel is an element-wise kernel over several streams: Ins are read, Outs
// written, Params are scalar arguments broadcast to every lane. Build
// records the steps of one element and returns the Outs in order. Heavy
// kernels keep more values live (the backends unroll them less).
type Kernel struct {
	Name              string
	Ins, Outs, Params []string
	Heavy             bool
	Build             func(b Builder) []V
	Doc               string // what one element computes, for the declaration
	Clamp             int    // ref.ClampNone, ClampTanh, ClampAtan
}

// Kernels are the affine coupling kernels: forward, inverse and backward
// without a clamp (c = s), the steps of internal/ref (coupling.go); the
// clamps alone (package kernels runs a clamped coupling as the clamp over
// a block into L1, then the unclamped kernel on c: fused, the clamp's and
// exp's dependency chains together outran the out-of-order window); then
// CouplingSub and TanhGrad.
var Kernels = couplingKernels()

func couplingKernels() []Kernel {
	ks := []Kernel{
		{Name: "CouplingFwdNone", Ins: []string{"x", "s", "t"}, Outs: []string{"y"},
			Doc: "y = fma(x, exp(s), t) (internal/ref.CouplingForward)",
			Build: func(b Builder) []V {
				e := b.Exp(b.In(1)) // before x is read: x and t need not stay live through the exp
				return []V{b.FMA(b.In(0), e, b.In(2))}
			}},
		{Name: "CouplingInvNone", Ins: []string{"y", "s", "t"}, Outs: []string{"x"},
			Doc: "x = (y - t) * exp(-s) (internal/ref.CouplingInverse)",
			Build: func(b Builder) []V {
				e := b.Exp(b.Neg(b.In(1)))
				return []V{b.Mul(b.Sub(b.In(0), b.In(2)), e)}
			}},
		{Name: "CouplingBwdNone", Ins: []string{"dy", "x", "s"}, Outs: []string{"dx", "ds"}, Params: []string{"dl"},
			Doc: "dx = dy*exp(s), ds = fma(dx, x, dl) (internal/ref.CouplingBackward)",
			Build: func(b Builder) []V {
				dx := b.Mul(b.In(0), b.Exp(b.In(2)))
				return []V{dx, b.FMA(dx, b.In(1), b.Param(0))}
			}},
	}
	for _, c := range []struct {
		name  string
		clamp int
	}{{"Tanh", ref.ClampTanh}, {"Atan", ref.ClampAtan}} {
		clamp := c.clamp
		ks = append(ks,
			Kernel{Name: "CouplingClamp" + c.name, Ins: []string{"s"}, Outs: []string{"c"},
				Params: []string{"ia", "m"}, Heavy: true, Clamp: clamp,
				Doc:   "c = c(s) (internal/ref.CouplingScale)",
				Build: func(b Builder) []V { return []V{scale(b, clamp, b.In(0), 0)} }},
			Kernel{Name: "CouplingClampGrad" + c.name, Ins: []string{"s"}, Outs: []string{"c", "f"},
				Params: []string{"ia", "m"}, Heavy: true, Clamp: clamp,
				Doc: "c = c(s) and the factor f of dc/ds (internal/ref.CouplingScaleGrad)",
				Build: func(b Builder) []V {
					u := b.Mul(b.In(0), b.Param(0))
					if clamp == ref.ClampTanh {
						h := Tanh(b, u)
						return []V{b.Mul(b.Param(1), h), b.FMA(b.Neg(h), h, b.Const(1))}
					}
					h := Atan(b, u)
					return []V{b.Mul(b.Param(1), h), b.FMA(u, u, b.Const(1))}
				}},
		)
	}
	ks = append(ks, Kernel{Name: "CouplingChainAtan", Ins: []string{"g", "f"}, Outs: []string{"ds"}, Clamp: ref.ClampAtan,
		Doc:   "ds = (g * 2/pi) / f (internal/ref.CouplingChain; the tanh clamp's g * f is Mul)",
		Build: func(b Builder) []V { return []V{b.Div(b.Mul(b.In(0), b.Const(ref.TwoOverPi64)), b.In(1))} }})
	ks = append(ks, Kernel{Name: "CouplingSub", Ins: []string{"y", "t"}, Outs: []string{"x"},
		Doc:   "x = y - t (the inverse of an additive coupling)",
		Build: func(b Builder) []V { return []V{b.Sub(b.In(0), b.In(1))} }})
	// Not a coupling step, but a stream kernel of the same shape: the
	// backward pass of a tanh activation in one pass instead of three.
	ks = append(ks, Kernel{Name: "TanhGrad", Ins: []string{"g", "y"}, Outs: []string{"d"},
		Doc: "d = g - (g*y)*y (internal/ref.TanhGrad)",
		Build: func(b Builder) []V {
			g, y := b.In(0), b.In(1)
			return []V{b.Sub(g, b.Mul(b.Mul(g, y), y))}
		}})
	return ks
}

// scale is ref.CouplingScale with its parameters ia, m at Param(p), Param(p+1).
func scale(b Builder, clamp int, s V, p int) V {
	// The bound m is read after the clamp's function, so that it does not
	// hold registers through it.
	switch clamp {
	case ref.ClampTanh:
		h := Tanh(b, b.Mul(s, b.Param(p)))
		return b.Mul(b.Param(p+1), h)
	case ref.ClampAtan:
		h := Atan(b, b.Mul(s, b.Param(p)))
		return b.Mul(b.Param(p+1), h)
	}
	return s
}
