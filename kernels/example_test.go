package kernels_test

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

func ExampleDot() {
	x := []float64{1, 2, 3}
	y := []float64{4, 5, 6}
	fmt.Println(kernels.Dot(x, y))
	fmt.Println(kernels.Dot([]float32{0.5, 0.25}, []float32{2, 4}))
	// Output:
	// 32
	// 2
}

func ExampleMatVecs() {
	// A dense layer y = W x + bias on a batch of two inputs (rows of x).
	w := kernels.Matrix[float64]{Rows: 2, Cols: 3, Stride: 3, Data: []float64{
		1, 0, -1,
		2, 1, 0,
	}}
	x := kernels.Matrix[float64]{Rows: 2, Cols: 3, Stride: 3, Data: []float64{
		1, 2, 3,
		4, 5, 6,
	}}
	y := kernels.Matrix[float64]{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 4)}
	kernels.MatVecs(y, w, x, []float64{0.5, -0.5})
	fmt.Println(y.Data[0:2], y.Data[2:4])
	// Output:
	// [-1.5 3.5] [-1.5 12.5]
}

func ExampleExp() {
	x := []float64{0, 1, -1, math.Inf(-1), math.Inf(1), math.NaN()}
	dst := make([]float64, len(x))
	kernels.Exp(dst, x)
	fmt.Printf("%.6f\n", dst)
	kernels.Exp(x, x) // in place
	fmt.Printf("%.6f\n", x[1])
	// Output:
	// [1.000000 2.718282 0.367879 0.000000 +Inf NaN]
	// 2.718282
}

func ExampleCouplingForward() {
	// An affine coupling on a batch of one row: y = x*exp(c(s)) + t with
	// the soft clamp c(s) = 2 tanh(s/2), and its inverse.
	row := func(v ...float64) kernels.Matrix[float64] {
		return kernels.Matrix[float64]{Rows: 1, Cols: len(v), Stride: len(v), Data: v}
	}
	x := row(1, -2, 3)
	s := row(0, 0.5, -1)
	t := row(0.1, 0.2, 0.3)
	clamp := kernels.Clamp{Kind: kernels.ClampTanh, A: 2}

	y := row(0, 0, 0)
	logdet := []float64{0}
	kernels.CouplingForward(y, x, s, t, logdet, clamp)
	fmt.Printf("y = %.4f, logdet = %.4f\n", y.Data, logdet[0])

	back := row(0, 0, 0)
	kernels.CouplingInverse(back, y, s, t, logdet, clamp)
	fmt.Printf("x = %.4f, logdet = %.4f\n", back.Data, logdet[0])
	// Output:
	// y = [1.1000 -3.0641 1.4905], logdet = -0.4344
	// x = [1.0000 -2.0000 3.0000], logdet = 0.0000
}
