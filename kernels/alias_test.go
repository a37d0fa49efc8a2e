package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
)

// The aliasing tests: every public kernel called with overlapping views of
// one buffer (the same view, views shifted by one element, views sharing
// some rows), each case either panicking with a message that names the two
// operands or giving the bits of the same call on separate copies.

// abuf returns n values in [0.5, 1.5) from a fixed seed.
func abuf(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 5))
	s := make([]float64, n)
	for i := range s {
		s[i] = 0.5 + r.Float64()
	}
	return s
}

func mv(data []float64, off, rows, cols, stride int) Matrix[float64] {
	return Matrix[float64]{Rows: rows, Cols: cols, Stride: stride, Data: data[off:]}
}

// clone returns a view of a fresh copy of m's data.
func mclone(m Matrix[float64]) Matrix[float64] {
	m.Data = slices.Clone(m.Data)
	return m
}

// wantOverlapPanic checks that f panics naming fn and both operands.
func wantOverlapPanic(t *testing.T, name string, f func(), fn, a, b string) {
	t.Helper()
	msg := panicMessage(f)
	if msg == "" {
		t.Errorf("%s: no panic, want one naming %s and %s", name, a, b)
		return
	}
	for _, w := range []string{"kernels: " + fn + ":", " " + a + " ", " " + b + " ", "overlap"} {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: panic %q does not contain %q", name, msg, w)
			return
		}
	}
}

func aliasSameBits(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("%s: element %d = %v, separate copies give %v", name, i, got[i], want[i])
			return
		}
	}
}

// forTiers runs f once per usable tier with the public API on that tier.
func forTiers(t *testing.T, f func(t *testing.T)) {
	saved := active
	defer func() { active = saved }()
	for _, tier := range cpu.Tiers {
		if usable(tier) {
			active = tier
			t.Run(tier.String(), f)
		}
	}
}

// TestStridedOverlap compares the overlap test of views (and of a view and
// a slice) with the sets of elements they cover, over random views of one
// buffer: strides equal and different, interleaved column blocks, empty
// views.
func TestStridedOverlap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	data := make([]float64, 200)
	view := func() (Matrix[float64], map[int]bool) {
		rows, cols := r.IntN(5), r.IntN(6)
		stride := max(1, cols+r.IntN(5))
		off := r.IntN(40)
		set := map[int]bool{}
		if rows > 0 && cols > 0 {
			for i := range rows {
				for j := range cols {
					set[off+i*stride+j] = true
				}
			}
		}
		return mv(data, off, rows, cols, stride), set
	}
	for range 200000 {
		a, sa := view()
		b, sb := view()
		if r.IntN(2) == 0 {
			b.Stride = a.Stride
			b.Cols = min(b.Cols, b.Stride)
			sb = map[int]bool{}
			off := len(data) - len(b.Data)
			if b.Rows > 0 && b.Cols > 0 {
				for i := range b.Rows {
					for j := range b.Cols {
						sb[off+i*b.Stride+j] = true
					}
				}
			}
		}
		want := false
		for k := range sa {
			want = want || sb[k]
		}
		if got := matOverlap(a, b); got != want {
			t.Fatalf("matOverlap(%dx%d/%d at %d, %dx%d/%d at %d) = %v, want %v", a.Rows, a.Cols, a.Stride, len(data)-len(a.Data),
				b.Rows, b.Cols, b.Stride, len(data)-len(b.Data), got, want)
		}
		n, off := r.IntN(8), r.IntN(60)
		v := data[off : off+n]
		want = false
		for k := off; k < off+n; k++ {
			want = want || sa[k]
		}
		if got := matVecOverlap(a, v); got != want {
			t.Fatalf("matVecOverlap(%dx%d/%d at %d, [%d:%d]) = %v, want %v", a.Rows, a.Cols, a.Stride, len(data)-len(a.Data),
				off, off+n, got, want)
		}
	}
}

