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

// lengths are the sizes every kernel test sweeps: all up to four times the
// widest unroll (64 float32 lanes) and past it, then sizes that cross the
// chunk boundary of long calls.
func lengths(short bool) []int {
	var ns []int
	for n := 0; n <= 4*64+3; n++ {
		ns = append(ns, n)
	}
	if !short {
		ns = append(ns, 1000, 4097, chunk-1, chunk, chunk+1, 2*chunk+37)
	}
	return ns
}

// offsets returns the alignment offsets (in elements) tested for length n.
func offsets(n int) []int {
	if n > 1000 {
		return []int{0, 3}
	}
	return []int{0, 1, 2, 3, 4, 5, 6, 7}
}

// vecCase is one guarded input set: x, y and dst at their own offsets.
type vecCase[T Float] struct {
	gx, gy, gd *tk.Guarded[T]
}

func newVecCase[T Float](seed uint64, n, off int) vecCase[T] {
	r := tk.NewRand(seed)
	c := vecCase[T]{tk.NewGuarded[T](n, off), tk.NewGuarded[T](n, (off*3+1)%8), tk.NewGuarded[T](n, (off+5)%8)}
	tk.Fill(r, c.gx.S())
	tk.Fill(r, c.gy.S())
	tk.Fill(r, c.gd.S())
	return c
}

func (c vecCase[T]) checkGuards(t *testing.T, what string) {
	t.Helper()
	for _, g := range []*tk.Guarded[T]{c.gx, c.gy, c.gd} {
		if err := g.Check(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

func clone[T Float](s []T) []T { return append([]T(nil), s...) }

func sameSlice[T Float](t *testing.T, what string, got, want []T) {
	t.Helper()
	if i := tk.FirstDiff(got, want); i >= 0 {
		t.Fatalf("%s: element %d = %v (bits %#x), reference %v (bits %#x)",
			what, i, got[i], tk.Bits(got[i]), want[i], tk.Bits(want[i]))
	}
}

// forBothWays runs forBoth twice, with a size rule's switch (one of the
// vendor rules of internal/cpu, held in a package variable) set each way,
// so that a path this CPU does not take is tested too.
func forBothWays(t *testing.T, name string, rule *bool, f64 func(*testing.T, cpu.Tier), f32 func(*testing.T, cpu.Tier)) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("%s=%v", name, on), func(t *testing.T) {
			defer func(old bool) { *rule = old }(*rule)
			*rule = on
			forBoth(t, f64, f32)
		})
	}
}

// forBoth runs a test for float64 and float32 on every tier.
func forBoth(t *testing.T, f64 func(*testing.T, cpu.Tier), f32 func(*testing.T, cpu.Tier)) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		t.Run("float64", func(t *testing.T) { f64(t, tier) })
		t.Run("float32", func(t *testing.T) { f32(t, tier) })
	})
}

func TestDot(t *testing.T) { forBoth(t, testDot[float64], testDot[float32]) }

func testDot[T Float](t *testing.T, tier cpu.Tier) {
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			x, y := c.gx.S(), c.gy.S()
			x0, y0 := clone(x), clone(y)
			got, want := dotOn(tier, x, y), ref.Dot(x0, y0)
			what := fmt.Sprintf("Dot n=%d off=%d", n, off)
			if !tk.Same(got, want) {
				t.Fatalf("%s = %v (bits %#x), reference %v (bits %#x)", what, got, tk.Bits(got), want, tk.Bits(want))
			}
			sameSlice(t, what+" x", x, x0)
			sameSlice(t, what+" y", y, y0)
			c.checkGuards(t, what)
		}
	}
}

func TestSum(t *testing.T) { forBoth(t, testSum[float64], testSum[float32]) }

