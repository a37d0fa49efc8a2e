// Package gonumblas is a gonum BLAS implementation (blas.Float64 and
// blas.Float32) that runs flowkern's kernels where they fit and gonum's own
// implementation everywhere else. Installing it speeds up gonum/mat and
// gonum/lapack without changing a result beyond rounding:
//
//	blas64.Use(gonumblas.Implementation{})
//	blas32.Use(gonumblas.Implementation{})
//
// Accelerated: Ddot, Daxpy, Dscal, Dnrm2 and their float32 twins with unit
// increments (a strided Level 1 call is gonum's: no kernel fits it);
// Dgemv, Dger, Dgemm and their twins for every transpose, increment and
// leading dimension, on the batched kernels (kernels.MatVecs, MatTVecs,
// AddOuters) with a strided vector copied to scratch; Dsyrk and Ssyrk on
// the same kernels, by blocks of rows; Dtrmv, Dtrsv, Dtrmm, Dtrsm and their
// twins on the triangular kernels (kernels.TriMatVecs, TriSolveVecs).
// Every other routine is gonum's.
//
// Every routine checks its arguments as gonum does, in the same order, and
// panics with the same values, so a bad call fails the same way with either
// implementation. Quick returns and the special cases of alpha and beta are
// gonum's too: beta == 0 overwrites y or C without reading it, alpha == 0
// reads neither A nor x (nor B).
//
// Results differ from gonum's by rounding only: the kernels fuse multiply
// and add and sum in their own orders (see package kernels). With u the
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
// Where gonum differs from BLAS, this package follows BLAS: gonum's amd64
// assembly Dger and Sger skip a negative incY and start a negative incX out
// of bounds; gonum's pure-Go GemvT (Sgemv, and Dgemv off amd64) with beta
// == 0 and incY == 1 zeroes all of y, past its n elements too; gonum's
// Dsyrk with k == 0 and beta == 0 (Trans) multiplies C by zero, so its NaN
// stays; its Dgemm with alpha == 0 and beta != 1 multiplies A and B by zero, so their
// NaN and Inf can reach C; and its Dgemm skips a zero alpha*A[i][l]
// (NoTrans, NoTrans and Trans, NoTrans), so an Inf or NaN in B meets zero
// there without making NaN, which the kernels' full sums do make.
package gonumblas
