package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/flowkern/flowkern/kernels"
)

// Activation is the element-wise function between the linear layers of an
// MLP.
//
// Accuracy (TestActivationAccuracy, against double-double values, u the
// unit roundoff of the precision): each function and derivative is within
// 4u of its scale B, measured within 2.1u; B is |f| for tanh, softplus,
// SiLU and their derivatives and (1 + |v|)|f| for GELU (the roundings of v
// pass into sigmoid(v) times |v|). A derivative computed from a rounded
// output, or through 1 - s, has an absolute part besides: 2y^2 for tanh',
// s(1 + |x|) for SiLU', s(1 + |x| v') for GELU' (so near 1 for large x,
// within a few multiples of |x| u, not of u).
type Activation int

const (
	// Identity is f(x) = x: the MLP is then a product of affine maps.
	Identity Activation = iota
	// ReLU is max(x, 0), PyTorch's nn.ReLU: relu(-0) = +0, relu(NaN) = NaN.
	// Its derivative is taken as 0 at x <= 0 and 1 elsewhere (NaN included,
	// as PyTorch's threshold backward does). It has no second derivative.
	ReLU
	// Tanh is tanh(x), PyTorch's nn.Tanh (kernels.Tanh); the derivative
	// 1 - y^2 is applied to an incoming gradient g as g - (g y) y, from the
	// output y alone.
	Tanh
	// SiLU is x sigmoid(x) (swish), PyTorch's nn.SiLU; the derivative
	// s(1 + x(1 - s)), s = sigmoid(x), is applied to g as gs + gs w with
	// w = x - y = x(1 - s).
	SiLU
	// GELU is the tanh approximation of the Gaussian error linear unit,
	// 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))), PyTorch's
	// nn.GELU(approximate="tanh") (not the exact erf form, nn.GELU()). It is
	// computed as the identical x sigmoid(v), v = 2c x + 2ck x^3 with
	// c = sqrt(2/pi), k = 0.044715, which avoids the cancellation in
	// 1 + tanh(...) for x < 0 (where PyTorch's float32 result loses its
	// relative accuracy and this one does not). The derivative, that of
	// the tanh form, is s(1 + x(1 - s)v'), s = sigmoid(v),
	// v' = 2c(1 + 3k x^2), applied to g as gs + 2c(q + 3k q x^2) with
	// q = gs(x - y).
	GELU
	// Softplus is log(1 + e^x), exactly as kernels.Softplus, with no
	// threshold: PyTorch's nn.Softplus (beta = 1, threshold = 20) returns x
	// itself above x = 20, where the two differ by log(1 + e^-x) < 2.1e-9
	// (relative 1e-10: below float32's rounding, but some 10^6 float64
	// ulps). The derivative is sigmoid(x).
	Softplus

	// SiLU and GELU are NaN at x = -Inf (-Inf * 0, as in PyTorch) and
	// their derivatives NaN at ±Inf.

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
)

// inPlace reports whether the backward pass of a needs only the
// post-activation, so that the forward pass may overwrite the
// pre-activation with it.
func (a Activation) inPlace() bool { return a == Identity || a == ReLU || a == Tanh }

// The element-wise steps run on the kernels' vector operations, a few
// passes over blocks of actBlock elements, so that the passes after the
// first find their operands in the L1 cache; a scalar Go loop costs several
// times more per element than such a pass (BenchmarkActivation). The
// blocks cut no computation: every element is computed alone.
const actBlock = 2048

// activate sets a = act(z) element by element; aux (the length of z)
// receives sigmoid(v) for SiLU and GELU and is not used otherwise. a may
// be z for the inPlace activations.
//
// SiLU or GELU of -Inf is NaN (-Inf * 0), as in PyTorch.
func activate[T kernels.Float](act Activation, a, z, aux []T) {
	a = a[:len(z)]
	switch act {
	case Identity:
		if len(z) > 0 && &a[0] != &z[0] {
			copy(a, z)
		}
	case ReLU:
		relu(a, z)
	case Tanh:
		kernels.Tanh(a, z)
	case Softplus:
		kernels.Softplus(a, z)
	case SiLU:
		kernels.Sigmoid(aux, z)
		kernels.Mul(a, z, aux)
	case GELU:
		aux = aux[:len(z)]
		for i := 0; i < len(z); i += actBlock {
			j := min(i+actBlock, len(z))
			geluForward(a[i:j], z[i:j], aux[i:j])
		}
	default:
		panic(fmt.Sprintf("nn: invalid %v", act))
	}
}

