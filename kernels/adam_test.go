package kernels

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// adamCase is one guarded input set of Adam: p, g, m, v at their own
// offsets, v >= 0 as a trainer's second moment is.
type adamCase[T Float] struct {
	gs [4]*tk.Guarded[T] // p, g, m, v
}

func newAdamCase[T Float](seed uint64, n, off int) adamCase[T] {
	r := tk.NewRand(seed)
	var c adamCase[T]
	for k := range c.gs {
		c.gs[k] = tk.NewGuarded[T](n, (off+3*k)%8)
		tk.Fill(r, c.gs[k].S())
	}
	for i, x := range c.gs[3].S() {
		c.gs[3].S()[i] = T(math.Abs(float64(x)))
	}
	return c
}

func (c adamCase[T]) slices() (p, g, m, v []T) {
	return c.gs[0].S(), c.gs[1].S(), c.gs[2].S(), c.gs[3].S()
}

// refAdam runs internal/ref.Adam on copies and returns p, m, v.
func refAdam[T Float](p, g, m, v []T, c AdamCoef) (wp, wm, wv []T) {
	wp, wm, wv = clone(p), clone(m), clone(v)
	ref.Adam(wp, g, wm, wv, adamCoefs[T](c))
	return wp, wm, wv
}

// adamCoefCases are coefficient sets the tests sweep: the usual AdamW
// hyperparameters at a few steps and rates, plain Adam, and large rates
// (where the update, not p, sets the last bits of p).
func adamCoefCases() []AdamCoef {
	return []AdamCoef{
		NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 1),
		NewAdamCoef(3e-4, 0.9, 0.999, 1e-8, 0, 17),
		NewAdamCoef(0.5, 0.8, 0.99, 1e-3, 0.1, 1000),
		NewAdamCoef(2, 0.5, 0.75, 0.25, 0.3, 3),
	}
}

func TestAdam(t *testing.T) { forBoth(t, testAdam[float64], testAdam[float32]) }

func testAdam[T Float](t *testing.T, tier cpu.Tier) {
	cs := adamCoefCases()
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newAdamCase[T](uint64(n*8+off), n, off)
			p, g, m, v := c.slices()
			g0 := clone(g)
			coef := cs[(n+off)%len(cs)]
			wp, wm, wv := refAdam(p, g, m, v, coef)
			adamOn(tier, p, g, m, v, coef)
			what := fmt.Sprintf("Adam n=%d off=%d", n, off)
			sameSlice(t, what+" p", p, wp)
			sameSlice(t, what+" m", m, wm)
			sameSlice(t, what+" v", v, wv)
			sameSlice(t, what+" g", g, g0)
			for k, gd := range c.gs {
				if err := gd.Check(); err != nil {
					t.Fatalf("%s: %s: %v", what, "pgmv"[k:k+1], err)
				}
			}
		}
	}
}

// TestAdamSpecials puts NaN, Inf, signed zeros, subnormals and extremes in
// every slice and in the coefficients, at every position of short vectors.
func TestAdamSpecials(t *testing.T) { forBoth(t, testAdamSpecials[float64], testAdamSpecials[float32]) }

func testAdamSpecials[T Float](t *testing.T, tier cpu.Tier) {
	sp := tk.Specials[T]()
	r := tk.NewRand(11)
	cs := adamCoefCases()
	for _, n := range []int{1, 3, 7, 17, 35, 67, 131} {
		for trial := range 4 * len(sp) {
			s := [4][]T{make([]T, n), make([]T, n), make([]T, n), make([]T, n)}
			for k := range s {
				tk.Fill(r, s[k])
				for i := range s[k] {
					if r.IntN(4) == 0 {
						s[k][i] = sp[r.IntN(len(sp))]
					}
				}
			}
			s[trial%4][trial%n] = sp[trial%len(sp)]
			c := cs[trial%len(cs)]
			if trial%3 == 0 {
				// A special coefficient too.
				f := []*float64{&c.B1, &c.A1, &c.B2, &c.A2, &c.Step, &c.IC2, &c.Eps, &c.Keep}
				*f[trial%len(f)] = float64(sp[(trial/3)%len(sp)])
			}
			p, g, m, v := s[0], s[1], s[2], s[3]
			wp, wm, wv := refAdam(p, g, m, v, c)
			adamOn(tier, p, g, m, v, c)
			what := fmt.Sprintf("n=%d trial=%d coef=%+v", n, trial, c)
			sameSlice(t, "Adam p "+what, p, wp)
			sameSlice(t, "Adam m "+what, m, wm)
			sameSlice(t, "Adam v "+what, v, wv)
		}
	}
}

