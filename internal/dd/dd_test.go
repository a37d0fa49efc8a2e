package dd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The reference functions agree with the math package to about an ulp of
// float64 (the math package's own error), and round trips through them
// agree to far below one.

func rel(a DD, b float64) float64 {
	if b == 0 {
		return math.Abs(a.Float())
	}
	return math.Abs(Sub(a, F(b)).Float() / b)
}

func TestAgainstMath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fs := []struct {
		name string
		dd   func(float64) DD
		m    func(float64) float64
		arg  func() float64
	}{
		{"Exp", Exp, math.Exp, func() float64 { return 1400*r.Float64() - 700 }},
		{"Expm1", Expm1, math.Expm1, func() float64 { return r.NormFloat64() * 4 }},
		{"Log", func(x float64) DD { return Log(F(x)) }, math.Log, func() float64 { return math.Exp(r.NormFloat64() * 100) }},
		{"Log1p", func(x float64) DD { return Log1p(F(x)) }, math.Log1p, func() float64 { return math.Exp(r.NormFloat64()*3) - 0.99 }},
		{"Tanh", Tanh, math.Tanh, func() float64 { return r.NormFloat64() * 3 }},
		{"Atan", Atan, math.Atan, func() float64 { return r.NormFloat64() * 100 }},
	}
	for _, f := range fs {
		for range 3000 {
			x := f.arg()
			if e := rel(f.dd(x), f.m(x)); e > 3e-16 {
				t.Fatalf("%s(%v): dd %v, math %v (relative %g)", f.name, x, f.dd(x), f.m(x), e)
			}
		}
	}
}

func TestRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		x := math.Exp(r.NormFloat64() * 50)
		// exp(log x) == x: log to ~2^-100, then exp of its high part with
		// the low part as a first-order factor.
		l := Log(F(x))
		back := Mul(Exp(l.Hi), Add(F(1), F(l.Lo)))
		if e := rel(back, x); e > 0x1p-90 {
			t.Fatalf("exp(log(%v)) relative error %g", x, e)
		}
	}
	for range 2000 {
		x := r.NormFloat64()
		// tanh = expm1(2x)/(expm1(2x)+2), atan(tan) via the identity
		// atan(x) + atan(1/x) = pi/2 for x > 0.
		if x > 0 {
			s := Add(Atan(x), Atan(1/x))
			c := Div(F(1), F(x))
			s = Add(s, Div(Sub(c, F(1/x)), Add(F(1), Mul(c, c)))) // 1/x was rounded
			if e := rel(Sub(s, Ldexp(Pi, -1)), 0); e > 0x1p-90 {
				t.Fatalf("atan(%v) + atan(1/%v) - pi/2 = %g", x, x, e)
			}
		}
		e := Expm1(2 * x)
		if d := Sub(Tanh(x), Div(e, Add(e, F(2)))).Float(); math.Abs(d) > 0x1p-90 {
			t.Fatalf("tanh(%v) differs from expm1(2x)/(expm1(2x)+2) by %g", x, d)
		}
	}
}

func TestULPError(t *testing.T) {
	if e := ULPError(1, F(1), 0, false); e != 0 {
		t.Fatal(e)
	}
	if e := ULPError(math.Nextafter(1, 2), F(1), 0, false); e != 1 {
		t.Fatal(e)
	}
	if e := ULPError(1, DD{1, 0x1p-53}, 0, false); e != 0.5 {
		t.Fatal(e)
	}
	if e := ULPError(float64(math.Nextafter32(1, 2)), F(1), 0, true); e != 1 {
		t.Fatal(e)
	}
	if e := ULPError(0x1p-1074, DD{1, 0}, -1074, false); e != 0 {
		t.Fatal(e)
	}
	if e := ULPError(math.Inf(1), F(math.Inf(1)), 0, false); e != 0 {
		t.Fatal(e)
	}
	if e := ULPError(math.NaN(), F(1), 0, false); !math.IsInf(e, 1) {
		t.Fatal(e)
	}
}
