// Package flow is normalizing flows on flowkern's kernels: NICE, RealNVP
// and Glow layers with exact log-likelihood, sampling, maximum-likelihood
// training and a model file.
//
// Direction: Forward maps data x to latent z and returns log|det dz/dx|
// per sample (as nflows, FrEIA, zuko and openai/glow do; normflows calls
// this direction "inverse"); Inverse maps z to x and is how Sample draws.
// LogProb(x) = log N(z; 0, I) + log|det dz/dx| in nats; bits per dimension
// is -LogProb/(d ln 2), plus 8 for 8-bit data scaled to [0, 1] by 1/256
// and dequantised uniformly.
//
// How the Python libraries name the same things:
//
//	flowkern                 nflows                     FrEIA                    normflows
//	Forward (x -> z)         transform(x) / forward     forward (rev=False)      inverse
//	Inverse (z -> x)         transform.inverse          forward(rev=True)        forward
//	LogProb                  log_prob                   (log N + log_jac_det)    log_prob
//	Coupling, ScaleAtan      -                          AllInOneBlock clamp      -
//	Coupling, ScaleSigmoid   AffineCouplingTransform    -                        AffineCouplingBlock("sigmoid")
//	LU                       LULinear                   -                        Invertible1x1Conv(use_lu)
//	ActNorm                  ActNorm                    ActNorm                  ActNorm
//
// A conditioner's output holds s in its first |B| columns and t in the next
// |B| (nflows puts the shift first). The model file names tensors as the
// equivalent PyTorch module would (see file.go), so a PyTorch model of the
// same architecture loads them with load_state_dict; bench/pytorch has one.
//
// Layers (Layer): ActNorm (data-initialised) and Scale, LU (Glow's
// LU-parameterised invertible linear layer), Permute (Reverse, Shuffle),
// and Coupling (affine or additive, with a conditioner network from
// models/nn on a kernels.Split mask). Glow, RealNVP and NICE build the
// usual architectures as a Spec; New makes a Flow of a Spec.
//
// Numerics: log-determinants and the loss accumulate in float64 (the
// layers' per-row sums are in the layers' precision); affine couplings
// bound their log-scale by default (atan soft clamp, bound 2); the last
// layer of every conditioner starts at zero, so every coupling starts as
// the identity; a training step that produces a non-finite loss or
// gradient stops with an error naming the layer.
//
// Determinism: the same seed, data and options give bit-identical weights
// on every kernel tier, every architecture and for any number of kernel
// workers. The kernels guarantee it for their calls; the code here rounds
// every product that meets an addition with an explicit conversion (Go
// fuses a*b+c into one fma on arm64, even across statements, and not on
// amd64), avoids the math package's transcendental functions (compiled
// with such fusions on arm64), and draws every random number from
// kernels.Normal streams. TestDeterministicTraining pins the weights of a
// training run; CI checks them under qemu-aarch64. The flow's own workers
// (SetWorkers) change nothing either: training sums its 128-row chunks
// into two gradient arenas in a fixed order, inference results do not
// depend on how a batch is cut, and Sample draws each 128-row piece of its
// normals from its own stream (TestInferenceWorkers).
package flow
