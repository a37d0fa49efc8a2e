package lindiff

import (
	"errors"
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
	"gonum.org/v1/gonum/mat"
)

// FromRows copies rows (one sample per row) into an N x d matrix. It is an
// error if there are no rows, a row is empty, the rows have different
// lengths (ragged data), or a value is NaN or infinite.
func FromRows(rows [][]float64) (*mat.Dense, error) {
	if len(rows) == 0 {
		return nil, errors.New("lindiff: empty data (no rows)")
	}
	d := len(rows[0])
	if d == 0 {
		return nil, errors.New("lindiff: empty data (row 0 has no columns)")
	}
	x := mat.NewDense(len(rows), d, nil)
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("lindiff: ragged data: row %d has %d columns, row 0 has %d", i, len(r), d)
		}
		if j := nonFinite(r); j >= 0 {
			return nil, fmt.Errorf("lindiff: data row %d, column %d is %v", i, j, r[j])
		}
		x.SetRow(i, r)
	}
	return x, nil
}

// nonFinite returns the index of the first NaN or infinite element of v,
// or -1.
func nonFinite(v []float64) int {
	for i, e := range v {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return i
		}
	}
	return -1
}

// checkData validates a data matrix (N x d, rows are samples) and returns
// its dimensions: not nil or empty, at least two samples (one sample has no
// covariance to learn), every value finite.
func checkData(x *mat.Dense) (n, d int, err error) {
	if x == nil || x.IsEmpty() {
		return 0, 0, errors.New("lindiff: empty data")
	}
	n, d = x.Dims()
	if n < 2 {
		return 0, 0, fmt.Errorf("lindiff: N = %d sample: need at least 2 for a covariance", n)
	}
	raw := x.RawMatrix()
	for i := range n {
		if j := nonFinite(raw.Data[i*raw.Stride : i*raw.Stride+d]); j >= 0 {
			return 0, 0, fmt.Errorf("lindiff: data row %d, column %d is %v", i, j, x.At(i, j))
		}
	}
	return n, d, nil
}

// Moments returns the empirical mean mu_0 = (1/N) sum_i x_i and covariance
// Sigma_0 = (1/N) sum_i (x_i - mu_0)(x_i - mu_0)^T of the rows of x, by two
// passes (the mean first, then the centred outer products through
// kernels.AddOuters, in blocks of rows). It is an error if x is empty, has
// one row, or holds NaN or Inf.
func Moments(x *mat.Dense) (mean []float64, cov *mat.SymDense, err error) {
	n, d, err := checkData(x)
	if err != nil {
		return nil, nil, err
	}
	raw := x.RawMatrix()
	mean = make([]float64, d)
	for i := range n {
		kernels.Axpy(1, raw.Data[i*raw.Stride:i*raw.Stride+d], mean)
	}
	kernels.Scale(1/float64(n), mean)

	const block = 256
	buf := make([]float64, min(n, block)*d)
	g := kernels.Matrix[float64]{Rows: d, Cols: d, Data: make([]float64, d*d), Stride: d}
	for i0 := 0; i0 < n; i0 += block {
		rows := min(block, n-i0)
		for r := range rows {
			row := buf[r*d : (r+1)*d]
			src := raw.Data[(i0+r)*raw.Stride : (i0+r)*raw.Stride+d]
			for j := range row {
				row[j] = src[j] - mean[j]
			}
		}
		c := kernels.Matrix[float64]{Rows: rows, Cols: d, Data: buf, Stride: d}
		kernels.AddOuters(g, nil, c, c)
	}
	cov = mat.NewSymDense(d, nil)
	inv := 1 / float64(n)
	for i := range d {
		for j := i; j < d; j++ {
			// The two triangles got the same products in another order;
			// their mean is symmetric by construction.
			cov.SetSym(i, j, (g.Data[i*d+j]+g.Data[j*d+i])*0.5*inv)
		}
	}
	return mean, cov, nil
}

// checkMoments validates a mean and covariance of the same dimension with
// finite values.
func checkMoments(fn string, mean []float64, cov *mat.SymDense) (int, error) {
	if len(mean) == 0 {
		return 0, fmt.Errorf("lindiff: %s: empty mean", fn)
	}
	if cov == nil || cov.IsEmpty() {
		return 0, fmt.Errorf("lindiff: %s: empty covariance", fn)
	}
	d := len(mean)
	if n := cov.SymmetricDim(); n != d {
		return 0, fmt.Errorf("lindiff: %s: mean has dimension %d, covariance %d", fn, d, n)
	}
	if j := nonFinite(mean); j >= 0 {
		return 0, fmt.Errorf("lindiff: %s: mean[%d] is %v", fn, j, mean[j])
	}
	for i := range d {
		for j := i; j < d; j++ {
			if v := cov.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("lindiff: %s: covariance[%d][%d] is %v", fn, i, j, v)
			}
		}
	}
	return d, nil
}
