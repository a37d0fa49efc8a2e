package kernels

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/dd"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestCouplingForwardBound measures CouplingForward's error against a
// double-double truth Y = x*e^s + t (ClampNone, so c = s exactly) and
// checks the bound its doc states: with e = Exp(s), |e - e^s| <= eta
// ulp(e^s) (Exp's largest known error: eta = 0.87 float64, 0.80 float32)
// and y = fma(x, e, t) rounded once,
//
//	|y - Y| <= ulp(y)/2 + eta |x| ulp(e^s)
//
// for every input, cancelling ones included. Where x*e^s and t do not
// cancel (t = 0, or the same sign), that is at most (1/2 + 2 eta) ulp(y);
// the test also checks that corollary and reports the largest error found
// in ulp(y) per case (go test -v).
func TestCouplingForwardBound(t *testing.T) {
	for _, tier := range usableTiers() {
		t.Run(tier.String(), func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { testCouplingBound[float64](t, tier, 0.87) })
			t.Run("float32", func(t *testing.T) { testCouplingBound[float32](t, tier, 0.80) })
		})
	}
}

func testCouplingBound[T Float](t *testing.T, tier cpu.Tier, eta float64) {
	defer setTier(tier)()
	r := tk.NewRand(61)
	const n = 1 << 14
	sMax := 30.0
	if !is64[T]() {
		sMax = 20
	}
	type regime struct {
		name   string
		tOf    func(xe float64) float64
		cancel bool
	}
	regimes := []regime{
		{"t=0", func(float64) float64 { return 0 }, false},
		{"same sign", func(xe float64) float64 { return math.Copysign(math.Abs(xe)*math.Exp(r.NormFloat64()*2), xe) }, false},
		{"cancelling", func(xe float64) float64 { return -xe * (1 + r.NormFloat64()*1e-3) }, true},
		{"random t", func(xe float64) float64 { return r.NormFloat64() * math.Abs(xe) * 4 }, true},
	}
	mat := func() Matrix[T] { return Matrix[T]{Rows: 1, Cols: n, Stride: n, Data: make([]T, n)} }
	for _, rg := range regimes {
		x, s, tt, y := mat(), mat(), mat(), mat()
		for i := range n {
			s.Data[i] = T((2*r.Float64() - 1) * sMax)
			if i%64 == 0 && is64[T]() {
				s.Data[i] = T(589.5630041826197 + r.NormFloat64()*1e-9) // near Exp's worst point
			}
			xv := r.NormFloat64() * math.Ldexp(1, r.IntN(20)-10)
			if float64(s.Data[i]) > 500 {
				xv *= 0x1p-900 // keep x e^s finite
			}
			x.Data[i] = T(xv)
			tt.Data[i] = T(rg.tOf(float64(x.Data[i]) * math.Exp(float64(s.Data[i]))))
		}
		CouplingForward(y, x, s, tt, nil, Clamp{})
		worst, worstRatio := 0.0, 0.0
		for i := range n {
			xi, si, ti, yi := float64(x.Data[i]), float64(s.Data[i]), float64(tt.Data[i]), float64(y.Data[i])
			E := dd.Exp(si)
			Y := dd.Add(dd.Mul(dd.F(xi), E), dd.F(ti))
			err := math.Abs(dd.Sub(dd.F(yi), Y).Float())
			bound := ulpOf[T](yi)/2 + eta*math.Abs(xi)*ulpOf[T](E.Float())
			if err > bound*(1+0x1p-40) {
				t.Fatalf("%s: x=%v s=%v t=%v: y=%v, truth %v: error %.3g > bound %.3g (%.2f ulp(y))",
					rg.name, xi, si, ti, yi, Y.Float(), err, bound, err/ulpOf[T](yi))
			}
			worstRatio = max(worstRatio, err/bound)
			worst = max(worst, err/ulpOf[T](yi))
		}
		if !rg.cancel && worst > 0.5+2*eta {
			t.Errorf("%s: %.3f ulp(y), above the no-cancellation corollary %.2f", rg.name, worst, 0.5+2*eta)
		}
		t.Logf("%s: largest error %.3f ulp(y), %.3f of the bound", rg.name, worst, worstRatio)
	}
}

// ulpOf is the spacing of T's values at |v| (its next value up minus it).
func ulpOf[T Float](v float64) float64 {
	v = math.Abs(v)
	if is64[T]() {
		return math.Nextafter(v, math.Inf(1)) - v
	}
	f := float32(v)
	return float64(math.Nextafter32(f, float32(math.Inf(1)))) - float64(f)
}
