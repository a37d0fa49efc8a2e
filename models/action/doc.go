// Package action reads the learned action of a model as a polynomial: the
// interaction coefficients of issue 15 (Merger et al., PRX 13, 041033
// (2023)).
//
// The action of a flow is S(x) = -log p(x). Expanded at a point x0 (the
// origin by default),
//
//	S(x0 + y) = A0 + A1_i y_i + A2_ij y_i y_j + A3_ijk y_i y_j y_k + A4_ijkl y_i y_j y_k y_l + ...
//
// with symmetric tensors A_k = (1/k!) d^k S (models/phi4's convention: for
// lattice phi^4, A2 is its Theory.A2 and A4_xxxx = lambda).
//
//   - Coefficients(f, x0, K) expands a flow (models/flow) to order K;
//     Expand does the same for any Model (something that computes the
//     Taylor coefficients of its action along a batch of directions).
//   - Expansion holds A0, A1, the full A2 (d x d) and the diagonal of every
//     order (A4Diag); A3, A4, Entry and Entries compute any other entry on
//     demand; Full returns a whole tensor in packed symmetric storage (Sym)
//     for small d; Along gives the raw directional coefficients.
//   - PolyNet is a polynomial network, linear layers and additive couplings
//     with a quadratic conditioner, whose action is an exact polynomial;
//     its Rules compose the coefficients layer by layer (docs/theory/action.md).
//
// Method: the coefficients of t^k of S(x0 + t u) are A_k[u, ..., u]; they
// come from truncated Taylor arithmetic (package jet, flow.LogProbJet)
// through every layer, exactly up to rounding, for a batch of directions
// at once; the tensor entries are recovered from them by polarization.
package action
