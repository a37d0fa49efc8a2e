package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gmat is a matrix in a NaN-guarded allocation. The elements between Cols
// and Stride (the gaps) hold gap: NaN for inputs, so that a kernel reading
// one poisons its result; any value for outputs, which must keep it.
type gmat[T Float] struct {
	g *tk.Guarded[T]
	m Matrix[T]
}

func newGMat[T Float](r *rand.Rand, rows, cols, extra, off int, gap T) gmat[T] {
	stride := max(1, cols+extra)
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*stride + cols
	}
	g := tk.NewGuarded[T](n, off)
	s := g.S()
	tk.Fill(r, s)
	for i := range s {
		if i%stride >= cols {
			s[i] = gap
		}
	}
	return gmat[T]{g, Matrix[T]{Rows: rows, Cols: cols, Data: s, Stride: stride}}
}

func nan[T Float]() T { return T(math.NaN()) }

// matShapes lists (m, n, batch) triples: all pairs of small sizes (every
// remainder of every block and vector width), each larger size against a
// spread of small ones in both places, a few large pairs, and shapes that
// cross the blocking of the drivers; the batch cycles through the sizes.
func matShapes(short bool) [][3]int {
	small := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17}
	large := []int{19, 23, 24, 25, 31, 32, 33, 37, 47, 48, 49, 63, 64, 65}
	if !short {
		large = append(large, 95, 96, 97, 129)
	}
	all := append(append([]int{}, small...), large...)
	var out [][3]int
	add := func(a, b int) { out = append(out, [3]int{a, b, all[(a*7+b*3+len(out))%len(all)]}) }
	for _, a := range small {
		for _, b := range small {
			add(a, b)
		}
	}
	for i, a := range large {
		for j := i % 3; j < len(small); j += 3 {
			add(a, small[j])
			add(small[j], a)
		}
		add(a, large[(i*5+1)%len(large)])
	}
	// Long rows, cut into pieces by MatVecs (float64 past 512, float32 past
	// 1024), with every tile remainder; shapes that cross the k chunks and
	// the packing threshold of Outer.
	return append(out, [3]int{9, 300, 40}, [3]int{70, 130, 13}, [3]int{3, 1, 700}, [3]int{130, 3, 129},
		[3]int{7, 1500, 13}, [3]int{13, 1031, 5}, [3]int{5, 2065, 2}, [3]int{300, 27, 17}, [3]int{17, 40, 300})
}

// refMemo keeps reference outputs across tiers: the inputs of a shape do
// not depend on the tier, and the scalar reference dominates the test time.
var refMemo = map[string]any{}

func memoRef[T Float](key string, f func() []T) []T {
	var z T
	key = fmt.Sprintf("%s/%T", key, z)
	if v, ok := refMemo[key]; ok {
		return v.([]T)
	}
	v := f()
	refMemo[key] = v
	return v
}

// shapeRand gives each shape its own strides, offsets and values.
func shapeRand(s [3]int, salt uint64) *rand.Rand {
	return tk.NewRand(uint64(s[0])*1_000_003 + uint64(s[1])*1009 + uint64(s[2]) + salt<<40)
}

