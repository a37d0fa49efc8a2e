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

// Kernels are the affine coupling kernels, the steps of internal/ref
// (coupling.go) for each clamp: forward, inverse and backward; then
// CouplingSub and TanhGrad.
var Kernels = couplingKernels()

func couplingKernels() []Kernel {
	clamps := []struct {
		name  string
		clamp int
	}{{"None", ref.ClampNone}, {"Tanh", ref.ClampTanh}, {"Atan", ref.ClampAtan}}
	var ks []Kernel
	for _, c := range clamps {
		clamp := c.clamp
		var outC []string
		var params []string
		if clamp != ref.ClampNone {
			outC, params = []string{"c"}, []string{"ia", "m"}
		}
		heavy := clamp != ref.ClampNone
		ks = append(ks,
			Kernel{Name: "CouplingFwd" + c.name, Ins: []string{"x", "s", "t"}, Outs: append([]string{"y"}, outC...),
				Params: params, Heavy: heavy, Clamp: clamp,
				Doc: "y = fma(x, exp(c), t), c = c(s) (internal/ref.CouplingForward)",
				Build: func(b Builder) []V {
					cv := scale(b, clamp, b.In(1), 0)
					e := b.Exp(cv) // before x is read: x and t need not stay live through the exp
					y := b.FMA(b.In(0), e, b.In(2))
					if clamp == ref.ClampNone {
						return []V{y}
					}
					return []V{y, cv}
				}},
			Kernel{Name: "CouplingInv" + c.name, Ins: []string{"y", "s", "t"}, Outs: append([]string{"x"}, outC...),
				Params: params, Heavy: heavy, Clamp: clamp,
				Doc: "x = (y - t) * exp(-c), c = c(s) (internal/ref.CouplingInverse)",
				Build: func(b Builder) []V {
					cv := scale(b, clamp, b.In(1), 0)
					e := b.Exp(b.Neg(cv))
					x := b.Mul(b.Sub(b.In(0), b.In(2)), e)
					if clamp == ref.ClampNone {
						return []V{x}
					}
					return []V{x, cv}
				}},
			Kernel{Name: "CouplingBwd" + c.name, Ins: []string{"dy", "x", "s"}, Outs: []string{"dx", "ds"},
				Params: append([]string{"dl"}, params...), Heavy: heavy, Clamp: clamp,
				Doc: "dx = dy*exp(c), ds = fma(dx, x, dl) * dc/ds (internal/ref.CouplingBackward)",
				Build: func(b Builder) []V {
					s := b.In(2)
					var cv, h, u V
					switch clamp {
					case ref.ClampTanh:
						u = b.Mul(s, b.Param(1))
						h = Tanh(b, u)
						cv = b.Mul(b.Param(2), h)
					case ref.ClampAtan:
						u = b.Mul(s, b.Param(1))
						cv = b.Mul(b.Param(2), Atan(b, u))
					default:
						cv = s
					}
					dx := b.Mul(b.In(0), b.Exp(cv))
					g := b.FMA(dx, b.In(1), b.Param(0))
					var ds V
					switch clamp {
					case ref.ClampTanh:
						ds = b.Mul(g, b.FMA(b.Neg(h), h, b.Const(1)))
					case ref.ClampAtan:
						ds = b.Div(b.Mul(g, b.Const(ref.TwoOverPi64)), b.FMA(u, u, b.Const(1)))
					default:
						ds = g
					}
					return []V{dx, ds}
				}},
		)
	}
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
	switch clamp {
	case ref.ClampTanh:
		return b.Mul(b.Param(p+1), Tanh(b, b.Mul(s, b.Param(p))))
	case ref.ClampAtan:
		return b.Mul(b.Param(p+1), Atan(b, b.Mul(s, b.Param(p))))
	}
	return s
}
