package nn

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/flowkern/flowkern/kernels"
)

// ParamCount returns the number of parameters of an MLP with these layer
// sizes (sizes[0] inputs, the last outputs): the sum over layers of
// out*in + out. Sizes NewMLP rejects (fewer than 2 entries, a size below 1,
// a count that overflows int) give 0.
func ParamCount(sizes []int) int {
	n, err := paramCount(sizes)
	if err != nil {
		return 0
	}
	return n
}

func paramCount(sizes []int) (int, error) {
	if len(sizes) < 2 {
		return 0, fmt.Errorf("nn: an MLP needs at least 2 layer sizes (inputs and outputs), got %v", sizes)
	}
	for i, s := range sizes {
		if s < 1 {
			return 0, fmt.Errorf("nn: layer size %d is %d in %v, want >= 1", i, s, sizes)
		}
	}
	total := uint64(0)
	for l := 1; l < len(sizes); l++ {
		// (in + 1) * out, with overflow checks in uint64 then int.
		hi, n := bits.Mul64(uint64(sizes[l-1])+1, uint64(sizes[l]))
		var carry uint64
		total, carry = bits.Add64(total, n, 0)
		if hi != 0 || carry != 0 || total > math.MaxInt {
			return 0, fmt.Errorf("nn: the parameter count of sizes %v overflows int", sizes)
		}
	}
	return int(total), nil
}

// MLP is Linear, act, Linear, act, ..., Linear, with no activation after
// the last layer, like PyTorch's nn.Sequential of nn.Linear and activation
// modules. Layers[l] maps Sizes[l] inputs to Sizes[l+1] outputs.
//
// Make one with NewMLP; its fields are read-only views.
type MLP[T kernels.Float] struct {
	Sizes  []int
	Act    Activation
	Layers []Dense[T]
}

// Dense is one linear layer y = W x + B of an MLP, its parameters and
// gradients views into the MLP's parameter and gradient slices.
type Dense[T kernels.Float] struct {
	W  kernels.Matrix[T] // Out x In, row-major, like nn.Linear.weight
	B  []T               // Out
	GW kernels.Matrix[T] // dL/dW, accumulated (+=) by Backward
	GB []T               // dL/dB, accumulated (+=) by Backward
}

// NewMLP returns an MLP with these layer sizes (sizes[0] inputs, the last
// outputs, at least 2 entries, each >= 1) and activation, whose parameters
// are views into params and whose gradients are views into grads, both of
// length ParamCount(sizes), laid out layer after layer as W (Out*In,
// row-major) then B (Out): the order of PyTorch's state_dict (package doc).
// The values of params are kept (call Init to initialise them).
//
// grads may be nil for a network that only runs Forward (sampling); GW and
// GB are then empty and Backward panics. NewMLP keeps its own copy of sizes.
// It returns an error, not a panic, for bad sizes, an unknown activation or
// slices of the wrong length.
func NewMLP[T kernels.Float](sizes []int, act Activation, params, grads []T) (*MLP[T], error) {
	n, err := paramCount(sizes)
	if err != nil {
		return nil, err
	}
	if !act.valid() {
		return nil, fmt.Errorf("nn: NewMLP: invalid activation %v", act)
	}
	if len(params) != n {
		return nil, fmt.Errorf("nn: NewMLP: len(params) = %d, want ParamCount(%v) = %d", len(params), sizes, n)
	}
	if grads != nil && len(grads) != n {
		return nil, fmt.Errorf("nn: NewMLP: len(grads) = %d, want ParamCount(%v) = %d (or nil)", len(grads), sizes, n)
	}
	m := &MLP[T]{Sizes: append([]int(nil), sizes...), Act: act, Layers: make([]Dense[T], len(sizes)-1)}
	off := 0
	for l := range m.Layers {
		in, out := sizes[l], sizes[l+1]
		w, b := off, off+out*in
		off = b + out
		d := &m.Layers[l]
		d.W = kernels.Matrix[T]{Rows: out, Cols: in, Data: params[w:b:b], Stride: in}
		d.B = params[b:off:off]
		if grads != nil {
			d.GW = kernels.Matrix[T]{Rows: out, Cols: in, Data: grads[w:b:b], Stride: in}
			d.GB = grads[b:off:off]
		}
	}
	return m, nil
}

