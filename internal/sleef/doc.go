// Package sleef calls SLEEF's 1.0-ulp (u10) vector functions through cgo,
// as the benchmark peer of the vector math kernels: Debian's libsleef-dev,
// its AVX-512F and AVX2 variants, one cgo call per slice. Without the sleef
// build tag (and cgo, on amd64) it is empty: Available is false.
package sleef