func testSum[T Float](t *testing.T, tier cpu.Tier) {
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			x := c.gx.S()
			x0 := clone(x)
			got, want := sumOn(tier, x), ref.Sum(x0)
			what := fmt.Sprintf("Sum n=%d off=%d", n, off)
			if !tk.Same(got, want) {
				t.Fatalf("%s = %v (bits %#x), reference %v (bits %#x)", what, got, tk.Bits(got), want, tk.Bits(want))
			}
			sameSlice(t, what+" x", x, x0)
			c.checkGuards(t, what)
		}
	}
}

func TestAxpy(t *testing.T) { forBoth(t, testAxpy[float64], testAxpy[float32]) }

func testAxpy[T Float](t *testing.T, tier cpu.Tier) {
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			x, y := c.gx.S(), c.gy.S()
			alpha := T(-0.75) + T(off)/8
			x0, want := clone(x), clone(y)
			ref.Axpy(alpha, x0, want)
			axpyOn(tier, alpha, x, y)
			what := fmt.Sprintf("Axpy n=%d off=%d", n, off)
			sameSlice(t, what+" y", y, want)
			sameSlice(t, what+" x", x, x0)
			c.checkGuards(t, what)
		}
	}
}

func TestScale(t *testing.T) { forBoth(t, testScale[float64], testScale[float32]) }

func testScale[T Float](t *testing.T, tier cpu.Tier) {
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			x := c.gx.S()
			alpha := T(1.375) - T(off)/4
			want := clone(x)
			ref.Scale(alpha, want)
			scaleOn(tier, alpha, x)
			what := fmt.Sprintf("Scale n=%d off=%d", n, off)
			sameSlice(t, what, x, want)
			c.checkGuards(t, what)
		}
	}
}

func TestAdd(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testBinary[float64](t, tier, opAdd) },
		func(t *testing.T, tier cpu.Tier) { testBinary[float32](t, tier, opAdd) })
}

func TestMul(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testBinary[float64](t, tier, opMul) },
		func(t *testing.T, tier cpu.Tier) { testBinary[float32](t, tier, opMul) })
}

func TestKeepPositive(t *testing.T) {
	forBoth(t, func(t *testing.T, tier cpu.Tier) { testBinary[float64](t, tier, opKeepPositive) },
		func(t *testing.T, tier cpu.Tier) { testBinary[float32](t, tier, opKeepPositive) })
}

func refBinary[T Float](op binaryOp, dst, x, y []T) {
	switch op {
	case opAdd:
		ref.Add(dst, x, y)
	case opMul:
		ref.Mul(dst, x, y)
	case opKeepPositive:
		ref.KeepPositive(dst, x, y)
	}
}

func testBinary[T Float](t *testing.T, tier cpu.Tier, op binaryOp) {
	name := op.String()
	for _, n := range lengths(testing.Short()) {
		for _, off := range offsets(n) {
			c := newVecCase[T](uint64(n*8+off), n, off)
			x, y, dst := c.gx.S(), c.gy.S(), c.gd.S()
			x0, y0, want := clone(x), clone(y), make([]T, n)
			refBinary(op, want, x0, y0)
			binaryOn(tier, op, dst, x, y)
			what := fmt.Sprintf("%s n=%d off=%d", name, n, off)
			sameSlice(t, what, dst, want)
			sameSlice(t, what+" x", x, x0)
			sameSlice(t, what+" y", y, y0)
			// Aliasing: dst == x, then dst == y.
			binaryOn(tier, op, x, x, y)
			sameSlice(t, what+" dst==x", x, want)
			binaryOn(tier, op, y, x0, y)
			sameSlice(t, what+" dst==y", y, want)
			c.checkGuards(t, what)
		}
	}
}

// TestSpecialValues puts NaN, Inf, signed zeros, subnormals and extremes at
// every position of short vectors, so each lane and tail path meets them.
func TestSpecialValues(t *testing.T) { forBoth(t, testSpecials[float64], testSpecials[float32]) }

