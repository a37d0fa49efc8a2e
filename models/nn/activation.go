package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/flowkern/flowkern/kernels"
)

// Activation is the element-wise function between the linear layers of an
// MLP.
type Activation int

const (
	// Identity is f(x) = x: the MLP is then a product of affine maps.
	Identity Activation = iota
	// ReLU is max(x, 0), PyTorch's nn.ReLU: relu(-0) = +0, relu(NaN) = NaN.
	// Its derivative is taken as 0 at x <= 0 and 1 elsewhere (NaN included,
	// as PyTorch's threshold backward does). It has no second derivative.
	ReLU
	// Tanh is tanh(x), PyTorch's nn.Tanh; the derivative is computed from
	// the output y as (1 - y)(1 + y).
	Tanh
	// SiLU is x sigmoid(x) (swish), PyTorch's nn.SiLU; the derivative is
	// s(1 + x(1 - s)) with s = sigmoid(x).
	SiLU
	// GELU is the tanh approximation of the Gaussian error linear unit,
	// 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))), PyTorch's
	// nn.GELU(approximate="tanh") (not the exact erf form, nn.GELU()). It is
	// computed as the identical x sigmoid(v), v = 2 sqrt(2/pi) x (1 +
	// 0.044715x^2), which avoids the cancellation of 1 + tanh(...) for
	// x < 0 (there PyTorch's formula loses relative accuracy, this one
	// does not); the derivative is s(1 + x(1 - s)v') with s = sigmoid(v)
	// and v' = 2 sqrt(2/pi)(1 + 3*0.044715x^2), which is the derivative of
	// the tanh form.
	GELU
	// Softplus is log(1 + e^x), exactly as kernels.Softplus, with no
	// threshold: PyTorch's nn.Softplus (beta = 1, threshold = 20) returns x
	// itself above x = 20, where the two differ by less than e^-20 (below
	// float32's rounding, a few ulps of float64). The derivative is
	// sigmoid(x).
	Softplus

	numActivations
)

var activationNames = [...]string{
	Identity: "identity", ReLU: "relu", Tanh: "tanh", SiLU: "silu", GELU: "gelu", Softplus: "softplus",
}

// String returns the name of a: "identity", "relu", "tanh", "silu", "gelu"
// or "softplus".
func (a Activation) String() string {
	if a.valid() {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation returns the activation named s, one of the names String
// returns (case and surrounding space ignored, so PyTorch's class names
// ReLU, Tanh, SiLU, GELU, Softplus and Identity are accepted too).
func ParseActivation(s string) (Activation, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for a, name := range activationNames {
		if t == name {
			return Activation(a), nil
		}
	}
	return Identity, fmt.Errorf("nn: unknown activation %q (want one of %s)", s, strings.Join(activationNames[:], ", "))
}

// Smooth reports whether a has continuous derivatives of every order: all
// but ReLU, whose second derivative is zero almost everywhere and undefined
// at 0, so that Taylor coefficients of a ReLU network above order one say
// nothing.
func (a Activation) Smooth() bool { return a != ReLU }

func (a Activation) valid() bool { return a >= 0 && a < numActivations }

// hasAux reports whether the forward pass of a keeps sigmoid(v) for the
// backward pass (in Work's aux buffer).
func (a Activation) hasAux() bool { return a == SiLU || a == GELU }

// The GELU constants: 2 sqrt(2/pi) and the cubic coefficient, exact
// (untyped) until converted to T.
const (
	geluTwoC = 2 * math.Sqrt2 / math.SqrtPi
	geluK    = 0.044715
	// geluClamp bounds x in the derivative so that v' and x v' stay finite
	// in float32: beyond it the derivative is 0 (x < 0: s = 0) or 1 (x > 0:
	// 1 - s = 0) in both precisions, exactly what the clamped x gives.
	geluClamp = 1e4
)

// activate sets a = act(z) element by element over whole buffers; aux (the
// length of z) receives sigmoid(v) for SiLU and GELU and is not used
// otherwise. a may be z only for Identity.
//
// SiLU or GELU of -Inf is NaN (-Inf * 0), as in PyTorch.
func activate[T kernels.Float](act Activation, a, z, aux []T) {
	switch act {
	case Identity:
		if len(z) > 0 && &a[0] != &z[0] {
			copy(a, z)
		}
	case ReLU:
		a = a[:len(z)]
		for i, x := range z {
			a[i] = max(x, 0) // max(-0, 0) = +0, max(NaN, 0) = NaN
		}
	case Tanh:
		kernels.Tanh(a, z)
	case Softplus:
		kernels.Softplus(a, z)
	case SiLU:
		kernels.Sigmoid(aux, z)
		kernels.Mul(a, z, aux)
	case GELU:
		geluArg(aux, z)
		kernels.Sigmoid(aux, aux)
		kernels.Mul(a, z, aux)
	default:
		panic(fmt.Sprintf("nn: invalid %v", act))
	}
}

// geluArg sets v[i] = 2 sqrt(2/pi) x (1 + 0.044715 x^2), x = z[i], with the
// products rounded one by one (no fused multiply-add on any architecture).
func geluArg[T kernels.Float](v, z []T) {
	v = v[:len(z)]
	for i, x := range z {
		p := T(T(geluK) * T(x*x))
		v[i] = T(T(geluTwoC)*x) * (1 + p)
	}
}

// activateGrad sets g = g * act'(z) element by element, given z, a =
// act(z) and aux as activate left them; scratch (the length of z) may be
// overwritten. Every product that feeds a sum is rounded explicitly.
func activateGrad[T kernels.Float](act Activation, g, z, a, aux, scratch []T) {
	switch act {
	case Identity:
	case ReLU:
		reluGrad(g, z)
	case Tanh:
		a = a[:len(g)]
		for i, y := range a {
			// 1 - y^2 as (1 - y)(1 + y): 1 - y is exact for y >= 1/2,
			// where 1 - y*y would cancel.
			g[i] *= (1 - y) * (1 + y)
		}
	case Softplus:
		kernels.Sigmoid(scratch, z)
		kernels.Mul(g, g, scratch)
	case SiLU:
		z, aux = z[:len(g)], aux[:len(g)]
		for i, x := range z {
			s := aux[i]
			g[i] *= s * (1 + T(x*(1-s)))
		}
	case GELU:
		z, aux = z[:len(g)], aux[:len(g)]
		for i, x := range z {
			s := aux[i]
			x = min(max(x, -geluClamp), geluClamp) // NaN stays NaN
			dv := T(geluTwoC) * (1 + T(T(3*geluK)*T(x*x)))
			g[i] *= s * (1 + T(T(x*(1-s))*dv))
		}
	default:
		panic(fmt.Sprintf("nn: invalid %v", act))
	}
}

// reluGrad sets g[i] = 0 where z[i] <= 0 and leaves it elsewhere, without
// a branch per element (the signs of pre-activations are unpredictable):
// a mask of the bits.
func reluGrad[T kernels.Float](g, z []T) {
	switch g := any(g).(type) {
	case []float64:
		z := any(z).([]float64)[:len(g)]
		for i, x := range z {
			var keep uint64
			if !(x <= 0) {
				keep = math.MaxUint64
			}
			g[i] = math.Float64frombits(math.Float64bits(g[i]) & keep)
		}
	case []float32:
		z := any(z).([]float32)[:len(g)]
		for i, x := range z {
			var keep uint32
			if !(x <= 0) {
				keep = math.MaxUint32
			}
			g[i] = math.Float32frombits(math.Float32bits(g[i]) & keep)
		}
	}
}
