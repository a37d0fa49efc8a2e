package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
	"github.com/flowkern/flowkern/kernels"
)

// testNet is an MLP with its parameter and gradient arenas.
type testNet[T kernels.Float] struct {
	m             *MLP[T]
	params, grads []T
}

// newNet makes an MLP initialised from seed, its biases spread a little
// more than Init does so that the layers are not near-linear.
func newNet[T kernels.Float](t testing.TB, sizes []int, act Activation, seed uint64) testNet[T] {
	t.Helper()
	n := ParamCount(sizes)
	p, g := make([]T, n), make([]T, n)
	m, err := NewMLP(sizes, act, p, g)
	if err != nil {
		t.Fatal(err)
	}
	r := kernels.NewNormal(seed, 0)
	m.Init(&r, false)
	return testNet[T]{m, p, g}
}

// newMatrix returns a rows x cols matrix with the given stride, filled
// with normal numbers (the padding with NaN, which must never be read).
func newMatrix[T kernels.Float](r *rand.Rand, rows, cols, stride int) kernels.Matrix[T] {
	d := make([]T, max(0, (rows-1)*stride+cols))
	for i := range d {
		if i%stride < cols {
			d[i] = T(r.NormFloat64())
		} else {
			d[i] = T(math.NaN())
		}
	}
	return kernels.Matrix[T]{Rows: rows, Cols: cols, Data: d, Stride: stride}
}

func at[T kernels.Float](m kernels.Matrix[T], i, j int) T { return m.Data[i*m.Stride+j] }

// refAct is act in float64 with the math package: GELU in PyTorch's tanh
// form, softplus as log1p(exp(x)).
func refAct(act Activation, x float64) float64 {
	switch act {
	case ReLU:
		return max(x, 0)
	case Tanh:
		return math.Tanh(x)
	case SiLU:
		return x / (1 + math.Exp(-x))
	case GELU:
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	case Softplus:
		return math.Log1p(math.Exp(x))
	}
	return x
}

// naiveForward is the MLP in float64 by plain loops.
func naiveForward[T kernels.Float](m *MLP[T], in kernels.Matrix[T]) [][]float64 {
	out, _ := naiveForwardPre(m, in)
	return out
}

// naiveForwardPre is naiveForward that also returns every hidden
// pre-activation.
func naiveForwardPre[T kernels.Float](m *MLP[T], in kernels.Matrix[T]) (out [][]float64, pre []float64) {
	out = make([][]float64, in.Rows)
	for b := range in.Rows {
		x := make([]float64, in.Cols)
		for j := range x {
			x[j] = float64(at(in, b, j))
		}
		for l, d := range m.Layers {
			y := make([]float64, d.W.Rows)
			for i := range y {
				s := float64(d.B[i])
				for j := range x {
					s += float64(at(d.W, i, j)) * x[j]
				}
				if l < len(m.Layers)-1 {
					pre = append(pre, s)
					s = refAct(m.Act, s)
				}
				y[i] = s
			}
			x = y
		}
		out[b] = x
	}
	return out, pre
}

// TestForwardNaive compares Forward with naiveForward for every activation,
// both precisions, strided inputs and outputs, and several depths.
func TestForwardNaive(t *testing.T) {
	for act := range numActivations {
		for _, sizes := range [][]int{{5, 3}, {4, 7, 3}, {6, 17, 9, 2}, {3, 40, 33, 20, 5}} {
			name := fmt.Sprintf("%v/%v", act, sizes)
			t.Run(name+"/float64", func(t *testing.T) { checkForwardNaive[float64](t, sizes, act, 1e-13) })
			t.Run(name+"/float32", func(t *testing.T) { checkForwardNaive[float32](t, sizes, act, 1e-5) })
		}
	}
}

