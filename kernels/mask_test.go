package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The column gather/scatter tests compare every copy with a plain
// per-element loop bit for bit (NaN payloads included, so tk.Same is not
// enough), on guarded matrices whose strides exceed Cols, and check that
// inputs, gaps and guards are left alone.

// sameBits fails unless got and want have identical bits element by element.
func sameBits[T Float](t testing.TB, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if tk.Bits(got[i]) != tk.Bits(want[i]) {
			t.Fatalf("%s: element %d = %v (bits %#x), want %v (bits %#x)",
				what, i, got[i], tk.Bits(got[i]), want[i], tk.Bits(want[i]))
		}
	}
}

// maskValues fills s with random values and, every few elements, -0, +-Inf,
// subnormals and NaNs with distinct payloads (signalling ones included).
func maskValues[T Float](r *rand.Rand, s []T) {
	tk.Fill(r, s)
	for i := range s {
		if r.IntN(5) != 0 {
			continue
		}
		if p, ok := any(&s[i]).(*float64); ok {
			bits := []uint64{1 << 63, 0x7ff0_0000_0000_0001 + r.Uint64N(1<<40), 0xfff8_0000_0000_1234 + r.Uint64N(1<<30),
				0x7ff0_0000_0000_0000, 1 + r.Uint64N(1<<40), 0x8000_0000_0000_0003}
			*p = math.Float64frombits(bits[r.IntN(len(bits))])
		} else {
			// Through a pointer: a conversion could quiet a signalling NaN.
			bits := []uint32{1 << 31, 0x7f80_0001 + r.Uint32N(1<<16), 0xffc0_1234 + r.Uint32N(1<<10),
				0x7f80_0000, 1 + r.Uint32N(1<<16), 0x8000_0003}
			*any(&s[i]).(*float32) = math.Float32frombits(bits[r.IntN(len(bits))])
		}
	}
}

// naiveGather is the specification of Gather.
func naiveGather[T Float](dst, src Matrix[T], cols []int) {
	for b := range dst.Rows {
		for k, c := range cols {
			dst.Data[b*dst.Stride+k] = src.Data[b*src.Stride+c]
		}
	}
}

// naiveScatter is the specification of Scatter.
func naiveScatter[T Float](dst, src Matrix[T], cols []int) {
	for b := range src.Rows {
		for k, c := range cols {
			dst.Data[b*dst.Stride+c] = src.Data[b*src.Stride+k]
		}
	}
}

// maskMat is a guarded rows x cols matrix with Stride cols+extra, filled
// with maskValues; its gaps hold gap.
func maskMat[T Float](r *rand.Rand, rows, cols, extra, off int, gap T) gmat[T] {
	g := newGMat[T](r, rows, cols, extra, off, gap)
	s := g.m.Data
	maskValues(r, s)
	for i := range s {
		if i%g.m.Stride >= cols {
			s[i] = gap
		}
	}
	return g
}

// colSets returns named column sets over d columns: the splits' sets and
// patterns that exercise every kind of plan segment and their mixtures.
func colSets(r *rand.Rand, d int) map[string][]int {
	sets := map[string][]int{}
	add := func(name string, s Split) {
		sets[name+".A"], sets[name+".B"] = s.A(), s.B()
	}
	add("halves", Halves(d))
	add("at3", SplitAt(d, min(3, d)))
	add("alt0", Alternating(d, 0))
	add("alt1", Alternating(d, 1))
	perm := r.Perm(d)
	ps, err := PermutationSplit(perm, d/3)
	if err != nil {
		panic(err)
	}
	add("perm", ps)
	rev := make([]int, d)
	for i := range rev {
		rev[i] = d - 1 - i
	}
	sets["reversed"] = rev
	// Runs, blocks and steps of random lengths, one after another.
	var mix []int
	for c := 0; c < d; {
		switch r.IntN(4) {
		case 0: // a run
			n := 1 + r.IntN(9)
			for i := 0; i < n && c < d; i++ {
				mix = append(mix, c)
				c++
			}
		case 1: // a step
			step, n := 2+r.IntN(3), 1+r.IntN(8)
			for i := 0; i < n && c < d; i++ {
				mix = append(mix, c)
				c += step
			}
		case 2: // blocks
			blk, gap, n := 1+r.IntN(4), 1+r.IntN(3), 1+r.IntN(6)
			for i := 0; i < n && c < d; i++ {
				for j := 0; j < blk && c < d; j++ {
					mix = append(mix, c)
					c++
				}
				c += gap
			}
		default:
			c += r.IntN(3)
		}
	}
	sets["mixed"] = mix
	// Gather may repeat columns.
	dup := make([]int, r.IntN(2*d+1))
	if d > 0 {
		for i := range dup {
			dup[i] = r.IntN(d)
		}
		sets["repeats"] = dup
		sets["one column"] = []int{0, 0, 0, 0, 0, 0}
	}
	return sets
}

