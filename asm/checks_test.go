//go:build (amd64 || arm64) && !purego && !noasm

package asm

import "testing"

// outerReach is outerArgs by enumeration: every element Outer reads or
// writes lies inside its slice.
func outerReach(nc, ldc, na, lda, inca, nb, ldb, ldp, rows, cols, k, pw int) bool {
	for r := range rows {
		for j := range cols {
			if r*ldc+j >= nc {
				return false
			}
		}
		for kk := range k {
			if r*lda+kk*inca >= na {
				return false
			}
		}
	}
	for j := 0; rows > 0 && j < cols; j++ {
		for kk := range k {
			if (j/pw)*ldp+kk*ldb+j%pw >= nb {
				return false
			}
		}
	}
	return true
}

// TestOuterArgsExact checks outerArgs against the enumeration on small
// shapes, for panels of a power of two (its shifts) and of three (its
// divisions), with slices one element short of, at and past the reach.
func TestOuterArgsExact(t *testing.T) {
	n := 0
	for _, pw := range []int{1, 2, 3, 4, 8} {
		for rows := range 3 {
			for cols := range 2*pw + 2 {
				for k := range 3 {
					for _, ld := range []int{pw, 2*pw + 1} { // ldc, lda, ldp
						for _, inca := range []int{0, 1, 3} {
							for _, ldb := range []int{pw, 5} {
								for slack := -1; slack <= 1; slack++ {
									nc := max(0, (rows-1)*ld+cols+slack)
									na := max(0, (rows-1)*ld+(k-1)*inca+1+slack)
									nb := max(0, (cols-1)/pw*ld+(k-1)*ldb+pw+slack)
									for _, sizes := range [][3]int{{nc, na + 2, nb + 9}, {nc + 9, na, nb + 9}, {nc + 9, na + 9, nb}} {
										got := outerArgs(sizes[0], ld, sizes[1], ld, inca, sizes[2], ldb, ld, rows, cols, k, pw)
										want := outerReach(sizes[0], ld, sizes[1], ld, inca, sizes[2], ldb, ld, rows, cols, k, pw)
										if got != want {
											t.Fatalf("outerArgs(nc %d, ld %d, na %d, inca %d, nb %d, ldb %d, rows %d, cols %d, k %d, pw %d) = %v, enumeration says %v",
												sizes[0], ld, sizes[1], inca, sizes[2], ldb, rows, cols, k, pw, got, want)
										}
										n++
									}
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases", n)
}