func checkAll[T Float](t *testing.T, what string, ms ...gmat[T]) {
	t.Helper()
	for _, m := range ms {
		if err := m.g.Check(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// workerCounts are the splits every test runs: one goroutine and several.
var workerCounts = []int{1, 3}

func TestMatVecs(t *testing.T) { forBoth(t, testMatVecs[float64], testMatVecs[float32]) }

func testMatVecs[T Float](t *testing.T, tier cpu.Tier) {
	for _, s := range matShapes(testing.Short()) {
		m, n, nb := s[0], s[1], s[2]
		for _, workers := range workerCounts {
			r := shapeRand(s, uint64(workers))
			w := newGMat[T](r, m, n, r.IntN(3)*r.IntN(4), r.IntN(8), nan[T]())
			x := newGMat[T](r, nb, n, r.IntN(2)*r.IntN(5), r.IntN(8), nan[T]())
			y := newGMat[T](r, nb, m, r.IntN(2)*r.IntN(3), r.IntN(8), -7)
			for i := range y.m.Data {
				if i%y.m.Stride < m {
					y.m.Data[i] = nan[T]() // MatVecs overwrites, never reads, Y
				}
			}
			var bias []T
			var gb *tk.Guarded[T]
			if r.IntN(3) > 0 {
				gb = tk.NewGuarded[T](m, r.IntN(8))
				bias = gb.S()
				tk.Fill(r, bias)
			}
			w0, x0 := clone(w.m.Data), clone(x.m.Data)
			what := fmt.Sprintf("MatVecs m=%d n=%d batch=%d workers=%d bias=%v", m, n, nb, workers, bias != nil)
			want := memoRef(what, func() []T {
				want := clone(y.m.Data)
				ref.MatVecs(want, y.m.Stride, w0, w.m.Stride, x0, x.m.Stride, bias, m, n, nb)
				return want
			})
			matVecsOn(tier, workers, y.m, w.m, x.m, bias)
			sameSlice(t, what+" y", y.m.Data, want)
			sameSlice(t, what+" w", w.m.Data, w0)
			sameSlice(t, what+" x", x.m.Data, x0)
			checkAll(t, what, w, x, y)
			if gb != nil {
				if err := gb.Check(); err != nil {
					t.Fatalf("%s: bias %v", what, err)
				}
			}
		}
	}
}

func TestMatTVecs(t *testing.T) { forBoth(t, testMatTVecs[float64], testMatTVecs[float32]) }

func testMatTVecs[T Float](t *testing.T, tier cpu.Tier) {
	for _, s := range matShapes(testing.Short()) {
		m, n, nb := s[0], s[1], s[2]
		for _, workers := range workerCounts {
			r := shapeRand(s, uint64(workers)+7)
			w := newGMat[T](r, m, n, r.IntN(3)*r.IntN(4), r.IntN(8), nan[T]())
			x := newGMat[T](r, nb, m, r.IntN(2)*r.IntN(5), r.IntN(8), nan[T]())
			y := newGMat[T](r, nb, n, r.IntN(2)*r.IntN(3), r.IntN(8), -7)
			for i := range y.m.Data {
				if i%y.m.Stride < n {
					y.m.Data[i] = nan[T]()
				}
			}
			w0, x0 := clone(w.m.Data), clone(x.m.Data)
			what := fmt.Sprintf("MatTVecs m=%d n=%d batch=%d workers=%d", m, n, nb, workers)
			want := memoRef(what, func() []T {
				want := clone(y.m.Data)
				ref.MatTVecs(want, y.m.Stride, w0, w.m.Stride, x0, x.m.Stride, m, n, nb)
				return want
			})
			matTVecsOn(tier, workers, y.m, w.m, x.m)
			sameSlice(t, what+" y", y.m.Data, want)
			sameSlice(t, what+" w", w.m.Data, w0)
			sameSlice(t, what+" x", x.m.Data, x0)
			checkAll(t, what, w, x, y)
		}
	}
}

func TestAddOuters(t *testing.T) { forBoth(t, testAddOuters[float64], testAddOuters[float32]) }

func testAddOuters[T Float](t *testing.T, tier cpu.Tier) {
	for _, s := range matShapes(testing.Short()) {
		m, n, nb := s[0], s[1], s[2]
		for _, workers := range workerCounts {
			r := shapeRand(s, uint64(workers)+13)
			g := newGMat[T](r, m, n, r.IntN(3)*r.IntN(4), r.IntN(8), -7)
			d := newGMat[T](r, nb, m, r.IntN(2)*r.IntN(5), r.IntN(8), nan[T]())
			x := newGMat[T](r, nb, n, r.IntN(2)*r.IntN(3), r.IntN(8), nan[T]())
			var gb []T
			var ggb *tk.Guarded[T]
			if r.IntN(3) > 0 {
				ggb = tk.NewGuarded[T](m, r.IntN(8))
				gb = ggb.S()
				tk.Fill(r, gb)
			}
			d0, x0 := clone(d.m.Data), clone(x.m.Data)
			what := fmt.Sprintf("AddOuters m=%d n=%d batch=%d workers=%d gb=%v", m, n, nb, workers, gb != nil)
			want := memoRef(what, func() []T {
				want := clone(g.m.Data)
				ref.AddOuters(want, g.m.Stride, nil, d0, d.m.Stride, x0, x.m.Stride, m, n, nb)
				return want
			})
			wantb := memoRef(what+" gb", func() []T {
				wantb := clone(gb)
				ref.AddOuters(nil, 0, wantb, d0, d.m.Stride, nil, 0, m, 0, nb)
				return wantb
			})
			addOutersOn(tier, workers, g.m, gb, d.m, x.m)
			sameSlice(t, what+" g", g.m.Data, want)
			sameSlice(t, what+" gb", gb, wantb)
			sameSlice(t, what+" d", d.m.Data, d0)
			sameSlice(t, what+" x", x.m.Data, x0)
			checkAll(t, what, g, d, x)
			if ggb != nil {
				if err := ggb.Check(); err != nil {
					t.Fatalf("%s: gb %v", what, err)
				}
			}
			testSetOuters(t, tier, workers, what, g.m.Stride-n, d, x)
		}
	}
}

// TestAddOutersThin runs AddOuters of a thin batch (at most outerThinK
// rows) on G too large for one Outer call, where the column chunk takes
// whole rows: rows of 2048 (an aliasing stride, which packs B) and 2100
// columns, past every tier's usual chunk in both precisions, and rows too
// long for the pack buffer, which the chunk must still split.
func TestAddOutersThin(t *testing.T) {
	forBoth(t, testAddOutersThin[float64], testAddOutersThin[float32])
}

func testAddOutersThin[T Float](t *testing.T, tier cpu.Tier) {
	for _, s := range [][3]int{{1100, 2048, 2}, {2100, 2100, 1}, {700, 2100, outerThinK}, {16, 69632, outerThinK}} {
		m, n, nb := s[0], s[1], s[2]
		if m*n*nb <= outerWork {
			t.Fatalf("shape %v fits one Outer call", s)
		}
		r := shapeRand(s, 5)
		g := newGMat[T](r, m, n, 0, 3, -7)
		d := newGMat[T](r, nb, m, 0, 1, nan[T]())
		x := newGMat[T](r, nb, n, 0, 2, nan[T]())
		what := fmt.Sprintf("AddOuters m=%d n=%d batch=%d", m, n, nb)
		want := memoRef(what+" thin", func() []T {
			want := clone(g.m.Data)
			ref.AddOuters(want, g.m.Stride, nil, d.m.Data, d.m.Stride, x.m.Data, x.m.Stride, m, n, nb)
			return want
		})
		addOutersOn(tier, 1, g.m, nil, d.m, x.m)
		sameSlice(t, what+" g", g.m.Data, want)
		checkAll(t, what, g, d, x)
	}
}

// TestAddOutersNarrow runs AddOuters and SetOuters of a narrow G, which
// may run on G's transpose (onTranspose): one column at a stride of 1 (its
// own transpose) and of 3, up to 4 columns at the rows and the batch where
// the rule starts and just short of them, a G too large for the lane
// buffer, and three workers, whose parts of G's rows take the rule each.
func TestAddOutersNarrow(t *testing.T) {
	forBoth(t, testAddOutersNarrow[float64], testAddOutersNarrow[float32])
}

func testAddOutersNarrow[T Float](t *testing.T, tier cpu.Tier) {
	type shape struct{ m, n, nb, gextra, xextra int }
	for _, s := range []shape{{64, 1, 70, 0, 2}, {5, 1, 3, 0, 0}, {40, 1, 130, 2, 0}, {32, 2, 128, 0, 0}, {37, 3, 128, 1, 1},
		{33, 4, 130, 3, 0}, {31, 4, 200, 0, 0}, {40, 2, 127, 0, 1}, {200, 4, 128, 0, 3}, {5000, 4, 128, 0, 0}} {
		for _, workers := range workerCounts {
			r := shapeRand([3]int{s.m, s.n, s.nb}, uint64(workers))
			g := newGMat[T](r, s.m, s.n, s.gextra, 3, -7)
			d := newGMat[T](r, s.nb, s.m, 1, 1, nan[T]())
			x := newGMat[T](r, s.nb, s.n, s.xextra, 2, nan[T]())
			gb := make([]T, s.m)
			tk.Fill(r, gb)
			what := fmt.Sprintf("AddOuters m=%d n=%d batch=%d strides %d %d workers=%d", s.m, s.n, s.nb, g.m.Stride, x.m.Stride, workers)
			want, wantb := clone(g.m.Data), clone(gb)
			ref.AddOuters(want, g.m.Stride, wantb, d.m.Data, d.m.Stride, x.m.Data, x.m.Stride, s.m, s.n, s.nb)
			addOutersOn(tier, workers, g.m, gb, d.m, x.m)
			sameSlice(t, what+" g", g.m.Data, want)
			sameSlice(t, what+" gb", gb, wantb)
			checkAll(t, what, g, d, x)
			testSetOuters(t, tier, workers, what, s.gextra, d, x)
		}
	}
}

// TestOnTranspose checks the rule's table: a contiguous column always; at
// most 4 columns and half a vector of the tier, from 32 rows and a batch
// of 128, within the lane buffer.
func TestOnTranspose(t *testing.T) {
	type c struct {
		tier         cpu.Tier
		m, n, stride int
		nb           int
		f64, want    bool
	}
	for _, c := range []c{
		{cpu.AVX512, 5, 1, 1, 1, true, true}, {cpu.AVX2, 5, 1, 1, 1, false, true},
		{cpu.AVX512, 32, 1, 3, 128, true, true}, {cpu.AVX512, 32, 1, 3, 127, true, false},
		{cpu.AVX512, 32, 4, 4, 128, true, true}, {cpu.AVX512, 32, 4, 4, 128, false, true},
		{cpu.AVX512, 31, 4, 4, 128, false, false}, {cpu.AVX512, 32, 5, 5, 1000, false, false},
		{cpu.AVX2, 32, 4, 4, 128, false, true}, {cpu.AVX2, 32, 4, 4, 128, true, false},
		{cpu.AVX2, 32, 2, 2, 128, true, true}, {cpu.NEON, 32, 2, 2, 128, false, true},
		{cpu.NEON, 32, 3, 3, 128, false, false}, {cpu.NEON, 32, 2, 2, 128, true, false},
		{cpu.Generic, 32, 4, 4, 128, true, true}, {cpu.AVX512, 4097, 4, 4, 128, false, false},
	} {
		var got bool
		if c.f64 {
			got = onTranspose(c.tier, &Matrix[float64]{Rows: c.m, Cols: c.n, Stride: c.stride}, c.nb)
		} else {
			got = onTranspose(c.tier, &Matrix[float32]{Rows: c.m, Cols: c.n, Stride: c.stride}, c.nb)
		}
		if got != c.want {
			t.Errorf("onTranspose(%s, G %dx%d stride %d, batch %d, float64 %v) = %v, want %v", c.tier, c.m, c.n, c.stride, c.nb, c.f64, got, c.want)
		}
	}
}

// testSetOuters checks SetOuters against clearing G and gb and adding: G
// and gb start as NaN (never read), the padding between G's rows as -7
// (never written).
func testSetOuters[T Float](t *testing.T, tier cpu.Tier, workers int, what string, extra int, d, x gmat[T]) {
	t.Helper()
	m, n, nb := d.m.Cols, x.m.Cols, x.m.Rows
	what = strings.Replace(what, "AddOuters", "SetOuters", 1)
	zero := newGMat[T](tk.NewRand(1), m, n, extra, 0, 0)
	for i := range zero.m.Data {
		zero.m.Data[i] = 0
	}
	want := zero.m.Data
	wantb := make([]T, m)
	ref.AddOuters(want, zero.m.Stride, wantb, d.m.Data, d.m.Stride, x.m.Data, x.m.Stride, m, n, nb)
	g := newGMat[T](tk.NewRand(2), m, n, extra, 3, -7)
	for i := range m * min(n, 1) {
		for j := range n {
			g.m.Data[i*g.m.Stride+j] = nan[T]()
		}
	}
	ggb := tk.NewGuarded[T](m, 5)
	gb := ggb.S()
	for i := range gb {
		gb[i] = nan[T]()
	}
	outersOn(tier, workers, g.m, gb, d.m, x.m, false)
	for i := range m * min(n, 1) {
		sameSlice(t, what+" g", g.m.Data[i*g.m.Stride:i*g.m.Stride+n], want[i*zero.m.Stride:i*zero.m.Stride+n])
	}
	sameSlice(t, what+" gb", gb, wantb)
	checkAll(t, what, g)
	if err := ggb.Check(); err != nil {
		t.Fatalf("%s: gb %v", what, err)
	}
}

// TestMatVecsAliasedStrides runs strides of 4 and 8 KiB, which make Outer
// pack its blocks of B and of D^T (on AVX-512 the B of MatTVecs only for
// short panels or, at 8 KiB, a batch of 128 rows or more), on all three
// kernels and both worker counts.
func TestMatVecsAliasedStrides(t *testing.T) {
	forBoth(t, testAliasedStrides[float64], testAliasedStrides[float32])
}

func testAliasedStrides[T Float](t *testing.T, tier cpu.Tier) {
	for _, s := range [][4]int{{13, 20, 30, 4096}, {40, 9, 17, 4096}, {7, 70, 150, 4096}, {70, 20, 130, 8192}} {
		m, n, nb, ld := s[0], s[1], s[2], s[3]/sizeOfT[T]()
		r := shapeRand([3]int(s[:3]), 77)
		mk := func(rows, cols int) Matrix[T] {
			d := make([]T, (rows-1)*ld+cols)
			tk.Fill(r, d)
			return Matrix[T]{rows, cols, d, ld}
		}
		w, x, xt, g := mk(m, n), mk(nb, n), mk(nb, m), mk(m, n)
		for _, workers := range workerCounts {
			what := fmt.Sprintf("stride %d m=%d n=%d batch=%d workers=%d", ld, m, n, nb, workers)
			y, want := mk(nb, m), mk(nb, m)
			copy(want.Data, y.Data)
			ref.MatVecs(want.Data, ld, w.Data, ld, x.Data, ld, nil, m, n, nb)
			matVecsOn(tier, workers, y, w, x, nil)
			sameSlice(t, "MatVecs "+what, y.Data, want.Data)

			yt, wantt := mk(nb, n), mk(nb, n)
			copy(wantt.Data, yt.Data)
			ref.MatTVecs(wantt.Data, ld, w.Data, ld, xt.Data, ld, m, n, nb)
			matTVecsOn(tier, workers, yt, w, xt)
			sameSlice(t, "MatTVecs "+what, yt.Data, wantt.Data)

			gg, gb := Matrix[T]{m, n, clone(g.Data), ld}, make([]T, m)
			wantg, wantgb := clone(g.Data), make([]T, m)
			ref.AddOuters(wantg, ld, wantgb, xt.Data, ld, x.Data, ld, m, n, nb)
			addOutersOn(tier, workers, gg, gb, xt, x)
			sameSlice(t, "AddOuters "+what, gg.Data, wantg)
			sameSlice(t, "AddOuters gb "+what, gb, wantgb)
		}
	}
}

// TestMatVecsSpecialValues puts NaN, Inf, signed zeros, subnormals and
// extremes into every operand of all three kernels.
func TestMatVecsSpecialValues(t *testing.T) {
	forBoth(t, testMatSpecials[float64], testMatSpecials[float32])
}

func sprinkle[T Float](r *rand.Rand, s []T) {
	sp := tk.Specials[T]()
	for i := range s {
		if r.IntN(5) == 0 {
			s[i] = sp[r.IntN(len(sp))]
		}
	}
}

func testMatSpecials[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(99)
	for _, s := range [][3]int{{1, 1, 1}, {3, 17, 2}, {9, 33, 7}, {17, 9, 13}, {40, 70, 5}} {
		m, n, nb := s[0], s[1], s[2]
		for trial := range 6 {
			w, x, xt := make([]T, m*n), make([]T, nb*n), make([]T, nb*m)
			bias, g, gb := make([]T, m), make([]T, m*n), make([]T, m)
			for _, v := range [][]T{w, x, xt, bias, g, gb} {
				tk.Fill(r, v)
				sprinkle(r, v)
			}
			what := fmt.Sprintf("m=%d n=%d batch=%d trial=%d", m, n, nb, trial)

			y, want := make([]T, nb*m), make([]T, nb*m)
			ref.MatVecs(want, m, w, n, x, n, bias, m, n, nb)
			matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, bias)
			sameSlice(t, "MatVecs "+what, y, want)

			yt, wantt := make([]T, nb*n), make([]T, nb*n)
			ref.MatTVecs(wantt, n, w, n, xt, m, m, n, nb)
			matTVecsOn(tier, 1, Matrix[T]{nb, n, yt, n}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, m, xt, m})
			sameSlice(t, "MatTVecs "+what, yt, wantt)

			wantg, wantgb := clone(g), clone(gb)
			ref.AddOuters(wantg, n, wantgb, xt, m, x, n, m, n, nb)
			addOutersOn(tier, 1, Matrix[T]{m, n, g, n}, gb, Matrix[T]{nb, m, xt, m}, Matrix[T]{nb, n, x, n})
			sameSlice(t, "AddOuters g "+what, g, wantg)
			sameSlice(t, "AddOuters gb "+what, gb, wantgb)
		}
	}
}

// TestMatVecsSignedZeros checks that padded tails leave -0 lanes and chains
// alone: products that round to -0 must sum to -0 in every output.
func TestMatVecsSignedZeros(t *testing.T) {
	forBoth(t, testMatSignedZeros[float64], testMatSignedZeros[float32])
}

func testMatSignedZeros[T Float](t *testing.T, tier cpu.Tier) {
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	negZero := T(math.Copysign(0, -1))
	for _, s := range [][3]int{{1, 1, 1}, {5, 3, 2}, {9, 17, 7}, {13, 33, 5}, {33, 40, 3}} {
		m, n, nb := s[0], s[1], s[2]
		fill := func(k int, v T) []T {
			s := make([]T, k)
			for i := range s {
				s[i] = v
			}
			return s
		}
		w, x, xt := fill(m*n, -tiny), fill(nb*n, tiny), fill(nb*m, tiny)
		y := fill(nb*m, 1)
		matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, nil)
		want := make([]T, nb*m)
		ref.MatVecs(want, m, w, n, x, n, nil, m, n, nb)
		sameSlice(t, fmt.Sprintf("MatVecs -0 %v", s), y, want)
		if n >= ref.MatVecLanes[T]() { // every lane -0: the sum is -0
			sameSlice(t, fmt.Sprintf("MatVecs -0 %v", s), y, fill(nb*m, negZero))
		}
		yt := fill(nb*n, 1)
		matTVecsOn(tier, 1, Matrix[T]{nb, n, yt, n}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, m, xt, m})
		sameSlice(t, fmt.Sprintf("MatTVecs -0 %v", s), yt, fill(nb*n, negZero))
		g, gb := fill(m*n, negZero), fill(m, negZero)
		addOutersOn(tier, 1, Matrix[T]{m, n, g, n}, gb, Matrix[T]{nb, m, fill(nb*m, negZero), m}, Matrix[T]{nb, n, x, n})
		sameSlice(t, fmt.Sprintf("AddOuters -0 %v", s), g, fill(m*n, negZero))
		sameSlice(t, fmt.Sprintf("AddOuters gb -0 %v", s), gb, fill(m, negZero))
		// SetOuters starts from +0, as a cleared G: -0 products sum to +0.
		outersOn(tier, 1, Matrix[T]{m, n, g, n}, gb, Matrix[T]{nb, m, fill(nb*m, negZero), m}, Matrix[T]{nb, n, x, n}, false)
		sameSlice(t, fmt.Sprintf("SetOuters -0 %v", s), g, fill(m*n, 0))
		sameSlice(t, fmt.Sprintf("SetOuters gb -0 %v", s), gb, fill(m, 0))
	}
}