func checkForwardNaive[T kernels.Float](t *testing.T, sizes []int, act Activation, tol float64) {
	net := newNet[T](t, sizes, act, 3)
	r := tk.NewRand(4)
	for _, batch := range []int{0, 1, 7} {
		in := newMatrix[T](r, batch, sizes[0], sizes[0]+2)
		last := sizes[len(sizes)-1]
		out := newMatrix[T](r, batch, last, last+3)
		var ws Work[T]
		net.m.Forward(out, in, &ws)
		want := naiveForward(net.m, in)
		for b := range batch {
			for i := range last {
				got := float64(at(out, b, i))
				if d := math.Abs(got - want[b][i]); !(d <= tol*max(1, math.Abs(want[b][i]))) {
					t.Fatalf("batch %d: out[%d][%d] = %v, want %v", batch, b, i, got, want[b][i])
				}
			}
		}
		for k, v := range out.Data {
			if k%out.Stride >= last && !math.IsNaN(float64(v)) {
				t.Fatalf("Forward wrote the padding of out at %d", k)
			}
		}
	}
}

// loss is L = sum(out * R) after a Forward of in.
func loss[T kernels.Float](m *MLP[T], in, rw kernels.Matrix[T], ws *Work[T]) float64 {
	out := kernels.Matrix[T]{Rows: in.Rows, Cols: rw.Cols, Data: make([]T, in.Rows*rw.Cols), Stride: rw.Cols}
	m.Forward(out, in, ws)
	s := 0.0
	for k := range out.Data {
		s += float64(out.Data[k]) * float64(rw.Data[k])
	}
	return s
}

// TestGradientsFiniteDifferences checks every parameter gradient and the
// input gradient against central differences of L = sum(out * R), in
// float64, for every activation (ReLU with no pre-activation near its
// kink). It also checks that Backward adds to the gradients and leaves
// dout alone.
func TestGradientsFiniteDifferences(t *testing.T) {
	for act := range numActivations {
		for _, sizes := range [][]int{{3, 2}, {3, 6, 5, 2}, {4, 5, 7, 6, 3}} {
			t.Run(fmt.Sprintf("%v/%v", act, sizes), func(t *testing.T) { checkGradients(t, sizes, act) })
		}
	}
}

func checkGradients(t *testing.T, sizes []int, act Activation) {
	const batch, h, tol = 4, 1e-6, 1e-7
	net := newNet[float64](t, sizes, act, 5)
	r := tk.NewRand(6)
	for i := range net.params {
		net.params[i] *= 2 // larger weights: the activations' curvature shows
	}
	in := newMatrix[float64](r, batch, sizes[0], sizes[0]+1)
	last := sizes[len(sizes)-1]
	rw := newMatrix[float64](r, batch, last, last)
	var ws Work[float64]
	if act == ReLU {
		// Move the biases until every pre-activation is away from the kink.
		for try := 0; ; try++ {
			_, pre := naiveForwardPre(net.m, in)
			near := slices.ContainsFunc(pre, func(z float64) bool { return math.Abs(z) < 1e-3 })
			if !near {
				break
			}
			if try == 100 {
				t.Fatal("no ReLU network away from the kinks")
			}
			for _, d := range net.m.Layers {
				for i := range d.B {
					d.B[i] += 0.01 * r.NormFloat64()
				}
			}
		}
	}
	// Gradients from a non-zero start: Backward must add to them.
	g0 := make([]float64, len(net.grads))
	for i := range g0 {
		g0[i] = r.NormFloat64()
	}
	copy(net.grads, g0)
	loss(net.m, in, rw, &ws)
	dout := kernels.Matrix[float64]{Rows: batch, Cols: last, Data: slices.Clone(rw.Data), Stride: last}
	din := newMatrix[float64](r, batch, sizes[0], sizes[0]+2)
	net.m.Backward(din, dout, in, &ws)
	if !slices.Equal(dout.Data, rw.Data) {
		t.Fatal("Backward changed dout")
	}
	for k, v := range din.Data {
		if k%din.Stride >= sizes[0] && !math.IsNaN(v) {
			t.Fatalf("Backward wrote the padding of din at %d", k)
		}
	}
	fd := func(p *float64) float64 {
		v := *p
		*p = v + h
		lp := loss(net.m, in, rw, &ws)
		*p = v - h
		lm := loss(net.m, in, rw, &ws)
		*p = v
		return (lp - lm) / (2 * h)
	}
	names := net.m.Tensors("")
	for i := range net.params {
		got := net.grads[i] - g0[i]
		want := fd(&net.params[i])
		if math.Abs(got-want) > tol*max(1, math.Abs(want)) {
			k := len(names) - 1
			for names[k].Offset > i {
				k--
			}
			t.Fatalf("dL/d%s[%d] = %v, finite differences %v", names[k].Name, i-names[k].Offset, got, want)
		}
	}
	for b := range batch {
		for j := range sizes[0] {
			got := at(din, b, j)
			want := fd(&in.Data[b*in.Stride+j])
			if math.Abs(got-want) > tol*max(1, math.Abs(want)) {
				t.Fatalf("dL/din[%d][%d] = %v, finite differences %v", b, j, got, want)
			}
		}
	}
	// Without din, the parameter gradients are the same bits.
	g1 := slices.Clone(net.grads)
	copy(net.grads, g0)
	loss(net.m, in, rw, &ws)
	net.m.Backward(kernels.Matrix[float64]{}, dout, in, &ws)
	if i := tk.FirstDiff(net.grads, g1); i >= 0 {
		t.Fatalf("gradient %d differs without din: %v vs %v", i, net.grads[i], g1[i])
	}
}

