package flow

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flowkern/flowkern/internal/cputime"
	"github.com/flowkern/flowkern/kernels"
	"github.com/flowkern/flowkern/models/nn"
)

// The configuration: d = 64, 8 blocks of ActNorm, LU linear and
// affine coupling, conditioners with 2 hidden layers of 256, batch 256.
const (
	benchD, benchBlocks, benchWidth, benchBatch = 64, 8, 256, 256
)

func benchFlow[T kernels.Float](b *testing.B) (*Flow[T], Matrix[T]) {
	sp, err := Glow(benchD, benchBlocks, Block{Hidden: []int{benchWidth, benchWidth}})
	if err != nil {
		b.Fatal(err)
	}
	f, err := New[T](sp, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := randMat[T](benchBatch, benchD, 2)
	for _, l := range f.layers {
		if a, ok := l.(*ActNorm[T]); ok {
			a.initFromData(x)
		}
	}
	return f, x
}

// denseFlops returns the flops of the conditioners' dense layers in one
// forward pass of a batch (2 per multiply-add).
func denseFlops[T kernels.Float](f *Flow[T], batch int) float64 {
	s := 0.0
	for _, l := range f.layers {
		if c, ok := l.(*Coupling[T]); ok {
			sz := c.net.Sizes
			for i := 1; i < len(sz); i++ {
				s += 2 * float64(batch*sz[i-1]*sz[i])
			}
		}
	}
	return s
}

// timed runs the benchmark loop and reports the process CPU time per op
// (every goroutine's work counted) and GFLOP/s of the dense flops by CPU
// time and by wall time.
func timed(b *testing.B, flops float64, op func()) {
	op() // warm-up: scratch space
	c0, ok := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		op()
	}
	c1, ok1 := cputime.Process()
	if ok && ok1 {
		cpu := float64(c1-c0) / float64(b.N)
		b.ReportMetric(cpu, "cpu-ns/op")
		b.ReportMetric(flops/cpu, "dense-cpu-GFLOP/s")
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "dense-GFLOP/s")
}

func forPrecisions(b *testing.B, f64, f32 func(b *testing.B)) {
	b.Run("float64", f64)
	b.Run("float32", f32)
}

// BenchmarkTrainStep: one step of Train (forward with stored activations,
// backward, the gradient check and clipping, AdamW, the weights' check).
// Its dense-GFLOP/s counts only the conditioners' dense layers (3x the
// forward flops), so step/dense time = BenchmarkDenseOnly's GFLOP/s over
// this one.
func BenchmarkTrainStep(b *testing.B) {
	forPrecisions(b, benchTrain[float64], benchTrain[float32])
}

func benchTrain[T kernels.Float](b *testing.B) {
	f, x := benchFlow[T](b)
	opt := benchOpt(f)
	timed(b, 3*denseFlops(f, benchBatch), func() { benchStep(b, f, x, opt) })
}

// benchOpt returns the optimiser state of a long run at a tiny learning
// rate, so that the weights barely move however many steps run.
func benchOpt[T kernels.Float](f *Flow[T]) *adamState[T] {
	return newAdamState(f, TrainOptions{LR: 1e-6}.withDefaults(), 1<<30)
}

