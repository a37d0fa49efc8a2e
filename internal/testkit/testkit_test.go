package testkit

import (
	"math"
	"testing"
)

func TestGuardsCatchWrites(t *testing.T) {
	for _, off := range []int{0, 3} {
		g := NewGuarded[float64](5, off)
		s := g.S()
		if len(s) != 5 || cap(s) != 5 {
			t.Fatalf("len %d cap %d", len(s), cap(s))
		}
		for i := range s {
			s[i] = float64(i)
		}
		if err := g.Check(); err != nil {
			t.Fatal(err)
		}
		g.buf[g.off+5] = 1 // one past the end
		if g.Check() == nil {
			t.Fatal("a write past the end went unseen")
		}
		g32 := NewGuarded[float32](2, off)
		g32.buf[g32.off-1] = float32(math.NaN()) // a NaN, but not the guard's
		if g32.Check() == nil {
			t.Fatal("a write before the start went unseen")
		}
	}
}

func TestULP(t *testing.T) {
	negz := math.Copysign(0, -1)
	cases := []struct {
		a, b float64
		want uint64
	}{
		{1, 1, 0},
		{1, math.Nextafter(1, 2), 1},
		{negz, 0, 0},
		{-math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64, 2},
		{math.NaN(), math.NaN(), 0},
		{math.NaN(), 1, math.MaxUint64},
	}
	for _, c := range cases {
		if got := ULP(c.a, c.b); got != c.want {
			t.Errorf("ULP(%g, %g) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := ULP[float32](1, math.Nextafter32(1, 0)); got != 1 {
		t.Errorf("float32 ULP = %d", got)
	}
	if Same(0.0, negz) || !Same(math.NaN(), -math.NaN()) {
		t.Error("Same must tell zeros apart and match NaNs")
	}
}