// pass runs Forward and Backward and returns out, din and the gradients
// (from zero).
func pass[T kernels.Float](net testNet[T], in, dout kernels.Matrix[T], ws *Work[T]) (out, din, grads []T) {
	last := dout.Cols
	o := kernels.Matrix[T]{Rows: in.Rows, Cols: last, Data: make([]T, in.Rows*last), Stride: last}
	net.m.Forward(o, in, ws)
	d := kernels.Matrix[T]{Rows: in.Rows, Cols: in.Cols, Data: make([]T, in.Rows*in.Cols), Stride: in.Cols}
	clear(net.grads)
	net.m.Backward(d, dout, in, ws)
	return o.Data, d.Data, slices.Clone(net.grads)
}

// TestFloat32MatchesFloat64 runs the same network (float64 parameters
// rounded to float32) in both precisions.
func TestFloat32MatchesFloat64(t *testing.T) {
	sizes := []int{8, 32, 32, 4}
	for act := range numActivations {
		t.Run(act.String(), func(t *testing.T) {
			n64 := newNet[float64](t, sizes, act, 8)
			n32 := newNet[float32](t, sizes, act, 99)
			for i, p := range n64.params {
				n32.params[i] = float32(p)
				n64.params[i] = float64(float32(p))
			}
			r := tk.NewRand(9)
			in32 := newMatrix[float32](r, 16, 8, 8)
			dout32 := newMatrix[float32](r, 16, 4, 4)
			conv := func(m kernels.Matrix[float32]) kernels.Matrix[float64] {
				d := make([]float64, len(m.Data))
				for i, v := range m.Data {
					d[i] = float64(v)
				}
				return kernels.Matrix[float64]{Rows: m.Rows, Cols: m.Cols, Data: d, Stride: m.Stride}
			}
			o32, d32, g32 := pass(n32, in32, dout32, &Work[float32]{})
			o64, d64, g64 := pass(n64, conv(in32), conv(dout32), &Work[float64]{})
			cmp := func(what string, a []float32, b []float64) {
				scale := 0.0
				for _, v := range b {
					scale = max(scale, math.Abs(v))
				}
				for i := range b {
					if d := math.Abs(float64(a[i]) - b[i]); d > 1e-5*scale {
						t.Fatalf("%s[%d]: float32 %v, float64 %v (scale %v)", what, i, a[i], b[i], scale)
					}
				}
			}
			cmp("out", o32, o64)
			cmp("din", d32, d64)
			cmp("grads", g32, g64)
		})
	}
}