// Tensor is one parameter tensor of an MLP: its PyTorch name, its shape
// and its offset (in elements) in the parameter slice, where it occupies
// the product of Shape elements, row-major.
type Tensor struct {
	Name   string
	Shape  []int
	Offset int
}

// Tensors lists the parameter tensors in the order of the parameter slice,
// named as in the state_dict of the equivalent nn.Sequential under prefix:
// prefix+"0.weight" [Sizes[1], Sizes[0]], prefix+"0.bias" [Sizes[1]],
// prefix+"2.weight", ... (the linear layers at even indices, the
// activations between them). A prefix usually ends in a dot ("net.").
func (m *MLP[T]) Tensors(prefix string) []Tensor {
	ts := make([]Tensor, 0, 2*len(m.Layers))
	off := 0
	for l := range m.Layers {
		in, out := m.Sizes[l], m.Sizes[l+1]
		idx := strconv.Itoa(2 * l)
		ts = append(ts,
			Tensor{Name: prefix + idx + ".weight", Shape: []int{out, in}, Offset: off},
			Tensor{Name: prefix + idx + ".bias", Shape: []int{out}, Offset: off + out*in})
		off += out*in + out
	}
	return ts
}

// Init sets the parameters as PyTorch's nn.Linear does by default: every W
// and B of a layer with In inputs uniform in [-1/sqrt(In), 1/sqrt(In)),
// drawn in the order of the parameter slice from g's uniform words: a word
// w gives u = float64(w>>11) * 2^-53 in [0, 1) and the value (2u - 1) /
// sqrt(In) (rounded once in float64, then to T). The same g gives the same
// bits everywhere.
//
// With zeroLast the last layer's W and B are set to 0 afterwards (a
// coupling then starts as the identity, as Glow does); its values are
// still drawn, so zeroLast changes nothing else, neither the other layers
// nor what g draws next.
func (m *MLP[T]) Init(g *kernels.Normal, zeroLast bool) {
	for l := range m.Layers {
		d := &m.Layers[l]
		bound := 1 / math.Sqrt(float64(m.Sizes[l]))
		for i := range d.W.Rows {
			row := d.W.Data[i*d.W.Stride : i*d.W.Stride+d.W.Cols]
			for j := range row {
				row[j] = uniform[T](g, bound)
			}
		}
		for i := range d.B {
			d.B[i] = uniform[T](g, bound)
		}
	}
	if zeroLast {
		d := &m.Layers[len(m.Layers)-1]
		clear(d.W.Data)
		clear(d.B)
	}
}

// uniform returns (2u - 1) * bound for the next uniform u = (w>>11) 2^-53
// of g. 2u - 1 = ((w>>11) - 2^52) 2^-52 is exact, computed in integers:
// no sum that Go could fuse with a product.
func uniform[T kernels.Float](g *kernels.Normal, bound float64) T {
	v := int64(g.Uint64()>>11) - 1<<52
	return T(float64(v) * 0x1p-52 * bound)
}

// Work holds what Forward keeps for Backward, and Backward's buffers. Of
// every hidden layer of the batch it keeps the pre- and post-activations
// (for identity, ReLU and tanh, whose derivatives need only the output, the
// post-activations alone, written over the pre-activations) and, for SiLU
// and GELU, the sigmoids their forward pass computed. A layer's buffers
// are contiguous, so that one kernel call covers the whole batch. The zero
// value is ready; buffers grow as needed and are reused, so calls in a
// loop allocate nothing once they have seen the largest batch.
//
// A Work belongs to one goroutine at a time; it may move between MLPs
// (Forward re-lays it out).
type Work[T kernels.Float] struct {
	m     *MLP[T] // the MLP of the last Forward, nil before
	batch int     // its batch size
	// pre, post and aux hold the hidden layers one after another, layer l
	// batch x Sizes[l+1] at batch*(Sizes[1] + ... + Sizes[l]). post is
	// pre itself for the in-place activations and postBuf otherwise; aux
	// is used by SiLU and GELU only.
	pre, post, postBuf, aux []T
	// g[0] and g[1] hold dL/d(post) and then dL/d(pre) of the current
	// hidden layer and of the next one down, in turn; g[2] is scratch
	// (batch x the widest hidden layer each).
	g [3][]T
}

