package main

import (
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/flowkern/flowkern/internal/dd"
)

// prec is the working precision of the linear algebra.
const prec = 256

func bf(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }

func bdd(a dd.DD) *big.Float { return new(big.Float).SetPrec(prec).Add(bf(a.Hi), bf(a.Lo)) }

// fit is one weighted minimax problem: find the polynomial P of the given
// degree minimising max over [a, b] of |w(x) (P(x) - g(x))|.
type fit struct {
	a, b   float64
	degree int
	g      func(x float64) dd.DD
	w      func(x float64) float64
}

// remez runs the exchange algorithm and returns the coefficients (constant
// first) and the final levelled error |E|.
func remez(f fit) ([]*big.Float, float64) {
	n := f.degree
	// Start from the Chebyshev extrema mapped to [a, b].
	ref := make([]float64, n+2)
	for i := range ref {
		c := -math.Cos(math.Pi * float64(i) / float64(n+1))
		ref[i] = f.a + (f.b-f.a)*(c+1)/2
	}
	grid := make([]float64, 20000)
	for i := range grid {
		c := -math.Cos(math.Pi * (float64(i) + 0.5) / float64(len(grid)))
		grid[i] = f.a + (f.b-f.a)*(c+1)/2
	}
	var coef []*big.Float
	var levelled float64
	for iter := 0; iter < 30; iter++ {
		coef, levelled = solve(f, ref)
		errAt := func(x float64) float64 { return f.w(x) * sub(evalDD(coef, x), f.g(x)) }
		// Split the grid into runs of equal sign and keep each run's extremum.
		type ext struct{ x, e float64 }
		var exts []ext
		for _, x := range grid {
			e := errAt(x)
			if len(exts) > 0 && (e > 0) == (exts[len(exts)-1].e > 0) {
				if math.Abs(e) > math.Abs(exts[len(exts)-1].e) {
					exts[len(exts)-1] = ext{x, e}
				}
				continue
			}
			exts = append(exts, ext{x, e})
		}
		// Keep n+2 alternating extrema: drop the smallest at either end
		// until the count is right.
		for len(exts) > n+2 {
			if math.Abs(exts[0].e) < math.Abs(exts[len(exts)-1].e) {
				exts = exts[1:]
			} else {
				exts = exts[:len(exts)-1]
			}
		}
		if len(exts) < n+2 {
			break // converged to the precision the grid resolves
		}
		maxE := 0.0
		for i := range exts {
			ref[i] = exts[i].x
			maxE = math.Max(maxE, math.Abs(exts[i].e))
		}
		sort.Float64s(ref)
		if maxE <= levelled*(1+1e-6) {
			break
		}
	}
	return coef, levelled
}

// solve finds P and E with w(x_i)(P(x_i) - g(x_i)) = (-1)^i E.
func solve(f fit, ref []float64) ([]*big.Float, float64) {
	m := len(ref)
	a := make([][]*big.Float, m)
	for i, x := range ref {
		row := make([]*big.Float, m+1)
		p := bf(1)
		bx := bf(x)
		for j := 0; j < m-1; j++ {
			row[j] = new(big.Float).Copy(p)
			p.Mul(p, bx)
		}
		s := 1.0
		if i%2 == 1 {
			s = -1
		}
		row[m-1] = bf(s / f.w(x))
		row[m] = bdd(f.g(x))
		a[i] = row
	}
	// Gaussian elimination with partial pivoting.
	for c := 0; c < m; c++ {
		piv := c
		for r := c + 1; r < m; r++ {
			if new(big.Float).Abs(a[r][c]).Cmp(new(big.Float).Abs(a[piv][c])) > 0 {
				piv = r
			}
		}
		a[c], a[piv] = a[piv], a[c]
		for r := 0; r < m; r++ {
			if r == c || a[r][c].Sign() == 0 {
				continue
			}
			q := new(big.Float).SetPrec(prec).Quo(a[r][c], a[c][c])
			for k := c; k <= m; k++ {
				a[r][k].Sub(a[r][k], new(big.Float).SetPrec(prec).Mul(q, a[c][k]))
			}
		}
	}
	x := make([]*big.Float, m)
	for i := range x {
		x[i] = new(big.Float).SetPrec(prec).Quo(a[i][m], a[i][i])
	}
	e, _ := x[m-1].Float64()
	return x[:m-1], math.Abs(e)
}

// evalDD evaluates the polynomial at x in double-double.
func evalDD(coef []*big.Float, x float64) dd.DD {
	acc := dd.F(0)
	for j := len(coef) - 1; j >= 0; j-- {
		acc = dd.Add(dd.Mul(acc, dd.F(x)), toDD(coef[j]))
	}
	return acc
}

func toDD(b *big.Float) dd.DD {
	hi, _ := b.Float64()
	lo, _ := new(big.Float).Sub(b, bf(hi)).Float64()
	return dd.DD{Hi: hi, Lo: lo}
}

func sub(a, b dd.DD) float64 { return dd.Sub(a, b).Float() }

// rounded returns the coefficients rounded to float64 or float32 and the
// weighted error of the rounded polynomial, evaluated exactly, on a grid.
func rounded(f fit, coef []*big.Float, single bool) ([]float64, float64) {
	c := make([]float64, len(coef))
	for i, b := range coef {
		if single {
			v, _ := b.Float32()
			c[i] = float64(v)
		} else {
			c[i], _ = b.Float64()
		}
	}
	maxE := 0.0
	for i := 0; i <= 20000; i++ {
		x := f.a + (f.b-f.a)*float64(i)/20000
		if single {
			x = float64(float32(x))
		}
		acc := dd.F(0)
		for j := len(c) - 1; j >= 0; j-- {
			acc = dd.Add(dd.Mul(acc, dd.F(x)), dd.F(c[j]))
		}
		maxE = math.Max(maxE, math.Abs(f.w(x)*sub(acc, f.g(x))))
	}
	return c, maxE
}

func (f fit) String() string { return fmt.Sprintf("[%g, %g] degree %d", f.a, f.b, f.degree) }