// TestMatVecsBatchIndependence checks the property the canonical orders
// are chosen for: a row of Y is the same computed alone or in any batch.
func TestMatVecsBatchIndependence(t *testing.T) {
	forBoth(t, testBatchIndependence[float64], testBatchIndependence[float32])
}

func testBatchIndependence[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(5)
	m, n, nb := 37, 45, 29
	w, x, xt, bias := make([]T, m*n), make([]T, nb*n), make([]T, nb*m), make([]T, m)
	for _, v := range [][]T{w, x, xt, bias} {
		tk.Fill(r, v)
	}
	y, yt := make([]T, nb*m), make([]T, nb*n)
	matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, bias)
	matTVecsOn(tier, 1, Matrix[T]{nb, n, yt, n}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, m, xt, m})
	for b := range nb {
		one, onet := make([]T, m), make([]T, n)
		matVecsOn(tier, 1, Matrix[T]{1, m, one, m}, Matrix[T]{m, n, w, n}, Matrix[T]{1, n, x[b*n:], n}, bias)
		sameSlice(t, fmt.Sprintf("MatVecs row %d alone", b), one, y[b*m:(b+1)*m])
		matTVecsOn(tier, 1, Matrix[T]{1, n, onet, n}, Matrix[T]{m, n, w, n}, Matrix[T]{1, m, xt[b*m:], m})
		sameSlice(t, fmt.Sprintf("MatTVecs row %d alone", b), onet, yt[b*n:(b+1)*n])
	}
}

