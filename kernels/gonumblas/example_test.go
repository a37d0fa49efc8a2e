package gonumblas_test

import (
	"fmt"

	"github.com/flowkern/flowkern/kernels/gonumblas"
	"gonum.org/v1/gonum/blas/blas32"
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

// Use installs the drop-in where the kernels run (a SIMD tier) and gonum's
// own implementation where they would not (the generic tier).
func ExampleUse() {
	p64, p32 := blas64.Implementation(), blas32.Implementation()
	defer func() { blas64.Use(p64); blas32.Use(p32) }() // only for this example

	gonumblas.Use()
	x := []float64{1, 2, 3}
	fmt.Println(blas64.Implementation().Ddot(3, x, 1, x, 1))
	// Output:
	// 14
}
