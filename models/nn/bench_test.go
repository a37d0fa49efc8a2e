package nn

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flowkern/flowkern/internal/cputime"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// BenchmarkMLP times a RealNVP conditioner, sizes 32-256-256-64 at batch
// 256, in both precisions: Forward, and Forward + Backward (with dL/din).
// The "dense" variants make the same kernel calls (MatVecs, MatTVecs,
// AddOuters) with no activation, so the cpu-ns ratio of a network to its
// dense variant is what the activations and the bookkeeping cost.
//
// workers=1 runs every kernel call on the benchmark's goroutine and reports
// that thread's CPU time; workers=max lets the kernels use their goroutines
// and reports the process's CPU time (which includes the helpers' spinning
// between calls). GFLOP/s counts the multiply-adds of the dense layers
// (2 flops each) per wall-clock second, cpu-GFLOP/s per CPU second (the
// measure that other processes on a shared machine disturb least).
func BenchmarkMLP(b *testing.B) {
	sizes := []int{32, 256, 256, 64}
	const batch = 256
	for _, workers := range []int{1, 0} {
		wname := "workers=1"
		if workers == 0 {
			wname = "workers=max"
		}
		b.Run(wname+"/float32", func(b *testing.B) { benchMLP[float32](b, sizes, batch, workers) })
		b.Run(wname+"/float64", func(b *testing.B) { benchMLP[float64](b, sizes, batch, workers) })
	}
}

func benchMLP[T kernels.Float](b *testing.B, sizes []int, batch, workers int) {
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(workers))
	macs := 0
	for l := 1; l < len(sizes); l++ {
		macs += sizes[l-1] * sizes[l]
	}
	macs *= batch
	r := tk.NewRand(1)
	last := sizes[len(sizes)-1]
	in := newMatrix[T](r, batch, sizes[0], sizes[0])
	out := newMatrix[T](r, batch, last, last)
	dout := newMatrix[T](r, batch, last, last)
	din := newMatrix[T](r, batch, sizes[0], sizes[0])
	for _, act := range []string{"dense", "tanh", "gelu", "relu"} {
		a, _ := ParseActivation(act)
		net := newNet[T](b, sizes, a, 2)
		var ws Work[T]
		for _, mode := range []string{"forward", "forward+backward"} {
			backward := mode != "forward"
			run := func() { runMLP(net.m, out, in, dout, din, &ws, backward) }
			if act == "dense" {
				run = func() { runDense(net.m, out, in, dout, din, &ws, backward) }
			}
			b.Run(fmt.Sprintf("%s/%s", act, mode), func(b *testing.B) {
				run() // grow ws outside the timing
				b.ReportAllocs()
				clock := cputime.Process
				if workers == 1 {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					clock = cputime.Thread
				}
				c0, ok := clock()
				for b.Loop() {
					run()
				}
				c1, ok1 := clock()
				flops := 2 * float64(macs)
				if backward {
					flops *= 3
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if ok && ok1 {
					b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
					b.ReportMetric(flops*float64(b.N)/float64(c1-c0), "cpu-GFLOP/s")
				}
			})
		}
	}
}

//go:noinline
func runMLP[T kernels.Float](m *MLP[T], out, in, dout, din kernels.Matrix[T], ws *Work[T], backward bool) {
	m.Forward(out, in, ws)
	if backward {
		m.Backward(din, dout, in, ws)
	}
}

// runDense is runMLP's kernel calls alone: the hidden layers keep their
// pre-activations (no activation, no derivative).
//
//go:noinline
func runDense[T kernels.Float](m *MLP[T], out, in, dout, din kernels.Matrix[T], ws *Work[T], backward bool) {
	ws.prepare(m, in.Rows)
	batch, x, off := in.Rows, in, 0
	for l := range len(m.Layers) - 1 {
		d := &m.Layers[l]
		z := view(ws.pre, off, batch, d.W.Rows)
		kernels.MatVecs(z, d.W, x, d.B)
		x, off = z, off+batch*d.W.Rows
	}
	kernels.MatVecs(out, m.Layers[len(m.Layers)-1].W, x, m.Layers[len(m.Layers)-1].B)
	if !backward {
		return
	}
	if n := batch * m.widestHidden(); len(ws.g[0]) < n {
		ws.g[0], ws.g[1] = make([]T, n), make([]T, n)
	}
	dy, cur := dout, 0
	for l := len(m.Layers) - 1; l >= 0; l-- {
		d := &m.Layers[l]
		x := in
		if l > 0 {
			off -= batch * d.W.Cols
			x = view(ws.pre, off, batch, d.W.Cols)
		}
		kernels.AddOuters(d.GW, d.GB, dy, x)
		if l == 0 {
			kernels.MatTVecs(din, d.W, dy)
			break
		}
		g := view(ws.g[cur], 0, batch, d.W.Cols)
		kernels.MatTVecs(g, d.W, dy)
		dy, cur = g, 1-cur
	}
}

// BenchmarkActivation times each activation and its derivative over one
// hidden layer of BenchmarkMLP (256 x 256 elements), on the benchmark's
// thread; ns/elem is per element. The derivative runs include a copy of
// the incoming gradient (else repeated products would drive it to
// subnormals); "copy" times that copy alone.
func BenchmarkActivation(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchAct[float32](b) })
	b.Run("float64", func(b *testing.B) { benchAct[float64](b) })
}

func benchAct[T kernels.Float](b *testing.B) {
	const n = 256 * 256
	r := tk.NewRand(3)
	z, a, aux, g0, g, s1, s2 := make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n)
	for i := range z {
		z[i] = T(r.NormFloat64())
		g0[i] = T(r.NormFloat64())
	}
	b.Run("copy", func(b *testing.B) {
		stop := tk.CPUTime(b)
		for b.Loop() {
			copy(g, g0)
		}
		stop()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
	})
	for act := range numActivations {
		activate(act, a, z, aux)
		for _, mode := range []string{"forward", "derivative"} {
			b.Run(act.String()+"/"+mode, func(b *testing.B) {
				stop := tk.CPUTime(b)
				for b.Loop() {
					runAct(act, mode == "derivative", a, z, aux, g0, g, s1, s2)
				}
				stop()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
			})
		}
	}
}

//go:noinline
func runAct[T kernels.Float](act Activation, derivative bool, a, z, aux, g0, g, s1, s2 []T) {
	if derivative {
		copy(g, g0)
		activateGrad(act, g, z, a, aux, s1, s2)
	} else {
		activate(act, a, z, aux)
	}
}
