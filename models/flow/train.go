package flow

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// TrainOptions configures maximum-likelihood training with Adam.
type TrainOptions struct {
	Epochs      int     // passes over the data (default 10)
	Batch       int     // minibatch rows (default 256)
	LR          float64 // peak learning rate (default 1e-3)
	WeightDecay float64 // decoupled weight decay (AdamW), 0 = none
	Beta1       float64 // default 0.9
	Beta2       float64 // default 0.999
	Eps         float64 // default 1e-8
	ClipNorm    float64 // clip the gradient's 2-norm to this, 0 = no clipping
	Warmup      int     // steps of linear learning-rate warm-up
	Cosine      bool    // cosine decay of the learning rate to 0 over all steps
	Patience    int     // stop after this many epochs without a better validation NLL (0 = never); the best weights are kept
	Seed        uint64  // minibatch order
	// Progress, if not nil, is called after every step; a non-nil error
	// stops training and is returned.
	Progress func(Progress) error
	// BeforeEpoch, if not nil, is called before each epoch (0-based); it may
	// rewrite the training rows in place (fresh dequantisation noise, say),
	// not their shape. A non-nil error stops training and is returned.
	BeforeEpoch func(epoch int) error
}

// Progress is what a training callback sees.
type Progress struct {
	Epoch, Step, Steps int     // Step counts from 1 to Steps (all epochs)
	Rows               int     // rows in this step's minibatch
	Loss               float64 // the step's mean NLL, nats per sample
	ValNLL             float64 // the last epoch's validation NLL (NaN before the first)
	EpochDone          bool    // the step ended an epoch (ValNLL is fresh)
	Elapsed            time.Duration
}

// History records a training run.
type History struct {
	Loss    []float64 // mean training NLL per epoch
	ValNLL  []float64 // validation NLL per epoch (empty without validation data)
	Best    int       // the epoch whose weights the flow holds (with validation data)
	Stopped bool      // early stopping ended the run
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	if o.Batch == 0 {
		o.Batch = 256
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
	return o
}

func (o TrainOptions) check() error {
	bad := func(name string, v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	switch {
	case o.Epochs < 0 || o.Batch < 0 || o.Warmup < 0 || o.Patience < 0:
		return fmt.Errorf("flow: Train: negative option (Epochs %d, Batch %d, Warmup %d, Patience %d)", o.Epochs, o.Batch, o.Warmup, o.Patience)
	case bad("LR", o.LR) || bad("WeightDecay", o.WeightDecay) || bad("ClipNorm", o.ClipNorm) || bad("Eps", o.Eps):
		return fmt.Errorf("flow: Train: LR %v, WeightDecay %v, ClipNorm %v and Eps %v must be finite and >= 0", o.LR, o.WeightDecay, o.ClipNorm, o.Eps)
	case !(o.Beta1 >= 0 && o.Beta1 < 1 && o.Beta2 >= 0 && o.Beta2 < 1):
		return fmt.Errorf("flow: Train: Beta1 %v and Beta2 %v must be in [0, 1)", o.Beta1, o.Beta2)
	}
	return nil
}

// CheckData returns an error unless x is a non-empty n x d matrix of finite
// values.
func CheckData[T kernels.Float](x Matrix[T], d int) error {
	if x.Rows < 1 {
		return errors.New("flow: no data rows")
	}
	if x.Cols != d {
		return fmt.Errorf("flow: data has %d columns, the flow has %d features", x.Cols, d)
	}
	if x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols {
		return fmt.Errorf("flow: data is not a valid %dx%d matrix", x.Rows, x.Cols)
	}
	for b := range x.Rows {
		for j, v := range rowOf(x, b) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("flow: data row %d column %d is %v", b, j, v)
			}
		}
	}
	return nil
}