// TestTiers requires bit-identical outputs, input gradients and parameter
// gradients on every tier this machine runs (generic first), with one
// kernel goroutine and with the default, for every activation.
func TestTiers(t *testing.T) {
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(0))
	shapes := []struct {
		sizes []int
		batch int
	}{
		{[]int{13, 37, 29, 5}, 19},
		{[]int{32, 256, 256, 64}, 64}, // large enough for parallel kernel calls
	}
	for _, sh := range shapes {
		for act := range numActivations {
			name := fmt.Sprintf("%v/%v", act, sh.sizes)
			t.Run(name+"/float64", func(t *testing.T) { checkTiers[float64](t, sh.sizes, sh.batch, act) })
			t.Run(name+"/float32", func(t *testing.T) { checkTiers[float32](t, sh.sizes, sh.batch, act) })
		}
	}
}

func checkTiers[T kernels.Float](t *testing.T, sizes []int, batch int, act Activation) {
	net := newNet[T](t, sizes, act, 10)
	r := tk.NewRand(11)
	in := newMatrix[T](r, batch, sizes[0], sizes[0])
	dout := newMatrix[T](r, batch, sizes[len(sizes)-1], sizes[len(sizes)-1])
	var ro, rd, rg []T
	var ran []string
	for _, tier := range cpu.Tiers {
		if err := kernels.SetISA(tier.String()); err != nil {
			t.Logf("tier %s skipped: %v", tier, err)
			continue
		}
		for _, workers := range []int{1, 0} {
			kernels.SetMaxWorkers(workers)
			o, d, g := pass(net, in, dout, &Work[T]{})
			if ro == nil {
				ro, rd, rg = o, d, g
				continue
			}
			for _, c := range []struct {
				what      string
				got, want []T
			}{{"out", o, ro}, {"din", d, rd}, {"grads", g, rg}} {
				if i := tk.FirstDiff(c.got, c.want); i >= 0 {
					t.Fatalf("tier %s, workers %d: %s[%d] = %v, generic %v", tier, workers, c.what, i, c.got[i], c.want[i])
				}
			}
		}
		ran = append(ran, tier.String())
	}
	if len(ran) < 2 {
		t.Logf("only %v runs here: nothing to compare", ran)
	} else {
		t.Logf("bit-identical on %v", ran)
	}
}

// TestRowsIndependent checks that each output row and input-gradient row
// depends only on its own input row: a batch gives the bits of its rows
// run one by one, and a Work reused over batch sizes (and over MLPs)
// gives the bits of a fresh one.
func TestRowsIndependent(t *testing.T) {
	sizes := []int{6, 20, 11, 3}
	r := tk.NewRand(12)
	var shared Work[float64]
	for act := range numActivations {
		net := newNet[float64](t, sizes, act, 13)
		in := newMatrix[float64](r, 9, 6, 6)
		dout := newMatrix[float64](r, 9, 3, 3)
		o, d, _ := pass(net, in, dout, &Work[float64]{})
		for b := range 9 {
			rowIn := kernels.Matrix[float64]{Rows: 1, Cols: 6, Data: in.Data[b*6 : b*6+6], Stride: 6}
			rowOut := kernels.Matrix[float64]{Rows: 1, Cols: 3, Data: dout.Data[b*3 : b*3+3], Stride: 3}
			o1, d1, _ := pass(net, rowIn, rowOut, &shared)
			if i := tk.FirstDiff(o1, o[b*3:b*3+3]); i >= 0 {
				t.Fatalf("%v: row %d alone: out[%d] = %v, in the batch %v", act, b, i, o1[i], o[b*3+i])
			}
			if i := tk.FirstDiff(d1, d[b*6:b*6+6]); i >= 0 {
				t.Fatalf("%v: row %d alone: din[%d] = %v, in the batch %v", act, b, i, d1[i], d[b*6+i])
			}
		}
		o2, d2, g2 := pass(net, in, dout, &shared)
		_, _, g := pass(net, in, dout, &Work[float64]{})
		if tk.FirstDiff(o2, o) >= 0 || tk.FirstDiff(d2, d) >= 0 || tk.FirstDiff(g2, g) >= 0 {
			t.Fatalf("%v: a reused Work gives other bits", act)
		}
	}
}