// checkerboards are (h, w, c) shapes: odd and even widths, one channel and
// several, a board taller than the stack plan of a bare []int.
var checkerboards = [][3]int{{0, 0, 0}, {1, 1, 1}, {2, 3, 1}, {4, 4, 1}, {5, 4, 3}, {3, 5, 2}, {4, 6, 16}, {2, 8, 9}, {70, 128, 1}, {8, 8, 3}, {2, 44, 3}, {3, 128, 1}, {2, 32, 4}, {3, 8, 32}}

func TestGatherScatter(t *testing.T) {
	t.Run("float64", testGatherScatter[float64])
	t.Run("float32", testGatherScatter[float32])
}

func testGatherScatter[T Float](t *testing.T) {
	r := tk.NewRand(5)
	type namedSet struct {
		name string
		d    int
		cols []int
	}
	var all []namedSet
	for _, d := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 100, 301} {
		sets := colSets(r, d)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range sets {
				if !yield(k) {
					return
				}
			}
		}) {
			all = append(all, namedSet{fmt.Sprintf("d=%d %s", d, name), d, sets[name]})
		}
	}
	for _, cb := range checkerboards {
		for p := range 2 {
			s := Checkerboard(cb[0], cb[1], cb[2], p)
			all = append(all, namedSet{fmt.Sprintf("checkerboard %v parity %d A", cb, p), s.D(), s.A()},
				namedSet{fmt.Sprintf("checkerboard %v parity %d B", cb, p), s.D(), s.B()})
		}
	}
	for _, s := range all {
		for _, rows := range []int{0, 1, 3, 7} {
			what := fmt.Sprintf("%s rows=%d", s.name, rows)
			n := len(s.cols)
			src := maskMat[T](r, rows, s.d, r.IntN(4), r.IntN(4), nan[T]())
			src0 := clone(src.m.Data)
			dst := maskMat[T](r, rows, n, r.IntN(4), r.IntN(4), -7)
			want := maskMat[T](tk.NewRand(1), rows, n, dst.m.Stride-n, 0, -7)
			copy(want.m.Data, dst.m.Data)
			Gather(dst.m, src.m, s.cols)
			naiveGather(want.m, src.m, s.cols)
			sameBits(t, what+" Gather", dst.m.Data, want.m.Data)
			sameBits(t, what+" Gather src", src.m.Data, src0)
			checkAll(t, what+" Gather", src, dst)

			// Scatter into a matrix of other values: the columns not in
			// the set and the gaps must stay.
			full := maskMat[T](r, rows, s.d, r.IntN(4), r.IntN(4), -7)
			fullWant := clone(full.m.Data)
			packed0 := clone(dst.m.Data)
			Scatter(full.m, dst.m, s.cols)
			naiveScatter(Matrix[T]{rows, s.d, fullWant, full.m.Stride}, dst.m, s.cols)
			sameBits(t, what+" Scatter", full.m.Data, fullWant)
			sameBits(t, what+" Scatter src", dst.m.Data, packed0)
			checkAll(t, what+" Scatter", full, dst)
		}
	}
}

// TestSplitRoundTrip: GatherSplit then ScatterSplit into a matrix of other
// values gives the input back bit for bit, for every constructor, each way
// round, with strides above Cols; Gather then Scatter with a split's sets
// does the same.
func TestSplitRoundTrip(t *testing.T) {
	t.Run("float64", testSplitRoundTrip[float64])
	t.Run("float32", testSplitRoundTrip[float32])
}

