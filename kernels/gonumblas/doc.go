// Package gonumblas is a gonum BLAS implementation (blas.Float64 and
// blas.Float32) that runs flowkern's kernels where they fit and gonum's own
// implementation everywhere else. Installing it speeds up gonum/mat and
// gonum/lapack without changing a result beyond rounding:
//
//	blas64.Use(gonumblas.Implementation{})
//	blas32.Use(gonumblas.Implementation{})
//
// Accelerated: Ddot, Daxpy, Dscal, Dnrm2 and their float32 twins with unit
// increments, Dgemv and Dger with any increments (a strided vector is
// copied). Dgemm and Sgemm are gonum's but for alpha == 0 or k == 0. Every
// other routine and every strided Level 1 call is gonum's.
//
// Every routine checks its arguments as gonum does, in the same order, and
// panics with the same values, so a bad call fails the same way with either
// implementation. Quick returns and the special cases of alpha and beta are
// gonum's too: beta == 0 overwrites y or C without reading it, alpha == 0
// does no multiplication by A, B or x.
//
// Results differ from gonum's by rounding only: the kernels fuse multiply
// and add and sum in their own order (see package kernels). With u the unit
// roundoff (2^-53, 2^-24) and gamma(k) = k*u/(1-k*u), each result r of a sum
// of products computed here satisfies
//
//	|r - exact| <= gamma(d) * S
//
// where S is the same sum over absolute values (alpha, beta and C or y
// included) and d is the longest chain of roundings a term passes through:
//
//	Ddot:          ceil(n/L) + log2(L)           L = 32 (float64), 64 (float32)
//	Dgemv NoTrans: ceil(n/L) + log2(L) + 2       alpha*dot + beta*y
//	Dgemv Trans:   m + 2                         beta*y, alpha*x[i], then fused updates
//	Dger:          2                             alpha*x[i], then one fused update
//	Daxpy:         1                             fused
//	Dscal:         exact as gonum (one product)
//	Dnrm2:         relative error gamma(ceil(n/L) + log2(L))/2 + u
//
// Gonum's own results meet the same bound
// with d = k + 2 (k the length of the sum), so the two implementations differ
// by at most the sum of their bounds; the tests check exactly that.
package gonumblas
