package flow

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/flowkern/flowkern/kernels"
)

// Flow is a normalizing flow: a sequence of invertible layers from data x
// to latent z with a standard normal base distribution,
//
//	log p(x) = log N(z; 0, I) + sum_layers log|det dz/dx|,
//
// in nats per sample. Its parameters and their gradients live in two flat
// slices (Params, Grads) of which every layer holds views, so the optimiser,
// clipping, NaN checks and saving are one pass each.
//
// Work is split into chunks of rows that run in parallel on up to
// SetWorkers goroutines (default GOMAXPROCS): 128 rows for Forward,
// Inverse, LogProb and Sample, whose rows are independent, and for a
// training step, whose chunks add their gradients to two arenas (chunks
// 0, 2, 4, ... to the first, 1, 3, 5, ... to the second, each in order),
// summed afterwards. The chunks depend only on the number of rows, so
// results are the same bits for any number of workers (a training step
// uses at most two). While it runs
// more than one worker, a flow caps the kernels' own goroutines at one.
//
// A Flow keeps scratch space for the largest batch it has run; after the
// first call of a given size, Forward, Inverse, LogProb, Sample and a
// training step do not allocate when one worker runs them (more workers
// start goroutines, a few small allocations per call). It is not safe for
// concurrent use.
type Flow[T kernels.Float] struct {
	spec    Spec
	d       int
	layers  []Layer[T]
	offs    []int // layer i's parameters are params[offs[i]:offs[i+1]]
	params  []T
	grads   []T
	workers int
	reps    []*replica[T] // reps[0] runs f.layers on f.grads
	task    task[T]
	// chunkLoss holds each training chunk's part of the loss, summed in
	// chunk order; chunkP2 each AdamW piece's |p|^2.
	chunkLoss, chunkP2 []float64
	// merged[i] counts the arenas whose last chunk of a training step has
	// finished layer i: the one that completes the count sums the arenas'
	// gradients of layer i into f.grads.
	merged []atomic.Int32
}

// replica is one set of layers bound to the flow's parameters, with its own
// gradient arena and scratch: chunk k of a training step, or worker k of a
// row-parallel call, runs on replica k.
type replica[T kernels.Float] struct {
	layers     []Layer[T]
	grads      []T
	bufA, bufB []T // ping-pong activations
	z          []T
	zf         []float64
	ld         []float64
	acts       [][]T // training: the input of every layer, then z
	dA, dB     []T
	dld        []T
	// inf is the couplings' scratch in inference, shared by all of them
	// (one set of conditioner activations stays in the cache).
	inf inferScratch[T]
}

// rowChunk and trainChunk are the rows of one parallel chunk. With 128, a
// batch of 256 keeps two cores busy without the kernels' own goroutines
// and costs one core what a 256-row chunk does (64 cost float32 LogProb
// 10% more, a training step 5-10%). A training step sums its gradients in
// trainArenas arenas (arena a takes chunks a, a+trainArenas, ..., in
// order), then each layer's over the arenas in order: one extra gradient
// arena, whatever the batch.
const (
	rowChunk    = 128
	trainChunk  = 128
	trainArenas = 2
	// maxRowChunk bounds the rows of an inference chunk: with fewer workers
	// than 128-row chunks, a chunk takes up to this many rows (a multiple of
	// rowChunk), so that each weight matrix is read once for more rows (a
	// 256-row chunk on one core: Sample at d = 784 10% faster, d = 64 2%).
	// Forward, Inverse and LogProb do not depend on the chunks; Sample draws
	// each 128-row piece's normals from its own stream whatever the chunk.
	maxRowChunk = 256
)

// rowStep returns the rows per chunk of an inference call on rows rows.
func (f *Flow[T]) rowStep(rows int) int {
	w := max(1, f.nWorkers())
	per := (rows + w - 1) / w
	return min(maxRowChunk, max(rowChunk, (per+rowChunk-1)/rowChunk*rowChunk))
}