// TestNoAllocs checks that Forward and Backward allocate nothing once the
// Work has grown, with one kernel goroutine (parallel kernel calls
// allocate a few small objects of their own).
func TestNoAllocs(t *testing.T) {
	defer kernels.SetMaxWorkers(kernels.SetMaxWorkers(1))
	for _, sizes := range [][]int{{5, 9, 4}, {32, 256, 256, 64}} {
		for _, act := range []Activation{Identity, ReLU, Tanh, SiLU, GELU, Softplus} {
			net := newNet[float32](t, sizes, act, 14)
			r := tk.NewRand(15)
			batch := 64
			in := newMatrix[float32](r, batch, sizes[0], sizes[0])
			last := sizes[len(sizes)-1]
			out := newMatrix[float32](r, batch, last, last)
			dout := newMatrix[float32](r, batch, last, last)
			din := newMatrix[float32](r, batch, sizes[0], sizes[0])
			var ws Work[float32]
			n := testing.AllocsPerRun(3, func() {
				net.m.Forward(out, in, &ws)
				net.m.Backward(din, dout, in, &ws)
			})
			if n != 0 {
				t.Errorf("%v %v: %v allocations per Forward+Backward", act, sizes, n)
			}
		}
	}
}

func TestNewMLPErrors(t *testing.T) {
	bad := [][]int{nil, {}, {3}, {3, 0, 2}, {0, 2}, {3, -1}, {math.MaxInt / 2, math.MaxInt / 2}}
	for _, sizes := range bad {
		if n := ParamCount(sizes); n != 0 {
			t.Errorf("ParamCount(%v) = %d, want 0", sizes, n)
		}
		if _, err := NewMLP[float64](sizes, Tanh, nil, nil); err == nil {
			t.Errorf("NewMLP(%v) gave no error", sizes)
		}
	}
	sizes := []int{3, 4, 2}
	n := ParamCount(sizes)
	if n != 3*4+4+4*2+2 {
		t.Fatalf("ParamCount(%v) = %d", sizes, n)
	}
	cases := []struct {
		act           Activation
		params, grads []float32
		want          string
	}{
		{Tanh, make([]float32, n-1), make([]float32, n), "len(params)"},
		{Tanh, make([]float32, n+1), make([]float32, n), "len(params)"},
		{Tanh, make([]float32, n), make([]float32, n-1), "len(grads)"},
		{Activation(6), make([]float32, n), make([]float32, n), "activation"},
		{Activation(-1), make([]float32, n), make([]float32, n), "activation"},
	}
	for _, c := range cases {
		if _, err := NewMLP(sizes, c.act, c.params, c.grads); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewMLP(%v, %v, len %d, len %d): error %v, want one naming %s",
				sizes, c.act, len(c.params), len(c.grads), err, c.want)
		}
	}
	// nil grads: Forward works, Backward panics.
	m, err := NewMLP(sizes, Tanh, make([]float64, n), nil)
	if err != nil {
		t.Fatal(err)
	}
	in := kernels.Matrix[float64]{Rows: 1, Cols: 3, Data: make([]float64, 3), Stride: 3}
	out := kernels.Matrix[float64]{Rows: 1, Cols: 2, Data: make([]float64, 2), Stride: 2}
	var ws Work[float64]
	m.Forward(out, in, &ws)
	expectPanic(t, "no gradients", func() { m.Backward(kernels.Matrix[float64]{}, out, in, &ws) })
}