// TestMatVecsLarge runs shapes past every blocking threshold of the drivers
// (W blocks of the L2 size, callWork, k chunks) on the public functions,
// with the default workers, against one worker of the same tier and, for a
// sample of outputs, against internal/ref.
func TestMatVecsLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large shapes")
	}
	forBoth(t, testLarge[float64], testLarge[float32])
}

func testLarge[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(3)
	m, n, nb := 140, 560, 130
	w, x, xt, bias := make([]T, m*n), make([]T, nb*n), make([]T, nb*m), make([]T, m)
	for _, v := range [][]T{w, x, xt, bias} {
		tk.Fill(r, v)
	}
	W, X, XT := Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, Matrix[T]{nb, m, xt, m}
	y1, y3 := make([]T, nb*m), make([]T, nb*m)
	matVecsOn(tier, 1, Matrix[T]{nb, m, y1, m}, W, X, bias)
	matVecsOn(tier, 3, Matrix[T]{nb, m, y3, m}, W, X, bias)
	sameSlice(t, "MatVecs 1 vs 3 workers", y3, y1)
	want := make([]T, m)
	for _, b := range []int{0, 50, nb - 1} {
		ref.MatVecs(want, m, w, n, x[b*n:], n, bias, m, n, 1)
		sameSlice(t, fmt.Sprintf("MatVecs row %d", b), y1[b*m:(b+1)*m], want)
	}
	t1, t3 := make([]T, nb*n), make([]T, nb*n)
	matTVecsOn(tier, 1, Matrix[T]{nb, n, t1, n}, W, XT)
	matTVecsOn(tier, 3, Matrix[T]{nb, n, t3, n}, W, XT)
	sameSlice(t, "MatTVecs 1 vs 3 workers", t3, t1)
	wantt := make([]T, n)
	for _, b := range []int{0, 50, nb - 1} {
		ref.MatTVecs(wantt, n, w, n, xt[b*m:], m, m, n, 1)
		sameSlice(t, fmt.Sprintf("MatTVecs row %d", b), t1[b*n:(b+1)*n], wantt)
	}
	g1, g3, gb1, gb3 := clone(w), clone(w), clone(bias), clone(bias)
	addOutersOn(tier, 1, Matrix[T]{m, n, g1, n}, gb1, XT, X)
	addOutersOn(tier, 3, Matrix[T]{m, n, g3, n}, gb3, XT, X)
	sameSlice(t, "AddOuters 1 vs 3 workers", g3, g1)
	sameSlice(t, "AddOuters gb 1 vs 3 workers", gb3, gb1)
	wantg, wantgb := clone(w[:3*n]), clone(bias[:3])
	ref.AddOuters(wantg, n, wantgb, xt, m, x, n, 3, n, nb)
	sameSlice(t, "AddOuters rows 0-2", g1[:3*n], wantg)
	sameSlice(t, "AddOuters gb 0-2", gb1[:3], wantgb)
}