func testSplitRoundTrip[T Float](t *testing.T) {
	r := tk.NewRand(6)
	var splits []Split
	var names []string
	add := func(name string, s Split) {
		splits = append(splits, s, s.Swap())
		names = append(names, name, name+" swapped")
	}
	for _, d := range []int{0, 1, 2, 5, 8, 31, 64, 257} {
		add(fmt.Sprintf("Halves(%d)", d), Halves(d))
		add(fmt.Sprintf("Alternating(%d, 0)", d), Alternating(d, 0))
		add(fmt.Sprintf("Alternating(%d, 1)", d), Alternating(d, 1))
		ps, err := PermutationSplit(r.Perm(d), r.IntN(d+1))
		if err != nil {
			t.Fatal(err)
		}
		add(fmt.Sprintf("PermutationSplit(%d)", d), ps)
	}
	for _, cb := range checkerboards {
		add(fmt.Sprintf("Checkerboard%v", cb), Checkerboard(cb[0], cb[1], cb[2], 1))
	}
	for i, s := range splits {
		for _, rows := range []int{0, 1, 4, 9} {
			what := fmt.Sprintf("%s rows=%d", names[i], rows)
			x := maskMat[T](r, rows, s.D(), 1+r.IntN(4), r.IntN(4), nan[T]())
			x0 := clone(x.m.Data)
			xa := maskMat[T](r, rows, s.LenA(), r.IntN(3), r.IntN(4), -7)
			xb := maskMat[T](r, rows, s.LenB(), r.IntN(3), r.IntN(4), -7)
			GatherSplit(xa.m, xb.m, x.m, s)
			sameBits(t, what+" x", x.m.Data, x0)
			// Into y, whose columns all differ from x, and whose gaps
			// must survive.
			y := maskMat[T](r, rows, s.D(), x.m.Stride-s.D(), r.IntN(4), -7)
			for k := range y.m.Data {
				if k%y.m.Stride < s.D() {
					y.m.Data[k] = 12345
				}
			}
			ScatterSplit(y.m, xa.m, xb.m, s)
			want := clone(x0)
			for k := range want {
				if k%x.m.Stride >= s.D() {
					want[k] = -7
				}
			}
			sameBits(t, what+" ScatterSplit(GatherSplit)", y.m.Data, want)
			checkAll(t, what, x, xa, xb, y)

			// The same with the bare sets.
			ga := maskMat[T](r, rows, s.LenA(), 0, 0, -7)
			gb := maskMat[T](r, rows, s.LenB(), 2, 1, -7)
			Gather(ga.m, x.m, s.A())
			Gather(gb.m, x.m, s.B())
			for k := range y.m.Data {
				if k%y.m.Stride < s.D() {
					y.m.Data[k] = 12345
				}
			}
			Scatter(y.m, ga.m, s.A())
			Scatter(y.m, gb.m, s.B())
			sameBits(t, what+" Scatter(Gather)", y.m.Data, want)
			checkAll(t, what, ga, gb, y)
		}
	}
}

// colsOfPlan lists, segment by segment, the columns a plan copies, to check
// that it covers cols in order.
func colsOfPlan(p []colSeg, cols []int) []int {
	var out []int
	for _, g := range p {
		switch g.kind {
		case segRun:
			for i := range g.n {
				out = append(out, g.c+i)
			}
		case segStep:
			for i := range g.n {
				out = append(out, g.c+i*g.step)
			}
		case segBlocks:
			for j := range g.n {
				for i := range g.blk {
					out = append(out, g.c+j*g.step+i)
				}
			}
		default:
			out = append(out, cols[g.k:g.k+g.n]...)
		}
	}
	return out
}

func kinds(p []colSeg) string {
	var b strings.Builder
	for _, g := range p {
		b.WriteByte("rsbl"[g.kind])
	}
	return b.String()
}

