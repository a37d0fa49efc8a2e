// Package kernels is flowkern's public API: SIMD kernels for generative
// models, generic over float32 and float64.
//
// Every call checks its shapes (a mismatch panics with a message naming the
// lengths, as gonum does), then runs the best tier this CPU supports: AVX-512,
// AVX2, NEON or pure Go. ISA reports the tier (Generic, whether it is pure
// Go, at no cost); the FLOWKERN_ISA environment variable caps it.
//
// The numerical contract: every tier returns bit-identical results (NaN
// payloads aside), because each kernel fixes one canonical operation order,
// stated in its doc comment and written out as a scalar loop in
// internal/ref. NaN and Inf propagate as IEEE arithmetic says; subnormals are
// computed, never flushed. No kernel reads or writes outside the slices it
// is given.
//
// The matrix kernels (MatVecs, MatTVecs, AddOuters, AddOutersTri and the
// triangular products and solves) split large calls across
// goroutines, up to GOMAXPROCS or the cap of SetMaxWorkers; they split
// outputs, never a reduction, so results do not depend on it.
//
// Allocation: a call that stays on the caller's goroutine allocates
// nothing, for every kernel, tier and precision (TestNoAllocsEveryKernel);
// the scratch of the matrix and triangular kernels comes from
// sync.Pools, which allocate only when empty (the first calls, and after a
// garbage collection has emptied them). A call that splits across
// goroutines (from about 2^19 multiply-adds, when SetMaxWorkers and
// GOMAXPROCS allow two or more, and unless recent splits did not pay: see
// parallel.go) allocates a few small objects per split:
// 3 for MatVecs, MatTVecs and AddOuters (the job, its done channel and the
// work's closure), up to 4 for TriMatVecs, TriSolveVecs and their Diag
// forms, and for AddOutersTri 3 per block row of 64 whose off-diagonal
// part splits (at most 21 at n = 512) (TestParallelAllocs). The first split starts the helper goroutines; a
// split that finds them busy with another call starts goroutines of its
// own. Constructors (NewSplit, the Split makers) allocate their result.
package kernels

// Float is the element type of every kernel.
type Float interface{ float32 | float64 }