// TestMatVecsConcurrentCalls runs parallel calls from several goroutines at
// once (one gets the helper goroutines, the others start their own) and
// checks every result against a one-goroutine run.
func TestMatVecsConcurrentCalls(t *testing.T) {
	r := tk.NewRand(21)
	m, n, nb := 96, 130, 70
	w, x := make([]float64, m*n), make([]float64, nb*n)
	tk.Fill(r, w)
	tk.Fill(r, x)
	W, X := Matrix[float64]{m, n, w, n}, Matrix[float64]{nb, n, x, n}
	want := make([]float64, nb*m)
	matVecsOn(active, 1, Matrix[float64]{nb, m, want, m}, W, X, nil)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				y := make([]float64, nb*m)
				matVecsOn(active, 2+g%2, Matrix[float64]{nb, m, y, m}, W, X, nil)
				if i := tk.FirstDiff(y, want); i >= 0 {
					errs <- fmt.Sprintf("goroutine %d: element %d = %v, want %v", g, i, y[i], want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMatVecsGonum compares all three kernels with gonum's Dgemm/Dgemv
// (Sgemm/Sgemv) on random shapes: the difference must stay within the sum
// of our documented bound and gonum's (n u sum|terms| for a plain loop).
func TestMatVecsGonum(t *testing.T) { forBoth(t, testGonum[float64], testGonum[float32]) }

// gemm is C = A B^T (tb) or A B with gonum, in float64 or float32.
func gemm[T Float](tb bool, mm, nn, kk int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	tB := blas.NoTrans
	if tb {
		tB = blas.Trans
	}
	if is64[T]() {
		gonum.Implementation{}.Dgemm(blas.NoTrans, tB, mm, nn, kk, 1, f64(a), lda, f64(b), ldb, 0, f64(c), ldc)
	} else {
		gonum.Implementation{}.Sgemm(blas.NoTrans, tB, mm, nn, kk, 1, f32(a), lda, f32(b), ldb, 0, f32(c), ldc)
	}
}

func gemv[T Float](trans bool, m, n int, a []T, x, y []T) {
	tA := blas.NoTrans
	if trans {
		tA = blas.Trans
	}
	if is64[T]() {
		gonum.Implementation{}.Dgemv(tA, m, n, 1, f64(a), n, f64(x), 1, 0, f64(y), 1)
	} else {
		gonum.Implementation{}.Sgemv(tA, m, n, 1, f32(a), n, f32(x), 1, 0, f32(y), 1)
	}
}

func testGonum[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(17)
	u := unitRoundoff[T]()
	for trial := range 40 {
		m, n, nb := 1+r.IntN(150), 1+r.IntN(150), 1+r.IntN(20)
		if trial%4 == 0 {
			nb = 1
		}
		w, x, xt, g := make([]T, m*n), make([]T, nb*n), make([]T, nb*m), make([]T, m*n)
		for _, v := range [][]T{w, x, xt} {
			tk.Fill(r, v)
		}
		// abs[o] = sum of |terms| of output o, in float64.
		within := func(name string, got, gon []T, abs []float64, k int, ours float64) {
			t.Helper()
			for o := range got {
				bound := (ours + float64(k)) * u * abs[o] * 1.01
				if d := math.Abs(float64(got[o]) - float64(gon[o])); d > bound {
					t.Fatalf("%s m=%d n=%d batch=%d output %d: %v vs gonum %v differ by %g > bound %g",
						name, m, n, nb, o, got[o], gon[o], d, bound)
				}
			}
		}
		lanes := float64(ref.MatVecLanes[T]())
		y, gy, abs := make([]T, nb*m), make([]T, nb*m), make([]float64, nb*m)
		for b := range nb {
			for i := range m {
				for j := range n {
					abs[b*m+i] += math.Abs(float64(w[i*n+j]) * float64(x[b*n+j]))
				}
			}
		}
		matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, n, x, n}, nil)
		if nb == 1 {
			gemv(false, m, n, w, x, gy)
		} else {
			gemm(true, nb, m, n, x, n, w, n, gy, m)
		}
		within("MatVecs", y, gy, abs, n, math.Ceil(float64(n)/lanes)+math.Log2(lanes))

		yt, gyt, abst := make([]T, nb*n), make([]T, nb*n), make([]float64, nb*n)
		for b := range nb {
			for j := range n {
				for i := range m {
					abst[b*n+j] += math.Abs(float64(w[i*n+j]) * float64(xt[b*m+i]))
				}
			}
		}
		matTVecsOn(tier, 1, Matrix[T]{nb, n, yt, n}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, m, xt, m})
		if nb == 1 {
			gemv(true, m, n, w, xt, gyt)
		} else {
			gemm(false, nb, n, m, xt, m, w, n, gyt, n)
		}
		within("MatTVecs", yt, gyt, abst, m, float64(m))

		gg, absg := make([]T, m*n), make([]float64, m*n)
		for i := range m {
			for j := range n {
				for b := range nb {
					absg[i*n+j] += math.Abs(float64(xt[b*m+i]) * float64(x[b*n+j]))
				}
			}
		}
		addOutersOn(tier, 1, Matrix[T]{m, n, g, n}, nil, Matrix[T]{nb, m, xt, m}, Matrix[T]{nb, n, x, n})
		if is64[T]() {
			gonum.Implementation{}.Dgemm(blas.Trans, blas.NoTrans, m, n, nb, 1, f64(xt), m, f64(x), n, 0, f64(gg), n)
		} else {
			gonum.Implementation{}.Sgemm(blas.Trans, blas.NoTrans, m, n, nb, 1, f32(xt), m, f32(x), n, 0, f32(gg), n)
		}
		within("AddOuters", g, gg, absg, nb, float64(nb))
	}
}

