package phi4

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/kernels"
)

// MetropolisOptions configure the local Metropolis sampler.
type MetropolisOptions struct {
	RunOptions
	// Delta > 0 is the half-width of the proposal: phi_x' is uniform in
	// [phi_x - Delta, phi_x + Delta).
	Delta float64
}

// Metropolis samples the theory by single-site Metropolis updates and
// returns perChain samples of each chain; one update (for Therm and Thin)
// is a sweep over the sites in index order.
//
// At site x the proposal phi' = phi_x + Delta (2u - 1) changes the action
// by
//
//	dS = (phi' - phi_x) [A2_xx (phi' + phi_x) - 2 n_x + lambda (phi' + phi_x)(phi'^2 + phi_x^2)]
//
// with n_x the sum of the neighbours as the action counts them (a
// neighbour of a direction of extent 2 twice, none of extent 1), and is
// accepted when a second uniform u' < exp(-dS). Each chain draws two
// uniforms per site from its stream; the B chains are updated site by site
// together, the exponentials of a site in one kernels.Exp over B values.
func (th *Theory) Metropolis(perChain int, o MetropolisOptions) (*Run, error) {
	if !(o.Delta > 0) || math.IsInf(o.Delta, 0) {
		return nil, fmt.Errorf("phi4: Metropolis: proposal width %v is not positive and finite", o.Delta)
	}
	cs, err := th.setup("Metropolis", perChain, &o.RunOptions)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(cs.b, cs.v, perChain, &o.RunOptions)
	b, v, nn := cs.b, cs.v, th.nn
	mds, prop, ua, prob := make([]float64, b), make([]float64, b), make([]float64, b), make([]float64, b)
	delta, diag, lambda := o.Delta, th.diag, th.lambda
	for it := range rec.total {
		for x := range v {
			nb := th.nbr[x*nn : x*nn+nn]
			for c := range b {
				row := cs.phi[c*v : (c+1)*v]
				var n float64
				for j := 0; j < nn; j += 2 {
					n += row[nb[j]] + row[nb[j+1]]
				}
				old := row[x]
				u := cs.unis[c].Uniform()
				nw := old + float64(delta*(float64(2*u)-1))
				s := nw + old
				q := float64(nw*nw) + float64(old*old)
				inner := float64(diag*s) - float64(2*n) + float64(lambda*float64(s*q))
				mds[c] = -float64((nw - old) * inner)
				prop[c] = nw
				ua[c] = cs.unis[c].Uniform()
			}
			kernels.Exp(prob, mds)
			for c := range b {
				if ua[c] < prob[c] {
					cs.phi[c*v+x] = prop[c]
					if rec.measuring(it) {
						rec.run.Accepted++
						rec.run.ChainAccepted[c]++
					}
				}
			}
			if rec.measuring(it) {
				rec.run.Proposed += int64(b)
			}
		}
		rec.after(it, cs)
	}
	rec.run.flagStuck()
	return rec.run, nil
}
