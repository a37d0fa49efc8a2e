// Package gonumblas is a gonum BLAS implementation (blas.Float64 and
// blas.Float32) that runs flowkern's kernels where they fit and gonum's own
// implementation everywhere else. Installing it speeds up gonum/mat and
// gonum/lapack without changing a result beyond rounding:
//
//	blas64.Use(gonumblas.Implementation{})
//	blas32.Use(gonumblas.Implementation{})
//
// or gonumblas.Use(), which installs gonum's own implementation instead on
// the generic tier (below).
//
// Accelerated, on the SIMD tiers (avx2, avx512, neon): Ddot, Daxpy, Dscal,
// Dnrm2 and their float32 twins with unit increments (a strided Level 1
// call is gonum's: no kernel fits it); Dgemv, Dger, Dgemm and their twins
// for every transpose, increment and leading dimension, on the batched
// kernels (kernels.MatVecs, MatTVecs, AddOuters) with a strided vector
// copied to scratch; Dsyrk and Ssyrk on the same kernels, by blocks of
// rows; Dtrsv, Dtrmm, Dtrsm and their twins on the triangular kernels
// (kernels.TriMatVecs, TriSolveVecs). Calls below a size limit per
// routine (route.go: from 24×24 to 128×128 elements for Level 2, n < 128
// or 256 for Level 1) are gonum's, as are Dtrmv and Strmv at every size:
// there the setup of a kernel call costs more than gonum takes, and LAPACK
// at small n makes thousands of such calls. Every other routine is gonum's.
//
// On the generic tier (FLOWKERN_ISA=generic, a CPU without AVX2 and FMA,
// a purego build, an architecture without a SIMD tier) every routine is
// gonum's but Dnrm2 and Snrm2: the kernels are pure Go there, and gonum's
// own code (assembly on amd64 whatever the build tags) is faster. Dnrm2
// keeps the kernels' pure-Go Dot (up to 8 elements, the same sum computed
// in place), which beats gonum's scaled loop (1.0-2.9x, float32 1.2-6.5x).
//
// A call this package leaves to gonum still costs a little more than under
// plain gonum, and that part cannot be removed (Use avoids it on the
// generic tier by installing gonum itself). An interface call of a
// value method runs a compiler-made pointer wrapper, which calls the
// method; gonum's own calls pay the same wrapper. The Level 1 methods
// (Ddot, Daxpy, Dscal and twins) are one indirect call through a table,
// small enough to be inlined into that wrapper, so below their size limits
// (route.go) they run gonum's frames plus one load and an indirect call:
// 0.90-1.04x gonum (medians) on the generic tier at n = 4-64, where they
// were 0.82-0.93x. Past the limits on the generic tier they pass one
// routing function more: 0.92-0.96x at n = 256, 0.97-0.99x at 1024, level
// beyond. The Level 2 and 3 methods do not fit the budget (a bare call of
// gonum's Dgemv costs 70 of its 80, and they route on more than a size:
// Dgemv's y cut, Dger's negative increments, the triangular orders), so
// each of their calls pays one frame more than gonum: BenchmarkFrame
// measures the same for a method that only calls gonum's (1-2 ns:
// 0.87-0.91x at Dgemv 4×4, 0.95-0.97x at 16×16, noise from 64×64).
//
// Bit-identity across tiers (the kernels' contract) therefore holds for a
// call only where every tier runs the same code:
//
//   - Dnrm2 and Snrm2 (unit increment, n >= 2, a sum of squares within
//     range) give the same bits on every tier and architecture; so do Dscal
//     and Sscal, whose one rounded product per element is gonum's too.
//   - A call the kernels run on a SIMD tier gives the same bits on avx2,
//     avx512 and neon; on generic it gives gonum's bits, which differ.
//   - A call that goes to gonum (small, strided Level 1, Dtrmv) gives the
//     same bits on avx2, avx512 and generic of one amd64 build, but gonum's
//     arm64 code (pure Go, with fused multiply-adds) gives others than its
//     amd64 assembly: across architectures it agrees only within rounding.
//
// Results always agree within the bounds below.
//
// Every routine checks its arguments as gonum does, in the same order, and
// panics with the same values, so a bad call fails the same way with either
// implementation. Quick returns and the special cases of alpha and beta are
// gonum's too: beta == 0 overwrites y or C without reading it, alpha == 0
// reads neither A nor x (nor B).
//
// Results differ from gonum's by rounding only: the kernels fuse multiply
// and add and sum in their own orders (see package kernels). For the calls
// the kernels run, with u the
// unit roundoff (2^-53, 2^-24) and gamma(d) = d*u/(1-d*u), each result r
// of a sum of products computed here satisfies
//
//	|r - exact| <= gamma(d) * S
//
// where S is the same sum over absolute values (alpha, beta and y or C
// included) and d is the longest chain of roundings a term passes through:
//
//	Ddot:          ceil(n/32) + 5          float32: ceil(n/64) + 6
//	Daxpy:         1                       (fused)
//	Dscal:         1                       (bit-identical to gonum)
//	Dgemv NoTrans: ceil(n/8) + 3 + 2       float32: ceil(n/16) + 4 + 2
//	Dgemv Trans:   m + 1                   beta*y, alpha*x[i], m fused updates
//	Dger:          2                       alpha*x[i], one fused update
//	Dgemm:         k + 1                   NoTrans, Trans: ceil(k/8) + 3 + 1
//	                                       (float32 ceil(k/16) + 4 + 1)
//
// Dnrm2 has relative error at most gamma(ceil(n/32) + 5)/2 + u (float32:
// ceil(n/64) + 6): it sums the squares with the dot kernel when that sum is
// safe from overflow and underflow, and runs gonum's scaled algorithm
// otherwise (Inf and NaN included).
//
// Gonum's own results meet such bounds with d = k + 2 for a sum of k
// products, so the two implementations differ by at most the sum of their
// bounds; the tests check exactly that.
//
// Where gonum differs from BLAS, this package follows BLAS, on every tier
// (those calls go to gonum only with arguments it handles as BLAS does, or
// to the kernels): gonum's amd64
// assembly Dger and Sger skip a negative incY and start a negative incX out
// of bounds; gonum's pure-Go GemvT (Sgemv, and Dgemv off amd64) with beta
// == 0 and incY == 1 zeroes all of y, past its n elements too; gonum's
// Dsyrk with beta == 0 (Trans, Lower, any k) multiplies C by zero, so its NaN
// stays; its Dgemm with alpha == 0 and beta != 1 multiplies A and B by zero, so their
// NaN and Inf can reach C; and its Dgemm skips a zero alpha*A[i][l]
// (NoTrans, NoTrans and Trans, NoTrans), so an Inf or NaN in B meets zero
// there without making NaN, which the kernels' full sums do make (on the
// generic tier Dgemm is gonum's, skips included; so are the small Dtrmm
// and Dtrsm calls of the SIMD tiers, which skip zero elements of B).
//
// The speed of every routine against gonum's, per tier and size, is
// measured by BenchmarkRoutines and BenchmarkLapack (routines_bench_test.go;
// docs/perf-notes.md has a run).
package gonumblas