// expectPanic runs f and requires a panic whose message contains every
// one of want.
func expectPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one with %q", want)
			return
		}
		if s := fmt.Sprint(r); !strings.Contains(s, want) {
			t.Errorf("panic %q, want one with %q", s, want)
		}
	}()
	f()
}

func TestShapePanics(t *testing.T) {
	net := newNet[float64](t, []int{4, 6, 2}, GELU, 16)
	other := newNet[float64](t, []int{4, 6, 2}, GELU, 16)
	m := net.m
	mat := func(r, c int) kernels.Matrix[float64] {
		return kernels.Matrix[float64]{Rows: r, Cols: c, Data: make([]float64, r*c), Stride: max(c, 1)}
	}
	in, out := mat(3, 4), mat(3, 2)
	var ws, fresh, ows Work[float64]
	m.Forward(out, in, &ws)
	other.m.Forward(out, in, &ows)
	cases := []struct {
		want string
		f    func()
	}{
		{"nn: MLP.Forward: in is 3x5, want batch x 4", func() { m.Forward(out, mat(3, 5), &ws) }},
		{"nn: MLP.Forward: out is 3x3, want batch x 2", func() { m.Forward(mat(3, 3), in, &ws) }},
		{"nn: MLP.Forward: out is 2x2, want 3x2", func() { m.Forward(mat(2, 2), in, &ws) }},
		{"nn: MLP.Forward: in has Stride 3 < max(1, Cols 4)", func() {
			m.Forward(out, kernels.Matrix[float64]{Rows: 3, Cols: 4, Data: make([]float64, 12), Stride: 3}, &ws)
		}},
		{"nn: MLP.Forward: in is 3x4 with Stride 4 and needs len(Data) >= 12, has 11", func() {
			m.Forward(out, kernels.Matrix[float64]{Rows: 3, Cols: 4, Data: make([]float64, 11), Stride: 4}, &ws)
		}},
		{"nn: MLP.Forward: out has negative size", func() { m.Forward(kernels.Matrix[float64]{Rows: -1, Cols: 2, Stride: 2}, in, &ws) }},
		{"nn: MLP.Forward: ws is nil", func() { m.Forward(out, in, nil) }},
		{"nn: MLP.Backward: dout is 3x3, want batch x 2", func() { m.Backward(mat(3, 4), mat(3, 3), in, &ws) }},
		{"nn: MLP.Backward: in is 2x4, want 3x4", func() { m.Backward(mat(3, 4), out, mat(2, 4), &ws) }},
		{"nn: MLP.Backward: din is 3x5, want batch x 4", func() { m.Backward(mat(3, 5), out, in, &ws) }},
		{"nn: MLP.Backward: din is 4x4, want 3x4", func() { m.Backward(mat(4, 4), out, in, &ws) }},
		{"nn: MLP.Backward: ws is nil", func() { m.Backward(mat(3, 4), out, in, nil) }},
		{"nn: MLP.Backward: ws does not hold a Forward of this MLP", func() { m.Backward(mat(3, 4), out, in, &fresh) }},
		{"nn: MLP.Backward: ws does not hold a Forward of this MLP", func() { m.Backward(mat(3, 4), out, in, &ows) }},
		{"nn: MLP.Backward: ws holds a Forward of batch 3, dout has 2 rows", func() { m.Backward(mat(2, 4), mat(2, 2), mat(2, 4), &ws) }},
	}
	for _, c := range cases {
		expectPanic(t, c.want, c.f)
	}
}

