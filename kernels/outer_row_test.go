package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// outerRowRef is OuterRow's contract written out: c[j] = (load ? c[j] :
// +0), then c[j] = fma(a[kk*inca], b[kk*ldb+j], c[j]) for kk < k.
func outerRowRef[T Float](c, a []T, inca int, b []T, ldb, cols, k int, load bool) {
	for j := range cols {
		s := c[j]
		if !load {
			s = 0
		}
		for kk := range k {
			s = ref.FMA(a[kk*inca], b[kk*ldb+j], s)
		}
		c[j] = s
	}
}

func runOuterRow[T Float](tier cpu.Tier, c, a []T, inca int, b []T, ldb, cols, k int, load bool) {
	if is64[T]() {
		outerRowF64(tier, f64(c), f64(a), inca, f64(b), ldb, cols, k, load)
	} else {
		outerRowF32(tier, f32(c), f32(a), inca, f32(b), ldb, cols, k, load)
	}
}

// TestOuterRow runs the single-row kernel (through its dispatch, so the
// tiers without it run the pure-Go path) against its contract: rows of C
// of every remainder of the eight-vector step and of a vector, no rows of
// B (C kept or set to +0), a repeated and a strided a, a B row stride
// above cols, specials and -0 products (fma on +0 turns them into +0). C's
// neighbours must keep their values (guards).
func TestOuterRow(t *testing.T) {
	forBoth(t, testOuterRow[float64], testOuterRow[float32])
}

func testOuterRow[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(41)
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	for _, cols := range []int{1, 3, 8, 15, 16, 17, 64, 127, 128, 130, 300} {
		for _, k := range []int{0, 1, 2, 5} {
			for _, inca := range []int{0, 1, 3} {
				for trial := range 3 {
					ldb := cols + trial
					a, b, c0 := make([]T, max(1, k*inca)), make([]T, max(0, k*ldb)), make([]T, cols)
					for _, v := range [][]T{a, b, c0} {
						tk.Fill(r, v)
						if trial == 1 {
							sprinkle(r, v)
						}
					}
					if trial == 2 { // products that round to -0
						for i := range a {
							a[i] = -tiny
						}
						for i := range b {
							b[i] = tiny
						}
					}
					for _, load := range []bool{false, true} {
						what := fmt.Sprintf("OuterRow cols=%d k=%d inca=%d trial=%d load=%v", cols, k, inca, trial, load)
						want := clone(c0)
						outerRowRef(want, a, inca, b, ldb, cols, k, load)
						g := tk.NewGuarded[T](cols, trial)
						c := g.S()
						copy(c, c0)
						runOuterRow(tier, c, a, inca, b, ldb, cols, k, load)
						sameSlice(t, what, c, want)
						if err := g.Check(); err != nil {
							t.Fatalf("%s: c %v", what, err)
						}
					}
				}
			}
		}
	}
}

// TestOuterRowPath runs MatTVecs of one X row and AddOuters' bias gradient
// (a single row of C, its a repeated) on shapes that take the OuterRow
// kernel where the tier has it (C in several pieces, B in several calls)
// and on shapes just outside its rule, against the reference: with the
// rule on, as on AMD, and off, as on Intel.
func TestOuterRowPath(t *testing.T) {
	forBothWays(t, "pays", &outerRowPays, testOuterRowPath[float64], testOuterRowPath[float32])
}

func testOuterRowPath[T Float](t *testing.T, tier cpu.Tier) {
	pays := outerRowPays
	if pays && !hasOuterRow(tier) {
		t.Skip("no OuterRow kernel on this tier: the rule changes nothing (run under pays=false)")
	}
	r := tk.NewRand(43)
	taken := 0
	size := sizeOfT[T]()
	for _, s := range [][2]int{{256, 256}, {64, 1000}, {3, 9000}, {600, 200}, {2100, 520}, {130, 1100}, {70, 2100}, {300, 1100}, {1000, 1030}, {40, 100}, {1000, 20}} {
		m, n := s[0], s[1]
		if useOuterRow(tier, n, m, size) {
			taken++
		}
		ldw := n + 3
		w, x := make([]T, m*ldw), make([]T, m)
		tk.Fill(r, w)
		tk.Fill(r, x)
		for _, workers := range workerCounts {
			what := fmt.Sprintf("MatTVecs m=%d n=%d batch=1 workers=%d", m, n, workers)
			g := tk.NewGuarded[T](n, 1)
			y, want := g.S(), make([]T, n)
			ref.MatTVecs(want, n, w, ldw, x, m, m, n, 1)
			matTVecsOn(tier, workers, Matrix[T]{1, n, y, n}, Matrix[T]{m, n, w, ldw}, Matrix[T]{1, m, x, m})
			sameSlice(t, what, y, want)
			if err := g.Check(); err != nil {
				t.Fatalf("%s: y %v", what, err)
			}
		}
		// AddOuters with D = W (m rows of a batch, n outputs), a G of one
		// column: its bias gradient gb (n) is the single row.
		gb0 := make([]T, n)
		tk.Fill(r, gb0)
		g0 := make([]T, n)
		tk.Fill(r, g0)
		xs := make([]T, m)
		tk.Fill(r, xs)
		wantG, wantB := clone(g0), clone(gb0)
		ref.AddOuters(wantG, 1, wantB, w, ldw, xs, 1, n, 1, m)
		gg, gb := clone(g0), clone(gb0)
		addOutersOn(tier, 1, Matrix[T]{n, 1, gg, 1}, gb, Matrix[T]{m, n, w, ldw}, Matrix[T]{m, 1, xs, 1})
		what := fmt.Sprintf("AddOuters gb m=%d n=%d", m, n)
		sameSlice(t, what+" g", gg, wantG)
		sameSlice(t, what+" gb", gb, wantB)
	}
	if pays && hasOuterRow(tier) && taken < 3 {
		t.Fatalf("only %d shapes took the OuterRow kernel", taken)
	}
}

// FuzzOuterRow runs the single-row kernel on every usable tier against its
// contract: the columns, rows, a's step, B's stride padding and load from
// the fuzzer, guards around C.
func FuzzOuterRow(f *testing.F) {
	seedMatFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, layout uint16, single bool) {
		mf := newMatFuzz(data, shape, layout, single)
		if single {
			fuzzOuterRow[float32](t, mf)
		} else {
			fuzzOuterRow[float64](t, mf)
		}
	})
}

func fuzzOuterRow[T Float](t *testing.T, f *matFuzz) {
	cols, k, inca := 1+f.n*3, f.m%12, f.nb%4
	b := fuzzMat[T](f, 0, k, cols)
	a := make([]T, max(1, k*inca))
	fillFuzz(f, a)
	c0 := make([]T, cols)
	fillFuzz(f, c0)
	load := f.withBias
	want := clone(c0)
	outerRowRef(want, a, inca, b.m.Data, b.m.Stride, cols, k, load)
	for _, tier := range usableTiers() {
		g := tk.NewGuarded[T](cols, f.off[2])
		c := g.S()
		copy(c, c0)
		runOuterRow(tier, c, a, inca, b.m.Data, b.m.Stride, cols, k, load)
		sameSlice(t, tier.String()+" OuterRow", c, want)
		checkAll(t, tier.String(), b)
		if err := g.Check(); err != nil {
			t.Fatalf("%s: c %v", tier, err)
		}
	}
}