// SetWorkers sets how many goroutines run the flow's chunks (n <= 0:
// GOMAXPROCS, the default) and returns the previous setting. With one, the
// kernels may still split a large product across goroutines of their own
// (kernels.SetMaxWorkers caps them); with more, the flow caps them at one
// while it runs. Results do not depend on either.
func (f *Flow[T]) SetWorkers(n int) (previous int) {
	previous, f.workers = f.workers, max(n, 0)
	return previous
}

func (f *Flow[T]) nWorkers() int {
	if f.workers > 0 {
		return f.workers
	}
	return runtime.GOMAXPROCS(0)
}

// rep returns replica k, made on first use.
func (f *Flow[T]) rep(k int) *replica[T] {
	for len(f.reps) <= k {
		i := len(f.reps)
		r := &replica[T]{layers: f.layers, grads: f.grads}
		if i > 0 {
			r.grads = make([]T, len(f.params))
			r.layers = make([]Layer[T], len(f.layers))
			for j, l := range f.layers {
				c := l.clone()
				c.bind(f.params[f.offs[j]:f.offs[j+1]:f.offs[j+1]], r.grads[f.offs[j]:f.offs[j+1]:f.offs[j+1]])
				r.layers[j] = c
			}
		}
		f.reps = append(f.reps, r)
	}
	return f.reps[k]
}

// A task is what parallel runs on each chunk: kept in the flow rather than
// in a closure, so that a one-worker call allocates nothing.
type task[T kernels.Float] struct {
	kind    taskKind
	x, z    Matrix[T]
	dst     []float64 // logdet or log p
	seed    uint64
	rows    int // of the whole batch (training)
	step    int // rows per chunk (inference)
	ebs     int // elements per block (AdamW update)
	nchunks int // chunks of the training batch
	arenas  int // gradient arenas of the training batch
	opt     *adamState[T]
	lr      float64 // of the AdamW update
}

type taskKind int

const (
	taskForward taskKind = iota
	taskInverse
	taskLogProb
	taskSample
	taskTrain
	taskAdam
)

// run does chunk k of the flow's current task on replica r.
func (f *Flow[T]) run(k int, r *replica[T]) {
	t := &f.task
	switch t.kind {
	case taskForward, taskLogProb:
		r0, r1 := k*t.step, min((k+1)*t.step, t.x.Rows)
		var ld []float64
		if t.dst != nil {
			ld = t.dst[r0:r1]
		}
		z := t.z
		if t.kind == taskLogProb {
			z = dense(&r.z, r1-r0, f.d)
		} else {
			z = rows(z, r0, r1)
		}
		r.forward(z, rows(t.x, r0, r1), ld)
		if t.kind == taskLogProb {
			addBase(ld, z)
		}
	case taskInverse:
		r0, r1 := k*t.step, min((k+1)*t.step, t.z.Rows)
		r.inverse(rows(t.x, r0, r1), rows(t.z, r0, r1))
	case taskSample:
		r0, r1 := k*t.step, min((k+1)*t.step, t.x.Rows)
		zf := grow(&r.zf, (r1-r0)*f.d)
		for p0 := r0; p0 < r1; p0 += rowChunk {
			p1 := min(p0+rowChunk, r1)
			g := kernels.NewNormal(t.seed, uint64(p0/rowChunk))
			g.Fill(zf[(p0-r0)*f.d : (p1-r0)*f.d])
		}
		z := dense(&r.z, r1-r0, f.d)
		for i, v := range zf {
			z.Data[i] = T(v)
		}
		r.inverse(rows(t.x, r0, r1), z)
	case taskTrain:
		// Arena k takes chunks k, k+na, k+2na, ... in order. Its first
		// chunk clears each layer's gradients just before that layer's
		// backward pass. Its last chunk counts each finished layer in
		// f.merged; the arena that completes a layer's count adds the other
		// arenas' gradients of it into arena 0 (f.grads), in arena order,
		// while its own are still in the cache. Which worker adds changes
		// no bit: each element is the same sum, g0 + g1 + ... in order.
		for c := k; c < t.nchunks; c += t.arenas {
			r0, r1 := c*trainChunk, min((c+1)*trainChunk, t.rows)
			var dx Matrix[T]
			if t.z.Data != nil {
				dx = rows(t.z, r0, r1)
			}
			g := gradSink[T]{offs: f.offs, clear: c == k}
			if t.arenas > 1 && c+t.arenas >= t.nchunks {
				g.merge = f
			}
			f.chunkLoss[c] = r.lossGrad(rows(t.x, r0, r1), dx, t.rows, g)
		}
	case taskAdam:
		e0, e1 := k*t.ebs, min((k+1)*t.ebs, len(f.params))
		s, p := t.opt, f.params[e0:e1]
		adam(p, f.grads[e0:e1], s.m[e0:e1], s.v[e0:e1], t.lr, s.o, 1-s.b1t, 1-s.b2t)
		f.chunkP2[k] = float64(kernels.Dot(p, p))
	}
}

