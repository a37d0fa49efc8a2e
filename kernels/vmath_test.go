package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/dd"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// vmathSpec describes one vector math function for the tests: its
// reference, the math package function, its double-double truth, the error
// bounds (ulps) and the inputs worth testing.
type vmathSpec struct {
	f          vfunc
	pub64      func(dst, x []float64) // the public function (Exp[float64])
	pub32      func(dst, x []float32)
	ref64      func(float64) float64
	ref32      func(float32) float32
	math       func(float64) float64
	truth      func(float64) (dd.DD, int) // exact value = DD * 2^int
	bound64    float64                    // max error in ulps of the exact result
	bound32    float64                    // max error in float32 ulps of the exact result
	random     func(r *rand.Rand) float64
	hard64     func() []float64 // dense sweeps of the hard regions
	hard32     func() []float64
	lo32, hi32 float64 // range of float32 random inputs (beyond the specials)
}

var vmathSpecs = []vmathSpec{
	{
		f: fnExp, pub64: Exp[float64], pub32: Exp[float32],
		ref64: ref.Exp64, ref32: ref.Exp32, math: math.Exp, truth: dd.ExpScaled,
		bound64: 1, bound32: 1,
		random: func(r *rand.Rand) float64 { return -750 + 1465*r.Float64() },
		hard64: func() []float64 {
			return concat(nearZero(60), sweep(709.7, 709.8, 800), sweep(-708.5, -708.3, 400),
				sweep(-745.2, -744.9, 800), halfLn2(700, 1100), sweep(-1, 1, 400))
		},
		hard32: func() []float64 {
			return concat(nearZero(30), sweep(88.6, 88.8, 800), sweep(-87.4, -87.2, 400),
				sweep(-104, -102.9, 800), halfLn2(100, 150), sweep(-1, 1, 400))
		},
		lo32: -110, hi32: 95,
	},
	{
		f: fnLog, pub64: Log[float64], pub32: Log[float32],
		ref64: ref.Log64, ref32: ref.Log32, math: math.Log, truth: func(x float64) (dd.DD, int) { return dd.Log(dd.F(x)), 0 },
		bound64: 1, bound32: 1,
		random: func(r *rand.Rand) float64 { return math.Float64frombits(r.Uint64() >> 1) },
		hard64: func() []float64 {
			return concat(nearOne(60), subnormals(64, 1074), mantissaEdges(1022), sweep(0.7, 1.6, 800))
		},
		hard32: func() []float64 {
			return concat(nearOne(26), subnormals(32, 149), mantissaEdges(126), sweep(0.7, 1.6, 800))
		},
		lo32: 0, hi32: math.MaxFloat32,
	},
}