func testSpecials[T Float](t *testing.T, tier cpu.Tier) {
	sp := tk.Specials[T]()
	r := tk.NewRand(7)
	for _, n := range []int{1, 3, 17, 67, 131} {
		for trial := range 3 * len(sp) {
			x, y := make([]T, n), make([]T, n)
			tk.Fill(r, x)
			tk.Fill(r, y)
			for i := range x {
				if r.IntN(4) == 0 {
					x[i] = sp[r.IntN(len(sp))]
				}
				if r.IntN(4) == 0 {
					y[i] = sp[r.IntN(len(sp))]
				}
			}
			x[trial%n] = sp[trial%len(sp)]
			what := fmt.Sprintf("n=%d trial=%d", n, trial)
			if got, want := dotOn(tier, x, y), ref.Dot(x, y); !tk.Same(got, want) {
				t.Fatalf("Dot %s = %v, reference %v", what, got, want)
			}
			if got, want := sumOn(tier, x), ref.Sum(x); !tk.Same(got, want) {
				t.Fatalf("Sum %s = %v, reference %v", what, got, want)
			}
			for _, op := range []binaryOp{opAdd, opMul, opKeepPositive} {
				got, want := make([]T, n), make([]T, n)
				binaryOn(tier, op, got, x, y)
				refBinary(op, want, x, y)
				sameSlice(t, fmt.Sprintf("op %d %s", op, what), got, want)
			}
			for _, alpha := range sp {
				got, want := clone(y), clone(y)
				axpyOn(tier, alpha, x, got)
				ref.Axpy(alpha, x, want)
				sameSlice(t, fmt.Sprintf("Axpy alpha=%v %s", alpha, what), got, want)
				got = clone(x)
				scaleOn(tier, alpha, got)
				want = clone(x)
				ref.Scale(alpha, want)
				sameSlice(t, fmt.Sprintf("Scale alpha=%v %s", alpha, what), got, want)
			}
		}
	}
}

// TestSignedZeroLanes checks that the tail leaves untouched lanes alone: a
// sum whose every lane is -0 must stay -0 (padding with +0 would give +0).
func TestSignedZeroLanes(t *testing.T) {
	forBoth(t, testSignedZeroLanes[float64], testSignedZeroLanes[float32])
}

func testSignedZeroLanes[T Float](t *testing.T, tier cpu.Tier) {
	l := lanes[T]()
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	for n := l; n <= 3*l; n++ {
		x, y := make([]T, n), make([]T, n)
		for i := range x {
			x[i], y[i] = -tiny, tiny // each product rounds to -0
		}
		if got := dotOn(tier, x, y); !tk.Same(got, T(math.Copysign(0, -1))) {
			t.Fatalf("Dot n=%d of products that round to -0 = %v (bits %#x), want -0", n, got, tk.Bits(got))
		}
		if got, want := dotOn(tier, x, y), ref.Dot(x, y); !tk.Same(got, want) {
			t.Fatalf("Dot n=%d = %v, reference %v", n, got, want)
		}
	}
}

// TestAccuracy checks Dot and Sum against an exact result (math/big) within
// the bound in their doc comments, and against gonum's BLAS.
func TestAccuracy(t *testing.T) { forBoth(t, testAccuracy[float64], testAccuracy[float32]) }

func unitRoundoff[T Float]() float64 {
	if is64[T]() {
		return 0x1p-53
	}
	return 0x1p-24
}

// reductionBound is (ceil(n/L) + log2 L) * u * scale, with a factor for the
// second-order terms the first-order bound leaves out.
func reductionBound[T Float](n int, scale float64) float64 {
	l := lanes[T]()
	k := float64((n+l-1)/l) + math.Log2(float64(l))
	u := unitRoundoff[T]()
	return k * u * scale * (1 + 2*k*u)
}