func TestTensors(t *testing.T) {
	sizes := []int{3, 5, 4, 2}
	n := ParamCount(sizes)
	params, grads := make([]float64, n), make([]float64, n)
	for i := range params {
		params[i], grads[i] = float64(i), float64(-i)
	}
	m, err := NewMLP(sizes, SiLU, params, grads)
	if err != nil {
		t.Fatal(err)
	}
	ts := m.Tensors("layers.3.net.")
	want := []Tensor{
		{"layers.3.net.0.weight", []int{5, 3}, 0}, {"layers.3.net.0.bias", []int{5}, 15},
		{"layers.3.net.2.weight", []int{4, 5}, 20}, {"layers.3.net.2.bias", []int{4}, 40},
		{"layers.3.net.4.weight", []int{2, 4}, 44}, {"layers.3.net.4.bias", []int{2}, 52},
	}
	if len(ts) != len(want) {
		t.Fatalf("Tensors: %v", ts)
	}
	total := 0
	for k, w := range want {
		if ts[k].Name != w.Name || !slices.Equal(ts[k].Shape, w.Shape) || ts[k].Offset != w.Offset {
			t.Errorf("tensor %d = %+v, want %+v", k, ts[k], w)
		}
		size := 1
		for _, s := range w.Shape {
			size *= s
		}
		total += size
	}
	if total != n {
		t.Errorf("the tensors cover %d parameters, ParamCount %d", total, n)
	}
	// The views: W[i][j] of layer l is params[offset + i*in + j].
	for l, d := range m.Layers {
		wt, bt := ts[2*l], ts[2*l+1]
		if d.W.Rows != wt.Shape[0] || d.W.Cols != wt.Shape[1] || d.W.Stride != wt.Shape[1] {
			t.Errorf("layer %d: W is %dx%d stride %d", l, d.W.Rows, d.W.Cols, d.W.Stride)
		}
		for i := range d.W.Rows {
			for j := range d.W.Cols {
				o := wt.Offset + i*d.W.Cols + j
				if at(d.W, i, j) != float64(o) || at(d.GW, i, j) != float64(-o) {
					t.Fatalf("layer %d: W[%d][%d] = %v, GW %v, want params[%d]", l, i, j, at(d.W, i, j), at(d.GW, i, j), o)
				}
			}
		}
		if len(d.B) != bt.Shape[0] || d.B[0] != float64(bt.Offset) || d.GB[len(d.GB)-1] != -float64(bt.Offset+len(d.B)-1) {
			t.Errorf("layer %d: B = %v, GB = %v", l, d.B, d.GB)
		}
		if cap(d.B) != len(d.B) || cap(d.W.Data) != len(d.W.Data) {
			t.Errorf("layer %d: a view's capacity reaches past it", l)
		}
	}
	sizes[1] = 99
	if m.Sizes[1] != 5 {
		t.Error("NewMLP keeps the caller's sizes slice")
	}
}

func TestInit(t *testing.T) {
	sizes := []int{300, 200, 7}
	n := ParamCount(sizes)
	p := make([]float64, n)
	m, _ := NewMLP(sizes, Tanh, p, nil)
	g := kernels.NewNormal(17, 3)
	g0 := g
	m.Init(&g, false)
	after := g
	// Every value is (2u - 1)/sqrt(in) of the next word, in layout order.
	for l, ts := range m.Tensors("") {
		in := sizes[l/2]
		size := ts.Shape[0]
		if len(ts.Shape) == 2 {
			size *= ts.Shape[1]
		}
		b := 1 / math.Sqrt(float64(in))
		sum, sq := 0.0, 0.0
		for i := range size {
			u := float64(g0.Uint64()>>11) * 0x1p-53
			want := (2*u - 1) * b
			v := p[ts.Offset+i]
			if v != want || v < -b || v >= b {
				t.Fatalf("%s[%d] = %v, want %v (bound %v)", ts.Name, i, v, want, b)
			}
			sum += v
			sq += v * v
		}
		if size >= 10000 {
			mean, variance := sum/float64(size), sq/float64(size)
			if math.Abs(mean) > 0.02*b || math.Abs(variance/(b*b/3)-1) > 0.03 {
				t.Errorf("%s: mean %v, variance %v, want 0 and %v", ts.Name, mean, variance, b*b/3)
			}
		}
	}
	if g.Uint64() != g0.Uint64() {
		t.Fatal("Init drew other than ParamCount words")
	}
	// zeroLast: the last layer 0, the others and the stream as without it.
	p2 := make([]float64, n)
	m2, _ := NewMLP(sizes, Tanh, p2, nil)
	g2 := kernels.NewNormal(17, 3)
	m2.Init(&g2, true)
	lastW := m.Tensors("")[2].Offset
	for i := range p2 {
		if (i < lastW && p2[i] != p[i]) || (i >= lastW && p2[i] != 0) {
			t.Fatalf("zeroLast: params[%d] = %v (without zeroLast %v; last layer from %d)", i, p2[i], p[i], lastW)
		}
	}
	if g2.Uint64() != after.Uint64() {
		t.Fatal("zeroLast changed what the stream draws next")
	}
	// float32: the float64 value rounded.
	p32 := make([]float32, n)
	m32, _ := NewMLP(sizes, Tanh, p32, nil)
	g3 := kernels.NewNormal(17, 3)
	m32.Init(&g3, false)
	for i := range p32 {
		if p32[i] != float32(p[i]) {
			t.Fatalf("float32 params[%d] = %v, want %v", i, p32[i], float32(p[i]))
		}
	}
}