// Train fits the flow to the rows of train by maximum likelihood (Adam on
// the mean negative log-likelihood), evaluating val (may have 0 rows) after
// every epoch. The result depends only on the flow, the data and the
// options: the same on every tier, every architecture and for any number
// of kernel workers.
//
// After every step, a non-finite loss or gradient stops training with an
// error naming the step and the first layer affected, before the weights
// change: the flow then holds the weights of before that step.
func (f *Flow[T]) Train(train, val Matrix[T], o TrainOptions) (History, error) {
	o = o.withDefaults()
	var h History
	if err := o.check(); err != nil {
		return h, err
	}
	if err := CheckData(train, f.d); err != nil {
		return h, fmt.Errorf("training data: %w", err)
	}
	if val.Rows > 0 {
		if err := CheckData(val, f.d); err != nil {
			return h, fmt.Errorf("validation data: %w", err)
		}
	}
	n, d := train.Rows, f.d
	bs := min(o.Batch, n)
	perEpoch := (n + bs - 1) / bs
	steps := o.Epochs * perEpoch
	opt := newAdamState(f, o, steps)
	var best []T
	bestNLL := math.Inf(1)
	perm := make([]int, n)
	var bbuf []T
	start := time.Now()
	valNLL := math.NaN()
	var vlp []float64
	sinceBest := 0
	for ep := range o.Epochs {
		if o.BeforeEpoch != nil {
			if err := o.BeforeEpoch(ep); err != nil {
				return h, err
			}
			if err := CheckData(train, f.d); err != nil {
				return h, fmt.Errorf("training data after BeforeEpoch(%d): %w", ep, err)
			}
		}
		g := kernels.NewNormal(o.Seed, uint64(ep))
		shuffle(perm, &g)
		epLoss := 0.0
		for k := range perEpoch {
			r0, r1 := k*bs, min((k+1)*bs, n)
			x := dense(&bbuf, r1-r0, d)
			for b := r0; b < r1; b++ {
				copy(rowOf(x, b-r0), rowOf(train, perm[b]))
			}
			loss, err := f.trainStep(x, opt)
			if err != nil {
				return h, err
			}
			step := opt.step
			epLoss += float64(loss * float64(r1-r0))
			done := k == perEpoch-1
			if done && val.Rows > 0 {
				vlp = grow(&vlp, val.Rows)
				f.LogProb(vlp, val)
				valNLL = -mean(vlp)
			}
			if o.Progress != nil {
				err := o.Progress(Progress{Epoch: ep + 1, Step: step, Steps: steps, Loss: loss, ValNLL: valNLL,
					EpochDone: done, Elapsed: time.Since(start), Rows: r1 - r0})
				if err != nil {
					return h, err
				}
			}
		}
		h.Loss = append(h.Loss, epLoss/float64(n))
		if val.Rows > 0 {
			h.ValNLL = append(h.ValNLL, valNLL)
			if valNLL < bestNLL {
				bestNLL, h.Best, sinceBest = valNLL, ep, 0
				best = append(best[:0], f.params...)
			} else if sinceBest++; o.Patience > 0 && sinceBest >= o.Patience {
				h.Stopped = true
				break
			}
		}
	}
	if best != nil {
		copy(f.params, best)
	} else {
		h.Best = len(h.Loss) - 1
	}
	return h, nil
}

// adamState is the optimiser's state from step to step: the moments, the
// running products beta^t of the bias corrections, the step count, the
// options and the number of steps of the run (for the schedule).
type adamState[T kernels.Float] struct {
	m, v     []T
	b1t, b2t float64
	step     int
	steps    int
	o        TrainOptions
}

func newAdamState[T kernels.Float](f *Flow[T], o TrainOptions, steps int) *adamState[T] {
	np := len(f.params)
	return &adamState[T]{m: make([]T, np), v: make([]T, np), b1t: 1, b2t: 1, steps: steps, o: o}
}

// adamBlock is the element count of the pieces trainStep updates and then
// checks while they are in the cache.
const adamBlock = 8192

