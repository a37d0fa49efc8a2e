// Package kernels is flowkern's public API: SIMD kernels for generative
// models, generic over float32 and float64.
//
// Every call checks its shapes (a mismatch panics with a message naming the
// lengths, as gonum does), then runs the best tier this CPU supports: AVX-512,
// AVX2, NEON or pure Go. ISA reports the tier; the FLOWKERN_ISA environment
// variable caps it.
//
// The numerical contract: every tier returns bit-identical results (NaN
// payloads aside), because each kernel fixes one canonical operation order,
// stated in its doc comment and written out as a scalar loop in
// internal/ref. NaN and Inf propagate as IEEE arithmetic says; subnormals are
// computed, never flushed. No kernel allocates on the caller's goroutine,
// and none reads or writes outside the slices it is given.
//
// The matrix kernels (MatVecs, MatTVecs, AddOuters) split large calls
// across goroutines, up to GOMAXPROCS or the cap of SetMaxWorkers; they
// split outputs, never a reduction, so results do not depend on it. A
// parallel call allocates a few small objects.
package kernels

// Float is the element type of every kernel.
type Float interface{ float32 | float64 }