// parallel runs the flow's task on chunks 0..n-1 with up to nWorkers
// goroutines; byChunk binds chunk k to replica k (training: chunk k's
// gradients go to arena k), otherwise worker w uses replica w.
func (f *Flow[T]) parallel(n int, byChunk bool) {
	// The task's references (the caller's matrices, the optimiser's state)
	// must not outlive the call: a finished Train kept its Adam moments
	// reachable, twice the parameters' memory, until the next call.
	defer func() { f.task = task[T]{} }()
	if n == 0 {
		return
	}
	w := min(f.nWorkers(), n)
	if byChunk {
		f.rep(n - 1)
	} else {
		f.rep(w - 1)
	}
	if w <= 1 {
		for k := range n {
			r := f.reps[0]
			if byChunk {
				r = f.reps[k]
			}
			f.run(k, r)
		}
		return
	}
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for wk := 1; wk < w; wk++ {
		go f.worker(wk, n, byChunk, &next, &wg)
	}
	f.worker(0, n, byChunk, &next, nil)
	wg.Wait()
}

// worker takes chunks until none is left.
func (f *Flow[T]) worker(wk, n int, byChunk bool, next *atomic.Int64, wg *sync.WaitGroup) {
	if wg != nil {
		defer wg.Done()
	}
	for {
		k := int(next.Add(1) - 1)
		if k >= n {
			return
		}
		r := f.reps[wk]
		if byChunk {
			r = f.reps[k]
		}
		f.run(k, r)
	}
}

// rows returns rows r0..r1-1 of m.
func rows[T kernels.Float](m Matrix[T], r0, r1 int) Matrix[T] {
	if r1 == r0 {
		return Matrix[T]{Cols: m.Cols, Stride: m.Stride}
	}
	return Matrix[T]{Rows: r1 - r0, Cols: m.Cols, Data: m.Data[r0*m.Stride:], Stride: m.Stride}
}

// cols returns columns c0..c0+w-1 of m (a batch of no rows may have no
// data to slice).
func cols[T kernels.Float](m Matrix[T], c0, w int) Matrix[T] {
	if m.Rows == 0 {
		return Matrix[T]{Cols: w, Stride: m.Stride}
	}
	return Matrix[T]{Rows: m.Rows, Cols: w, Data: m.Data[c0:], Stride: m.Stride}
}

// New returns the flow of spec with parameters drawn from seed (the same
// seed gives the same bits on every tier and architecture). ActNorm layers
// not marked Initialized take their statistics from the first training
// batch.
func New[T kernels.Float](spec Spec, seed uint64) (*Flow[T], error) {
	f, err := newUnbound[T](spec)
	if err != nil {
		return nil, err
	}
	for i, l := range f.layers {
		g := kernels.NewNormal(seed, uint64(i))
		l.init(&g)
	}
	return f, nil
}

