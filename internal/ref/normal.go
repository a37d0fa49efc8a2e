package ref

import (
	"math"
	"math/big"
)

// The normal generator behind kernels.Normal, specified pair by pair.
//
// Uniform bits: SplitMix64 (Steele, Lea and Flood 2014): a 64-bit Weyl
// sequence s += WeylStep (odd, so the period is 2^64) whose state s gives
// the word Mix64(s), two xor-shift-multiply rounds. Its multiplies are
// 64-bit products kept low, one instruction per vector on AVX-512.
//
// Normals: the Box-Muller transform, which has no branches and no tables,
// so every lane of a vector does the same work. Pair p of a stream that
// starts at state s takes the words w1, w2 of states s + (2p+1) WeylStep
// and s + (2p+2) WeylStep, their uniforms v = (w >> 12) 2^-52 in [0, 1)
// (exact: the bits of 1 + v, minus 1), and returns
//
//	r = sqrt(-2 log(1 - v1)),  z0 = r cos(2 pi v2),  z1 = r sin(2 pi v2)
//
// with Log64 (1 - v1 is exact and in (0, 1], so |z| <= sqrt(104 ln 2) = 8.49)
// and SinCos2Pi. The stream is z0, z1 of pair 0, then of pair 1, ...

// WeylStep is SplitMix64's increment, 2^64 / phi rounded to odd.
const WeylStep = 0x9e3779b97f4a7c15

// NormalSeed is the Weyl state at which stream number stream under seed
// starts: Mix64 applied twice, so nearby seeds and streams start far apart.
func NormalSeed(seed, stream uint64) uint64 {
	return Mix64(seed ^ Mix64(stream))
}

// Mix64 is SplitMix64's output function: a bijection of uint64.
func Mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Uniform52 is the uniform in [0, 1) of word w: its top 52 bits as the
// fraction of 1.f, minus 1 (exact).
func Uniform52(w uint64) float64 {
	return math.Float64frombits(w>>12|0x3ff<<52) - 1
}

// NormalPair returns the pair of normals of the two words after state *s
// and advances *s past them.
func NormalPair(s *uint64) (z0, z1 float64) {
	s1 := *s + WeylStep
	s2 := s1 + WeylStep
	*s = s2
	w1, w2 := Mix64(s1), Mix64(s2)
	return BoxMuller(Uniform52(w1), Uniform52(w2))
}

// BoxMuller maps uniforms v1, v2 in [0, 1) to two independent standard
// normals, operation by operation as the kernels do.
func BoxMuller(v1, v2 float64) (z0, z1 float64) {
	r := math.Sqrt(-2 * Log64(1-v1))
	c, s := SinCos2Pi(v2)
	return r * c, r * s
}

// SinCos2Pi returns cos(2 pi v) and sin(2 pi v) for v in [0, 1), each within
// 2 ulps (tested): t = 4v, q = round(t) (ties to even), f = t - q in
// [-1/2, 1/2] (both exact), then sin(pi/2 f) = f P(f^2) and
// cos(pi/2 f) = Q(f^2), the Taylor polynomials of SinP and CosQ by Horner
// with fused multiply-adds (their first omitted terms are below 2^-53
// relative), rotated to quadrant q mod 4.
func SinCos2Pi(v float64) (c, s float64) {
	t := 4 * v
	q := math.RoundToEven(t)
	f := t - q
	f2 := f * f
	sn := f * horner(SinP[:], f2)
	cs := horner(CosQ[:], f2)
	switch q {
	case 1:
		return -sn, cs
	case 2:
		return -cs, -sn
	case 3:
		return sn, -cs
	}
	return cs, sn // q = 0 or 4
}

// SinP[k] = (-1)^k (pi/2)^(2k+1) / (2k+1)! and CosQ[k] = (-1)^k (pi/2)^(2k)
// / (2k)!, rounded to nearest from 192-bit arithmetic.
var SinP, CosQ = taylor2Pi()

func taylor2Pi() (sinP, cosQ [9]float64) {
	const prec = 256
	halfPi, _, err := big.ParseFloat("0x1.921fb54442d18469898cc51701b839a252049c1114cf98e8p0", 0, prec, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	term := new(big.Float).SetPrec(prec).SetInt64(1) // (pi/2)^n / n!
	for n := 0; n < 2*len(cosQ); n++ {
		if n > 0 {
			term.Mul(term, halfPi)
			term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(n)))
		}
		v, _ := term.Float64()
		if n/2%2 == 1 {
			v = -v
		}
		if n%2 == 0 {
			cosQ[n/2] = v
		} else {
			sinP[n/2] = v
		}
	}
	return sinP, cosQ
}

// Normals fills dst with the stream from state *s, pair by pair, advancing
// *s; an odd length ends with the first number of a pair (*s is past it).
func Normals(s *uint64, dst []float64) {
	for k := 0; k < len(dst); k += 2 {
		z0, z1 := NormalPair(s)
		dst[k] = z0
		if k+1 < len(dst) {
			dst[k+1] = z1
		}
	}
}