// TestMatVecsPanics checks that bad shapes panic naming the operand.
func TestMatVecsPanics(t *testing.T) {
	z := func(r, c int) Matrix[float64] { return Matrix[float64]{r, c, make([]float64, r*c), max(1, c)} }
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"MatVecs x cols", func() { MatVecs(z(2, 3), z(3, 4), z(2, 5), nil) }, []string{"MatVecs", "x is 2x5", "w is 3x4"}},
		{"MatVecs y shape", func() { MatVecs(z(2, 4), z(3, 4), z(2, 4), nil) }, []string{"MatVecs", "y is 2x4", "want 2x3"}},
		{"MatVecs bias", func() { MatVecs(z(2, 3), z(3, 4), z(2, 4), make([]float64, 2)) }, []string{"MatVecs", "len(bias) = 2", "m = 3"}},
		{"MatVecs negative", func() { MatVecs(z(2, 3), Matrix[float64]{Rows: -3, Cols: 4, Stride: 4}, z(2, 4), nil) }, []string{"MatVecs", "w", "negative"}},
		{"MatVecs short", func() { MatVecs(z(2, 3), Matrix[float64]{3, 4, make([]float64, 11), 4}, z(2, 4), nil) }, []string{"MatVecs", "w", "len(Data) >= 12, has 11"}},
		{"MatVecs stride", func() { MatVecs(z(2, 3), z(3, 4), Matrix[float64]{2, 4, make([]float64, 8), 3}, nil) }, []string{"MatVecs", "x", "Stride 3"}},
		{"MatTVecs x cols", func() { MatTVecs(z(2, 4), z(3, 4), z(2, 4)) }, []string{"MatTVecs", "x is 2x4", "w is 3x4"}},
		{"MatTVecs y", func() { MatTVecs(z(2, 3), z(3, 4), z(2, 3)) }, []string{"MatTVecs", "y is 2x3", "want 2x4"}},
		{"MatTVecs short y", func() { MatTVecs(Matrix[float64]{2, 4, make([]float64, 7), 4}, z(3, 4), z(2, 3)) }, []string{"MatTVecs", "y", "has 7"}},
		{"AddOuters batch", func() { AddOuters(z(3, 4), nil, z(2, 3), z(5, 4)) }, []string{"AddOuters", "d is 2x3", "x is 5x4"}},
		{"AddOuters g", func() { AddOuters(z(4, 4), nil, z(2, 3), z(2, 4)) }, []string{"AddOuters", "g is 4x4", "want 3x4"}},
		{"AddOuters gb", func() { AddOuters(z(3, 4), make([]float64, 4), z(2, 3), z(2, 4)) }, []string{"AddOuters", "len(gb) = 4", "m = 3"}},
		{"AddOuters d stride", func() { AddOuters(z(3, 4), nil, Matrix[float64]{2, 3, make([]float64, 6), 2}, z(2, 4)) }, []string{"AddOuters", "d", "Stride 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectPanic(t, c.name, c.f, c.want...) })
	}
	// Empty shapes are valid and do nothing.
	MatVecs(z(0, 3), z(3, 0), z(0, 0), make([]float64, 3))
	MatTVecs(z(2, 0), z(0, 0), z(2, 0))
	AddOuters(z(0, 5), []float64{}, z(7, 0), z(7, 5))
}