// newUnbound builds and binds the layers with zero parameters.
func newUnbound[T kernels.Float](spec Spec) (*Flow[T], error) {
	layers, total, err := build[T](spec)
	if err != nil {
		return nil, err
	}
	f := &Flow[T]{spec: spec, d: spec.Dim, layers: layers, params: make([]T, total), grads: make([]T, total)}
	off := 0
	f.offs = append(f.offs, 0)
	for _, l := range layers {
		n := l.NumParams()
		l.bind(f.params[off:off+n:off+n], f.grads[off:off+n:off+n])
		off += n
		f.offs = append(f.offs, off)
	}
	return f, nil
}

// Dim returns the number of features d.
func (f *Flow[T]) Dim() int { return f.d }

// Layers returns the layers, data side first.
func (f *Flow[T]) Layers() []Layer[T] { return f.layers }

// Spec returns the architecture (with the current ActNorm state).
func (f *Flow[T]) Spec() Spec {
	sp := Spec{Dim: f.d}
	for _, l := range f.layers {
		sp.Layers = append(sp.Layers, l.Spec())
	}
	return sp
}

// Params returns the parameter arena (every layer's parameters, in layer
// order); writing it changes the model.
func (f *Flow[T]) Params() []T { return f.params }

// Grads returns the gradient arena, laid out as Params.
func (f *Flow[T]) Grads() []T { return f.grads }

// LayerParams returns layer i's part of the parameter arena.
func (f *Flow[T]) LayerParams(i int) []T { return f.params[f.offs[i]:f.offs[i+1]] }

// check panics unless x is a valid n x d view and v, if not nil, has n
// elements.
func (f *Flow[T]) check(fn string, x Matrix[T], xname string, v int) {
	if x.Cols != f.d || x.Rows < 0 || (x.Rows > 0 && (x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols)) {
		panic(fmt.Sprintf("flow: %s: %s is %dx%d (Stride %d, len(Data) %d), want a valid batch x %d view", fn, xname, x.Rows, x.Cols, x.Stride, len(x.Data), f.d))
	}
	if v >= 0 && v != x.Rows {
		panic(fmt.Sprintf("flow: %s: %d log-densities for %d rows", fn, v, x.Rows))
	}
}

// Forward sets z = the flow's map of x and logdet[b] = log|det dz/dx| of
// row b (logdet may be nil). z and x must not share memory.
func (f *Flow[T]) Forward(z, x Matrix[T], logdet []float64) {
	f.check("Forward", x, "x", ldLen(logdet))
	f.check("Forward", z, "z", x.Rows)
	f.task = task[T]{kind: taskForward, x: x, z: z, dst: logdet, step: f.rowStep(x.Rows)}
	f.parallel(chunks(x.Rows, f.task.step), false)
}

// chunks returns the number of chunks of c rows in n rows.
func chunks(n, c int) int { return (n + c - 1) / c }

// forward runs the layers on one chunk.
func (r *replica[T]) forward(z, x Matrix[T], logdet []float64) {
	r.inference(true)
	clear(logdet)
	n, d := x.Rows, x.Cols
	a, b := dense(&r.bufA, n, d), dense(&r.bufB, n, d)
	in := x
	for i, l := range r.layers {
		out := a
		if i == len(r.layers)-1 {
			out = z
		}
		l.Forward(out, in, logdet)
		in = out
		a, b = b, a
	}
	r.inference(false)
}

// inference tells the replica's layers whether a Backward will follow or
// not: during a flow's inference (on) the LU layers keep less and the
// couplings share the replica's scratch; after it (off) each layer is as
// its own Forward leaves it, ready for a Backward.
func (r *replica[T]) inference(on bool) {
	for _, l := range r.layers {
		switch l := l.(type) {
		case *LU[T]:
			l.infer = on
		case *Coupling[T]:
			l.inf = nil
			if on {
				l.inf = &r.inf
			}
		}
	}
}