// benchStep is one step of Train: trainStep, with its checks.
func benchStep[T kernels.Float](b *testing.B, f *Flow[T], x Matrix[T], opt *adamState[T]) {
	if _, err := f.trainStep(x, opt); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDenseOnly: the dense-layer calls of a training step alone, at
// the same shapes (chunks of trainChunk rows) and in the same order
// (MatVecs forward; MatTVecs and SetOuters or AddOuters backward), each
// conditioner on its own inputs and gradients as in the step: a backward
// pass needs every layer's input, 4 MB a chunk at float64, so they cannot
// all stay in L2. (One set shared by the eight conditioners, as this
// benchmark had until 2026-12-07, kept them hot and ran 8-10% faster
// than the step's dense calls can.)
func BenchmarkDenseOnly(b *testing.B) {
	forPrecisions(b, func(b *testing.B) { benchDense[float64](b, false) }, func(b *testing.B) { benchDense[float32](b, false) })
}

// BenchmarkLinearOnly: BenchmarkDenseOnly plus the LU layers' forward and
// backward passes (the other linear layers of the step: their triangular
// products), in the flow's order. Its dense-GFLOP/s counts the
// conditioners' flops only, like the step's.
func BenchmarkLinearOnly(b *testing.B) {
	forPrecisions(b, func(b *testing.B) { benchDense[float64](b, true) }, func(b *testing.B) { benchDense[float32](b, true) })
}

// benchNets returns the flow's conditioners and, for each layer size of
// theirs (all alike), a random batch of that width (seeds from seed).
func benchNets[T kernels.Float](f *Flow[T], seed uint64) ([]*nn.MLP[T], []Matrix[T]) {
	var nets []*nn.MLP[T]
	for _, l := range f.layers {
		if c, ok := l.(*Coupling[T]); ok {
			nets = append(nets, c.net)
		}
	}
	sz := nets[0].Sizes
	m := make([]Matrix[T], len(sz))
	for i, s := range sz {
		m[i] = randMat[T](benchBatch, s, seed+uint64(i))
	}
	return nets, m
}

// BenchmarkDenseForward: the dense-layer calls of LogProb alone (MatVecs
// forward, in LogProb's chunks), the yardstick of BenchmarkLogProb: both
// count the same flops.
func BenchmarkDenseForward(b *testing.B) {
	forPrecisions(b, benchDenseForward[float64], benchDenseForward[float32])
}

func benchDenseForward[T kernels.Float](b *testing.B) {
	f, _ := benchFlow[T](b)
	f.SetWorkers(1)
	step := f.rowStep(benchBatch)
	nets, acts := benchNets(f, 0)
	timed(b, denseFlops(f, benchBatch), func() {
		for r0 := 0; r0 < benchBatch; r0 += step {
			r1 := min(r0+step, benchBatch)
			for _, net := range nets {
				for i, dl := range net.Layers {
					kernels.MatVecs(rows(acts[i+1], r0, r1), dl.W, rows(acts[i], r0, r1), dl.B)
				}
			}
		}
	})
}

func benchDense[T kernels.Float](b *testing.B, withLU bool) {
	f, x := benchFlow[T](b)
	nets, _ := benchNets(f, 0)
	// Each conditioner keeps its own inputs and gradients, as in a step.
	acts, grads := make([][]Matrix[T], len(nets)), make([][]Matrix[T], len(nets))
	for k := range nets {
		_, acts[k] = benchNets(f, uint64(100*k))
		_, grads[k] = benchNets(f, uint64(100*k+50))
	}
	z, dz, dx := randMat[T](benchBatch, benchD, 20), randMat[T](benchBatch, benchD, 21), randMat[T](benchBatch, benchD, 22)
	timed(b, 3*denseFlops(f, benchBatch), func() {
		for r0 := 0; r0 < benchBatch; r0 += trainChunk {
			r1 := min(r0+trainChunk, benchBatch)
			k := 0
			for _, l := range f.layers {
				switch l := l.(type) {
				case *Coupling[T]:
					acts := acts[k]
					for i, dl := range nets[k].Layers {
						kernels.MatVecs(rows(acts[i+1], r0, r1), dl.W, rows(acts[i], r0, r1), dl.B)
					}
					k++
				case *LU[T]:
					if withLU {
						l.Forward(rows(z, r0, r1), rows(x, r0, r1), nil)
					}
				}
			}
			// As in the step: an arena's first chunk sets its gradients.
			outers := kernels.AddOuters[T]
			if r0 < trainArenas*trainChunk {
				outers = kernels.SetOuters[T]
			}
			for j := len(f.layers) - 1; j >= 0; j-- {
				switch l := f.layers[j].(type) {
				case *Coupling[T]:
					k--
					net, acts, grad := nets[k], acts[k], grads[k]
					for i := len(net.Layers) - 1; i >= 0; i-- {
						dl := net.Layers[i]
						outers(dl.GW, dl.GB, rows(grad[i+1], r0, r1), rows(acts[i], r0, r1))
						kernels.MatTVecs(rows(grad[i], r0, r1), dl.W, rows(grad[i+1], r0, r1))
					}
				case *LU[T]:
					if withLU {
						l.Backward(rows(dx, r0, r1), rows(dz, r0, r1), rows(x, r0, r1), nil)
					}
				}
			}
		}
	})
}

// BenchmarkLogProb: log-densities of a batch.
func BenchmarkLogProb(b *testing.B) {
	forPrecisions(b, benchLogProb[float64], benchLogProb[float32])
}

func benchLogProb[T kernels.Float](b *testing.B) {
	f, x := benchFlow[T](b)
	f.SetWorkers(1) // one core, as BenchmarkDenseForward
	lp := make([]float64, benchBatch)
	timed(b, denseFlops(f, benchBatch), func() { f.LogProb(lp, x) })
}

// BenchmarkSample: a batch of samples (normals and the inverse pass).
func BenchmarkSample(b *testing.B) {
	forPrecisions(b, benchSample[float64], benchSample[float32])
}

func benchSample[T kernels.Float](b *testing.B) {
	f, x := benchFlow[T](b)
	timed(b, denseFlops(f, benchBatch), func() { f.Sample(x, 3) })
}

// BenchmarkToy: the 2-D toy of the PyTorch comparison (issue 14: d = 2,
// 8 Glow blocks, conditioners 64 x 2, batch 256) on one flow worker:
// LogProb, Sample and a training step, where the per-call costs of tiny
// shapes, not the arithmetic, set the time.
func BenchmarkToy(b *testing.B) {
	forPrecisions(b, func(b *testing.B) { benchSmall[float64](b, 2, 64) }, func(b *testing.B) { benchSmall[float32](b, 2, 64) })
}

// BenchmarkLattice: the flows cmd/theory trains on the 1-D phi^4 lattice
// (d = 8, conditioners 4 -> 32 -> 32 -> 8; 8 blocks, batch 256) on one
// worker, where rows of four elements and narrow products set the time.
func BenchmarkLattice(b *testing.B) {
	forPrecisions(b, func(b *testing.B) { benchSmall[float64](b, 8, 32) }, func(b *testing.B) { benchSmall[float32](b, 8, 32) })
}

// benchSmall times LogProb, Sample and a training step of a Glow flow of
// dimension d with conditioners of two hidden layers of width.
func benchSmall[T kernels.Float](b *testing.B, d, width int) {
	sp, err := Glow(d, benchBlocks, Block{Hidden: []int{width, width}})
	if err != nil {
		b.Fatal(err)
	}
	f, err := New[T](sp, 1)
	if err != nil {
		b.Fatal(err)
	}
	f.SetWorkers(1)
	x := randMat[T](benchBatch, d, 2)
	for _, l := range f.layers {
		if a, ok := l.(*ActNorm[T]); ok {
			a.initFromData(x)
		}
	}
	fl := denseFlops(f, benchBatch)
	lp := make([]float64, benchBatch)
	b.Run("LogProb", func(b *testing.B) { timed(b, fl, func() { f.LogProb(lp, x) }) })
	s := randMat[T](benchBatch, d, 3)
	b.Run("Sample", func(b *testing.B) { timed(b, fl, func() { f.Sample(s, 3) }) })
	opt := benchOpt(f)
	b.Run("TrainStep", func(b *testing.B) { timed(b, 3*fl, func() { benchStep(b, f, x, opt) }) })
}

// TestBenchConfig keeps the benchmark's flop count honest: the
// conditioners are 32 -> 256 -> 256 -> 64.
func TestBenchConfig(t *testing.T) {
	sp, _ := Glow(benchD, benchBlocks, Block{Hidden: []int{benchWidth, benchWidth}})
	f, err := New[float32](sp, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := 8 * 2 * float64(benchBatch*(32*256+256*256+256*64))
	if got := denseFlops(f, benchBatch); got != want {
		t.Fatalf("dense flops %v, want %v", got, want)
	}
	_ = fmt.Sprint(runtime.GOARCH)
}
