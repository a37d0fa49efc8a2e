// Package openblas calls OpenBLAS through cgo, single-threaded, as a
// benchmark reference. Without the openblas build tag (and cgo) it is empty:
// Available is false.
package openblas
