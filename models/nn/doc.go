// Package nn is the conditioner network of the normalizing flows: a
// multilayer perceptron (MLP) with a forward pass and a backward pass to its
// parameters and to its input, batched, generic over float32 and float64,
// built on the dense-layer kernels of package kernels.
//
// # The network
//
// An MLP with layer sizes n0, n1, ..., nL (n0 inputs, nL outputs) is
//
//	Linear(n0, n1), act, Linear(n1, n2), act, ..., Linear(n(L-1), nL)
//
// with no activation after the last layer: PyTorch's
// nn.Sequential(nn.Linear(n0, n1), act, ..., nn.Linear(n(L-1), nL)). The
// activations (Activation) are identity, ReLU, tanh, SiLU, GELU (PyTorch's
// approximate="tanh" form) and softplus; the DESIGN notes ask for a smooth
// one (all but ReLU) when the learned action is read as a polynomial.
//
// A batch is a kernels.Matrix whose rows are samples: Forward maps a
// batch x n0 input to a batch x nL output, and row b of the output depends
// only on row b of the input, never on the batch size or on the other rows.
// Backward takes dL/dout and adds dL/dW, dL/dB of every layer to the
// gradients (it accumulates, as PyTorch's .grad does) and sets dL/din.
//
// # Parameters and their layout
//
// The parameters live in one flat slice owned by the caller (the model's
// arena), the gradients in another of the same length (ParamCount); NewMLP
// makes every layer's W, B, GW and GB views into them. Layer after layer,
// each holds its weight W, Out x In row-major (W[i][j] multiplies input j of
// output i, as nn.Linear.weight), then its bias B (Out):
//
//	layer 0: W0 (n1*n0), B0 (n1); layer 1: W1 (n2*n1), B1 (n2); ...
//
// This is the order and the memory layout of PyTorch's state_dict of the
// equivalent nn.Sequential, whose names put the linear layers at the even
// indices (the activations sit at the odd ones):
//
//	layer l   ->  prefix + "<2l>.weight"  shape [out, in]
//	              prefix + "<2l>.bias"    shape [out]
//
// Tensors lists them with their offsets, so a safetensors file written from
// the parameter slice loads into PyTorch with load_state_dict. One arena
// per model makes an optimiser step, a NaN check or a save one pass over one
// slice.
//
// To compute the gradients of several chunks of a minibatch separately (the
// data-parallel determinism rule of the flow notes), make one MLP per chunk
// over the same parameter slice, each with its own gradient slice.
//
// # Numerics
//
// Every result is bit-identical on every kernel tier and architecture and
// for any number of kernel goroutines: the dense layers are kernels.MatVecs,
// MatTVecs and AddOuters, the activations and their derivatives run on the
// kernels' vector math and vector operations (Tanh, Sigmoid, Softplus, Mul,
// Add, Scale, Axpy), each with one canonical rounding, and ReLU is a select
// on the bits. The package's own Go arithmetic (Init's) has no sum Go
// could fuse with a product (it does so on arm64 only).
//
// Performance: a hidden layer of a batch is contiguous in Work, so the
// activations run over whole layers, in blocks that keep their few passes
// in the L1 cache, and nothing allocates once Work has grown.
//
// An MLP may be used by several goroutines at once for Forward, each with
// its own Work; Backward writes the gradients, so concurrent Backward calls
// need distinct gradient slices (distinct MLP values).
package nn