// TestSplitPlans checks that the constructors' column sets are what their
// doc comments say and that the fast segments are the ones used: halves
// copy rows, alternating columns take one step segment, a checkerboard one
// step or blocks segment per image row.
func TestSplitPlans(t *testing.T) {
	span := func(a, b int) []int {
		s := []int{}
		for i := a; i < b; i++ {
			s = append(s, i)
		}
		return s
	}
	checkPlan := func(name string, s Split, planA, planB string) {
		t.Helper()
		for _, c := range []struct {
			set  colSet
			want string
		}{{s.a, planA}, {s.b, planB}} {
			if got := kinds(c.set.plan); got != c.want {
				t.Fatalf("%s: plan %q, want %q", name, got, c.want)
			}
			if got := colsOfPlan(c.set.plan, c.set.idx); !slices.Equal(got, c.set.idx) && len(c.set.idx) > 0 {
				t.Fatalf("%s: plan covers %v, want %v", name, got, c.set.idx)
			}
		}
	}
	check := func(name string, s Split, d int, a, b []int, planA, planB string) {
		t.Helper()
		if s.D() != d || !slices.Equal(s.A(), a) || !slices.Equal(s.B(), b) || s.LenA() != len(a) || s.LenB() != len(b) {
			t.Fatalf("%s: D=%d A=%v B=%v, want D=%d A=%v B=%v", name, s.D(), s.A(), s.B(), d, a, b)
		}
		checkPlan(name, s, planA, planB)
		sw := s.Swap()
		if sw.D() != d || !slices.Equal(sw.A(), b) || !slices.Equal(sw.B(), a) {
			t.Fatalf("%s: Swap gives A=%v B=%v", name, sw.A(), sw.B())
		}
	}
	check("Halves(0)", Halves(0), 0, []int{}, []int{}, "", "")
	check("Halves(1)", Halves(1), 1, []int{0}, []int{}, "l", "")
	check("Halves(9)", Halves(9), 9, span(0, 5), span(5, 9), "l", "l")
	check("Halves(512)", Halves(512), 512, span(0, 256), span(256, 512), "r", "r")
	check("SplitAt(10, 2)", SplitAt(10, 2), 10, span(0, 2), span(2, 10), "l", "l")
	check("SplitAt(40, 2)", SplitAt(40, 2), 40, span(0, 2), span(2, 40), "l", "r")
	check("Alternating(9, 0)", Alternating(9, 0), 9, []int{0, 2, 4, 6, 8}, []int{1, 3, 5, 7}, "l", "l")
	check("Alternating(40, 1)", Alternating(40, 1), 40, odds(40), evens(40), "l", "l")
	check("Alternating(160, 1)", Alternating(160, 1), 160, odds(160), evens(160), "s", "s")
	check("Alternating(9, 1)", Alternating(9, 1), 9, []int{1, 3, 5, 7}, []int{0, 2, 4, 6, 8}, "l", "l")
	check("Alternating(3, 0)", Alternating(3, 0), 3, []int{0, 2}, []int{1}, "l", "l")
	// 2 x 3 image, one channel: pixels 0 1 2 / 3 4 5, (i+j) even: 0 2 4.
	check("Checkerboard(2, 3, 1, 0)", Checkerboard(2, 3, 1, 0), 6, []int{0, 2, 4}, []int{1, 3, 5}, "l", "l")
	// Odd width: the board is alternating columns.
	check("Checkerboard(19, 7, 1, 0)", Checkerboard(19, 7, 1, 0), 133, evens(133), odds(133), "s", "s")
	// Even width: one step segment per image row.
	check("Checkerboard(4, 8, 1, 1)", Checkerboard(4, 8, 1, 1), 32,
		[]int{1, 3, 5, 7, 8, 10, 12, 14, 17, 19, 21, 23, 24, 26, 28, 30},
		[]int{0, 2, 4, 6, 9, 11, 13, 15, 16, 18, 20, 22, 25, 27, 29, 31}, "l", "l")
	// Wide enough: one step segment per image row.
	checkPlan("Checkerboard(3, 128, 1, 0)", Checkerboard(3, 128, 1, 0), "sss", "sss")
	// Two channels per pixel: blocks of 2 every 4 columns.
	check("Checkerboard(2, 8, 2, 0)", Checkerboard(2, 8, 2, 0), 32,
		[]int{0, 1, 4, 5, 8, 9, 12, 13, 18, 19, 22, 23, 26, 27, 30, 31},
		[]int{2, 3, 6, 7, 10, 11, 14, 15, 16, 17, 20, 21, 24, 25, 28, 29}, "l", "l")
	// RGB pixels, 44 a row: blocks of 3 every 6 columns.
	checkPlan("Checkerboard(2, 44, 3, 0)", Checkerboard(2, 44, 3, 0), "bb", "bb")
	checkPlan("Checkerboard(2, 16, 3, 0)", Checkerboard(2, 16, 3, 0), "l", "l")
	checkPlan("Checkerboard(2, 32, 4, 1)", Checkerboard(2, 32, 4, 1), "bb", "bb")
	checkPlan("Checkerboard(3, 8, 32, 0)", Checkerboard(3, 8, 32, 0), "bbb", "bbb")
	checkPlan("Checkerboard(2, 4, 32, 1)", Checkerboard(2, 4, 32, 1), "rrr", "rrrr") // 96..159 is one run
	check("Checkerboard(3, 0, 4, 0)", Checkerboard(3, 0, 4, 0), 0, []int{}, []int{}, "", "")
	ps, err := PermutationSplit([]int{3, 0, 4, 1, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	check("PermutationSplit", ps, 5, []int{3, 0}, []int{4, 1, 2}, "l", "l")
	ns, err := NewSplit(6, []int{5, 4, 3, 2}, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	check("NewSplit descending", ns, 6, []int{5, 4, 3, 2}, []int{0, 1}, "l", "l")
	// Patterns the planner must not cut badly: a run after a step.
	for _, cols := range [][]int{
		{0, 5, 7, 9, 11, 13},
		{0, 1, 2, 4, 5, 6, 7, 8, 9},
		{0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15},
		{1, 1, 1, 1, 2, 3, 4, 5, 3, 1},
		evens(40), span(0, 100),
	} {
		p := plan(make([]colSeg, 0, len(cols)+2), cols)
		if got := colsOfPlan(p, cols); !slices.Equal(got, cols) {
			t.Fatalf("plan of %v (%s) covers %v", cols, kinds(p), got)
		}
	}
	steps := append([]int{0, 5}, span(7, 200)...)
	for i := 2; i < len(steps); i++ {
		steps[i] = 7 + 2*(i-2)
	}
	if k := kinds(plan(make([]colSeg, 0, 8), steps)); k != "ls" {
		t.Fatalf("plan of %v is %q, want ls", steps, k)
	}
	rev := slices.Clone(span(0, 100))
	slices.Reverse(rev)
	if k := kinds(plan(make([]colSeg, 0, 8), rev)); k != "s" {
		t.Fatalf("plan of 99 down to 0 is %q, want s", k)
	}
	// A plan in a small buffer stops with a list segment and never grows
	// the buffer.
	cb := Checkerboard(70, 128, 1, 0).A()
	var buf [planBuf]colSeg
	p := plan(buf[:0], cb)
	if &p[0] != &buf[0] || len(p) > planBuf || p[len(p)-1].kind != segList || !slices.Equal(colsOfPlan(p, cb), cb) {
		t.Fatalf("plan of a 70-row board in %d segments: %d segments, last %q", planBuf, len(p), kinds(p[len(p)-1:]))
	}
}

func evens(d int) []int {
	return Alternating(d, 0).A()
}

func odds(d int) []int {
	return Alternating(d, 1).A()
}

func TestSplitErrors(t *testing.T) {
	cases := []struct {
		name string
		f    func() (Split, error)
		want []string
	}{
		{"negative d", func() (Split, error) { return NewSplit(-1, nil, nil) }, []string{"NewSplit", "negative", "d = -1"}},
		{"short", func() (Split, error) { return NewSplit(5, []int{0, 1}, []int{2, 3}) }, []string{"NewSplit", "2 + 2 != d = 5"}},
		{"long", func() (Split, error) { return NewSplit(3, []int{0, 1}, []int{2, 3}) }, []string{"2 + 2 != d = 3"}},
		{"out of range", func() (Split, error) { return NewSplit(4, []int{0, 1}, []int{2, 4}) }, []string{"b[1] = 4", "out of range 0..3"}},
		{"negative index", func() (Split, error) { return NewSplit(4, []int{0, -1}, []int{2, 3}) }, []string{"a[1] = -1", "out of range"}},
		{"duplicate", func() (Split, error) { return NewSplit(4, []int{0, 1}, []int{1, 3}) }, []string{"column 1 appears twice", "b[0]"}},
		{"duplicate in a", func() (Split, error) { return NewSplit(3, []int{2, 2}, []int{1}) }, []string{"column 2 appears twice", "a[1]"}},
		{"perm k", func() (Split, error) { return PermutationSplit([]int{0, 1}, 3) }, []string{"PermutationSplit", "k = 3"}},
		{"perm k negative", func() (Split, error) { return PermutationSplit([]int{0, 1}, -1) }, []string{"k = -1"}},
		{"perm range", func() (Split, error) { return PermutationSplit([]int{0, 2}, 1) }, []string{"PermutationSplit", "perm[1] = 2", "out of range 0..1"}},
		{"perm duplicate", func() (Split, error) { return PermutationSplit([]int{1, 0, 1}, 1) }, []string{"not a permutation", "column 1 appears twice"}},
	}
	for _, c := range cases {
		s, err := c.f()
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		if s.D() != 0 || s.LenA() != 0 || s.LenB() != 0 {
			t.Fatalf("%s: a failed constructor returned a non-zero Split", c.name)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: error %q does not name %q", c.name, err, w)
			}
		}
	}
	// The constructors copy their inputs.
	a, b := []int{1, 0}, []int{2}
	s, err := NewSplit(3, a, b)
	if err != nil {
		t.Fatal(err)
	}
	a[0], b[0] = 7, 7
	s.A()[1] = 9
	if !slices.Equal(s.A(), []int{1, 0}) || !slices.Equal(s.B(), []int{2}) {
		t.Fatalf("a Split shares memory with its inputs or outputs: A=%v B=%v", s.A(), s.B())
	}
	var zero Split
	if zero.D() != 0 || zero.Swap().LenA() != 0 {
		t.Fatal("zero Split is not empty")
	}
}

func expectPanic(t *testing.T, name string, f func(), want ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		msg := fmt.Sprint(recover())
		if msg == "<nil>" {
			t.Fatalf("%s: no panic", name)
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Fatalf("%s: panic %q does not name %q", name, msg, w)
			}
		}
	}()
	f()
}