// Inverse sets x = the flow's inverse map of z: the sampling direction. x
// and z must not share memory.
func (f *Flow[T]) Inverse(x, z Matrix[T]) {
	f.check("Inverse", z, "z", -1)
	f.check("Inverse", x, "x", z.Rows)
	f.task = task[T]{kind: taskInverse, x: x, z: z, step: f.rowStep(z.Rows)}
	f.parallel(chunks(z.Rows, f.task.step), false)
}

func (r *replica[T]) inverse(x, z Matrix[T]) {
	r.inference(true)
	n, d := z.Rows, z.Cols
	a, b := dense(&r.bufA, n, d), dense(&r.bufB, n, d)
	in := z
	for i := len(r.layers) - 1; i >= 0; i-- {
		out := a
		if i == 0 {
			out = x
		}
		r.layers[i].Inverse(out, in, nil)
		in = out
		a, b = b, a
	}
	r.inference(false)
}

// ln2Pi is log(2 pi).
const ln2Pi = 1.83787706640934548356065947281123527972279494727556682563430308

// LogProb sets dst[b] = log p(x[b]) in nats. Rows go through the flow in
// chunks of 128, so memory does not grow with the number of rows.
func (f *Flow[T]) LogProb(dst []float64, x Matrix[T]) {
	f.check("LogProb", x, "x", len(dst))
	f.task = task[T]{kind: taskLogProb, x: x, dst: dst, step: f.rowStep(x.Rows)}
	f.parallel(chunks(x.Rows, f.task.step), false)
}

// baseConst is -(d/2) log(2 pi), rounded (never fused into a later
// subtraction).
func baseConst(d int) float64 { return float64(-0.5 * float64(d) * ln2Pi) }

// addBase adds log N(z[b]; 0, I) to dst[b].
func addBase[T kernels.Float](dst []float64, z Matrix[T]) {
	c := baseConst(z.Cols)
	for b := range z.Rows {
		r := rowOf(z, b)
		dst[b] += c - float64(0.5*float64(kernels.Dot(r, r)))
	}
}

// Sample sets the rows of x to samples of the flow: the rows of chunk k
// (rows 128k to 128k+127) take their z from the standard normal stream
// kernels.NewNormal(seed, k), row after row, then go through Inverse. The
// same seed gives the same samples on every tier and architecture, for any
// number of workers, and a longer sample starts with the shorter one.
func (f *Flow[T]) Sample(x Matrix[T], seed uint64) {
	f.check("Sample", x, "x", -1)
	f.task = task[T]{kind: taskSample, x: x, seed: seed, step: f.rowStep(x.Rows)}
	f.parallel(chunks(x.Rows, f.task.step), false)
}

// initData runs the data-dependent initialisation of the layers that need
// it on the batch x: a forward pass of the whole batch, each ActNorm taking
// its statistics from its input before it runs.
func (f *Flow[T]) initData(x Matrix[T]) {
	pending := false
	for _, l := range f.layers {
		if di, ok := l.(dataInit[T]); ok && !di.initialized() {
			pending = true
		}
	}
	if !pending {
		return
	}
	r := f.rep(0)
	n := x.Rows
	a, b := dense(&r.bufA, n, f.d), dense(&r.bufB, n, f.d)
	in := x
	for _, l := range f.layers {
		if di, ok := l.(dataInit[T]); ok && !di.initialized() {
			di.initFromData(in)
		}
		l.Forward(a, in, nil)
		in = a
		a, b = b, a
	}
}

// lossGrad computes the mean negative log-likelihood of the training batch
// x and sets Grads to its gradient: chunks of trainChunk rows, each storing
// every layer's input and running the backward pass into one of two
// gradient arenas (in parallel), the arenas summed layer by layer as they
// finish (mergeLayer). If dx is not a zero Matrix, it receives dL/dx. It
// returns the loss in nats per sample.
func (f *Flow[T]) lossGrad(x, dx Matrix[T]) float64 {
	f.initData(x)
	nc := chunks(x.Rows, trainChunk)
	na := min(trainArenas, nc)
	if nc == 0 {
		clear(f.grads) // no chunk clears them
	}
	if len(f.merged) != len(f.layers) {
		f.merged = make([]atomic.Int32, len(f.layers))
	}
	for i := range f.merged {
		f.merged[i].Store(0)
	}
	f.chunkLoss = grow(&f.chunkLoss, nc)
	f.task = task[T]{kind: taskTrain, x: x, z: dx, rows: x.Rows, nchunks: nc, arenas: na}
	f.parallel(na, true)
	loss := 0.0
	for _, l := range f.chunkLoss {
		loss += l
	}
	return loss
}

