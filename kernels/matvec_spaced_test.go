package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// runSpaced calls tier's MatVecSpaced on the 8s rows of w.
func runSpaced[T Float](tier cpu.Tier, y, w []T, ldw int, x, bias []T, s, n int) {
	if is64[T]() {
		matVecSpacedF64(tier, f64(y), f64(w), ldw, f64(x), f64(bias), s, n)
	} else {
		matVecSpacedF32(tier, f32(y), f32(w), ldw, f32(x), f32(bias), s, n)
	}
}

// TestMatVecSpaced runs the spaced-tile kernel (through its dispatch, so
// the tiers without it run the pure-Go path) against the reference: one
// to nine tiles, rows shorter than the lanes, empty rows, row strides above
// n, specials, -0 products (the lane tree turns them into +0 only where a
// lane is empty). The scattered outputs must land on their rows and
// nowhere else (guards on y).
func TestMatVecSpaced(t *testing.T) {
	forBoth(t, testMatVecSpaced[float64], testMatVecSpaced[float32])
}

func testMatVecSpaced[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(31)
	L := 64 / sizeOfT[T]()
	tiny := T(math.Ldexp(1, -100))
	if is64[T]() {
		tiny = T(math.Ldexp(1, -600))
	}
	for _, sz := range [][2]int{{1, 1}, {1, 8}, {2, 0}, {2, 9}, {3, 31}, {5, 64}, {9, 100}, {4, 3 * L}} {
		s, n := sz[0], sz[1]
		m := 8 * s
		for trial := range 3 {
			ldw := n + 2*trial
			w, x, bias := make([]T, m*max(ldw, 1)), make([]T, n), make([]T, m)
			for _, v := range [][]T{w, x, bias} {
				tk.Fill(r, v)
				if trial == 1 {
					sprinkle(r, v)
				}
			}
			if trial == 2 {
				for i := range w {
					w[i] = -tiny
				}
				for i := range x {
					x[i] = tiny
				}
			}
			for _, bs := range [][]T{nil, bias} {
				want := make([]T, m)
				ref.MatVecs(want, m, w, ldw, x, n, bs, m, n, 1)
				what := fmt.Sprintf("MatVecSpaced s=%d n=%d trial=%d bias=%v", s, n, trial, bs != nil)
				g := tk.NewGuarded[T](m, trial)
				y := g.S()
				for i := range y {
					y[i] = nan[T]()
				}
				runSpaced(tier, y, w, ldw, x, bs, s, n)
				sameSlice(t, what, y, want)
				if err := g.Check(); err != nil {
					t.Fatalf("%s: y %v", what, err)
				}
			}
		}
	}
}

// TestMatVecsSpacedPath runs MatVecs of one X row on shapes that take the
// spaced-tile kernel where the tier has it (the last rows on the MatVecs
// kernel, a W row stride above n, three workers splitting the
// rows) and on shapes just outside its rule, against the reference.
func TestMatVecsSpacedPath(t *testing.T) {
	forBoth(t, testMatVecsSpacedPath[float64], testMatVecsSpacedPath[float32])
}

func testMatVecsSpacedPath[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(37)
	taken := 0
	for _, s := range [][2]int{{256, 256}, {203, 300}, {1030, 600}, {17, 4096}, {16, 17000}, {64, 1024}, {300, 33}, {15, 1024}, {130, 999}, {64, 256}, {128, 200}} {
		m, n := s[0], s[1]
		ldw := n + 5
		w, x, bias := make([]T, m*ldw), make([]T, n), make([]T, m)
		for _, v := range [][]T{w, x, bias} {
			tk.Fill(r, v)
		}
		if useSpaced(tier, m, n, ldw, sizeOfT[T]()) {
			taken++
		}
		for _, workers := range workerCounts {
			for _, bs := range [][]T{nil, bias} {
				what := fmt.Sprintf("MatVecs m=%d n=%d batch=1 workers=%d bias=%v", m, n, workers, bs != nil)
				g := tk.NewGuarded[T](m, 1)
				y, want := g.S(), make([]T, m)
				ref.MatVecs(want, m, w, ldw, x, n, bs, m, n, 1)
				matVecsOn(tier, workers, Matrix[T]{1, m, y, m}, Matrix[T]{m, n, w, ldw}, Matrix[T]{1, n, x, n}, bs)
				sameSlice(t, what, y, want)
				if err := g.Check(); err != nil {
					t.Fatalf("%s: y %v", what, err)
				}
			}
		}
	}
	// The last two shapes (at most 200 KiB) are taken on every L2 from
	// 256 KiB on; the others where L2 is larger.
	if want := 2 + 3*min(1, spacedMax/(512<<10)); hasMatVecSpaced(tier) && taken < want {
		t.Fatalf("only %d shapes took the spaced-tile kernel, want %d (W up to %d bytes)", taken, want, spacedMax)
	}
}

// TestSpacedLimit checks the largest W of the spaced-tile kernel: this
// CPU's L2, at most 1 MiB, 512 KiB when cpuid does not say.
func TestSpacedLimit(t *testing.T) {
	for _, c := range [][2]int{{0, 512 << 10}, {-1, 512 << 10}, {256 << 10, 256 << 10}, {512 << 10, 512 << 10}, {1 << 20, 1 << 20}, {2 << 20, 1 << 20}} {
		if got := spacedLimit(c[0]); got != c[1] {
			t.Errorf("spacedLimit(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

// FuzzMatVecSpaced runs the spaced-tile kernel on every usable tier against
// the reference: 1 to 6 tiles, the row length, W's row stride and bias from
// the fuzzer, guards around y.
func FuzzMatVecSpaced(f *testing.F) {
	seedMatFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, layout uint16, single bool) {
		mf := newMatFuzz(data, shape, layout, single)
		if single {
			fuzzMatVecSpaced[float32](t, mf)
		} else {
			fuzzMatVecSpaced[float64](t, mf)
		}
	})
}

func fuzzMatVecSpaced[T Float](t *testing.T, f *matFuzz) {
	s, n := 1+f.m%6, f.n
	m := 8 * s
	w, x := fuzzMat[T](f, 0, m, n), fuzzMat[T](f, 1, 1, n)
	var bias []T
	if f.withBias {
		bias = make([]T, m)
		fillFuzz(f, bias)
	}
	want := make([]T, m)
	ref.MatVecs(want, m, w.m.Data, w.m.Stride, x.m.Data, n, bias, m, n, 1)
	for _, tier := range usableTiers() {
		g := tk.NewGuarded[T](m, f.off[2])
		y := g.S()
		for i := range y {
			y[i] = -7
		}
		runSpaced(tier, y, w.m.Data, w.m.Stride, x.m.Data, bias, s, n)
		sameSlice(t, tier.String()+" MatVecSpaced", y, want)
		checkAll(t, tier.String(), w, x)
		if err := g.Check(); err != nil {
			t.Fatalf("%s: y %v", tier, err)
		}
	}
}