func TestAliasVectors(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		const n = 37
		// Dot: inputs only, any overlap.
		b := abuf(n+1, 1)
		aliasSameBits(t, "Dot(x, x)", []float64{Dot(b[:n], b[:n])}, []float64{Dot(b[:n], slices.Clone(b[:n]))})
		aliasSameBits(t, "Dot shifted", []float64{Dot(b[:n], b[1:])}, []float64{Dot(b[:n], slices.Clone(b[1:]))})
		// Axpy: y may be x.
		b = abuf(n+1, 2)
		want := slices.Clone(b[:n])
		Axpy(0.75, slices.Clone(b[:n]), want)
		Axpy(0.75, b[:n], b[:n])
		aliasSameBits(t, "Axpy(x, x)", b[:n], want)
		wantOverlapPanic(t, "Axpy shifted", func() { Axpy(0.75, b[:n], b[1:]) }, "Axpy", "y", "x")
		wantOverlapPanic(t, "Axpy shifted back", func() { Axpy(0.75, b[1:], b[:n]) }, "Axpy", "y", "x")
		// Add, Mul and KeepPositive: dst may be x or y; x and y may overlap.
		for _, k := range []struct {
			name string
			f    func(dst, x, y []float64)
		}{{"Add", Add[float64]}, {"Mul", Mul[float64]}, {"KeepPositive", KeepPositive[float64]}} {
			b = abuf(n+1, 3)
			want = make([]float64, n)
			k.f(want, slices.Clone(b[:n]), slices.Clone(b[1:]))
			got := make([]float64, n)
			k.f(got, b[:n], b[1:])
			aliasSameBits(t, k.name+" x, y shifted", got, want)
			yc := slices.Clone(b[1:])
			k.f(b[:n], b[:n], yc)
			aliasSameBits(t, k.name+" dst = x", b[:n], want)
			b = abuf(n+1, 3)
			xc := slices.Clone(b[:n])
			k.f(b[1:], xc, b[1:])
			aliasSameBits(t, k.name+" dst = y", b[1:], want)
			wantOverlapPanic(t, k.name+" dst = x shifted from y", func() { k.f(b[:n], b[:n], b[1:]) }, k.name, "dst", "y")
			wantOverlapPanic(t, k.name+" dst shifted from x", func() { k.f(b[1:], b[:n], make([]float64, n)) }, k.name, "dst", "x")
			wantOverlapPanic(t, k.name+" dst shifted from y", func() { k.f(b[:n], make([]float64, n), b[1:]) }, k.name, "dst", "y")
		}
		// Vector math: dst may be x.
		for _, sp := range vmathSpecs {
			name, f := sp.f.String(), sp.pub64
			b = abuf(n+1, 4)
			want = make([]float64, n)
			f(want, slices.Clone(b[:n]))
			f(b[:n], b[:n])
			aliasSameBits(t, name+" in place", b[:n], want)
			wantOverlapPanic(t, name+" shifted", func() { f(b[1:], b[:n]) }, name, "dst", "x")
			wantOverlapPanic(t, name+" shifted back", func() { f(b[:n], b[1:]) }, name, "dst", "x")
		}
		// float32 goes through the same checks.
		b32 := make([]float32, n+1)
		wantOverlapPanic(t, "Exp float32 shifted", func() { Exp(b32[1:], b32[:n]) }, "Exp", "dst", "x")
	})
}