// grow returns s with length n, reusing its memory when large enough.
func grow[T kernels.Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// prepare lays ws out for a forward pass of m over batch rows.
func (ws *Work[T]) prepare(m *MLP[T], batch int) {
	hidden := 0
	for _, h := range m.Sizes[1 : len(m.Sizes)-1] {
		hidden += h
	}
	n := batch * hidden
	ws.pre = grow(ws.pre, n)
	if m.Act.inPlace() {
		ws.post = ws.pre
	} else {
		ws.postBuf = grow(ws.postBuf, n)
		ws.post = ws.postBuf
	}
	if m.Act.hasAux() {
		ws.aux = grow(ws.aux, n)
	}
	ws.m, ws.batch = m, batch
}

// view returns a contiguous batch x cols matrix over s[off:].
func view[T kernels.Float](s []T, off, batch, cols int) kernels.Matrix[T] {
	n := batch * cols
	return kernels.Matrix[T]{Rows: batch, Cols: cols, Data: s[off : off+n : off+n], Stride: cols}
}

// Forward sets out = MLP(in): in is batch x Sizes[0], out is batch x the
// last size, with any strides. It keeps in ws what Backward needs. out must
// not share memory with in or ws; in is only read.
//
// Row b of out depends only on row b of in (bit for bit, whatever the
// batch size, the tier or the number of kernel goroutines).
//
// It panics if a shape disagrees (the message names the operand) or ws is
// nil.
func (m *MLP[T]) Forward(out, in kernels.Matrix[T], ws *Work[T]) {
	const fn = "MLP.Forward"
	nl := len(m.Layers)
	m.checkIn(fn, "in", in, in.Rows)
	m.checkOut(fn, "out", out, in.Rows)
	if ws == nil {
		panic("nn: MLP.Forward: ws is nil")
	}
	batch := in.Rows
	ws.prepare(m, batch)
	x, off := in, 0
	for l := range nl - 1 {
		d := &m.Layers[l]
		h := d.W.Rows
		z := view(ws.pre, off, batch, h)
		kernels.MatVecs(z, d.W, x, d.B)
		a := view(ws.post, off, batch, h)
		var aux []T
		if m.Act.hasAux() {
			aux = ws.aux[off : off+batch*h]
		}
		activate(m.Act, a.Data, z.Data, aux)
		x, off = a, off+batch*h
	}
	d := &m.Layers[nl-1]
	kernels.MatVecs(out, d.W, x, d.B)
}

// Backward runs the backward pass of the last Forward(_, in, ws) with the
// same in and ws: given dout = dL/dout (batch x the last size), it adds
// dL/dW and dL/dB of every layer to GW and GB (+=) and, when din.Data is
// not nil, sets din = dL/din (batch x Sizes[0]). dout, in and what ws
// keeps of the Forward are only read (Backward may run again, for another
// dout); din must not share memory with the other operands.
//
// It panics if a shape disagrees, ws does not hold a Forward of this MLP
// with this batch size, or the MLP has no gradients (grads nil in NewMLP).
func (m *MLP[T]) Backward(din, dout kernels.Matrix[T], in kernels.Matrix[T], ws *Work[T]) {
	m.backward("MLP.Backward", din, dout, in, ws, kernels.AddOuters[T])
}

// BackwardSet is Backward with the gradients set (GW = dL/dW, GB = dL/dB)
// instead of added: the bits of clearing GW and GB to zero and calling
// Backward, without the pass over them.
func (m *MLP[T]) BackwardSet(din, dout kernels.Matrix[T], in kernels.Matrix[T], ws *Work[T]) {
	m.backward("MLP.BackwardSet", din, dout, in, ws, kernels.SetOuters[T])
}

// backward is Backward and BackwardSet; outers writes a layer's gradients.
func (m *MLP[T]) backward(fn string, din, dout kernels.Matrix[T], in kernels.Matrix[T], ws *Work[T],
	outers func(g kernels.Matrix[T], gb []T, d, x kernels.Matrix[T])) {
	nl := len(m.Layers)
	batch := dout.Rows
	m.checkOut(fn, "dout", dout, batch)
	m.checkIn(fn, "in", in, batch)
	if din.Data != nil {
		m.checkIn(fn, "din", din, batch)
	}
	switch {
	case ws == nil:
		panic("nn: " + fn + ": ws is nil")
	case ws.m != m:
		panic("nn: " + fn + ": ws does not hold a Forward of this MLP")
	case ws.batch != batch:
		panic(fmt.Sprintf("nn: %s: ws holds a Forward of batch %d, dout has %d rows", fn, ws.batch, batch))
	case m.Layers[0].GB == nil:
		panic("nn: " + fn + ": the MLP has no gradients (NewMLP with grads nil)")
	}
	if n := batch * m.widestHidden(); len(ws.g[0]) < n {
		for i := range ws.g {
			ws.g[i] = grow(ws.g[i], n)
		}
	}
	// dy is dL/d(output of layer l): dout, then a g buffer holding
	// dL/d(pre-activation) of the hidden layer below.
	dy, cur := dout, 0
	off := len(ws.pre)
	for l := nl - 1; l >= 0; l-- {
		d := &m.Layers[l]
		// x is the input of layer l: in, or the post-activation of
		// hidden layer l-1 at off - batch*In.
		x := in
		if l > 0 {
			off -= batch * d.W.Cols
			x = view(ws.post, off, batch, d.W.Cols)
		}
		outers(d.GW, d.GB, dy, x)
		if l == 0 {
			if din.Data != nil {
				kernels.MatTVecs(din, d.W, dy)
			}
			break
		}
		// dL/d(post) of layer l-1, then times the activation's derivative.
		h := d.W.Cols
		g := view(ws.g[cur], 0, batch, h)
		kernels.MatTVecs(g, d.W, dy)
		var aux []T
		if m.Act.hasAux() {
			aux = ws.aux[off : off+batch*h]
		}
		activateGrad(m.Act, g.Data, ws.pre[off:off+batch*h], x.Data, aux, ws.g[1-cur][:batch*h], ws.g[2][:batch*h])
		dy, cur = g, 1-cur
	}
}

// widestHidden returns the largest hidden layer size (0 without hidden
// layers).
func (m *MLP[T]) widestHidden() int {
	w := 0
	for _, h := range m.Sizes[1 : len(m.Sizes)-1] {
		w = max(w, h)
	}
	return w
}

// checkIn panics unless x is a valid rows x Sizes[0] view.
func (m *MLP[T]) checkIn(fn, name string, x kernels.Matrix[T], rows int) {
	if x.Cols != m.Sizes[0] || x.Rows != rows || !valid(x) {
		panic(shapeError(fn, name, x, rows, m.Sizes[0]))
	}
}

// checkOut panics unless y is a valid rows x (last size) view.
func (m *MLP[T]) checkOut(fn, name string, y kernels.Matrix[T], rows int) {
	if c := m.Sizes[len(m.Sizes)-1]; y.Cols != c || y.Rows != rows || !valid(y) {
		panic(shapeError(fn, name, y, rows, c))
	}
}

// valid reports whether x is a matrix view the kernels accept.
func valid[T kernels.Float](x kernels.Matrix[T]) bool {
	return x.Rows >= 0 && x.Cols >= 0 && x.Stride >= max(1, x.Cols) &&
		(x.Rows == 0 || x.Cols == 0 || len(x.Data) >= (x.Rows-1)*x.Stride+x.Cols)
}

// shapeError says what is wrong with x, which should be a valid
// rows x cols view (rows < 0: any number of rows).
func shapeError[T kernels.Float](fn, name string, x kernels.Matrix[T], rows, cols int) string {
	switch {
	case x.Rows < 0 || x.Cols < 0:
		return fmt.Sprintf("nn: %s: %s has negative size %dx%d", fn, name, x.Rows, x.Cols)
	case x.Cols != cols:
		return fmt.Sprintf("nn: %s: %s is %dx%d, want batch x %d", fn, name, x.Rows, x.Cols, cols)
	case x.Rows != rows:
		return fmt.Sprintf("nn: %s: %s is %dx%d, want %dx%d (the batch has %d rows)", fn, name, x.Rows, x.Cols, rows, cols, rows)
	case x.Stride < max(1, x.Cols):
		return fmt.Sprintf("nn: %s: %s has Stride %d < max(1, Cols %d)", fn, name, x.Stride, x.Cols)
	default:
		return fmt.Sprintf("nn: %s: %s is %dx%d with Stride %d and needs len(Data) >= %d, has %d",
			fn, name, x.Rows, x.Cols, x.Stride, (x.Rows-1)*x.Stride+x.Cols, len(x.Data))
	}
}
