package gonumblas

import "github.com/flowkern/flowkern/kernels"

// Small calls on the SIMD tiers go to gonum too: below these sizes the
// setup of a kernel call (shape and overlap checks, scratch, lane buffers)
// costs more than gonum's assembly or loops take for the whole call, and
// LAPACK at small n makes many such calls (the short vectors of
// Householder reflections and of recursive LU panels). The limits are the
// sizes where gonum/ours crossed 1 on AVX-512 and AVX2, in both
// precisions (BenchmarkRoutines; docs/perf-notes.md), rounded up. They are
// the same on every tier, so that the SIMD tiers keep agreeing bit for bit
// with each other.

func is32[T kernels.Float]() bool {
	_, ok := any(T(0)).(float32)
	return ok
}

// The Level 1 limits are powers of two, 1<<shift, so that the inlined
// methods of level1.go route by a shift (see there).
const (
	dotShift64  = 7 // Ddot and Daxpy: n < 128
	dotShift32  = 8 // Sdot and Saxpy: n < 256
	scalShift64 = 7 // Dscal: n < 128 (bit-identical to gonum's either way)
	scalShift32 = 5 // Sscal: n < 32
)

// smallGemv: Dgemv and Sgemv of an m×n matrix.
func smallGemv[T kernels.Float](trans bool, m, n int) bool {
	switch {
	case is32[T]():
		return m*n < 24*24
	case trans:
		return m*n < 48*48
	}
	return m*n < 32*32
}

// smallGer: Dger and Sger (AVX2 needs 128×128 to gain).
func smallGer(m, n int) bool { return m*n < 128*128 }

// smallTrsv: Dtrsv and Strsv of order n. (Dtrmv and Strmv always go to
// gonum: a batch of one runs the triangular kernel's row form, which lost
// to gonum at every size, 0.25-0.75x.)
func smallTrsv(n int) bool { return n < 64 }

// smallSyrk: Dsyrk and Ssyrk, C n×n, k the inner size.
func smallSyrk(n, k int) bool { return n*n*k < 16*16*16 }

// smallTrmm: Dtrmm and Strmm of B m×n and A of order k.
func smallTrmm[T kernels.Float](m, n, k int) bool {
	if is32[T]() {
		return m*n*k < 48*48*48
	}
	return m*n*k < 32*32*32
}

// smallTrsm: Dtrsm and Strsm.
func smallTrsm(m, n, k int) bool { return m*n*k < 16*16*16 }
