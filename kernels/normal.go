package kernels

import (
	"math"
	"math/bits"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
)

// Normal is a seeded generator of standard normal numbers: the noise of
// samplers (diffusion models, the base distribution of flows), the same
// bits on every tier and architecture.
//
// Uniform bits: a 64-bit Weyl sequence s += g (g odd, so the period is
// 2^64) mixed by the 128-bit product s*(s^k) folded as hi^lo (the "wyrand"
// construction). Normals: the ziggurat method of Marsaglia and Tsang (2000)
// with 256 layers of equal area under f(x) = exp(-x^2/2), one 64-bit word
// per draw on the fast path (8 bits pick the layer, 1 the sign, 53 the
// abscissa) and Marsaglia's exponential rejection for the tail x > r.
//
// Fill runs the fast path on the tier's vector kernel (AVX-512 and AVX2:
// eight or four consecutive words at a time, which the Weyl sequence allows)
// up to the first draw outside its layer's rectangle (1.5% of draws); that
// draw, and the further words it may consume, are done in Go. The tables
// and the rare exp and log use internal/ref's functions, the kernels'
// specification, so no result depends on the math package's per-GOARCH
// assembly, and the one multiply-add is an explicit math.FMA.
//
// A Normal is a value of 8 bytes; the zero value is a valid (fixed) stream.
// It is not safe for concurrent use.
type Normal struct{ s uint64 }

const (
	weylStep = 0xa0761d6478bd642f
	weylMix  = 0xe7037ed1a0b428db
)

// mix64 is the splitmix64 finalizer: a bijection of uint64 that spreads
// nearby seeds far apart.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// NewNormal returns the generator of stream number stream under seed.
// Distinct (seed, stream) pairs start at unrelated points of the period,
// so streams do not overlap in practice (each is 2^64 long).
func NewNormal(seed, stream uint64) Normal {
	return Normal{s: mix64(seed ^ mix64(stream+0x9e3779b97f4a7c15))}
}

// Uint64 returns 64 uniformly distributed bits.
func (g *Normal) Uint64() uint64 {
	g.s += weylStep
	return wyMix(g.s)
}

// wyMix is the output function of word s of the Weyl sequence.
func wyMix(s uint64) uint64 {
	hi, lo := bits.Mul64(s, s^weylMix)
	return hi ^ lo
}

// uniform returns a uniform number in (0, 1]: never 0, so its log is finite.
func (g *Normal) uniform() float64 {
	return float64(g.Uint64()>>11+1) * 0x1p-53
}

// Float64 returns one standard normal number.
func (g *Normal) Float64() float64 {
	var z [1]float64
	g.Fill(z[:])
	return z[0]
}

// Fill sets every element of dst to an independent standard normal
// number, in increasing index order. The numbers depend only on the
// generator's state, not on the tier or on how a stream is cut into calls.
func (g *Normal) Fill(dst []float64) { fillNormal(active, g, dst) }

// fillNormal is Fill on tier t.
func fillNormal(t cpu.Tier, g *Normal, dst []float64) {
	for k := 0; k < len(dst); {
		// The kernel call is not preemptible: at most chunk draws each.
		end := min(len(dst), k+chunk)
		k += zigFast(t, &g.s, dst[k:end])
		if k < end { // stopped before a draw that leaves the fast path
			dst[k] = g.slow(g.Uint64())
			k++
		}
	}
}

// zigFastGo is the fast path of the ziggurat on dst, stopping before the
// first word that leaves it (which stays unconsumed); it returns the count
// of draws made. Each is x = j * w[i] with the sign bit set from the word:
// j < 2^53 converts exactly and the product is rounded once, as in the
// vector kernels.
func zigFastGo(s *uint64, dst []float64) int {
	st := *s
	for k := range dst {
		next := st + weylStep
		u := wyMix(next)
		i := u & (zigLayers - 1)
		j := u >> 11
		if j >= zig.k[i] {
			*s = st
			return k
		}
		st = next
		dst[k] = math.Float64frombits(math.Float64bits(float64(int64(j))*zig.w[i]) | (u>>8&1)<<63)
	}
	*s = st
	return len(dst)
}