// geluForward sets s = sigmoid(v), v = 2c x + 2ck x^3 (c = sqrt(2/pi),
// k = 0.044715), and a = x s for x in z.
func geluForward[T kernels.Float](a, z, s []T) {
	kernels.Mul(s, z, z)
	kernels.Mul(s, s, z)
	kernels.Scale(T(geluTwoC*geluK), s)
	kernels.Axpy(T(geluTwoC), z, s) // 2c x + 2ck x^3, rounded once
	kernels.Sigmoid(s, s)
	kernels.Mul(a, z, s)
}

// activateGrad sets g = g * act'(z) element by element, given z, a =
// act(z) and aux as activate left them (for the inPlace activations only
// a is read); s1 and s2 (the length of g) are scratch.
func activateGrad[T kernels.Float](act Activation, g, z, a, aux, s1, s2 []T) {
	n := len(g)
	switch act {
	case Identity:
	case ReLU:
		reluGrad(g, a)
	case Tanh:
		kernels.TanhGrad(g, g, a)
	case Softplus:
		for i := 0; i < n; i += actBlock {
			j := min(i+actBlock, n)
			kernels.Sigmoid(s1[i:j], z[i:j])
			kernels.Mul(g[i:j], g[i:j], s1[i:j])
		}
	case SiLU:
		for i := 0; i < n; i += actBlock {
			j := min(i+actBlock, n)
			siluGrad(g[i:j], z[i:j], a[i:j], aux[i:j], s1[i:j])
		}
	case GELU:
		for i := 0; i < n; i += actBlock {
			j := min(i+actBlock, n)
			geluGrad(g[i:j], z[i:j], a[i:j], aux[i:j], s1[i:j], s2[i:j])
		}
	default:
		panic(fmt.Sprintf("nn: invalid %v", act))
	}
}

// siluGrad sets g = g s (1 + x(1 - s)) as gs + gs w with w = x - a =
// x(1 - s); w is scratch.
func siluGrad[T kernels.Float](g, x, a, s, w []T) {
	kernels.Mul(g, g, s)
	copy(w, x)
	kernels.Axpy(-1, a, w) // x - a, rounded once
	kernels.Mul(w, w, g)
	kernels.Add(g, g, w)
}

// geluGrad sets g = g s (1 + x(1 - s) v'), v' = 2c(1 + 3k x^2), as
// gs + 2c (q + 3k q x^2) with q = gs w and w = x - a = x(1 - s); q and t
// are scratch. Where s rounds to 0 (x < -11 in float32) q is 0, and where
// it rounds to 1 (x > 5) w is, so q x^2 cannot overflow to an Inf times 0.
func geluGrad[T kernels.Float](g, x, a, s, q, t []T) {
	kernels.Mul(g, g, s)
	copy(q, x)
	kernels.Axpy(-1, a, q) // w = x - a
	kernels.Mul(q, q, g)
	kernels.Mul(t, q, x)
	kernels.Mul(t, t, x)
	kernels.Axpy(T(3*geluK), t, q)
	kernels.Axpy(T(geluTwoC), q, g)
}

// relu sets a = max(z, 0): +0 for z <= 0 (-0 included), z elsewhere (NaN
// included).
func relu[T kernels.Float](a, z []T) { kernels.KeepPositive(a, z, z) }

// reluGrad sets g[i] = 0 where y[i] <= 0 and leaves it elsewhere, y the
// pre- or the post-activation (they agree on it).
func reluGrad[T kernels.Float](g, y []T) { kernels.KeepPositive(g, g, y) }