func TestAliasMatrices(t *testing.T) {
	const m, n, nb = 6, 6, 5
	// MatVecs: y must not touch w, x or bias; w and x may overlap.
	b := abuf(200, 5)
	w, x := mv(b, 0, m, n, n), mv(b, 3, nb, n, n) // x shares rows with w
	y := Matrix[float64]{Rows: nb, Cols: m, Stride: m, Data: make([]float64, nb*m)}
	want := mclone(y)
	MatVecs(want, mclone(w), mclone(x), nil)
	MatVecs(y, w, x, nil)
	aliasSameBits(t, "MatVecs w, x overlapping", y.Data, want.Data)
	w2 := mv(abuf(m*n, 19), 0, m, n, n)
	wantOverlapPanic(t, "MatVecs y = x", func() { MatVecs(x, w2, x, nil) }, "MatVecs", "y", "x")
	wantOverlapPanic(t, "MatVecs y shifted from x", func() { MatVecs(mv(b, 4, nb, m, n), mv(b, 100, m, n, n), mv(b, 3, nb, n, n), nil) }, "MatVecs", "y", "x")
	wantOverlapPanic(t, "MatVecs y rows in w", func() { MatVecs(mv(b, 2*n, nb, m, n), w, mv(b, 100, nb, n, n), nil) }, "MatVecs", "y", "w")
	wantOverlapPanic(t, "MatVecs bias in y", func() { MatVecs(y, mv(b, 100, m, n, n), mv(b, 150, nb, n, n), y.Data[m:2*m]) }, "MatVecs", "y", "bias")
	// MatTVecs.
	wantOverlapPanic(t, "MatTVecs y = x", func() { MatTVecs(x, w2, x) }, "MatTVecs", "y", "x")
	wantOverlapPanic(t, "MatTVecs y rows in w", func() { MatTVecs(mv(b, n, nb, n, n), w, mv(b, 100, nb, m, m)) }, "MatTVecs", "y", "w")
	// AddOuters: g and gb must not touch d, x or each other.
	d := mv(b, 100, nb, m, m)
	wantOverlapPanic(t, "AddOuters g = x rows", func() { AddOuters(mv(b, 150, m, n, n), nil, d, mv(b, 150+n, nb, n, n)) }, "AddOuters", "g", "x")
	wantOverlapPanic(t, "AddOuters g shifted from d", func() { AddOuters(mv(b, 101, m, n, n), nil, d, mv(b, 0, nb, n, n)) }, "AddOuters", "g", "d")
	g := Matrix[float64]{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
	wantOverlapPanic(t, "AddOuters gb in g", func() { AddOuters(g, g.Data[1:1+m], d, x) }, "AddOuters", "g", "gb")
	wantOverlapPanic(t, "AddOuters gb in d", func() { AddOuters(g, d.Data[1:1+m], d, x) }, "AddOuters", "d", "gb")
	wantG := mclone(g)
	AddOuters(wantG, nil, mclone(d), mclone(x))
	AddOuters(g, nil, d, x)
	aliasSameBits(t, "AddOuters d, x overlapping", g.Data, wantG.Data)
	// SetOuters: the same rules and checks as AddOuters.
	wantOverlapPanic(t, "SetOuters g = x rows", func() { SetOuters(mv(b, 150, m, n, n), nil, d, mv(b, 150+n, nb, n, n)) }, "SetOuters", "g", "x")
	wantOverlapPanic(t, "SetOuters gb in g", func() { SetOuters(g, g.Data[1:1+m], d, x) }, "SetOuters", "g", "gb")
	SetOuters(wantG, nil, mclone(d), mclone(x))
	SetOuters(g, nil, d, x)
	aliasSameBits(t, "SetOuters d, x overlapping", g.Data, wantG.Data)
	// Transpose: never in place; interleaved column blocks are disjoint.
	sq := mv(abuf(64, 6), 0, 8, 8, 8)
	wantOverlapPanic(t, "Transpose(a, a)", func() { Transpose(sq, sq) }, "Transpose", "dst", "src")
	wantOverlapPanic(t, "Transpose shifted", func() { Transpose(mv(sq.Data, 1, 4, 4, 8), mv(sq.Data, 0, 4, 4, 8)) }, "Transpose", "dst", "src")
	left, right := mv(sq.Data, 0, 4, 4, 8), mv(sq.Data, 4, 4, 4, 8)
	wantT := mclone(left)
	Transpose(wantT, mclone(right))
	Transpose(left, right)
	for i := range 4 {
		aliasSameBits(t, "Transpose of interleaved column blocks", left.Data[i*8:i*8+4], wantT.Data[i*8:i*8+4])
	}
}

func TestAliasCouplings(t *testing.T) {
	const nb, d = 3, 19
	c := Clamp{Kind: ClampTanh, A: 2}
	forTiers(t, func(t *testing.T) {
		b := abuf(4*nb*d+10, 7)
		x, s, tt := mv(b, 0, nb, d, d), mv(b, nb*d, nb, d, d), mv(b, 2*nb*d, nb, d, d)
		// Inputs overlapping each other (s shares rows with x).
		s2 := mv(b, d, nb, d, d)
		ld, ldw := []float64{1, 2, 3}, []float64{1, 2, 3}
		want, got := mclone(x), mclone(x)
		CouplingForward(want, mclone(x), mclone(s2), mclone(tt), ldw, c)
		CouplingForward(got, x, s2, tt, ld, c)
		aliasSameBits(t, "CouplingForward s overlapping x", got.Data, want.Data)
		aliasSameBits(t, "CouplingForward logdet", ld, ldw)
		// y = x.
		want = mclone(x)
		CouplingForward(want, mclone(x), s, tt, ldw, c)
		CouplingForward(x, x, s, tt, ld, c)
		aliasSameBits(t, "CouplingForward y = x", x.Data[:nb*d], want.Data[:nb*d])
		aliasSameBits(t, "CouplingForward y = x, logdet", ld, ldw)
		wantOverlapPanic(t, "CouplingForward y = s", func() { CouplingForward(s, x, s, tt, nil, c) }, "CouplingForward", "y", "s")
		wantOverlapPanic(t, "CouplingForward y shifted from x", func() { CouplingForward(mv(b, 1, nb, d, d), x, mv(b, 3*nb*d, nb, d, d), tt, nil, c) }, "CouplingForward", "y", "x")
		wantOverlapPanic(t, "CouplingForward y rows in t", func() { CouplingForward(mv(b, 2*nb*d+d, nb, d, d), x, s, tt, nil, c) }, "CouplingForward", "y", "t")
		wantOverlapPanic(t, "CouplingForward logdet in x", func() { CouplingForward(mv(make([]float64, nb*d), 0, nb, d, d), x, s, tt, x.Data[d:d+nb], c) }, "CouplingForward", "x", "logdet")
		// Inverse: x = y.
		y := mv(abuf(nb*d, 8), 0, nb, d, d)
		want = mclone(y)
		CouplingInverse(want, mclone(y), s, tt, nil, c)
		CouplingInverse(y, y, s, tt, nil, c)
		aliasSameBits(t, "CouplingInverse x = y", y.Data, want.Data)
		wantOverlapPanic(t, "CouplingInverse x = t", func() { CouplingInverse(tt, y, s, tt, nil, c) }, "CouplingInverse", "x", "t")
		// Backward: dx = dy and ds = s allowed.
		bb := abuf(5*nb*d, 9)
		dy, xx, ss := mv(bb, 0, nb, d, d), mv(bb, nb*d, nb, d, d), mv(bb, 2*nb*d, nb, d, d)
		dt := mv(bb, 3*nb*d, nb, d, d)
		wdx, wds, wdt := mclone(dy), mclone(ss), mclone(dt)
		CouplingBackward(wdx, wds, wdt, mclone(dy), []float64{1, 2, 3}, mclone(xx), mclone(ss), c)
		CouplingBackward(dy, ss, dt, dy, []float64{1, 2, 3}, xx, ss, c)
		aliasSameBits(t, "CouplingBackward dx = dy", dy.Data[:nb*d], wdx.Data[:nb*d])
		aliasSameBits(t, "CouplingBackward ds = s", ss.Data[:nb*d], wds.Data[:nb*d])
		aliasSameBits(t, "CouplingBackward dt", dt.Data[:nb*d], wdt.Data[:nb*d])
		out := mv(make([]float64, 2*nb*d), 0, nb, d, d)
		wantOverlapPanic(t, "CouplingBackward dx = ds", func() { CouplingBackward(out, out, Matrix[float64]{}, dy, nil, xx, ss, c) }, "CouplingBackward", "dx", "ds")
		wantOverlapPanic(t, "CouplingBackward dt = dy", func() { CouplingBackward(out, mv(make([]float64, nb*d), 0, nb, d, d), dy, dy, nil, xx, ss, c) }, "CouplingBackward", "dt", "dy")
		wantOverlapPanic(t, "CouplingBackward dx shifted from dy", func() {
			CouplingBackward(mv(bb, 1, nb, d, d), out, Matrix[float64]{}, dy, nil, mv(bb, 4*nb*d, nb, d, d), ss, c)
		}, "CouplingBackward", "dx", "dy")
		// Additive.
		ax := mv(abuf(nb*d, 10), 0, nb, d, d)
		want = mclone(ax)
		AdditiveForward(want, mclone(ax), tt)
		AdditiveForward(ax, ax, tt)
		aliasSameBits(t, "AdditiveForward y = x", ax.Data, want.Data)
		wantOverlapPanic(t, "AdditiveForward y = t", func() { AdditiveForward(tt, ax, tt) }, "AdditiveForward", "y", "t")
		want = mclone(ax)
		AdditiveInverse(want, mclone(ax), tt)
		AdditiveInverse(ax, ax, tt)
		aliasSameBits(t, "AdditiveInverse x = y", ax.Data, want.Data)
		wantOverlapPanic(t, "AdditiveInverse x shifted from y", func() { AdditiveInverse(mv(b, 1, nb, d, d), x, mv(b, 3*nb*d, nb, d, d)) }, "AdditiveInverse", "x", "y")
		want = mclone(ax)
		AdditiveBackward(ax, Matrix[float64]{}, ax)
		aliasSameBits(t, "AdditiveBackward dx = dy", ax.Data, want.Data)
		wantOverlapPanic(t, "AdditiveBackward dx = dt", func() { AdditiveBackward(out, out, ax) }, "AdditiveBackward", "dx", "dt")
	})
}

func TestAliasTriangular(t *testing.T) {
	const n, nb = 7, 4
	b := abuf(n*n+nb*n+10, 11)
	a := mv(b, 0, n, n, n)
	for i := range n {
		a.Data[i*n+i] = 2 + a.Data[i*n+i]
	}
	// TriLogDets: factors may overlap each other, dst must not touch them.
	dst := make([]float64, 2)
	TriLogDets(dst, []Matrix[float64]{a, mv(b, 1, n-1, n-1, n)})
	want := []float64{TriLogDet(mclone(a)), TriLogDet(mclone(mv(b, 1, n-1, n-1, n)))}
	aliasSameBits(t, "TriLogDets overlapping factors", dst, want)
	wantOverlapPanic(t, "TriLogDets dst in a factor", func() { TriLogDets(b[n+2:n+4], []Matrix[float64]{a, a}) }, "TriLogDets", "factors[0]", "dst")
	wantOverlapPanic(t, "AddRowSums logdet in s", func() { AddRowSums(b[3:3+nb], mv(b, 0, nb, n, n)) }, "AddRowSums", "s", "logdet")
	for _, k := range []struct {
		name string
		f    func(x, a Matrix[float64], upper, trans, unit bool)
	}{{"TriMatVecs", TriMatVecs[float64]}, {"TriSolveVecs", TriSolveVecs[float64]}} {
		wantOverlapPanic(t, k.name+" x = a", func() { k.f(a, a, false, false, false) }, k.name, "x", "a")
		wantOverlapPanic(t, k.name+" x rows in a", func() { k.f(mv(b, 3*n, nb, n, n), a, true, false, false) }, k.name, "x", "a")
		wantOverlapPanic(t, k.name+" x shifted from a", func() { k.f(mv(b, 1, nb, n, n), a, true, true, true) }, k.name, "x", "a")
	}
	// The diagonal-vector variants: diag may lie in a (both are read), x
	// must touch neither.
	pd := abuf(n+nb*n, 12)
	for _, k := range []struct {
		name string
		f    func(x, a Matrix[float64], diag []float64, upper, trans bool)
	}{{"TriMatVecsDiag", TriMatVecsDiag[float64]}, {"TriSolveVecsDiag", TriSolveVecsDiag[float64]}} {
		forTiers(t, func(t *testing.T) {
			x := mv(abuf(nb*n, 13), 0, nb, n, n)
			want := mclone(x)
			k.f(want, a, append([]float64(nil), b[n:2*n]...), true, false)
			k.f(x, a, b[n:2*n], true, false)
			aliasSameBits(t, k.name+" diag in a", x.Data, want.Data)
		})
		wantOverlapPanic(t, k.name+" x over diag", func() { k.f(mv(pd, 0, nb, n, n), a, pd[n-2:2*n-2], false, false) }, k.name, "x", "diag")
		wantOverlapPanic(t, k.name+" x = a", func() { k.f(a, a, pd[:n], false, true) }, k.name, "x", "a")
	}
	// AddOutersTri: d and x may overlap (inputs); g and ds touch nothing.
	forTiers(t, func(t *testing.T) {
		x := mv(abuf(nb*n, 14), 0, nb, n, n)
		g, wg := mv(make([]float64, n*n), 0, n, n, n), mv(make([]float64, n*n), 0, n, n, n)
		ds, wds := make([]float64, n), make([]float64, n)
		AddOutersTri(wg, wds, mclone(x), mclone(x), false)
		AddOutersTri(g, ds, x, x, false)
		aliasSameBits(t, "AddOutersTri d = x", g.Data, wg.Data)
		aliasSameBits(t, "AddOutersTri d = x ds", ds, wds)
	})
	x := mv(abuf(2*nb*n+n*n, 15), 0, nb, n, n)
	g := mv(make([]float64, n*n+n), 0, n, n, n)
	wantOverlapPanic(t, "AddOutersTri g over d", func() { AddOutersTri(mv(x.Data, 0, n, n, n), nil, x, mv(x.Data, nb*n, nb, n, n), true) }, "AddOutersTri", "g", "d")
	wantOverlapPanic(t, "AddOutersTri g over x", func() {
		AddOutersTri(mv(x.Data, nb*n, n, n, n), nil, mv(x.Data, 0, nb, n, n), mv(x.Data, nb*n, nb, n, n), true)
	}, "AddOutersTri", "g", "x")
	wantOverlapPanic(t, "AddOutersTri ds in g", func() { AddOutersTri(g, g.Data[n:2*n], x, x, false) }, "AddOutersTri", "g", "ds")
	wantOverlapPanic(t, "AddOutersTri ds in d", func() { AddOutersTri(g, x.Data[1:n+1], x, mv(x.Data, nb*n, nb, n, n), false) }, "AddOutersTri", "d", "ds")
	wantOverlapPanic(t, "AddOutersTri ds in x", func() { AddOutersTri(g, x.Data[nb*n+1:nb*n+n+1], x, mv(x.Data, nb*n, nb, n, n), false) }, "AddOutersTri", "x", "ds")
}

func TestAliasMasks(t *testing.T) {
	const nb, d = 4, 10
	b := abuf(nb*d+20, 16)
	x := mv(b, 0, nb, d, d)
	cols := []int{1, 3, 5}
	wantOverlapPanic(t, "Gather dst in src", func() { Gather(mv(b, 1, nb, 3, d), x, cols) }, "Gather", "dst", "src")
	wantOverlapPanic(t, "Scatter src in dst's rows", func() { Scatter(x, mv(b, 2, nb, 3, d), cols) }, "Scatter", "dst", "src")
	// Interleaved columns of one buffer share no element: allowed.
	packed := mv(b, 0, nb, 3, d) // columns 0..2 of each row
	src := mv(b, 4, nb, 6, d)    // columns 4..9
	want := mclone(packed)
	Gather(want, mclone(src), []int{0, 2, 5})
	Gather(packed, src, []int{0, 2, 5})
	for i := range nb {
		aliasSameBits(t, "Gather from interleaved columns", packed.Data[i*d:i*d+3], want.Data[i*d:i*d+3])
	}
	sp := Halves(d)
	xa := mv(make([]float64, nb*sp.LenA()), 0, nb, sp.LenA(), sp.LenA())
	wantOverlapPanic(t, "GatherSplit xa = xb", func() { GatherSplit(xa, xa, mv(abuf(nb*d, 17), 0, nb, d, d), sp) }, "GatherSplit", "xa", "xb")
	wantOverlapPanic(t, "GatherSplit xa in x", func() { GatherSplit(mv(b, 1, nb, sp.LenA(), d), xa, x, sp) }, "GatherSplit", "xa", "x")
	wantOverlapPanic(t, "ScatterSplit x over xb", func() { ScatterSplit(x, xa, mv(b, 5, nb, sp.LenB(), d), sp) }, "ScatterSplit", "x", "xb")
	// xa and xb may overlap (inputs).
	in := mv(abuf(nb*d, 18), 0, nb, sp.LenA(), d)
	out, wantOut := mv(make([]float64, nb*d), 0, nb, d, d), mv(make([]float64, nb*d), 0, nb, d, d)
	ScatterSplit(wantOut, mclone(in), mclone(in), sp)
	ScatterSplit(out, in, in, sp)
	aliasSameBits(t, "ScatterSplit xa = xb", out.Data, wantOut.Data)
	_ = fmt.Sprint
}