// trainStep runs one training step on the batch x: the loss and
// gradients, their check, clipping, the AdamW update and the check of the
// new weights. It returns the batch's mean loss.
func (f *Flow[T]) trainStep(x Matrix[T], s *adamState[T]) (float64, error) {
	o := s.o
	loss := f.lossGrad(x, Matrix[T]{})
	s.step++
	// |g|^2 is finite exactly when every gradient is (and none is near the
	// square root of the float range): one SIMD pass.
	g2 := float64(kernels.Dot(f.grads, f.grads))
	if err := f.checkStep(loss, g2, s.step); err != nil {
		return loss, err
	}
	if o.ClipNorm > 0 {
		nrm := math.Sqrt(g2)
		if nrm > o.ClipNorm {
			kernels.Scale(T(o.ClipNorm/nrm), f.grads)
		}
	}
	s.b1t = float64(s.b1t * o.Beta1) // rounded: never fused into 1 - b1t
	s.b2t = float64(s.b2t * o.Beta2)
	lr := o.LR * schedule(s.step, s.steps, o.Warmup, o.Cosine)
	// The update goes by pieces, spread over the flow's workers (each
	// element's update is alone, so the pieces change no bit), each piece's
	// |p|^2 taken while it is in the cache: a non-finite sum flags a
	// non-finite weight, as one Dot over all of them would (its value is
	// not used).
	nc := chunks(len(f.params), adamBlock)
	f.chunkP2 = grow(&f.chunkP2, nc)
	f.task = task[T]{kind: taskAdam, ebs: adamBlock, opt: s, lr: lr}
	f.parallel(nc, false)
	p2 := 0.0
	for _, v := range f.chunkP2 {
		p2 += v
	}
	if math.IsNaN(p2) || math.IsInf(p2, 0) {
		// Not reached with finite gradients short of overflow in the
		// moments; the weights cannot be restored without a copy of every
		// parameter per step, which costs more than it saves.
		return loss, fmt.Errorf("flow: step %d: the update made a parameter of layer %d non-finite; the weights are unusable", s.step, f.firstBad(f.params))
	}
	return loss, nil
}

// checkStep returns an error if the loss or a gradient (g2 = |g|^2) is not
// finite; only then does it look for the layer.
func (f *Flow[T]) checkStep(loss, g2 float64, step int) error {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Errorf("flow: step %d: the loss is %v (first layer with a non-finite gradient: %d)", step, loss, f.firstBad(f.grads))
	}
	if math.IsNaN(g2) || math.IsInf(g2, 0) {
		i := f.firstBad(f.grads)
		if i < 0 {
			return fmt.Errorf("flow: step %d: the gradient's norm overflows", step)
		}
		return fmt.Errorf("flow: step %d: layer %d (%s) has a non-finite gradient", step, i, f.layers[i].Spec().Kind)
	}
	return nil
}

// firstBad returns the first layer whose part of the arena a holds a
// non-finite value, or -1.
func (f *Flow[T]) firstBad(a []T) int {
	for i := range f.layers {
		if !finite(a[f.offs[i]:f.offs[i+1]]) {
			return i
		}
	}
	return -1
}

// schedule returns the learning-rate factor of step (1-based) of steps.
func schedule(step, steps, warmup int, cosine bool) float64 {
	if step <= warmup {
		return float64(step) / float64(warmup)
	}
	if !cosine || steps <= warmup {
		return 1
	}
	// ref.SinCos2Pi, not math.Cos: the math package's Go code is compiled
	// with fused multiply-adds on arm64 and without on amd64.
	p := float64(step-warmup) / float64(steps-warmup)
	c, _ := ref.SinCos2Pi(p / 2)
	return 0.5 * (1 + c)
}

// adam applies one AdamW step to p with gradient g and moments m, v by
// kernels.Adam (its doc states the operation order and the error bound):
//
//	m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,
//	p = p (1 - lr wd) - (lr/c1) m / (sqrt(v/c2) + eps),
//
// all arithmetic in T, each operation rounded once, so every tier and
// architecture gets the same bits. c1, c2 are the bias corrections
// 1 - beta^t from the running products Train keeps (one rounded
// multiplication per step), so the coefficients are those of
// kernels.NewAdamCoef(lr, b1, b2, eps, wd, t) without its t
// multiplications.
func adam[T kernels.Float](p, g, m, v []T, lr float64, o TrainOptions, c1, c2 float64) {
	kernels.Adam(p, g, m, v, kernels.AdamCoef{
		B1: o.Beta1, A1: 1 - o.Beta1, B2: o.Beta2, A2: 1 - o.Beta2,
		Step: lr / c1, IC2: 1 / c2, Eps: o.Eps,
		Keep: 1 - float64(lr*o.WeightDecay), // decoupled decay
	})
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