// TestAdamAccuracy checks the error bound of Adam's doc against an exact
// evaluation (big.Float, 300 bits) from the same inputs and the rounded
// coefficients, with the update far from p and near it.
func TestAdamAccuracy(t *testing.T) { forBoth(t, testAdamAccuracy[float64], testAdamAccuracy[float32]) }

func testAdamAccuracy[T Float](t *testing.T, tier cpu.Tier) {
	u := math.Ldexp(1, -53)
	if !is64[T]() {
		u = math.Ldexp(1, -24)
	}
	const n = 2000
	for ci, coef := range adamCoefCases() {
		c := newAdamCase[T](uint64(100+ci), n, 0)
		p, g, m, v := c.slices()
		p0, g0, m0, v0 := clone(p), clone(g), clone(m), clone(v)
		adamOn(tier, p, g, m, v, coef)
		k := adamCoefs[T](coef)
		for i := range n {
			e := adamExact(p0[i], g0[i], m0[i], v0[i], k)
			sm := math.Abs(float64(k.A1)*float64(g0[i])) + math.Abs(float64(k.B1)*float64(m0[i]))
			sv := float64(k.A2)*float64(g0[i])*float64(g0[i]) + float64(k.B2)*float64(v0[i])
			bounds := []struct {
				name  string
				got   T
				exact *big.Float
				bound float64
			}{
				{"m", m[i], e.m, 2 * u * sm},
				{"v", v[i], e.v, 2 * u * sv},
				{"p", p[i], e.p, u*math.Abs(bigF(e.p)) + 8*u*math.Abs(float64(k.Step))*sm/bigF(e.d)},
			}
			for _, b := range bounds {
				err := bigF(new(big.Float).SetPrec(300).Sub(new(big.Float).SetFloat64(float64(b.got)), b.exact))
				if math.Abs(err) > b.bound*(1+1e-6) {
					t.Fatalf("coef %d element %d: %s = %v, exact %v: error %.3g > bound %.3g (p=%v g=%v m=%v v=%v)",
						ci, i, b.name, b.got, bigF(b.exact), err, b.bound, p0[i], g0[i], m0[i], v0[i])
				}
			}
		}
	}
}

type adamExactResult struct{ m, v, d, p *big.Float }

func bigF(x *big.Float) float64 { y, _ := x.Float64(); return y }

// adamExact evaluates M, V, D and P of Adam's error bound with 300-bit
// arithmetic (products of T values are exact; the root and the quotient
// are far more accurate than any T).
func adamExact[T Float](p, g, m, v T, k ref.AdamCoefs[T]) adamExactResult {
	const prec = 300
	f := func(x T) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(float64(x)) }
	z := func() *big.Float { return new(big.Float).SetPrec(prec) }
	M := z().Add(z().Mul(f(k.A1), f(g)), z().Mul(f(k.B1), f(m)))
	V := z().Add(z().Mul(f(k.A2), z().Mul(f(g), f(g))), z().Mul(f(k.B2), f(v)))
	D := z().Add(z().Sqrt(z().Mul(V, f(k.IC2))), f(k.Eps))
	U := z().Quo(z().Mul(f(k.Step), M), D)
	P := z().Sub(z().Mul(f(p), f(k.Keep)), U)
	return adamExactResult{M, V, D, P}
}

// TestAdamRepeated runs 50 steps on one state: every tier must follow the
// reference's trajectory bit for bit, also where rounding compounds.
func TestAdamRepeated(t *testing.T) { forBoth(t, testAdamRepeated[float64], testAdamRepeated[float32]) }

