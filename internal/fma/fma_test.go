package fma

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exact32 rounds x*y+z, computed exactly, to float32 once.
func exact32(x, y, z float32) float32 {
	p := new(big.Float).SetPrec(1000).SetFloat64(float64(x))
	p.Mul(p, new(big.Float).SetFloat64(float64(y)))
	p.Add(p, new(big.Float).SetFloat64(float64(z)))
	f, _ := p.Float32()
	if f == 0 && math.Signbit(float64(z)) && x*y == 0 {
		// big.Float has no signed zero sums: apply IEEE's rule for exact zeros.
		return float32(float64(x)*float64(y) + float64(z))
	}
	return f
}

func TestF32Random(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300000 {
		x := math.Float32frombits(r.Uint32())
		y := math.Float32frombits(r.Uint32())
		z := math.Float32frombits(r.Uint32())
		if i%3 == 0 { // make products and addends cancel closely
			z = -x * y * (1 + float32(r.IntN(5)-2)*0x1p-23)
		}
		if x != x || y != y || z != z || math.IsInf(float64(x*y), 0) || math.IsInf(float64(z), 0) {
			continue
		}
		want := exact32(x, y, z)
		for _, f := range f32s {
			if got := f.f(x, y, z); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%s(%g, %g, %g) = %g (%#x), want %g (%#x)", f.name, x, y, z, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}

// f32s are the two routes to the fused float32 result.
var f32s = []struct {
	name string
	f    func(x, y, z float32) float32
}{{"F32", F32}, {"Odd32", Odd32}}

// TestF32DoubleRounding hits the case plain float64 arithmetic gets wrong:
// 4097*4097 = 2^24 + 2^13 + 1 lies exactly halfway between two float32
// values, and the tiny addend that breaks the tie is lost when the sum is
// rounded to float64 first.
func TestF32DoubleRounding(t *testing.T) {
	x, y, z := float32(4097), float32(4097), float32(0x1p-40)
	naive := float32(float64(x)*float64(y) + float64(z))
	want := float32(1<<24 + 1<<13 + 2)
	if exact32(x, y, z) != want || naive == want {
		t.Fatalf("the test case is not what it claims: exact %g, naive %g", exact32(x, y, z), naive)
	}
	for _, f := range f32s {
		if got := f.f(x, y, z); got != want {
			t.Fatalf("%s(4097, 4097, 2^-40) = %g, want %g", f.name, got, want)
		}
		if got := f.f(-x, y, -z); got != -want {
			t.Fatalf("%s(-4097, 4097, -2^-40) = %g, want %g", f.name, got, -want)
		}
	}
}

func TestF32Specials(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	negz := float32(math.Copysign(0, -1))
	cases := []struct{ x, y, z, want float32 }{
		{inf, 1, 1, inf},
		{inf, 0, 1, nan},
		{inf, 1, -inf, nan},
		{nan, 1, 1, nan},
		{1, 1, nan, nan},
		{negz, 1, negz, negz},
		{negz, 1, 0, 0},
		{math.MaxFloat32, 2, 0, inf},
		{0x1p-149, 0.5, 0, 0},
		{0x1p-149, 1.5, 0, 0x1p-148},
	}
	for _, c := range cases {
		for _, f := range f32s {
			got := f.f(c.x, c.y, c.z)
			if c.want != c.want {
				if got == got {
					t.Errorf("%s(%g, %g, %g) = %g, want NaN", f.name, c.x, c.y, c.z, got)
				}
				continue
			}
			if math.Float32bits(got) != math.Float32bits(c.want) {
				t.Errorf("%s(%g, %g, %g) = %g, want %g", f.name, c.x, c.y, c.z, got, c.want)
			}
		}
	}
}

// TestF32Tiny draws operands whose products and sums fall at the bottom of
// the range (float32 subnormal results, products down to 2^-298), where F32
// relies on the products being multiples of 2^-298.
func TestF32Tiny(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tiny := func() float32 {
		// A random significand with an exponent in [-149, -40].
		v := math.Ldexp(1+r.Float64(), -40-r.IntN(110))
		if r.IntN(2) == 0 {
			v = -v
		}
		return float32(v)
	}
	for i := range 300000 {
		x, y := tiny(), float32(math.Ldexp(1+r.Float64(), -r.IntN(100)))
		if i%2 == 0 {
			y = tiny()
		}
		z := tiny()
		if i%3 == 0 {
			z = -x * y * (1 + float32(r.IntN(5)-2)*0x1p-23)
		}
		want := exact32(x, y, z)
		for _, f := range f32s {
			if got := f.f(x, y, z); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%s(%g, %g, %g) = %g (%#x), want %g (%#x)", f.name, x, y, z, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}

// TestExact32 checks that Exact32 claims float32(s) only when it is F32's
// result, and declines the double-rounding case.
func TestExact32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	claimed := 0
	for i := range 300000 {
		x := math.Float32frombits(r.Uint32())
		y := math.Float32frombits(r.Uint32())
		z := math.Float32frombits(r.Uint32())
		if i%3 == 0 {
			z = -x * y * (1 + float32(r.IntN(5)-2)*0x1p-23)
		}
		if s := float64(x)*float64(y) + float64(z); Exact32(s) {
			claimed++
			got, want := float32(s), F32(x, y, z)
			if math.Float32bits(got) != math.Float32bits(want) && (got == got || want == want) {
				t.Fatalf("Exact32 claims float32(%g*%g + %g) = %g; F32 gives %g", x, y, z, got, want)
			}
		}
	}
	if claimed < 100000 {
		t.Errorf("Exact32 claimed only %d of 300000 results", claimed)
	}
	if Exact32(float64(4097)*4097 + 0x1p-40) {
		t.Error("Exact32 claims the double-rounding case 4097*4097 + 2^-40")
	}
	if Exact32(0x1p-140) {
		t.Error("Exact32 claims a result below the float32 normal range")
	}
}