func testAccuracy[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(11)
	for _, n := range []int{1, 10, 100, 1000, 10000, chunk + 100} {
		x, y := make([]T, n), make([]T, n)
		tk.Fill(r, x)
		tk.Fill(r, y)
		exact, absSum := new(big.Float).SetPrec(4096), 0.0
		exactSum, absX := new(big.Float).SetPrec(4096), 0.0
		for i := range x {
			p := new(big.Float).SetPrec(4096).SetFloat64(float64(x[i]))
			p.Mul(p, new(big.Float).SetFloat64(float64(y[i])))
			exact.Add(exact, p)
			exactSum.Add(exactSum, new(big.Float).SetFloat64(float64(x[i])))
			absSum += math.Abs(float64(x[i]) * float64(y[i]))
			absX += math.Abs(float64(x[i]))
		}
		check := func(name string, got T, exact *big.Float, scale float64) {
			t.Helper()
			diff := new(big.Float).Sub(new(big.Float).SetFloat64(float64(got)), exact)
			d, _ := diff.Float64()
			if b := reductionBound[T](n, scale); math.Abs(d) > b {
				t.Errorf("%s n=%d: error %g exceeds the bound %g", name, n, math.Abs(d), b)
			}
		}
		check("Dot", dotOn(tier, x, y), exact, absSum)
		check("Sum", sumOn(tier, x), exactSum, absX)
		// gonum's loop has error up to n*u*scale; ours up to the bound above.
		g, e := gonumDot(x, y), exact
		diff, _ := new(big.Float).Sub(new(big.Float).SetFloat64(g), e).Float64()
		if math.Abs(diff) > float64(n)*unitRoundoff[T]()*absSum*1.01 {
			t.Fatalf("gonum Dot n=%d off by %g: the comparison itself is wrong", n, diff)
		}
		if d := math.Abs(float64(dotOn(tier, x, y)) - g); d > reductionBound[T](n, absSum)+float64(n)*unitRoundoff[T]()*absSum*1.01 {
			t.Errorf("Dot n=%d differs from gonum's by %g", n, d)
		}
	}
}

// TestPanics checks that mismatched lengths panic naming both lengths.
func TestPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"Dot", func() { Dot(make([]float64, 3), make([]float64, 4)) }, []string{"Dot", "3", "4"}},
		{"Dot32", func() { Dot(make([]float32, 5), nil) }, []string{"Dot", "5", "0"}},
		{"Axpy", func() { Axpy(1, make([]float64, 2), make([]float64, 7)) }, []string{"Axpy", "2", "7"}},
		{"Add", func() { Add(make([]float64, 2), make([]float64, 2), make([]float64, 9)) }, []string{"Add", "9"}},
		{"Mul", func() { Mul(make([]float32, 6), make([]float32, 2), make([]float32, 6)) }, []string{"Mul", "6", "2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Fatalf("panic %q does not name %q", msg, w)
					}
				}
			}()
			c.f()
			t.Fatal("no panic")
		})
	}
}

// TestNoAllocs checks that the kernels run without allocating.
func TestNoAllocs(t *testing.T) {
	x, y := make([]float64, 300), make([]float64, 300)
	xs, ys := make([]float32, 300), make([]float32, 300)
	allocs := testing.AllocsPerRun(10, func() {
		Dot(x, y)
		Sum(xs)
		Axpy(2, x, y)
		Scale(float32(2), xs)
		Add(xs, xs, ys)
		Mul(x, x, y)
	})
	if allocs != 0 {
		t.Fatalf("kernels allocated %v times per run", allocs)
	}
}

func TestISA(t *testing.T) {
	if _, err := cpu.Parse(ISA()); err != nil {
		t.Fatalf("ISA() = %q: %v", ISA(), err)
	}
	if !usable(active) {
		t.Fatalf("active tier %s is not usable here", active)
	}
}

func TestSetISA(t *testing.T) {
	defer func(t cpu.Tier) { active = t }(active)
	if err := SetISA("generic"); err != nil || ISA() != "generic" {
		t.Fatalf("SetISA(generic): %v, ISA %s", err, ISA())
	}
	if err := SetISA("mmx"); err == nil {
		t.Fatal("SetISA(mmx) accepted")
	}
	for _, tier := range cpu.Tiers {
		if err := SetISA(tier.String()); (err == nil) != usable(tier) {
			t.Errorf("SetISA(%s) = %v, usable %v", tier, err, usable(tier))
		}
	}
}