func testAdamRepeated[T Float](t *testing.T, tier cpu.Tier) {
	const n = 301
	c := newAdamCase[T](5, n, 3)
	p, g, m, v := c.slices()
	clear(m)
	clear(v)
	wp, wm, wv := clone(p), clone(m), clone(v)
	r := tk.NewRand(6)
	for step := 1; step <= 50; step++ {
		tk.Fill(r, g)
		coef := NewAdamCoef(1e-2, 0.9, 0.999, 1e-8, 0.01, step)
		adamOn(tier, p, g, m, v, coef)
		ref.Adam(wp, g, wm, wv, adamCoefs[T](coef))
		what := fmt.Sprintf("step %d", step)
		sameSlice(t, what+" p", p, wp)
		sameSlice(t, what+" m", m, wm)
		sameSlice(t, what+" v", v, wv)
	}
}

func TestNewAdamCoef(t *testing.T) {
	c := NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 3)
	b1, b2, lr, wd := 0.9, 0.999, 1e-3, 0.01 // variables: constant expressions would be exact
	b1t := float64(float64(b1*b1) * b1)
	b2t := float64(float64(b2*b2) * b2)
	want := AdamCoef{B1: b1, A1: 1 - b1, B2: b2, A2: 1 - b2,
		Step: lr / (1 - b1t), IC2: 1 / (1 - b2t), Eps: 1e-8, Keep: 1 - float64(lr*wd)}
	if c != want {
		t.Fatalf("NewAdamCoef(t=3) = %+v, want %+v", c, want)
	}
	// The running product of a trainer gives the same coefficients.
	b1t, b2t = 1, 1
	for step := 1; step <= 500; step++ {
		b1t, b2t = float64(b1t*0.9), float64(b2t*0.999)
		c := NewAdamCoef(0.1, 0.9, 0.999, 1e-8, 0, step)
		if c.Step != 0.1/(1-b1t) || c.IC2 != 1/(1-b2t) || c.Keep != 1 {
			t.Fatalf("step %d: %+v, running product %v, %v", step, c, b1t, b2t)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "t = 0") {
			t.Fatalf("NewAdamCoef(t=0): panic %v", r)
		}
	}()
	NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0, 0)
}

// TestAdamPanics: unequal lengths and any overlap of two operands panic
// naming them.
func TestAdamPanics(t *testing.T) {
	c := NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0, 1)
	buf := make([]float64, 40)
	a, b, d, e := buf[0:10], buf[10:20], buf[20:30], buf[30:40]
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"len g", func() { Adam(a, b[:9], d, e, c) }, []string{"Adam", "len(g) = 9", "len(p) = 10"}},
		{"len v", func() { Adam(a, b, d, buf[30:31], c) }, []string{"Adam", "len(v) = 1"}},
		{"len32", func() { Adam(make([]float32, 2), nil, nil, nil, c) }, []string{"Adam", "len(g) = 0"}},
		{"p=g", func() { Adam(a, a, d, e, c) }, []string{"Adam", "p and g overlap"}},
		{"p~m", func() { Adam(a, b, buf[9:19], e, c) }, []string{"Adam", "p and m overlap"}},
		{"p~v", func() { w := make([]float64, 19); Adam(w[:10], b, d, w[9:], c) }, []string{"Adam", "p and v overlap"}},
		{"g~m", func() { Adam(a, b, buf[19:29], e, c) }, []string{"Adam", "m and g overlap"}},
		{"g=v", func() { Adam(a, b, d, b, c) }, []string{"Adam", "v and g overlap"}},
		{"m~v", func() { Adam(a, b, d, buf[29:39], c) }, []string{"Adam", "m and v overlap"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover()) // a string or checkVecs' overlapError
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Fatalf("panic %q does not name %q", msg, w)
					}
				}
			}()
			tc.f()
			t.Fatal("no panic")
		})
	}
	// Neighbours that do not overlap, and empty slices, are fine.
	Adam(a, b, d, e, c)
	Adam(buf[:0], buf[:0], nil, buf[40:], c)
}

func TestAdamNoAllocs(t *testing.T) {
	p, g, m, v := make([]float64, 300), make([]float64, 300), make([]float64, 300), make([]float64, 300)
	ps, gs, ms, vs := make([]float32, 300), make([]float32, 300), make([]float32, 300), make([]float32, 300)
	c := NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 1)
	if a := testing.AllocsPerRun(10, func() { Adam(p, g, m, v, c); Adam(ps, gs, ms, vs, c) }); a != 0 {
		t.Fatalf("Adam allocated %v times per run", a)
	}
}