func TestGatherScatterPanics(t *testing.T) {
	z := func(r, c int) Matrix[float64] { return Matrix[float64]{r, c, make([]float64, r*c), max(1, c)} }
	expectPanic(t, "Gather rows", func() { Gather(z(2, 3), z(3, 5), []int{0, 1, 2}) }, "Gather", "dst has 2 rows but src has 3", "rows differ")
	expectPanic(t, "Gather cols", func() { Gather(z(2, 2), z(2, 5), []int{0, 1, 2}) }, "Gather", "dst.Cols = 2 != len(cols) = 3")
	expectPanic(t, "Gather range", func() { Gather(z(2, 3), z(2, 5), []int{0, 5, 2}) }, "Gather", "cols[1] = 5", "src.Cols = 5")
	expectPanic(t, "Gather negative", func() { Gather(z(2, 3), z(2, 5), []int{0, 1, -1}) }, "cols[2] = -1", "out of range")
	expectPanic(t, "Gather short src", func() { Gather(z(2, 3), Matrix[float64]{2, 5, make([]float64, 9), 5}, []int{0, 1, 2}) }, "Gather", "src", "has 9")
	expectPanic(t, "Gather dst stride", func() { Gather(Matrix[float64]{2, 3, make([]float64, 6), 2}, z(2, 5), []int{0, 1, 2}) }, "Gather", "dst", "Stride 2")
	expectPanic(t, "Scatter rows", func() { Scatter(z(3, 5), z(2, 3), []int{0, 1, 2}) }, "Scatter", "dst has 3 rows but src has 2")
	expectPanic(t, "Scatter cols", func() { Scatter(z(2, 5), z(2, 3), []int{0, 1}) }, "Scatter", "src.Cols = 3 != len(cols) = 2")
	expectPanic(t, "Scatter range", func() { Scatter(z(2, 5), z(2, 3), []int{0, 1, 7}) }, "Scatter", "cols[2] = 7", "dst.Cols = 5")
	expectPanic(t, "Scatter negative size", func() { Scatter(Matrix[float64]{Rows: -1, Cols: 5, Stride: 5}, z(2, 3), []int{0, 1, 2}) }, "Scatter", "dst", "negative")

	s := Halves(6)
	expectPanic(t, "GatherSplit D", func() { GatherSplit(z(2, 3), z(2, 3), z(2, 7), s) }, "GatherSplit", "x is 2x7", "D = 6")
	expectPanic(t, "GatherSplit xa", func() { GatherSplit(z(2, 2), z(2, 3), z(2, 6), s) }, "GatherSplit", "xa is 2x2, want 2x3")
	expectPanic(t, "GatherSplit xb rows", func() { GatherSplit(z(2, 3), z(1, 3), z(2, 6), s) }, "GatherSplit", "xb is 1x3, want 2x3")
	expectPanic(t, "ScatterSplit xb", func() { ScatterSplit(z(2, 6), z(2, 3), z(2, 4), s) }, "ScatterSplit", "xb is 2x4, want 2x3")
	expectPanic(t, "ScatterSplit short x", func() { ScatterSplit(Matrix[float64]{2, 6, make([]float64, 11), 6}, z(2, 3), z(2, 3), s) }, "ScatterSplit", "x", "has 11")

	expectPanic(t, "Halves", func() { Halves(-2) }, "Halves", "negative d = -2")
	expectPanic(t, "SplitAt", func() { SplitAt(4, 5) }, "SplitAt", "k = 5")
	expectPanic(t, "Alternating parity", func() { Alternating(4, 2) }, "Alternating", "parity = 2")
	expectPanic(t, "Checkerboard size", func() { Checkerboard(2, -3, 1, 0) }, "Checkerboard", "negative w = -3")
	expectPanic(t, "Checkerboard parity", func() { Checkerboard(2, 3, 1, -1) }, "Checkerboard", "parity = -1")

	// Empty shapes are valid and do nothing.
	Gather(z(0, 3), z(0, 5), []int{0, 1, 4})
	Gather(z(4, 0), z(4, 5), nil)
	Gather(Matrix[float64]{Rows: 3, Stride: 1}, Matrix[float64]{Rows: 3, Stride: 1}, []int{})
	Scatter(z(4, 5), z(4, 0), []int{})
	GatherSplit(z(3, 0), z(3, 0), z(3, 0), Split{})
	ScatterSplit(z(0, 6), z(0, 3), z(0, 3), s)
}

