// Package phi4 is lattice phi^4 theory as reference data for learning
// interacting theories (issue 15): the action and its force, the true
// interaction coefficients, two deterministic samplers and the standard
// observables with autocorrelation-corrected error bars.
//
// Map of the exports:
//
//   - New builds a Theory: shape (D = 1 or 2 periodic extents, sites
//     row-major), m2 and lambda, in the convention of Albergo, Kanwar and
//     Shanahan (2019); Theory.Action and Theory.Force evaluate S and dS/dphi
//     on a batch of configurations (rows of a kernels.Matrix).
//   - Theory.A2 and Theory.A4Diag are the true coefficients of
//     S(x) = x^T A2 x + sum_x A4_xxxx x_x^4 (A0 = A1 = A3 = 0): what a
//     learned action's coefficients are compared with.
//     Theory.FreePropagator is the exact two-point function at lambda = 0.
//   - Theory.HMC (Hybrid Monte Carlo) and Theory.Metropolis (single-site)
//     run B chains together and return a Run: samples as rows (training
//     data), acceptance and divergent trajectories, in all and per chain,
//     and the chains that (almost) never accept (Run.Stuck, StuckError).
//     The same seed gives the same bits on every kernel tier and
//     architecture.
//   - Measure (magnetisation, |m|, susceptibility, Binder cumulant, <phi^2>),
//     Theory.TwoPoint (connected G(r)) and Theory.TimeSlice (zero-momentum
//     C(t)) estimate with error bars by Wolff's Gamma method, which Gamma
//     and GammaFunc expose for any observable.
//
// docs/theory/phi4.md derives the coefficients and records the checks.
package phi4
