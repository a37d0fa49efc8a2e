package kernels

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// allocCase is one call of a public kernel, on buffers made in advance.
type allocCase struct {
	name string
	f    func()
}

// allocCases returns a call of every public kernel (every clamp, with and
// without the optional outputs, every triangular variant) at sizes of n
// features and batch nb.
func allocCases[T Float](n, nb int) []allocCase {
	vec := func(k int) []T {
		s := make([]T, k)
		for i := range s {
			s[i] = T(float64(i%7)*0.25 - 0.5)
		}
		return s
	}
	mat := func(r, c int) Matrix[T] { return Matrix[T]{Rows: r, Cols: c, Stride: c + 1, Data: vec(r*(c+1) + 1)} }
	x, y, d := vec(n), vec(n), vec(n)
	w, xb, yb := mat(n, n), mat(nb, n), mat(nb, n)
	g, gb := mat(n, n), vec(n)
	a := mat(n, n)
	for i := range n {
		a.Data[i*a.Stride+i] = 2
	}
	s, t, ld := mat(nb, n), mat(nb, n), vec(nb)
	dx, ds, dt := mat(nb, n), mat(nb, n), mat(nb, n)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = n - 1 - i
	}
	dg, gds := vec(n), vec(n)
	gc, xc := Matrix[T]{Rows: 40, Cols: 1, Stride: 1, Data: vec(40)}, Matrix[T]{Rows: 128, Cols: 1, Stride: 1, Data: vec(128)}
	gn, dn, xn, gbn := mat(40, 3), mat(128, 40), mat(128, 3), vec(40)
	cols := []int{0, n - 1, n / 2}
	gd := mat(nb, len(cols))
	sp := Halves(n)
	xa, xbb := mat(nb, sp.LenA()), mat(nb, sp.LenB())
	lds := vec(2)
	factors := []Matrix[T]{a, a}
	normal := NewNormal(1, 2)
	adp, adm, adv, adc := vec(n), vec(n), vec(n), NewAdamCoef(1e-3, 0.9, 0.999, 1e-8, 0.01, 3)
	z := make([]float64, n)
	var sink T
	cs := []allocCase{
		{"Dot", func() { sink += Dot(x, y) }},
		{"Sum", func() { sink += Sum(x) }},
		{"Axpy", func() { Axpy(0.5, x, y) }},
		{"Scale", func() { Scale(0.5, y) }},
		{"Add", func() { Add(d, x, y) }},
		{"Mul", func() { Mul(d, x, y) }},
		{"KeepPositive", func() { KeepPositive(d, x, y) }},
		{"TanhGrad", func() { TanhGrad(d, x, y) }},
		{"MatVecs", func() { MatVecs(yb, w, xb, gb) }},
		{"MatVecs/nobias", func() { MatVecs(yb, w, xb, nil) }},
		{"MatTVecs", func() { MatTVecs(yb, w, xb) }},
		{"AddOuters", func() { AddOuters(g, gb, yb, xb) }},
		{"AddOuters/nogb", func() { AddOuters(g, nil, yb, xb) }},
		{"SetOuters", func() { SetOuters(g, gb, yb, xb) }},
		// A narrow G on its transpose (onTranspose): one contiguous column,
		// and three columns through a lane buffer.
		{"AddOuters/column", func() { AddOuters(gc, gbn, dn, xc) }},
		{"AddOuters/narrow", func() { AddOuters(gn, nil, dn, xn) }},
		{"Transpose", func() { Transpose(g, w) }},
		{"AdditiveForward", func() { AdditiveForward(yb, xb, t) }},
		{"AdditiveInverse", func() { AdditiveInverse(yb, xb, t) }},
		{"AdditiveBackward", func() { AdditiveBackward(dx, dt, yb) }},
		{"AdditiveBackward/nodt", func() { AdditiveBackward(dx, Matrix[T]{}, yb) }},
		{"TriLogDet", func() { sink += TriLogDet(a) }},
		{"TriLogDets", func() { TriLogDets(lds, factors) }},
		{"AddRowSums", func() { AddRowSums(ld, s) }},
		{"AddOutersTri/lower", func() { AddOutersTri(g, nil, yb, xb, true) }},
		{"AddOutersTri/upper/ds", func() { AddOutersTri(g, gds, yb, xb, false) }},
		{"Gather", func() { Gather(gd, xb, cols) }},
		{"Scatter", func() { Scatter(yb, gd, cols) }},
		{"GatherSplit", func() { GatherSplit(xa, xbb, xb, sp) }},
		{"ScatterSplit", func() { ScatterSplit(yb, xa, xbb, sp) }},
		{"Normal.Fill", func() { normal.Fill(z) }},
		{"Normal.Float64", func() { sink += T(normal.Float64()) }},
		{"Normal.Uint64", func() { sink += T(normal.Uint64() & 1) }},
		{"Adam", func() { Adam(adp, x, adm, adv, adc) }},
	}
	for _, vs := range vmathSpecs { // every vector math function
		f := public[T](vs)
		cs = append(cs, allocCase{vs.f.String(), func() { f(d, x) }})
	}
	for _, c := range []Clamp{{Kind: ClampNone}, {Kind: ClampTanh, A: 2}, {Kind: ClampAtan, A: 2}} {
		k := fmt.Sprint(c.Kind)
		cs = append(cs,
			allocCase{"CouplingForward/" + k, func() { CouplingForward(yb, xb, s, t, ld, c) }},
			allocCase{"CouplingForward/nologdet/" + k, func() { CouplingForward(yb, xb, s, t, nil, c) }},
			allocCase{"CouplingInverse/" + k, func() { CouplingInverse(xb, yb, s, t, ld, c) }},
			allocCase{"CouplingBackward/" + k, func() { CouplingBackward(dx, ds, dt, yb, ld, xb, s, c) }},
			allocCase{"CouplingBackward/nodt/" + k, func() { CouplingBackward(dx, ds, Matrix[T]{}, yb, nil, xb, s, c) }})
	}
	for k := range 8 {
		upper, trans, unit := k&1 != 0, k&2 != 0, k&4 != 0
		v := fmt.Sprintf("upper=%v,trans=%v,unit=%v", upper, trans, unit)
		cs = append(cs,
			allocCase{"TriMatVecs/" + v, func() { TriMatVecs(xb, a, upper, trans, unit) }},
			allocCase{"TriSolveVecs/" + v, func() { TriSolveVecs(xb, a, upper, trans, unit) }})
		diag := dg
		if unit {
			diag = nil
		}
		cs = append(cs,
			allocCase{"TriMatVecsDiag/" + v, func() { TriMatVecsDiag(xb, a, diag, upper, trans) }},
			allocCase{"TriSolveVecsDiag/" + v, func() { TriSolveVecsDiag(xb, a, diag, upper, trans) }})
	}
	_ = sink
	return cs
}

