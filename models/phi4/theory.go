package phi4

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// maxSites bounds the lattice volume New accepts (A2 alone is V^2 doubles).
const maxSites = 1 << 20

// Theory is lattice phi^4 on a periodic lattice of 1 or 2 dimensions, in
// the convention of Albergo, Kanwar and Shanahan (2019):
//
//	S(phi) = sum_x [ sum_mu (2 phi_x^2 - phi_x phi_{x+mu} - phi_x phi_{x-mu})
//	                 + m2 phi_x^2 + lambda phi_x^4 ].
//
// Sites are ordered row-major: in 2D the site (t, s) of a lattice of shape
// (L0, L1) is index t*L1 + s, and dimension 0 is "time" for TimeSlice. A
// direction of extent 1 contributes nothing to the kinetic term (x+mu =
// x-mu = x); one of extent 2 contributes 2 phi_x^2 - 2 phi_x phi_y with y
// the one other site, as the formula says term by term.
//
// A Theory is immutable after New and safe for concurrent use.
type Theory struct {
	shape      []int
	v          int     // sites
	m2, lambda float64 // couplings
	diag       float64 // A2_xx = 2 D' + m2, D' the directions of extent >= 2
	nn         int     // neighbour entries per site: 2 D'
	nbr        []int   // nbr[x*nn : (x+1)*nn]: x+mu, x-mu for each direction of extent >= 2
}

// New returns the theory on a lattice of the given shape (1 or 2 extents,
// each >= 1) with couplings m2 and lambda. It reports an error for a bad
// shape, non-finite couplings, lambda < 0 (S unbounded below), and lambda
// = 0 with m2 <= 0 (the constant mode is then flat or unbounded: exp(-S)
// has no normalisation).
func New(shape []int, m2, lambda float64) (*Theory, error) {
	if len(shape) != 1 && len(shape) != 2 {
		return nil, fmt.Errorf("phi4: New: D = %d dimensions, want 1 or 2", len(shape))
	}
	v := 1
	for mu, l := range shape {
		if l < 1 {
			return nil, fmt.Errorf("phi4: New: lattice size %d < 1 in dimension %d", l, mu)
		}
		if l > maxSites || v*l > maxSites {
			return nil, fmt.Errorf("phi4: New: lattice %v has more than %d sites", shape, maxSites)
		}
		v *= l
	}
	switch {
	case math.IsNaN(m2) || math.IsInf(m2, 0):
		return nil, fmt.Errorf("phi4: New: m2 = %v is not finite", m2)
	case math.IsNaN(lambda) || math.IsInf(lambda, 0):
		return nil, fmt.Errorf("phi4: New: lambda = %v is not finite", lambda)
	case lambda < 0:
		return nil, fmt.Errorf("phi4: New: lambda = %v < 0: the action is unbounded below", lambda)
	case lambda == 0 && m2 <= 0:
		return nil, fmt.Errorf("phi4: New: lambda = 0 with m2 = %v <= 0: exp(-S) is not normalisable", m2)
	}
	th := &Theory{shape: append([]int(nil), shape...), v: v, m2: m2, lambda: lambda}
	var dirs []int // directions of extent >= 2
	for mu, l := range shape {
		if l >= 2 {
			dirs = append(dirs, mu)
		}
	}
	th.nn = 2 * len(dirs)
	th.diag = float64(2*len(dirs)) + m2
	th.nbr = make([]int, v*th.nn)
	for x := range v {
		c := th.coords(x)
		for j, mu := range dirs {
			l := shape[mu]
			up, down := c, c
			up[mu] = (c[mu] + 1) % l
			down[mu] = (c[mu] + l - 1) % l
			th.nbr[x*th.nn+2*j] = th.index(up)
			th.nbr[x*th.nn+2*j+1] = th.index(down)
		}
	}
	return th, nil
}

// coords returns the coordinates of site x (unused dimensions 0).
func (th *Theory) coords(x int) [2]int {
	if len(th.shape) == 1 {
		return [2]int{x, 0}
	}
	return [2]int{x / th.shape[1], x % th.shape[1]}
}

