//go:build (amd64 || arm64) && !purego && !noasm

package asm

import "math/bits"

// The bounds checks of the generated entry points (checked_<arch>.go): the
// manifest's preconditions call them.

// The helpers take the fast path when every operand is below 2^31, where
// no product overflows; they divide (tens of cycles) only otherwise.

// fits reports whether the elements i*ld + j, i < rows, j < cols, all
// lie in [0, n): true when rows or cols is 0, false for a negative count
// or stride.
func fits(n, rows, ld, cols int) bool {
	if uint(rows)|uint(ld)|uint(cols) < 1<<31 {
		return rows == 0 || cols == 0 || (rows-1)*ld+cols <= n
	}
	switch {
	case rows < 0 || cols < 0 || ld < 0:
		return false
	case rows == 0 || cols == 0:
		return true
	case cols > n:
		return false
	}
	return rows == 1 || ld <= (n-cols)/(rows-1)
}

// within reports whether the elements off + i*ld + j, i < outer, j <
// inner (both >= 1), all lie in [0, n); ld may be negative.
func within(n, off, ld, outer, inner int) bool {
	if outer < 1 || inner < 1 || off < 0 || off > n || inner > n-off {
		return false
	}
	if outer == 1 {
		return true
	}
	if uint(outer)|uint(off)|uint(n) < 1<<31 && ld > -(1<<31) && ld < 1<<31 {
		end := off + (outer-1)*ld
		return end >= 0 && end+inner <= n
	}
	if ld >= 0 {
		return ld <= (n-off-inner)/(outer-1)
	}
	return ld >= -n && -ld <= off/(outer-1)
}

// matVecsArgs reports whether MatVecs stays inside its slices: y rows of
// m outputs, w rows and x rows of n, bias empty or m long, and unless
// whole (first && last) lanes of m*nb*mvl.
func matVecsArgs(ny, ldy, nw, ldw, nx, ldx, nbias, m, nb, n, nlanes, mvl int, whole bool) bool {
	if uint(m)|uint(nb)|uint(n)|uint(ldy)|uint(ldw)|uint(ldx) < 1<<20 {
		// No product overflows; a count of 0 leaves a slice unread.
		return (m == 0 || nb == 0 || (nb-1)*ldy+m <= ny) &&
			(m == 0 || n == 0 || (m-1)*ldw+n <= nw) &&
			(nb == 0 || n == 0 || (nb-1)*ldx+n <= nx) &&
			(nbias == 0 || nbias >= m) && (whole || m*nb*mvl <= nlanes)
	}
	return m >= 0 && nb >= 0 && n >= 0 && fits(ny, nb, ldy, m) && fits(nw, m, ldw, n) && fits(nx, nb, ldx, n) &&
		(nbias == 0 || nbias >= m) && (whole || m == 0 || nb == 0 || nb <= nlanes/mvl/m)
}

// outerArgs reports whether Outer stays inside its slices: c rows of
// cols, a[r*lda + kk*inca], and B in panels of pw columns,
// b[(j/pw)*ldp + kk*ldb + j%pw], for r < rows, j < cols, kk < k.
func outerArgs(nc, ldc, na, lda, inca, nb, ldb, ldp, rows, cols, k, pw int) bool {
	if uint(rows)|uint(cols)|uint(k)|uint(ldc)|uint(lda)|uint(inca)|uint(ldb)|uint(ldp) < 1<<20 {
		// Nothing is read or written without rows; a is read even
		// without columns.
		switch {
		case rows == 0:
			return true
		case cols > 0 && (rows-1)*ldc+cols > nc, k > 0 && (rows-1)*lda+(k-1)*inca >= na:
			return false
		case cols == 0 || k == 0:
			return true
		}
		// The last panel, partial or not. Every kernel's panel is a power
		// of two: a shift and a mask, where a division costs tens of cycles.
		last, at := (cols-1)>>bits.TrailingZeros(uint(pw)), (cols-1)&(pw-1)
		if pw&(pw-1) != 0 {
			last, at = (cols-1)/pw, (cols-1)%pw
		}
		far := last*ldp + at
		if last > 0 {
			far = max(far, (last-1)*ldp+pw-1) // the end of the panel before
		}
		return far+(k-1)*ldb < nb
	}
	if rows < 0 || cols < 0 || k < 0 || lda < 0 || inca < 0 || ldb < 0 || ldp < 0 || !fits(nc, rows, ldc, cols) {
		return false
	}
	if rows == 0 || k == 0 {
		return true
	}
	if !fits(na, rows, lda, 1) || !fits(na-(rows-1)*lda, k, inca, 1) {
		return false
	}
	if cols == 0 {
		return true
	}
	last := (cols - 1) / pw
	if !fits(nb, last+1, ldp, 1) {
		return false
	}
	far := last*ldp + (cols-1)%pw
	if last > 0 {
		far = max(far, (last-1)*ldp+pw-1)
	}
	return far < nb && fits(nb-far, k, ldb, 1)
}