func init() {
	neg := func(xs []float64) []float64 {
		out := append([]float64(nil), xs...)
		for _, v := range xs {
			out = append(out, -v)
		}
		return out
	}
	scaled := func(e func(float64) dd.DD) func(float64) (dd.DD, int) {
		return func(x float64) (dd.DD, int) { return e(x), 0 }
	}
	vmathSpecs = append(vmathSpecs,
		vmathSpec{
			f: fnExpm1, pub64: Expm1[float64], pub32: Expm1[float32],
			ref64: ref.Expm1[float64], ref32: ref.Expm1[float32], math: math.Expm1, truth: scaled(dd.Expm1),
			bound64: 1, bound32: 1,
			random: func(r *rand.Rand) float64 { return -80 + 795*r.Float64() },
			hard64: func() []float64 {
				return concat(nearZero(70), sweep(709.7, 709.8, 400), sweep(-40, -36, 200), halfLn2(0, 80), sweep(-1, 1, 800))
			},
			hard32: func() []float64 {
				return concat(nearZero(40), sweep(88.6, 88.8, 400), sweep(-18, -15, 200), halfLn2(0, 40), sweep(-1, 1, 800))
			},
			lo32: -25, hi32: 95,
		},
		vmathSpec{
			f: fnLog1p, pub64: Log1p[float64], pub32: Log1p[float32],
			ref64: ref.Log1p[float64], ref32: ref.Log1p[float32], math: math.Log1p,
			truth:   func(x float64) (dd.DD, int) { return dd.Log1p(dd.F(x)), 0 },
			bound64: 1, bound32: 1,
			random: func(r *rand.Rand) float64 {
				if r.IntN(2) == 0 {
					return -1 + 2*r.Float64()
				}
				return math.Float64frombits(r.Uint64() >> 1)
			},
			hard64: func() []float64 {
				return concat(neg(nearZero(70)), sweep(-1, -0.99, 200), nearOne(60), mantissaEdges(1022), sweep(-0.3, 0.6, 800))
			},
			hard32: func() []float64 {
				return concat(neg(nearZero(40)), sweep(-1, -0.99, 200), nearOne(26), mantissaEdges(126), sweep(-0.3, 0.6, 800))
			},
			lo32: -1, hi32: math.MaxFloat32,
		},
		vmathSpec{
			f: fnTanh, pub64: Tanh[float64], pub32: Tanh[float32],
			ref64: ref.Tanh[float64], ref32: ref.Tanh[float32], math: math.Tanh, truth: scaled(dd.Tanh),
			bound64: 2, bound32: 1,
			random: func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * 25 },
			hard64: func() []float64 { return concat(nearZero(70), neg(sweep(0.2, 1.5, 800)), neg(sweep(17, 21, 400))) },
			hard32: func() []float64 { return concat(nearZero(40), neg(sweep(0.2, 1.5, 800)), neg(sweep(8, 10.5, 400))) },
			lo32:   -12, hi32: 12,
		},
		vmathSpec{
			f: fnSigmoid, pub64: Sigmoid[float64], pub32: Sigmoid[float32],
			ref64: ref.Sigmoid[float64], ref32: ref.Sigmoid[float32], math: sigmoid64,
			truth:   dd.SigmoidScaled,
			bound64: 2, bound32: 1,
			random: func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * 750 },
			hard64: func() []float64 {
				return concat(nearZero(70), neg(sweep(0, 3, 600)), sweep(-745.2, -708, 400), sweep(30, 40, 200))
			},
			hard32: func() []float64 {
				return concat(nearZero(40), neg(sweep(0, 3, 600)), sweep(-104, -87, 400), sweep(14, 18, 200))
			},
			lo32: -110, hi32: 110,
		},
		vmathSpec{
			f: fnSoftplus, pub64: Softplus[float64], pub32: Softplus[float32],
			ref64: ref.Softplus[float64], ref32: ref.Softplus[float32], math: softplus64,
			truth:   dd.SoftplusScaled,
			bound64: 2, bound32: 1,
			random: func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * 750 },
			hard64: func() []float64 {
				return concat(nearZero(70), neg(sweep(0, 3, 600)), sweep(-745.2, -708, 400), sweep(30, 45, 200))
			},
			hard32: func() []float64 {
				return concat(nearZero(40), neg(sweep(0, 3, 600)), sweep(-104, -87, 400), sweep(14, 22, 200))
			},
			lo32: -110, hi32: 110,
		},
		vmathSpec{
			f: fnAtan, pub64: Atan[float64], pub32: Atan[float32],
			ref64: ref.Atan[float64], ref32: ref.Atan[float32], math: math.Atan, truth: scaled(dd.Atan),
			bound64: 2, bound32: 1,
			random: func(r *rand.Rand) float64 {
				return math.Float64frombits(r.Uint64())
			},
			hard64: func() []float64 {
				return concat(nearZero(70), neg(sweep(0.4, 2.6, 1000)), neg(mantissaEdges(1022)))
			},
			hard32: func() []float64 {
				return concat(nearZero(40), neg(sweep(0.4, 2.6, 1000)), neg(mantissaEdges(126)))
			},
			lo32: -1e6, hi32: 1e6,
		},
	)
}