func TestGatherScatterNoAllocs(t *testing.T) {
	rows, d := 16, 96
	x := Matrix[float64]{rows, d, make([]float64, rows*d), d}
	xs := Matrix[float32]{rows, d, make([]float32, rows*d), d}
	cb := Checkerboard(4, 8, 3, 0)
	xa := Matrix[float64]{rows, cb.LenA(), make([]float64, rows*cb.LenA()), cb.LenA()}
	xb := Matrix[float64]{rows, cb.LenB(), make([]float64, rows*cb.LenB()), cb.LenB()}
	xas := Matrix[float32]{rows, cb.LenA(), make([]float32, rows*cb.LenA()), cb.LenA()}
	colsA := cb.A()
	// 70 step segments: more than the stack plan of a bare []int holds.
	board := Checkerboard(70, 128, 1, 0).A()
	xl := Matrix[float64]{2, 8960, make([]float64, 2*8960), 8960}
	xla := Matrix[float64]{2, len(board), make([]float64, 2*len(board)), len(board)}
	perm := tk.NewRand(3).Perm(d)[:cb.LenA()]
	allocs := testing.AllocsPerRun(5, func() {
		GatherSplit(xa, xb, x, cb)
		ScatterSplit(x, xa, xb, cb)
		Gather(xa, x, colsA)
		Gather(xa, x, perm)
		Scatter(x, xa, perm)
		Gather(xas, xs, colsA)
		Scatter(xs, xas, colsA)
		Gather(xla, xl, board)
		Scatter(xl, xla, board)
	})
	if allocs != 0 {
		t.Fatalf("Gather/Scatter allocated %v times per run", allocs)
	}
}

