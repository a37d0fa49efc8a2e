package lindiff

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"

	"gonum.org/v1/gonum/mat"
)

// SampleModes draws n samples from the exact model without forming any
// W_t: the reverse chain of a model diagonal in the eigenbasis U of
// Sigma_0 runs mode by mode on v = U^T u,
//
//	v_{t-1,k} = (c1 - c2 w_{t,k}) v_{t,k} + c2 a_t w_{t,k} (U^T mu_0)_k + sigma_t z_k,
//
// with v_T ~ N(0, I) (U is orthogonal, so U^T u_T is standard normal too),
// and the samples are u_0 = U v_0: O(T n d) plus one n x d x d product. For
// d = 784 and T = 1000 the dense sampler would need T d^2 numbers (4.9 GB).
// The samples have the distribution of Sample on e.Dense() (Learned), not
// the same bits: the noise enters in the eigenbasis. Sample i draws from
// stream kernels.NewNormal(opt.Seed, i), so it does not depend on n.
func (e *Exact) SampleModes(n int, opt SampleOptions) (*mat.Dense, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("lindiff: SampleModes: %d samples", n)
	}
	d, s := e.D, e.Sched
	v := mat.NewDense(n, d, nil)
	raw := v.RawMatrix()
	z := make([]float64, d)
	for i := range n {
		g := kernels.NewNormal(opt.Seed, uint64(i))
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		g.Fill(row)
		for t := s.T; t >= 1; t-- {
			c1, c2 := stepCoefs(s, t)
			sig := math.Sqrt(opt.sigma2(s, t))
			a := s.SqrtAlphaBar[t-1]
			w := e.Modes(t)
			if sig != 0 {
				g.Fill(z)
			}
			ca := c2 * a
			// Explicit FMAs: the compiler may not fuse on one architecture
			// and not on another, and the samples must not depend on it.
			for k := range row {
				f := math.FMA(-c2, w[k], c1)
				row[k] = math.FMA(f, row[k], math.FMA(ca*w[k], e.meanU[k], sig*z[k]))
			}
		}
	}
	var u mat.Dense
	u.Mul(v, e.U.T())
	return &u, nil
}