// index is the site of coordinates c.
func (th *Theory) index(c [2]int) int {
	if len(th.shape) == 1 {
		return c[0]
	}
	return c[0]*th.shape[1] + c[1]
}

// Dim returns the number of dimensions D.
func (th *Theory) Dim() int { return len(th.shape) }

// Shape returns a copy of the lattice extents.
func (th *Theory) Shape() []int { return append([]int(nil), th.shape...) }

// Sites returns the volume V, the number of variables of a configuration.
func (th *Theory) Sites() int { return th.v }

// M2 returns the mass coupling m^2.
func (th *Theory) M2() float64 { return th.m2 }

// Lambda returns the quartic coupling.
func (th *Theory) Lambda() float64 { return th.lambda }

// A2 returns the quadratic coefficients of S as a dense, symmetric V x V
// matrix in row-major order: x^T A2 x is the quadratic part of S(x). Its
// diagonal is 2 D' + m2 (D' the directions of extent >= 2); for each
// direction of extent >= 3 the two neighbours of a site get -1 each, for
// one of extent 2 the single neighbour gets -2, for one of extent 1
// nothing.
func (th *Theory) A2() []float64 {
	v := th.v
	a := make([]float64, v*v)
	for x := range v {
		a[x*v+x] = th.diag
		for _, y := range th.nbr[x*th.nn : (x+1)*th.nn] {
			a[x*v+y]--
		}
	}
	return a
}

// A4Diag returns the diagonal of the quartic coefficient tensor: A4_xxxx =
// lambda for every site x. All other entries of A4, and A0, A1 and A3, are
// zero.
func (th *Theory) A4Diag() []float64 {
	a := make([]float64, th.v)
	for i := range a {
		a[i] = th.lambda
	}
	return a
}

// FreePropagator returns the exact connected two-point function of the
// Gaussian theory with the same lattice and m2 (lambda is ignored),
// G(r) = <phi_x phi_{x+r}> = ((2 A2)^-1)_{x,x+r}, indexed by the site r of
// the displacement. By the Fourier sum over the lattice momenta p,
//
//	G(r) = (1/V) sum_p cos(p.r) / (2 (m2 + sum_mu 4 sin^2(p_mu/2))).
//
// It reports an error when m2 <= 0 (no Gaussian theory).
func (th *Theory) FreePropagator() ([]float64, error) {
	if th.m2 <= 0 {
		return nil, fmt.Errorf("phi4: FreePropagator: m2 = %v <= 0", th.m2)
	}
	g := make([]float64, th.v)
	for r := range th.v {
		cr := th.coords(r)
		var s float64
		for p := range th.v {
			cp := th.coords(p)
			den, phase := th.m2, 0.0
			for mu, l := range th.shape {
				k := 2 * math.Pi * float64(cp[mu]) / float64(l)
				sn := math.Sin(k / 2)
				den += 4 * sn * sn
				phase += k * float64(cr[mu])
			}
			s += math.Cos(phase) / (2 * den)
		}
		g[r] = s / float64(th.v)
	}
	return g, nil
}

// checkBatch reports a batch whose shape does not fit the theory.
func (th *Theory) checkBatch(fn, name string, m kernels.Matrix[float64]) error {
	switch {
	case m.Cols != th.v:
		return fmt.Errorf("phi4: %s: %s has %d columns, the lattice %d sites", fn, name, m.Cols, th.v)
	case m.Rows < 0:
		return fmt.Errorf("phi4: %s: %s has %d rows", fn, name, m.Rows)
	case m.Stride < max(1, m.Cols):
		return fmt.Errorf("phi4: %s: %s has Stride %d < Cols %d", fn, name, m.Stride, m.Cols)
	case m.Rows > 0 && len(m.Data) < (m.Rows-1)*m.Stride+m.Cols:
		return fmt.Errorf("phi4: %s: %s is %dx%d with Stride %d but len(Data) = %d",
			fn, name, m.Rows, m.Cols, m.Stride, len(m.Data))
	}
	return nil
}