// TestMatVecsEmptyReduction: n = 0 (MatVecs) and m = 0 (MatTVecs) give +0
// (plus the bias); a batch of 0 leaves G and gb alone.
func TestMatVecsEmptyReduction(t *testing.T) {
	tk.ForEachTier(t, built, func(t *testing.T, tier cpu.Tier) {
		y := []float64{5, 5, 5, 5, 5, 5}
		matVecsOn(tier, 1, Matrix[float64]{2, 3, y, 3}, Matrix[float64]{3, 0, nil, 1}, Matrix[float64]{2, 0, nil, 1}, nil)
		sameSlice(t, "MatVecs n=0", y, make([]float64, 6))
		matVecsOn(tier, 1, Matrix[float64]{2, 3, y, 3}, Matrix[float64]{3, 0, nil, 1}, Matrix[float64]{2, 0, nil, 1}, []float64{-0.0, 2, 3})
		sameSlice(t, "MatVecs n=0 bias", y, []float64{0, 2, 3, 0, 2, 3})
		yt := []float32{5, 5, 5}
		matTVecsOn(tier, 1, Matrix[float32]{1, 3, yt, 3}, Matrix[float32]{0, 3, nil, 3}, Matrix[float32]{1, 0, nil, 1})
		sameSlice(t, "MatTVecs m=0", yt, make([]float32, 3))
		negZero := math.Copysign(0, -1)
		g, gb := []float64{negZero, 1}, []float64{negZero}
		addOutersOn(tier, 1, Matrix[float64]{1, 2, g, 2}, gb, Matrix[float64]{0, 1, nil, 1}, Matrix[float64]{0, 2, nil, 2})
		sameSlice(t, "AddOuters batch=0", g, []float64{negZero, 1})
		sameSlice(t, "AddOuters gb batch=0", gb, []float64{negZero})
	})
}

// TestMatVecsNoAllocs checks that one-goroutine calls do not allocate.
func TestMatVecsNoAllocs(t *testing.T) {
	defer SetMaxWorkers(SetMaxWorkers(1))
	m, n, nb := 70, 90, 20
	w, x, xt, y, yt := make([]float64, m*n), make([]float64, nb*n), make([]float64, nb*m), make([]float64, nb*m), make([]float64, nb*n)
	ws, xs, ys := make([]float32, m*n), make([]float32, nb*n), make([]float32, nb*m)
	bias := make([]float64, m)
	allocs := testing.AllocsPerRun(5, func() {
		MatVecs(Matrix[float64]{nb, m, y, m}, Matrix[float64]{m, n, w, n}, Matrix[float64]{nb, n, x, n}, bias)
		MatVecs(Matrix[float32]{nb, m, ys, m}, Matrix[float32]{m, n, ws, n}, Matrix[float32]{nb, n, xs, n}, nil)
		MatTVecs(Matrix[float64]{nb, n, yt, n}, Matrix[float64]{m, n, w, n}, Matrix[float64]{nb, m, xt, m})
		AddOuters(Matrix[float64]{m, n, w, n}, bias, Matrix[float64]{nb, m, xt, m}, Matrix[float64]{nb, n, x, n})
	})
	if allocs != 0 {
		t.Fatalf("kernels allocated %v times per run", allocs)
	}
}

func TestSetMaxWorkers(t *testing.T) {
	prev := SetMaxWorkers(3)
	defer SetMaxWorkers(prev)
	if got := workersFor(100 * parallelWork); got != 3 {
		t.Fatalf("workersFor with cap 3 = %d", got)
	}
	if got := workersFor(parallelWork - 1); got != 1 {
		t.Fatalf("workersFor below the threshold = %d", got)
	}
	if SetMaxWorkers(0) != 3 {
		t.Fatal("SetMaxWorkers did not return the previous cap")
	}
	for _, c := range []struct{ workers, n, grain int }{{3, 100, 12}, {2, 5, 12}, {4, 48, 12}, {3, 1, 1}} {
		seen := make([]int, c.n)
		parallel(c.workers, 2, c.n, c.grain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("parallel%v covered %d %d times", c, i, s)
			}
		}
	}
}

// TestMatVecsOneColumn checks the one-column path (W m x 1, run as Outer's
// chains) against the reference where its chains could differ from the
// lane tree: products that round to -0 (the tree's + 0 makes them +0, and
// then + bias -0 stays +0), special values, W and X strides above 1, and W
// taller than the scratch holds.
func TestMatVecsOneColumn(t *testing.T) {
	forBoth(t, testMatVecsOneColumn[float64], testMatVecsOneColumn[float32])
}

