package ref

import (
	"math"
	"math/bits"
)

// The normal generator behind kernels.Normal, specified word by word.
//
// Uniform bits: a 64-bit Weyl sequence s += WeylStep (odd, so the period is
// 2^64) whose word s is mixed by the 128-bit product s*(s^WeylMix) folded as
// hi^lo (the "wyrand" construction). Normals: the ziggurat of Marsaglia and
// Tsang (2000) with ZigLayers strips of equal area ZigV under f(x) =
// exp(-x^2/2). A draw takes one word u: i = u & 255 picks the strip, bit 8
// the sign, j = u >> 11 (53 bits) the abscissa x = j Zig.W[i]. When
// j < Zig.K[i] the point lies in the strip's rectangle under the curve and
// x is the draw (the fast path, 98.5% of draws); otherwise NormalSlow
// finishes it, consuming further words. Exp and log are this package's
// Exp64 and Log64, so the tables and the draws are the same everywhere.

const (
	WeylStep = 0xa0761d6478bd642f
	WeylMix  = 0xe7037ed1a0b428db
)

// NormalSeed is the Weyl state at which stream number stream under seed
// starts: splitmix64's finalizer (a bijection that spreads nearby numbers
// far apart) applied twice.
func NormalSeed(seed, stream uint64) uint64 {
	return mix64(seed ^ mix64(stream+0x9e3779b97f4a7c15))
}

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// WyMix is the output word of Weyl state s.
func WyMix(s uint64) uint64 {
	hi, lo := bits.Mul64(s, s^WeylMix)
	return hi ^ lo
}

// The ziggurat: x[0] = ZigV/f(ZigR) is the width of a virtual rectangle
// whose area is the bottom strip plus the tail, x[1] = ZigR, and x[i+1] =
// f^-1(f(x[i]) + ZigV/x[i]) up to x[ZigLayers] = 0. Strip i spans heights
// f(x[i]) .. f(x[i+1]) and abscissae 0 .. x[i]. r and v are Marsaglia and
// Tsang's constants for 256 strips.
const (
	ZigLayers = 256
	ZigR      = 3.6541528853610088
	ZigV      = 4.92867323399e-3
)

// Zig holds the tables of the strips.
var Zig struct {
	K     [ZigLayers]uint64  // the fast path takes j < K[i]: x[i+1]/x[i] * 2^53
	W     [ZigLayers]float64 // x[i] 2^-53
	X     [ZigLayers + 1]float64
	F, DF [ZigLayers]float64 // f(x[i]) and f(x[i+1]) - f(x[i])
}

func init() {
	x, f := &Zig.X, [ZigLayers + 1]float64{}
	fx := func(v float64) float64 { return Exp64(-0.5 * v * v) }
	x[1] = ZigR
	f[1] = fx(ZigR)
	x[0] = ZigV / f[1]
	for i := 1; i < ZigLayers-1; i++ {
		x[i+1] = math.Sqrt(-2 * Log64(f[i]+ZigV/x[i]))
		f[i+1] = fx(x[i+1])
	}
	x[ZigLayers], f[ZigLayers] = 0, 1
	for i := range ZigLayers {
		Zig.K[i] = uint64(x[i+1] / x[i] * 0x1p53)
		Zig.W[i] = x[i] * 0x1p-53
		Zig.F[i] = f[i]
		Zig.DF[i] = f[i+1] - f[i]
	}
}

// ZigFast returns the draw of word u and true when it takes the fast path.
func ZigFast(u uint64) (float64, bool) {
	i, j := u&(ZigLayers-1), u>>11
	if j >= Zig.K[i] {
		return 0, false
	}
	return math.Float64frombits(math.Float64bits(float64(int64(j))*Zig.W[i]) | (u>>8&1)<<63), true
}

// Uniform returns a uniform number in (0, 1] from the word after state *s
// (never 0, so its log is finite).
func Uniform(s *uint64) float64 {
	*s += WeylStep
	return float64(WyMix(*s)>>11+1) * 0x1p-53
}

// NormalSlow finishes a draw whose first word u left the fast path, taking
// further words from state *s: the tail beyond ZigR, or a wedge test, or a
// fresh word after a rejection. wedge(i, x, y) reports whether the height y
// lies under the curve at x in strip i's wedge; WedgeExp is the
// specification, kernels may pass a cheaper test that answers the same.
func NormalSlow(s *uint64, u uint64, wedge func(i uint64, x, y float64) bool) float64 {
	for {
		i, j := u&(ZigLayers-1), u>>11
		x := float64(int64(j)) * Zig.W[i]
		neg := u >> 8 & 1
		switch {
		case j < Zig.K[i]:
			// (Only reached after a rejection below.)
		case i == 0:
			// Beyond r: Marsaglia's tail method. With e1, e2 standard
			// exponentials, r + e1/r given 2 e2 > (e1/r)^2 has density
			// proportional to exp(-x^2/2) on x > r.
			for {
				l1 := Log64(Uniform(s))
				l2 := Log64(Uniform(s))
				t := -l1 / ZigR
				if -2*l2 > t*t {
					x = ZigR + t
					break
				}
			}
		default:
			// The wedge between the rectangle's inner and outer edges: a
			// uniform height under the curve accepts x. The one multiply-add
			// is explicit, so no compiler fuses it differently.
			if !wedge(i, x, math.FMA(Uniform(s), Zig.DF[i], Zig.F[i])) {
				*s += WeylStep
				u = WyMix(*s)
				continue
			}
		}
		return math.Float64frombits(math.Float64bits(x) | neg<<63)
	}
}

// WedgeExp is the wedge test by the exp: y < exp(-x^2/2).
func WedgeExp(_ uint64, x, y float64) bool { return y < Exp64(-0.5*x*x) }

// Normals fills dst with draws from state *s, in order, advancing it.
func Normals(s *uint64, dst []float64) {
	for k := range dst {
		*s += WeylStep
		u := WyMix(*s)
		x, ok := ZigFast(u)
		if !ok {
			x = NormalSlow(s, u, WedgeExp)
		}
		dst[k] = x
	}
}
