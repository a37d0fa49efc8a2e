package gonumblas_test

import (
	"fmt"

	"github.com/flowkern/flowkern/kernels/gonumblas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Installing the drop-in makes gonum/mat (and everything built on it) run
// its BLAS calls on flowkern's kernels.
func Example() {
	previous := blas64.Implementation()
	blas64.Use(gonumblas.Implementation{})
	defer blas64.Use(previous) // only for this example: a program installs it once

	a := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	b := mat.NewDense(3, 2, []float64{1, 0, 0, 1, 1, 1})
	var c mat.Dense
	c.Mul(a, b) // Dgemm on flowkern
	fmt.Printf("%v\n", mat.Formatted(&c))
	// Output:
	// ⎡ 4   5⎤
	// ⎣10  11⎦
}