func testMatVecsOneColumn[T Float](t *testing.T, tier cpu.Tier) {
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	negZero := T(math.Copysign(0, -1))
	r := tk.NewRand(17)
	for _, s := range [][4]int{{1, 2, 1, 1}, {5, 3, 1, 1}, {64, 256, 1, 1}, {17, 13, 3, 2}, {70, 9, 2, 5}, {9000, 3, 1, 1}, {6000, 2, 4, 1}} {
		m, nb, ldw, ldx := s[0], s[1], s[2], s[3]
		for trial := range 4 {
			w, x, bias := make([]T, (m-1)*ldw+1), make([]T, (nb-1)*ldx+1), make([]T, m)
			switch trial {
			case 0: // every product -0, bias -0: the reference gives +0
				for i := range w {
					w[i] = -tiny
				}
				for i := range x {
					x[i] = tiny
				}
				for i := range bias {
					bias[i] = negZero
				}
			default:
				for _, v := range [][]T{w, x, bias} {
					tk.Fill(r, v)
					sprinkle(r, v)
				}
			}
			for _, bs := range [][]T{nil, bias} {
				what := fmt.Sprintf("MatVecs one column m=%d batch=%d ldw=%d ldx=%d trial=%d bias=%v", m, nb, ldw, ldx, trial, bs != nil)
				y, want := make([]T, nb*m), make([]T, nb*m)
				for i := range y {
					y[i] = nan[T]()
				}
				ref.MatVecs(want, m, w, ldw, x, ldx, bs, m, 1, nb)
				matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, 1, w, ldw}, Matrix[T]{nb, 1, x, ldx}, bs)
				sameSlice(t, what, y, want)
				if trial == 0 && tk.Bits(want[0]) != tk.Bits(T(0)) {
					t.Fatalf("%s: the reference gives %v, want +0", what, want[0])
				}
			}
		}
	}
}

// TestMatVecsWT runs the transposed-W kernel (through its dispatch, so the
// tiers without it run the pure-Go path) against the reference: every
// remainder of the row tile and of the output vector, rows shorter than the
// lanes, empty rows, row strides above the widths, specials, and -0 products
// (the lane tree turns them into +0 only where a lane is empty). The slack
// of each Y row must keep its NaN.
func TestMatVecsWT(t *testing.T) {
	forBoth(t, testMatVecsWT[float64], testMatVecsWT[float32])
}

func testMatVecsWT[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(23)
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	for _, s := range [][3]int{{1, 1, 1}, {8, 64, 7}, {16, 64, 13}, {17, 3, 6}, {64, 64, 12}, {33, 17, 5}, {5, 0, 4}, {40, 31, 11}, {64, 128, 9}, {2, 9, 8}} {
		m, n, nb := s[0], s[1], s[2]
		for trial := range 3 {
			ldw, ldx, ldy, ldt := n+trial, n+2*trial, m+3, m+trial
			w, x, bias := make([]T, m*max(ldw, 1)), make([]T, nb*max(ldx, 1)), make([]T, m)
			for _, v := range [][]T{w, x, bias} {
				tk.Fill(r, v)
				if trial == 1 {
					sprinkle(r, v)
				}
			}
			if trial == 2 { // products that round to -0
				for i := range w {
					w[i] = -tiny
				}
				for i := range x {
					x[i] = tiny
				}
			}
			wt := make([]T, max(0, (n-1)*ldt+m))
			for i := range m {
				for j := range n {
					wt[j*ldt+i] = w[i*ldw+j]
				}
			}
			for _, bs := range [][]T{nil, bias} {
				what := fmt.Sprintf("MatVecsWT m=%d n=%d batch=%d trial=%d bias=%v", m, n, nb, trial, bs != nil)
				y, want := make([]T, nb*ldy), make([]T, nb*ldy)
				for i := range y {
					y[i], want[i] = nan[T](), nan[T]()
				}
				ref.MatVecs(want, ldy, w, ldw, x, ldx, bs, m, n, nb)
				if is64[T]() {
					matVecsWTF64(tier, f64(y), ldy, f64(wt), ldt, f64(x), ldx, f64(bs), m, nb, n)
				} else {
					matVecsWTF32(tier, f32(y), ldy, f32(wt), ldt, f32(x), ldx, f32(bs), m, nb, n)
				}
				sameSlice(t, what, y, want)
			}
		}
	}
}

// TestMatVecsTransposedPath runs MatVecs on shapes that take the
// transposed-W kernel where the tier has it (a W row stride above n, a
// batch split into several calls), against the reference, with the rows of
// 5 to 8 vectors on that kernel (cpu.WTLongRows: Intel) and on the
// dot-product tiles.
func TestMatVecsTransposedPath(t *testing.T) {
	forBothWays(t, "longRows", &wtLongRows, testMatVecsTransposedPath[float64], testMatVecsTransposedPath[float32])
}

func testMatVecsTransposedPath[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(29)
	taken, long := 0, 0
	for _, s := range [][3]int{{16, 16, 40}, {64, 32, 300}, {33, 17, 70}, {128, 32, 300}, {128, 64, 300}, {64, 128, 300}, {70, 5, 19}, {64, 64, 200}} {
		m, n, nb := s[0], s[1], s[2]
		ldw := n + 3
		w, x, bias := make([]T, m*ldw), make([]T, nb*n), make([]T, m)
		for _, v := range [][]T{w, x, bias} {
			tk.Fill(r, v)
		}
		if useWT(tier, m, n, nb, sizeOfT[T]()) {
			taken++
			if n > 4*64/sizeOfT[T]() {
				long++
			}
		}
		what := fmt.Sprintf("MatVecs m=%d n=%d batch=%d", m, n, nb)
		y, want := make([]T, nb*m), make([]T, nb*m)
		ref.MatVecs(want, m, w, ldw, x, n, bias, m, n, nb)
		matVecsOn(tier, 1, Matrix[T]{nb, m, y, m}, Matrix[T]{m, n, w, ldw}, Matrix[T]{nb, n, x, n}, bias)
		sameSlice(t, what, y, want)
	}
	if hasMatVecsWT(tier) && taken < 3 {
		t.Fatalf("only %d shapes took the transposed-W kernel", taken)
	}
	if hasMatVecsWT(tier) && (long > 0) != wtLongRows {
		t.Fatalf("%d shapes with rows of 5 to 8 vectors took the transposed-W kernel, with wtLongRows = %v", long, wtLongRows)
	}
}