// TestBackwardRepeatable checks that Backward leaves what Forward kept as
// it was: a second Backward after one Forward gives the same bits.
func TestBackwardRepeatable(t *testing.T) {
	sizes := []int{5, 12, 9, 4}
	r := tk.NewRand(18)
	for act := range numActivations {
		net := newNet[float32](t, sizes, act, 19)
		in := newMatrix[float32](r, 6, 5, 5)
		dout := newMatrix[float32](r, 6, 4, 4)
		out := newMatrix[float32](r, 6, 4, 4)
		var ws Work[float32]
		net.m.Forward(out, in, &ws)
		var dins, grads [2][]float32
		for k := range 2 {
			clear(net.grads)
			din := newMatrix[float32](r, 6, 5, 5)
			net.m.Backward(din, dout, in, &ws)
			dins[k], grads[k] = din.Data, slices.Clone(net.grads)
		}
		if tk.FirstDiff(dins[0], dins[1]) >= 0 || tk.FirstDiff(grads[0], grads[1]) >= 0 {
			t.Errorf("%v: a second Backward gives other bits", act)
		}
	}
}

// TestBackwardSet: BackwardSet leaves the bits of clearing the gradients
// and calling Backward, whatever they held (NaN here), on every tier.
func TestBackwardSet(t *testing.T) {
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	sizes := []int{5, 12, 9, 4}
	for _, tier := range cpu.Tiers {
		if err := kernels.SetISA(tier.String()); err != nil {
			t.Logf("tier %s skipped: %v", tier, err)
			continue
		}
		r := tk.NewRand(21)
		for act := range numActivations {
			net := newNet[float64](t, sizes, act, 22)
			in := newMatrix[float64](r, 7, 5, 5)
			dout := newMatrix[float64](r, 7, 4, 4)
			out := newMatrix[float64](r, 7, 4, 4)
			var ws Work[float64]
			net.m.Forward(out, in, &ws)
			clear(net.grads)
			din := newMatrix[float64](r, 7, 5, 5)
			net.m.Backward(din, dout, in, &ws)
			want, wantIn := slices.Clone(net.grads), slices.Clone(din.Data)
			for i := range net.grads {
				net.grads[i] = math.NaN()
			}
			net.m.BackwardSet(din, dout, in, &ws)
			if i := tk.FirstDiff(net.grads, want); i >= 0 {
				t.Errorf("%s %v: gradient %d = %v, Backward after clearing gave %v", tier, act, i, net.grads[i], want[i])
			}
			if tk.FirstDiff(din.Data, wantIn) >= 0 {
				t.Errorf("%s %v: BackwardSet's din differs from Backward's", tier, act)
			}
		}
	}
}