// sigmoid64 and softplus64 are the math-package spellings the special-value
// test compares with.
func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func softplus64(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func concat(s ...[]float64) []float64 {
	var out []float64
	for _, v := range s {
		out = append(out, v...)
	}
	return out
}

// sweep returns n evenly spaced points in [a, b].
func sweep(a, b float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return out
}

// nearZero returns ±2^-k (1 + small) for k = 1..maxK.
func nearZero(maxK int) []float64 {
	var out []float64
	for k := 1; k <= maxK; k++ {
		for _, m := range []float64{1, 1.1, 1.5, 1.9999} {
			v := math.Ldexp(m, -k)
			out = append(out, v, -v)
		}
	}
	return out
}

// nearOne returns 1 ± 2^-k (1 + small) for k = 1..maxK.
func nearOne(maxK int) []float64 {
	var out []float64
	for _, v := range nearZero(maxK) {
		out = append(out, 1+v)
	}
	return append(out, 1, math.Nextafter(1, 2), math.Nextafter(1, 0))
}

// halfLn2 returns points next to (k+1/2) ln2, where the reduction switches k.
func halfLn2(kmin, kmax int) []float64 {
	var out []float64
	for k := -kmax; k <= kmax; k += 7 {
		if k > -kmin && k < kmin && k%3 != 0 {
			continue
		}
		c := (float64(k) + 0.5) * math.Ln2
		out = append(out, c, math.Nextafter(c, 0), math.Nextafter(c, math.Inf(1)), c*(1+1e-12), c*(1-1e-12))
	}
	return out
}

// subnormals returns powers of two and odd multiples deep into the
// subnormal range.
func subnormals(bits, minExp int) []float64 {
	var out []float64
	for k := minExp - bits - 2; k <= minExp; k++ {
		out = append(out, math.Ldexp(1, -k), math.Ldexp(1.3, -k), math.Ldexp(1.75, -k))
	}
	return out
}

// mantissaEdges returns values whose mantissa sits on the split points 0.75
// and 1.5 (and next to them), over every binade up to 2^maxExp.
func mantissaEdges(maxExp int) []float64 {
	var out []float64
	for e := -maxExp; e <= maxExp; e += 3 {
		for _, m := range []float64{0.75, 1.5, 1} {
			v := math.Ldexp(m, e)
			out = append(out, v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
		}
	}
	return append(out, math.MaxFloat64, math.SmallestNonzeroFloat64)
}

// TestVmathTiers checks every tier against internal/ref bit for bit: all
// short lengths, alignment offsets, guards, aliasing, special values.
func TestVmathTiers(t *testing.T) {
	for _, s := range vmathSpecs {
		t.Run(s.f.String(), func(t *testing.T) {
			forBoth(t, func(t *testing.T, tier cpu.Tier) { testVmathTier[float64](t, tier, s) },
				func(t *testing.T, tier cpu.Tier) { testVmathTier[float32](t, tier, s) })
		})
	}
}

// public returns the public function of s in T.
func public[T Float](s vmathSpec) func(dst, x []T) {
	if is64[T]() {
		return any(s.pub64).(func(dst, x []T))
	}
	return any(s.pub32).(func(dst, x []T))
}

// TestVmathPublic: each spec's public function runs its kernel (the tables
// that call the public functions range over vmathSpecs).
func TestVmathPublic(t *testing.T) {
	x := []float64{-3, -0.5, 0, 0.25, 1, 2.5, 7, 40}
	for _, s := range vmathSpecs {
		got, want := make([]float64, len(x)), make([]float64, len(x))
		public[float64](s)(got, x)
		vmathTier(active, s.f, want, x)
		x32 := []float32{-3, -0.5, 0, 0.25, 1, 2.5, 7, 40}
		got32, want32 := make([]float32, len(x32)), make([]float32, len(x32))
		public[float32](s)(got32, x32)
		vmathTier(active, s.f, want32, x32)
		if tk.FirstDiff(got, want) >= 0 || tk.FirstDiff(got32, want32) >= 0 {
			t.Errorf("%s: the public function does not run %s: %v, want %v", s.f, s.f, got, want)
		}
	}
}

func refVmath[T Float](s vmathSpec, v T) T {
	if is64[T]() {
		return T(s.ref64(float64(v)))
	}
	return T(s.ref32(float32(v)))
}

// vmathInputs fills x with the function's random inputs, specials and
// hard-region points.
func vmathInputs[T Float](r *rand.Rand, s vmathSpec, x []T) {
	sp := tk.Specials[T]()
	hard := hardInputs(s, is64[T]())
	for i := range x {
		switch r.IntN(8) {
		case 0:
			x[i] = sp[r.IntN(len(sp))]
		case 1, 2:
			x[i] = T(hard[r.IntN(len(hard))])
		case 3:
			x[i] = T(r.NormFloat64())
		default:
			if is64[T]() {
				x[i] = T(s.random(r))
			} else {
				x[i] = T(random32(r, s))
			}
		}
	}
}

// hardCache keeps each spec's hard-region points: building them is costly.
var hardCache sync.Map // key: vfunc*2 + precision

func hardInputs(s vmathSpec, is64 bool) []float64 {
	key := int(s.f) * 2
	if is64 {
		key++
	}
	if v, ok := hardCache.Load(key); ok {
		return v.([]float64)
	}
	h := s.hard32()
	if is64 {
		h = s.hard64()
	}
	hardCache.Store(key, h)
	return h
}

func random32(r *rand.Rand, s vmathSpec) float64 {
	if s.hi32 == math.MaxFloat32 {
		return float64(math.Float32frombits(r.Uint32() >> 1))
	}
	return s.lo32 + (s.hi32-s.lo32)*r.Float64()
}

func testVmathTier[T Float](t *testing.T, tier cpu.Tier, s vmathSpec) {
	if tier == cpu.Generic {
		t.Skip("the generic tier runs internal/ref's functions themselves")
	}
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			r := tk.NewRand(uint64(n*8 + off))
			gx, gd := tk.NewGuarded[T](n, off), tk.NewGuarded[T](n, (off+3)%8)
			x, dst := gx.S(), gd.S()
			vmathInputs(r, s, x)
			x0 := clone(x)
			want := make([]T, n)
			for i, v := range x0 {
				want[i] = refVmath(s, v)
			}
			what := fmt.Sprintf("%s n=%d off=%d", s.f, n, off)
			vmathTier(tier, s.f, dst, x)
			if i := tk.FirstDiff(dst, want); i >= 0 {
				t.Fatalf("%s: element %d: f(%v) = %v (bits %#x), reference %v (bits %#x)",
					what, i, x0[i], dst[i], tk.Bits(dst[i]), want[i], tk.Bits(want[i]))
			}
			sameSlice(t, what+" x", x, x0)
			vmathTier(tier, s.f, x, x) // dst == x
			sameSlice(t, what+" dst==x", x, want)
			for _, g := range []*tk.Guarded[T]{gx, gd} {
				if err := g.Check(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
		}
	}
}

// TestVmathSpecials checks NaN, infinities, signed zeros, subnormals and
// the extremes against the math package exactly (any NaN matches any NaN),
// at every position of a vector on every tier.
func TestVmathSpecials(t *testing.T) {
	for _, s := range vmathSpecs {
		t.Run(s.f.String(), func(t *testing.T) {
			forBoth(t, func(t *testing.T, tier cpu.Tier) { testVmathSpecials[float64](t, tier, s) },
				func(t *testing.T, tier cpu.Tier) { testVmathSpecials[float32](t, tier, s) })
		})
	}
}

func testVmathSpecials[T Float](t *testing.T, tier cpu.Tier, s vmathSpec) {
	inf := math.Inf(1)
	vals := []float64{math.NaN(), inf, -inf, 0, math.Copysign(0, -1)}
	for _, v := range vals {
		want := T(s.math(v))
		for _, n := range []int{1, 7, 33, 67} {
			x := make([]T, n)
			for i := range x {
				x[i] = T(v)
			}
			vmathTier(tier, s.f, x, x)
			for i := range x {
				if !tk.Same(x[i], want) {
					t.Fatalf("%s(%v) at %d of %d = %v, math package %v", s.f, v, i, n, x[i], want)
				}
			}
		}
	}
}

// TestVmathAccuracy measures the error against the double-double truth on
// the hard regions and on random inputs over the whole range. Every tier
// equals internal/ref (TestVmathTiers), so the active tier stands for all.
func TestVmathAccuracy(t *testing.T) {
	for _, s := range vmathSpecs {
		t.Run(s.f.String(), func(t *testing.T) {
			r := tk.NewRand(uint64(s.f) + 99)
			n := 3000
			x64 := s.hard64()
			for range n {
				x64 = append(x64, s.random(r))
			}
			x32 := s.hard32()
			for range n {
				x32 = append(x32, random32(r, s))
			}
			worst64, at64 := measure(s, x64, false)
			worst32, at32 := measure(s, x32, true)
			t.Logf("%s: float64 max error %.3f ulp at x=%v; float32 %.3f ulp at x=%v", s.f, worst64, at64, worst32, at32)
			if worst64 > s.bound64 {
				t.Errorf("%s float64: error %.3f ulp at x = %v exceeds %.1f", s.f, worst64, at64, s.bound64)
			}
			if worst32 > s.bound32 {
				t.Errorf("%s float32: error %.3f ulp at x = %v exceeds %.1f", s.f, worst32, at32, s.bound32)
			}
		})
	}
}

// measure returns the largest error of the function over xs (rounded to
// float32 first when single) and where it occurs.
func measure(s vmathSpec, xs []float64, single bool) (worst, at float64) {
	var ys []float64
	if single {
		x := make([]float32, len(xs))
		for i, v := range xs {
			x[i] = float32(v)
		}
		y := make([]float32, len(x))
		vmathTier(active, s.f, y, x)
		for i := range x {
			xs[i], ys = float64(x[i]), append(ys, float64(y[i]))
		}
	} else {
		ys = make([]float64, len(xs))
		vmathTier(active, s.f, ys, xs)
	}
	for i, x := range xs {
		v, k := s.truth(x)
		if e := dd.ULPError(ys[i], v, k, single); e > worst {
			worst, at = e, x
		}
	}
	return worst, at
}

// TestVmathPanics checks that mismatched lengths panic with both lengths in
// the message, for each public function.
func TestVmathPanics(t *testing.T) {
	fs := map[string]func(dst, x []float64){"Exp": Exp[float64], "Log": Log[float64], "Expm1": Expm1[float64],
		"Log1p": Log1p[float64], "Tanh": Tanh[float64], "Sigmoid": Sigmoid[float64], "Softplus": Softplus[float64],
		"Atan": Atan[float64]}
	for name, f := range fs {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, name) || !strings.Contains(msg, "= 3") || !strings.Contains(msg, "= 4") {
					t.Errorf("%s: panic %q does not name both lengths", name, msg)
				}
			}()
			f(make([]float64, 3), make([]float64, 4))
		}()
	}
	x := []float32{0.5, 1, 2}
	Exp(x, x) // dst == x is allowed
	if x[0] != ref.Exp32(0.5) {
		t.Errorf("Exp in place: %v", x[0])
	}
}
