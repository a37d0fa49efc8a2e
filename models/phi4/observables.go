package phi4

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// checkSamples reports a sample matrix the estimators cannot use.
func checkSamples(fn string, s kernels.Matrix[float64], chains int) error {
	switch {
	case s.Cols < 1:
		return fmt.Errorf("phi4: %s: samples have %d columns", fn, s.Cols)
	case chains < 1:
		return fmt.Errorf("phi4: %s: %d chains < 1", fn, chains)
	case s.Rows < 2*chains || s.Rows%chains != 0:
		return fmt.Errorf("phi4: %s: %d samples do not make %d chains of >= 2 equal lengths", fn, s.Rows, chains)
	case s.Stride < s.Cols || len(s.Data) < (s.Rows-1)*s.Stride+s.Cols:
		return fmt.Errorf("phi4: %s: samples %dx%d with Stride %d do not fit len(Data) = %d", fn, s.Rows, s.Cols, s.Stride, len(s.Data))
	}
	for i := range s.Rows {
		for j, x := range s.Data[i*s.Stride : i*s.Stride+s.Cols] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("phi4: %s: sample %d, site %d is %v", fn, i, j, x)
			}
		}
	}
	return nil
}

// Magnetization returns m = M/V = (1/V) sum_x phi_x of every row of
// samples.
func Magnetization(samples kernels.Matrix[float64]) []float64 {
	m := make([]float64, samples.Rows)
	for i := range m {
		m[i] = kernels.Sum(samples.Data[i*samples.Stride:i*samples.Stride+samples.Cols]) / float64(samples.Cols)
	}
	return m
}

// Observables are the standard estimates of a run; m = M/V is the
// magnetisation per site of one configuration, V the number of columns.
type Observables struct {
	M    Estimate // <m>
	AbsM Estimate // <|m|>
	// Chi is the susceptibility V (<m^2> - <|m|>^2): with |m| instead of m,
	// so that it measures the fluctuations within one of the two sectors
	// of the broken phase rather than the distance between them; in the
	// symmetric phase on large lattices it tends to V <m^2>.
	Chi Estimate
	// Binder is the cumulant U = 1 - <M^4>/(3 <M^2>^2): 0 for a Gaussian
	// m, 2/3 for m = +-const.
	Binder Estimate
	Phi2   Estimate // <phi_x^2>, averaged over the sites
}

// Measure estimates the Observables from samples (rows; chains chains of
// equal length, chain-major, as Run.Samples), each with its error bar by
// the Gamma method. It reports an error for an unusable sample matrix.
func Measure(samples kernels.Matrix[float64], chains int) (Observables, error) {
	if err := checkSamples("Measure", samples, chains); err != nil {
		return Observables{}, err
	}
	n, v := samples.Rows, samples.Cols
	m := Magnetization(samples)
	abs, m2, m4, p2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, x := range m {
		abs[i] = math.Abs(x)
		m2[i] = x * x
		m4[i] = m2[i] * m2[i]
		row := samples.Data[i*samples.Stride : i*samples.Stride+v]
		p2[i] = kernels.Dot(row, row) / float64(v)
	}
	var o Observables
	var err error
	fv := float64(v)
	steps := []struct {
		e    *Estimate
		prim [][]float64
		f    func(a []float64) float64
	}{
		{&o.M, [][]float64{m}, func(a []float64) float64 { return a[0] }},
		{&o.AbsM, [][]float64{abs}, func(a []float64) float64 { return a[0] }},
		{&o.Chi, [][]float64{m2, abs}, func(a []float64) float64 { return fv * (a[0] - a[1]*a[1]) }},
		{&o.Binder, [][]float64{m4, m2}, func(a []float64) float64 { return 1 - a[0]/(3*a[1]*a[1]) }},
		{&o.Phi2, [][]float64{p2}, func(a []float64) float64 { return a[0] }},
	}
	for _, s := range steps {
		if *s.e, err = GammaFunc(s.prim, chains, s.f); err != nil {
			return Observables{}, err
		}
	}
	return o, nil
}

// shifts returns the table t[r*V + x] = the site x + r (periodic), r and
// x site indices.
func (th *Theory) shifts() []int {
	v := th.v
	t := make([]int, v*v)
	for r := range v {
		cr := th.coords(r)
		for x := range v {
			cx := th.coords(x)
			var c [2]int
			for mu, l := range th.shape {
				c[mu] = (cx[mu] + cr[mu]) % l
			}
			t[r*v+x] = th.index(c)
		}
	}
	return t
}

// TwoPoint estimates the connected two-point function averaged over
// translations,
//
//	G(r) = (1/V) sum_x <phi_x phi_{x+r}> - <m>^2,
//
// for every displacement r (indexed by its site, row-major as the
// lattice), with the Gamma method's error bars.
func (th *Theory) TwoPoint(samples kernels.Matrix[float64], chains int) ([]Estimate, error) {
	if err := th.checkBatch("TwoPoint", "samples", samples); err != nil {
		return nil, err
	}
	if err := checkSamples("TwoPoint", samples, chains); err != nil {
		return nil, err
	}
	n, v := samples.Rows, th.v
	m := Magnetization(samples)
	tab := th.shifts()
	g := make([]float64, n)
	out := make([]Estimate, v)
	f := func(a []float64) float64 { return a[0] - a[1]*a[1] }
	for r := range v {
		sh := tab[r*v : (r+1)*v]
		for i := range n {
			row := samples.Data[i*samples.Stride : i*samples.Stride+v]
			var s float64
			for x, y := range sh {
				s += row[x] * row[y]
			}
			g[i] = s / float64(v)
		}
		var err error
		if out[r], err = GammaFunc([][]float64{g, m}, chains, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TimeSlice estimates the zero-momentum correlator along dimension 0,
//
//	C(t) = sum_s G((t, s)) = (1/V) sum_t0 <Phi(t0) Phi(t0+t)> - L1 <m>^2,
//
// Phi(t0) = sum_s phi_(t0,s) the time slice's sum, for t = 0 .. L0-1. In 1D
// (L1 = 1) it is G itself.
func (th *Theory) TimeSlice(samples kernels.Matrix[float64], chains int) ([]Estimate, error) {
	if err := th.checkBatch("TimeSlice", "samples", samples); err != nil {
		return nil, err
	}
	if err := checkSamples("TimeSlice", samples, chains); err != nil {
		return nil, err
	}
	l0 := th.shape[0]
	l1 := th.v / l0
	n := samples.Rows
	m := Magnetization(samples)
	slices := make([]float64, n*l0)
	for i := range n {
		row := samples.Data[i*samples.Stride : i*samples.Stride+th.v]
		for t := range l0 {
			slices[i*l0+t] = kernels.Sum(row[t*l1 : (t+1)*l1])
		}
	}
	c := make([]float64, n)
	out := make([]Estimate, l0)
	f := func(a []float64) float64 { return a[0] - float64(l1)*a[1]*a[1] }
	for t := range l0 {
		for i := range n {
			ph := slices[i*l0 : (i+1)*l0]
			var s float64
			for t0 := range l0 {
				s += ph[t0] * ph[(t0+t)%l0]
			}
			c[i] = s / float64(th.v)
		}
		var err error
		if out[t], err = GammaFunc([][]float64{c, m}, chains, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}
