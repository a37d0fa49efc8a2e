package kernels

import (
	"fmt"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestMatVecsCopiedW runs MatVecs on shapes whose rows come in pieces and
// whose batch is large enough for the AVX2 tier to copy its W blocks
// (mvCopyW), or whole rows at a 4 KiB stride, with strides above the row
// length, a partial last piece and a partial last W block, and compares
// every output with internal/ref.
func TestMatVecsCopiedW(t *testing.T) {
	forBoth(t, testCopiedW[float64], testCopiedW[float32])
}

func testCopiedW[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(11)
	per := 4096 / sizeOfT[T]() // elements of one piece
	// The last two have whole rows (no pieces) and W at a 4 KiB stride.
	for _, s := range [][5]int{{9, per + 8, 32, 0, 0}, {30, 2*per + 5, 40, 3, 0}, {70, per + 1, 33, 16, 0},
		{17, 3 * per, 64, 0, 0}, {200, 300, 40, 0, per}, {150, per, 35, 0, per}} {
		m, n, nb, pad := s[0], s[1], s[2], s[3]
		ldw, ldx, ldy := n+pad, n+2*pad, m+pad
		if s[4] > 0 {
			ldw = s[4]
		}
		w, x, bias := make([]T, m*ldw), make([]T, nb*ldx), make([]T, m)
		for _, v := range [][]T{w, x, bias} {
			tk.Fill(r, v)
		}
		for _, bs := range [][]T{nil, bias} {
			y, want := make([]T, nb*ldy), make([]T, nb*ldy)
			matVecsOn(tier, 1, Matrix[T]{nb, m, y, ldy}, Matrix[T]{m, n, w, ldw}, Matrix[T]{nb, n, x, ldx}, bs)
			ref.MatVecs(want, ldy, w, ldw, x, ldx, bs, m, n, nb)
			sameSlice(t, fmt.Sprintf("m=%d n=%d nb=%d pad=%d bias=%v", m, n, nb, pad, bs != nil), y, want)
		}
	}
}

// TestMatTVecsCopiedA runs MatTVecs with X (the A of Outer) at a 4 KiB
// stride, which the AVX2 tier copies block by block (copyA in outerSerial),
// over several k chunks and row chunks, against internal/ref.
func TestMatTVecsCopiedA(t *testing.T) {
	forBoth(t, testCopiedA[float64], testCopiedA[float32])
}

func testCopiedA[T Float](t *testing.T, tier cpu.Tier) {
	r := tk.NewRand(12)
	ldx := 4096 / sizeOfT[T]()
	for _, s := range [][3]int{{300, 70, 40}, {129, 33, 12}, {260, 9, 130}} {
		m, n, nb := s[0], s[1], s[2]
		w, x := make([]T, m*n), make([]T, (nb-1)*ldx+m)
		for _, v := range [][]T{w, x} {
			tk.Fill(r, v)
		}
		y, want := make([]T, nb*n), make([]T, nb*n)
		matTVecsOn(tier, 1, Matrix[T]{nb, n, y, n}, Matrix[T]{m, n, w, n}, Matrix[T]{nb, m, x, ldx})
		ref.MatTVecs(want, n, w, n, x, ldx, m, n, nb)
		sameSlice(t, fmt.Sprintf("m=%d n=%d nb=%d ldx=%d", m, n, nb, ldx), y, want)
	}
}