// The benchmarks gather the halves and the alternating columns of a
// 256 x 512 float64 batch with Gather (a plan per call), GatherSplit (the
// split's plan) and a plain per-element loop, and report Gelem/s (elements
// copied per second) and GB/s (bytes read and written).
//
//	go test -run '^$' -bench 'Gather|Scatter' ./kernels/
func BenchmarkGather(b *testing.B) {
	const rows, d = 256, 512
	r := tk.NewRand(7)
	x := Matrix[float64]{rows, d, make([]float64, rows*d), d}
	tk.Fill(r, x.Data)
	for _, sc := range []struct {
		name string
		s    Split
	}{{"halves", Halves(d)}, {"alternating", Alternating(d, 0)}, {"checkerboard16x32", Checkerboard(16, 32, 1, 0)},
		{"checkerboard8x16x4", Checkerboard(8, 16, 4, 0)}, {"checkerboard8x8x8", Checkerboard(8, 8, 8, 0)},
		{"checkerboard8x64", Checkerboard(8, 64, 1, 0)}, {"permutation", mustPerm(r.Perm(d), d/2)}} {
		xa := Matrix[float64]{rows, sc.s.LenA(), make([]float64, rows*sc.s.LenA()), sc.s.LenA()}
		xb := Matrix[float64]{rows, sc.s.LenB(), make([]float64, rows*sc.s.LenB()), sc.s.LenB()}
		cols := sc.s.A()
		measure := func(b *testing.B, elems int, f func()) {
			b.SetBytes(int64(16 * elems))
			defer tk.CPUTime(b)()
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(elems)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		}
		b.Run(sc.name+"/A/naive", func(b *testing.B) { measure(b, rows*len(cols), func() { benchNaiveGather(xa, x, cols) }) })
		b.Run(sc.name+"/A/Gather", func(b *testing.B) { measure(b, rows*len(cols), func() { benchGather(xa, x, cols) }) })
		b.Run(sc.name+"/A/Scatter", func(b *testing.B) { measure(b, rows*len(cols), func() { benchScatter(x, xa, cols) }) })
		b.Run(sc.name+"/both/naive", func(b *testing.B) {
			ca, cb := sc.s.A(), sc.s.B()
			measure(b, rows*d, func() { benchNaiveGather(xa, x, ca); benchNaiveGather(xb, x, cb) })
		})
		b.Run(sc.name+"/both/GatherSplit", func(b *testing.B) { measure(b, rows*d, func() { benchGatherSplit(xa, xb, x, sc.s) }) })
		b.Run(sc.name+"/both/ScatterSplit", func(b *testing.B) { measure(b, rows*d, func() { benchScatterSplit(x, xa, xb, sc.s) }) })
	}
}

func mustPerm(perm []int, k int) Split {
	s, err := PermutationSplit(perm, k)
	if err != nil {
		panic(err)
	}
	return s
}

//go:noinline
func benchNaiveGather(dst, src Matrix[float64], cols []int) {
	for b := range dst.Rows {
		d := dst.Data[b*dst.Stride : b*dst.Stride+dst.Cols]
		s := src.Data[b*src.Stride : b*src.Stride+src.Cols]
		for k, c := range cols {
			d[k] = s[c]
		}
	}
}

//go:noinline
func benchGather(dst, src Matrix[float64], cols []int) { Gather(dst, src, cols) }

//go:noinline
func benchScatter(dst, src Matrix[float64], cols []int) { Scatter(dst, src, cols) }

//go:noinline
func benchGatherSplit(xa, xb, x Matrix[float64], s Split) { GatherSplit(xa, xb, x, s) }

//go:noinline
func benchScatterSplit(x, xa, xb Matrix[float64], s Split) { ScatterSplit(x, xa, xb, s) }
