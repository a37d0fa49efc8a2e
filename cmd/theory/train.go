package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/flow"
)

// spec returns the flow of every experiment: Glow (ActNorm, LU, affine
// coupling) of depth blocks, conditioners with two tanh hidden layers of
// c.hidden units, the atan soft clamp of the log-scale (bound 2), and the
// lattice's checkerboard mask (even/odd sites in 1-D): smooth everywhere,
// so the learned action has Taylor coefficients of every order.
func (c config) spec(shape []int, depth int) (flow.Spec, error) {
	d, mask := shape[0], "alternating"
	if len(shape) == 2 {
		d = shape[0] * shape[1]
		mask = fmt.Sprintf("checkerboard:%dx%dx1", shape[0], shape[1])
	}
	return flow.Glow(d, depth, flow.Block{
		Hidden: []int{c.hidden, c.hidden}, Activation: "tanh",
		Scale: flow.ScaleAtan, Clamp: 2, Mask: mask,
	})
}

// epochs returns the epochs of a run on n rows: c.budget rows in all,
// within [3, c.maxEp].
func (c config) epochs(n int) int { return min(c.maxEp, max(3, c.budget/n)) }

// fit is a trained flow.
type fit struct {
	f       *flow.Flow[float32]
	hist    flow.History
	epochs  int
	seconds float64
}

// train fits a float32 flow of spec (parameters from seed) to train by
// maximum likelihood: Adam with cosine decay, batch c.batch, the epoch
// with the best NLL on val kept. One worker per flow: the experiments run
// flows in parallel instead (the result is the same for any number).
func (c config) train(spec flow.Spec, seed uint64, train, val kernels.Matrix[float64]) (fit, error) {
	return c.trainWith(spec, seed, train, val, c.epochs(train.Rows), c.lr)
}

// trainWith is train with the given epochs and peak learning rate.
func (c config) trainWith(spec flow.Spec, seed uint64, train, val kernels.Matrix[float64], ep int, lr float64) (fit, error) {
	f, err := flow.New[float32](spec, seed)
	if err != nil {
		return fit{}, err
	}
	f.SetWorkers(1)
	start := time.Now()
	h, err := f.Train(to32(train), to32(val), flow.TrainOptions{
		Epochs: ep, Batch: c.batch, LR: lr, Cosine: true, Seed: seed,
	})
	if err != nil {
		return fit{}, err
	}
	return fit{f: f, hist: h, epochs: ep, seconds: time.Since(start).Seconds()}, nil
}

// parallel runs task(0..n-1) on up to jobs goroutines and returns the
// first error by index. Each task writes only its own results.
func parallel(n, jobs int, task func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = task(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// kl returns the mean of -log q over the rows of x and the KL divergence
// KL(p || q) = E_p[log p - log q] estimated on x (samples of p = exp(-S)/Z,
// logZ its exact log-normaliser; NaN if unknown) with its standard error:
// the terms -S - log Z - log q vary far less than -log q itself.
func kl(f *flow.Flow[float32], e *ensemble, x kernels.Matrix[float64], logZ float64) (nll, kl, klErr float64, err error) {
	lq := make([]float64, x.Rows)
	f.LogProb(lq, to32(x))
	s := make([]float64, x.Rows)
	if err := e.th.Action(s, x); err != nil {
		return 0, 0, 0, err
	}
	w := make([]float64, x.Rows)
	for i := range lq {
		nll -= lq[i]
		w[i] = -s[i] - logZ - lq[i]
	}
	nll /= float64(x.Rows)
	kl, sd := meanSD(w)
	return nll, kl, sd / sqrt(float64(x.Rows)), nil
}