// slow finishes a draw whose first word u fell outside the rectangle of
// its layer: the tail, a wedge test, or a fresh draw after a rejection.
func (g *Normal) slow(u uint64) float64 {
	for {
		i := u & (zigLayers - 1)
		j := u >> 11
		x := float64(int64(j)) * zig.w[i]
		neg := u >> 8 & 1
		switch {
		case j < zig.k[i]:
			// (Only reached after a rejection below.)
		case i == 0:
			// Bottom layer beyond r: the tail, by Marsaglia's method: with
			// e1, e2 standard exponentials, r + e1/r given 2 e2 > (e1/r)^2
			// has density proportional to exp(-x^2/2) on x > r.
			for {
				l1, l2 := ref.Log64(g.uniform()), ref.Log64(g.uniform())
				t := -l1 / zigR
				if -2*l2 > t*t {
					x = zigR + t
					break
				}
			}
		default:
			// The wedge between the rectangle's inner edge and its outer
			// edge: accept x where a uniform height lies under the curve.
			if y := math.FMA(g.uniform(), zig.df[i], zig.f[i]); !underCurve(i, x, y) {
				u = g.Uint64()
				continue
			}
		}
		return math.Float64frombits(math.Float64bits(x) | neg<<63)
	}
}

// underCurve reports whether y < exp(-x^2/2) as computed by ref.Exp64, for
// x in the wedge of layer i. On a layer where f is convex (x >= 1) or
// concave (x <= 1) throughout, f lies between its chord over the wedge and
// its tangent at x[i], and a y outside both by a relative 2^-40 is decided
// without the exp: ref.Exp64 and the two lines' rounding err by less than
// 2^-50, so the answer is the exp's.
func underCurve(i uint64, x, y float64) bool {
	if c := zig.curve[i]; c != 0 {
		d := zig.x[i] - x // >= 0, but for rounding
		chord := zig.f[i] + d*zig.slope[i]
		tangent := zig.f[i] + d*zig.tslope[i]
		lo, hi := tangent, chord // convex: the tangent below f, the chord above
		if c < 0 {
			lo, hi = chord, tangent
		}
		switch {
		case y < lo*(1-0x1p-40):
			return true
		case y >= hi*(1+0x1p-40):
			return false
		}
	}
	return y < ref.Exp64(-0.5*x*x)
}

// The ziggurat: zigLayers strips of equal area zigV under f(x) =
// exp(-x^2/2), x >= 0. x[0] = zigV/f(zigR) is the width of a virtual
// rectangle whose area is the bottom strip plus the tail, x[1] = zigR, and
// x[i+1] = f^-1(f(x[i]) + zigV/x[i]) up to x[zigLayers] = 0. Strip i spans
// heights f(x[i]) .. f(x[i+1]) and abscissae 0 .. x[i]. r and v are
// Marsaglia and Tsang's constants for 256 strips.
const (
	zigLayers = 256
	zigR      = 3.6541528853610088
	zigV      = 4.92867323399e-3
)

var zig struct {
	k     [zigLayers]uint64 // fast path when j < k[i]: x[i+1]/x[i] * 2^53
	w     [zigLayers]float64
	f, df [zigLayers]float64 // f(x[i]) and f(x[i+1]) - f(x[i])

	// The wedge bounds of underCurve: x[i], the slopes of the chord and of
	// the tangent at x[i] (as f grows leftwards), and +1 where f is convex
	// on the wedge, -1 where concave, 0 where neither (or layer 0).
	x             [zigLayers]float64
	slope, tslope [zigLayers]float64
	curve         [zigLayers]int8
}

func init() {
	var x, f [zigLayers + 1]float64
	fx := func(v float64) float64 { return ref.Exp64(-0.5 * v * v) }
	x[1] = zigR
	f[1] = fx(zigR)
	x[0] = zigV / f[1]
	for i := 1; i < zigLayers-1; i++ {
		x[i+1] = math.Sqrt(-2 * ref.Log64(f[i]+zigV/x[i]))
		f[i+1] = fx(x[i+1])
	}
	x[zigLayers], f[zigLayers] = 0, 1
	for i := range zigLayers {
		zig.k[i] = uint64(x[i+1] / x[i] * 0x1p53)
		zig.w[i] = x[i] * 0x1p-53
		zig.f[i] = f[i]
		zig.df[i] = f[i+1] - f[i]
		zig.x[i] = x[i]
		if i > 0 {
			zig.slope[i] = (f[i+1] - f[i]) / (x[i] - x[i+1])
			zig.tslope[i] = x[i] * f[i]
			switch {
			case x[i+1] >= 1:
				zig.curve[i] = 1
			case x[i] <= 1:
				zig.curve[i] = -1
			}
		}
	}
}