// TestNoAllocsEveryKernel: no public kernel allocates, on any tier or precision, once
// its pooled scratch exists (the first call may fill the pool). The calls
// here stay on the caller's goroutine (SetMaxWorkers(1)).
func TestNoAllocsEveryKernel(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	if testing.Short() {
		t.Skip("short")
	}
	saved := active
	defer func() { active = saved }()
	defer SetMaxWorkers(SetMaxWorkers(1))
	for _, tier := range cpu.Tiers {
		if !usable(tier) {
			continue
		}
		active = tier
		for _, sizes := range [][2]int{{1, 1}, {37, 5}, {130, 9}} {
			checkAllocs(t, fmt.Sprintf("%s/float64/n=%d", tier, sizes[0]), allocCases[float64](sizes[0], sizes[1]), 0)
			checkAllocs(t, fmt.Sprintf("%s/float32/n=%d", tier, sizes[0]), allocCases[float32](sizes[0], sizes[1]), 0)
		}
	}
}

// TestParallelAllocs: a matrix call that splits across goroutines
// allocates only the few small objects kernels/doc.go lists: 3 for the
// dense kernels (the job, its done channel, the work's closure), up to 4
// for the triangular ones, a few per diagonal block for AddOutersTri.
func TestParallelAllocs(t *testing.T) {
	tk.SkipAllocCountsUnderRace(t)
	if testing.Short() {
		t.Skip("short")
	}
	saved := active
	defer func() { active = saved }()
	defer SetMaxWorkers(SetMaxWorkers(2))
	for _, tier := range cpu.Tiers {
		if !usable(tier) {
			continue
		}
		active = tier
		// n = 256, batch 16: 2^20 multiply-adds per matrix call (2^19 for
		// the triangular ones), at or above the 2 * 2^18 where calls split.
		var mat []allocCase
		for _, c := range allocCases[float32](256, 16) {
			if strings.HasPrefix(c.name, "Mat") || strings.HasPrefix(c.name, "AddOuters") || strings.HasPrefix(c.name, "SetOuters") {
				mat = append(mat, c)
			}
		}
		checkAllocs(t, fmt.Sprintf("%s/float32/parallel", tier), mat, 3)
		// n = 512, batch 32: 2^22 multiply-adds per triangular call.
		var tri, outer []allocCase
		for _, c := range allocCases[float32](512, 32) {
			switch {
			case strings.HasPrefix(c.name, "Tri") && c.name != "TriLogDet" && c.name != "TriLogDets":
				tri = append(tri, c)
			case strings.HasPrefix(c.name, "AddOutersTri"):
				outer = append(outer, c)
			}
		}
		checkAllocs(t, fmt.Sprintf("%s/float32/parallel", tier), tri, 4)
		// AddOutersTri: its off-diagonal parts may split (up to 7 of the 8
		// block rows here, 3 objects each; the diagonal blocks run on the
		// caller).
		checkAllocs(t, fmt.Sprintf("%s/float32/parallel", tier), outer, 24)
	}
}

func checkAllocs(t *testing.T, prefix string, cs []allocCase, limit float64) {
	t.Helper()
	for _, c := range cs {
		c.f() // fill the pools
		got := testing.AllocsPerRun(5, c.f)
		// A parallel call's goroutines block on channels now and then, and
		// the runtime allocates a waiter record when its per-thread cache of
		// them is empty (memory profile: the receives in parallel.go), at a
		// rate that depends on timing, not on the call: its count is the
		// least of three measurements.
		for try := 1; limit > 0 && got > limit && try < 3; try++ {
			got = min(got, testing.AllocsPerRun(5, c.f))
		}
		if limit > 0 && got > 0 {
			t.Logf("%s/%s: %v", prefix, c.name, got)
		}
		if got > limit {
			t.Errorf("%s/%s: %v allocations per call, want <= %v", prefix, c.name, got, limit)
		}
	}
}