// Action sets dst[i] = S(row i of phi). It reports an error if phi does
// not have V columns or len(dst) != phi.Rows.
func (th *Theory) Action(dst []float64, phi kernels.Matrix[float64]) error {
	if err := th.checkBatch("Action", "phi", phi); err != nil {
		return err
	}
	if len(dst) != phi.Rows {
		return fmt.Errorf("phi4: Action: len(dst) = %d, phi has %d rows", len(dst), phi.Rows)
	}
	k, cube, tmp := make([]float64, th.v), make([]float64, th.v), make([]float64, th.v)
	for i := range phi.Rows {
		row := phi.Data[i*phi.Stride : i*phi.Stride+th.v]
		th.kin(k, row)
		th.cube(cube, row)
		th.actions(dst[i:i+1], k, cube, row, tmp)
	}
	return nil
}

// Force sets each row of grad to the gradient dS/dphi of the same row of
// phi:
//
//	dS/dphi_x = sum_mu (4 phi_x - 2 phi_{x+mu} - 2 phi_{x-mu}) + 2 m2 phi_x + 4 lambda phi_x^3
//	          = 2 (A2 phi)_x + 4 lambda phi_x^3.
//
// grad and phi must have the same shape and must not overlap.
func (th *Theory) Force(grad, phi kernels.Matrix[float64]) error {
	if err := th.checkBatch("Force", "phi", phi); err != nil {
		return err
	}
	if err := th.checkBatch("Force", "grad", grad); err != nil {
		return err
	}
	if grad.Rows != phi.Rows {
		return fmt.Errorf("phi4: Force: grad has %d rows, phi %d", grad.Rows, phi.Rows)
	}
	k, cube := make([]float64, th.v), make([]float64, th.v)
	for i := range phi.Rows {
		row := phi.Data[i*phi.Stride : i*phi.Stride+th.v]
		g := grad.Data[i*grad.Stride : i*grad.Stride+th.v]
		th.kin(k, row)
		th.cube(cube, row)
		th.force(g, k, cube)
	}
	return nil
}

// The batched evaluation below works on contiguous batches: len(phi) is a
// multiple of V, one configuration per V elements, and every output has the
// length of its input. Its operation order is part of the samplers' bits.

// kin sets k = A2 phi for every configuration of the batch:
// k_x = diag*phi_x - sum_j (phi_{x+mu_j} + phi_{x-mu_j}), the pairs summed
// in direction order, each product rounded before the subtraction.
func (th *Theory) kin(k, phi []float64) {
	v, nn := th.v, th.nn
	for r := 0; r < len(phi); r += v {
		row, out := phi[r:r+v], k[r:r+v]
		for x := range v {
			nb := th.nbr[x*nn : x*nn+nn]
			var s float64
			for j := 0; j < nn; j += 2 {
				s += row[nb[j]] + row[nb[j+1]]
			}
			out[x] = float64(th.diag*row[x]) - s
		}
	}
}

// cube sets c = phi^3 element-wise, as (phi*phi)*phi.
func (th *Theory) cube(c, phi []float64) {
	kernels.Mul(c, phi, phi)
	kernels.Mul(c, c, phi)
}

// force sets g = 2 (k + 2 lambda c) = 2 A2 phi + 4 lambda phi^3 from
// k = A2 phi and c = phi^3 (one fused multiply-add, then an exact doubling).
func (th *Theory) force(g, k, c []float64) {
	copy(g, k)
	kernels.Axpy(2*th.lambda, c, g)
	kernels.Scale(2, g)
}

// actions sets s[i] = S of configuration i, phi . (k + lambda c) with
// k = A2 phi and c = phi^3, using tmp (the batch's length) as scratch.
func (th *Theory) actions(s, k, c, phi, tmp []float64) {
	v := th.v
	copy(tmp, k)
	kernels.Axpy(th.lambda, c, tmp)
	for i := range s {
		s[i] = kernels.Dot(phi[i*v:i*v+v], tmp[i*v:i*v+v])
	}
}
