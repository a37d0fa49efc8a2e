package kernels

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

func TestMatrixConvertsFromGonum(t *testing.T) {
	d := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	m := Matrix[float64](d.RawMatrix())
	if m.Rows != 2 || m.Cols != 3 || m.Stride != 3 || &m.Data[0] != &d.RawMatrix().Data[0] {
		t.Fatalf("conversion lost the view: %+v", m)
	}
	_ = blas64.General(m) // and back
}

func TestMatrixCheck(t *testing.T) {
	cases := []struct {
		m    Matrix[float64]
		want string
	}{
		{Matrix[float64]{Rows: -1, Cols: 2, Stride: 2}, "negative size"},
		{Matrix[float64]{Rows: 2, Cols: 3, Stride: 2, Data: make([]float64, 6)}, "Stride 2"},
		{Matrix[float64]{Rows: 2, Cols: 3, Stride: 4, Data: make([]float64, 6)}, "needs len(Data) >= 7, has 6"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, c.want) || !strings.Contains(msg, "w") {
					t.Errorf("%+v: panic %q, want it to contain %q", c.m, msg, c.want)
				}
			}()
			c.m.check("Test", "w")
		}()
	}
	Matrix[float64]{Rows: 0, Cols: 0, Stride: 1}.check("Test", "w") // empty is valid
	Matrix[float64]{Rows: 2, Cols: 3, Stride: 4, Data: make([]float64, 7)}.check("Test", "w")
}
