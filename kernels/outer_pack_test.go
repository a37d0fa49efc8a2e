package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestOuterPacks4K runs the Outer blocking whose packing depends on the
// CPU's vendor (cpu.OuterPacks4K: Intel packs a block of B at a 4 KiB
// stride when 256 rows of C reuse it) both ways on any CPU, against the
// reference bits: MatTVecs with W, and AddOuters with X, at that stride.
func TestOuterPacks4K(t *testing.T) {
	forBothWays(t, "packs", &outerPacks4K, testOuterPacks4K[float64], testOuterPacks4K[float32])
}

func testOuterPacks4K[T Float](t *testing.T, tier cpu.Tier) {
	const rows, k, n = 256, 130, 70 // rows of C, of B (one k chunk of 128 and a rest), its columns
	size := sizeOfT[T]()
	ld := 4096 / size
	if got := outerPacksB(cpu.AVX512, rows, min(k, outerKC), ld*size); got != outerPacks4K {
		t.Fatalf("outerPacksB(avx512, %d rows, a 4 KiB stride) = %v with outerPacks4K %v", rows, got, outerPacks4K)
	}
	r := tk.NewRand(47)
	w := checkMatTVecsStrided[T](t, tier, r, rows, k, n, ld) // W's stride 4 KiB
	// AddOuters: G (rows x n) += D^T X over a batch of k, X's stride 4 KiB.
	d, g := make([]T, k*rows), make([]T, rows*n)
	tk.Fill(r, d)
	tk.Fill(r, g)
	wantG := clone(g)
	ref.AddOuters(wantG, n, nil, d, rows, w, ld, rows, n, k)
	addOutersOn(tier, 1, Matrix[T]{rows, n, g, n}, nil, Matrix[T]{k, rows, d, rows}, Matrix[T]{k, n, w, ld})
	sameSlice(t, "AddOuters g", g, wantG)
}

// TestOuterStreamK runs Outer's blocks of B both ways (cpu.OuterStreamK:
// on Intel, 32 rows of a B read in place at a stride of 4 KiB or more, for
// a row-major A and fewer than 64 rows of C) on any CPU, against the
// reference bits, and checks where the rule applies: MatTVecs of a small
// batch takes the short blocks, AddOuters (A is D^T), a C of 64 rows, a
// packed or a narrower B do not.
func TestOuterStreamK(t *testing.T) {
	forBothWays(t, "streamk", &outerStreamK, testOuterStreamK[float64], testOuterStreamK[float32])
}

func testOuterStreamK[T Float](t *testing.T, tier cpu.Tier) {
	size := sizeOfT[T]()
	short := outerKC
	if outerStreamK {
		short = outerStreamKC
	}
	for _, c := range []struct {
		rows, inca int
		packB      bool
		ldb, want  int
	}{
		{16, 1, false, 4096, short}, {outerStreamRows - 1, 1, false, 8192, short}, {1, 1, false, 1 << 20, short},
		{outerStreamRows, 1, false, 4096, outerKC}, {16, 24, false, 4096, outerKC},
		{16, 1, true, 4096, outerKC}, {16, 1, false, 4096 - size, outerKC},
	} {
		if got := outerBlockK(c.rows, c.inca, c.packB, c.ldb); got != c.want {
			t.Errorf("outerBlockK(%d rows, inca %d, packed %v, ldb %d bytes) = %d, want %d (outerStreamK %v)",
				c.rows, c.inca, c.packB, c.ldb, got, c.want, outerStreamK)
		}
	}
	// W's stride is a page and a vector (no tier packs it); k = 150 is
	// four short blocks and a rest, or one block of 128 and a rest.
	checkMatTVecsStrided[T](t, tier, tk.NewRand(53), 20, 150, 70, 4096/size+64/size)
}

// checkMatTVecsStrided checks MatTVecs on tier, Y (rows x n) = X (rows x
// k) W (k x n) with W's row stride ld, against the reference bits, and
// returns W.
func checkMatTVecsStrided[T Float](t *testing.T, tier cpu.Tier, r *rand.Rand, rows, k, n, ld int) []T {
	t.Helper()
	w, x := make([]T, k*ld), make([]T, rows*k)
	tk.Fill(r, w)
	tk.Fill(r, x)
	want := make([]T, rows*n)
	ref.MatTVecs(want, n, w, ld, x, k, k, n, rows)
	y := make([]T, rows*n)
	matTVecsOn(tier, 1, Matrix[T]{rows, n, y, n}, Matrix[T]{k, n, w, ld}, Matrix[T]{rows, k, x, k})
	sameSlice(t, "MatTVecs y", y, want)
	return w
}