// mergeLayer is called by each arena's last chunk once it has finished
// layer i (offs o0:o1): the last of the arenas to do so adds the others'
// gradients of layer i into arena 0, in order. The atomic count orders
// every arena's writes before the sum's reads.
func (f *Flow[T]) mergeLayer(i, o0, o1 int) {
	na := f.task.arenas
	if int(f.merged[i].Add(1)) < na {
		return
	}
	g0 := f.grads[o0:o1]
	for a := 1; a < na; a++ {
		kernels.Add(g0, g0, f.reps[a].grads[o0:o1])
	}
}

// gradSink says what a chunk's backward pass does around each layer's:
// with clear, the layer's gradients (offs[i]:offs[i+1] of the arena) start
// from zero (a gradSetter layer sets them, any other is cleared first);
// with merge set, its mergeLayer is told once layer i is done.
type gradSink[T kernels.Float] struct {
	offs  []int
	clear bool
	merge *Flow[T]
}

// lossGrad runs one chunk of a batch of n rows: forward storing the
// layers' inputs, then the backward pass of -(1/n) sum log p, into the
// replica's gradient arena (+=, or = with g.clear). It returns the chunk's
// part of the loss.
func (r *replica[T]) lossGrad(x, dx Matrix[T], n int, g gradSink[T]) float64 {
	m, d := x.Rows, x.Cols
	L := len(r.layers)
	if len(r.acts) < L+1 {
		r.acts = make([][]T, L+1)
	}
	ld := grow(&r.ld, m)
	clear(ld)
	in := x
	for i, l := range r.layers {
		out := dense(&r.acts[i+1], m, d)
		l.Forward(out, in, ld)
		in = out
	}
	z := in
	// L = -(1/n) sum_b [log N(z_b) + ld_b]: dL/dz = z/n, dL/dld_b = -1/n.
	loss := 0.0
	c := baseConst(d)
	for b := range m {
		zr := rowOf(z, b)
		loss -= c - float64(0.5*float64(kernels.Dot(zr, zr))) + ld[b]
	}
	inv := T(1 / float64(n))
	dz := dense(&r.dA, m, d)
	for b := range m {
		zr, dr := rowOf(z, b), rowOf(dz, b)
		for j, v := range zr {
			dr[j] = v * inv
		}
	}
	dld := grow(&r.dld, m)
	for b := range dld {
		dld[b] = -inv
	}
	dxb := dense(&r.dB, m, d)
	for i := L - 1; i >= 0; i-- {
		xi := x
		if i > 0 {
			xi = Matrix[T]{Rows: m, Cols: d, Data: r.acts[i], Stride: max(1, d)}
		}
		o0, o1 := g.offs[i], g.offs[i+1]
		if s, ok := r.layers[i].(gradSetter[T]); ok && g.clear {
			s.backwardSet(dxb, dz, xi, dld)
		} else {
			if g.clear {
				clear(r.grads[o0:o1])
			}
			r.layers[i].Backward(dxb, dz, xi, dld)
		}
		if g.merge != nil {
			g.merge.mergeLayer(i, o0, o1)
		}
		dxb, dz = dz, dxb
	}
	if dx.Data != nil {
		for b := range m {
			copy(rowOf(dx, b), rowOf(dz, b))
		}
	}
	return loss / float64(n)
}

// finite reports whether every element of v is finite.
func finite[T kernels.Float](v []T) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
