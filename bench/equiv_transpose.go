package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// Transpose in the equivalence run: random shapes (across the 4x4 blocks
// and the tiles) and strides; every element must be the copy of its
// source, bit for bit, and dst's gaps must keep their value. Copies are
// exact: the error column is 0 by construction.

func init() { equivSets = append(equivSets, transposeChecks) }

func transposeChecks() []equivCheck {
	runs := []string{"Transpose4"}
	return []equivCheck{
		{"Transpose", "float64", "exact", 0, transposeEquiv[float64], runs},
		{"Transpose", "float32", "exact", 0, transposeEquiv[float32], runs},
	}
}

func transposeEquiv[T ref.Float](r *rand.Rand) (string, float64) {
	rows, cols := r.IntN(40), r.IntN(40)
	if r.IntN(8) == 0 {
		rows, cols = r.IntN(300), r.IntN(300)
	}
	src := randMat[T](r, rows, cols)
	dst := randMat[T](r, cols, rows)
	d0 := append([]T(nil), dst.Data...)
	kernels.Transpose(dst, src)
	for i := range dst.Data {
		row, col := i/max(1, dst.Stride), i%max(1, dst.Stride)
		want := d0[i]
		if col < dst.Cols {
			want = src.Data[col*src.Stride+row]
		}
		if !testkit.Same(dst.Data[i], want) {
			return fmt.Sprintf("%dx%d: dst[%d][%d] = %v, want %v", rows, cols, row, col, dst.Data[i], want), 0
		}
	}
	return "", 0
}
