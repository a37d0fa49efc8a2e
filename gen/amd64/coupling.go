package main

import (
	"fmt"
	"strings"

	"github.com/flowkern/flowkern/gen/vmathalg"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The coupling set: the affine coupling kernels of gen/vmathalg (Kernels),
// element-wise over several input and output streams, replayed as the vmath
// functions are. They walk whole vectors only: the caller (package kernels)
// passes a length that is a multiple of 16 (float32) or 8 (float64) and
// runs the rest through a padded buffer, so no kernel needs a tail.

func couplingSet() {
	for _, k := range vmathalg.Kernels {
		for _, t := range []elem{f64, f32} {
			for _, s := range []isa{avx2, avx512} {
				streamKernel(k, t, s)
			}
			if k.Name == "CouplingFwdNone" || k.Name == "CouplingInvNone" {
				sumKernel(k, t, avx512)
			}
		}
	}
}

// sumKernel emits NameSumF64AVX512(out, ins..., acc []float64): the
// unclamped forward or inverse kernel k, adding each s (its c) into the
// lanes of acc as well, as Sum does (element i into lane i%len(acc), 32
// lanes for float64, 64 for float32: four vectors). acc is read at entry
// and stored back at exit. The length is a multiple of len(acc) (one lane
// group per loop); lengths are not checked.
func sumKernel(k vmathalg.Kernel, t elem, s isa) {
	n := name(k.Name+"Sum", t, s)
	args := append([]string{k.Outs[0]}, k.Ins...)
	args = append(args, "acc")
	text(n, NOSPLIT, fmt.Sprintf("func(%s []%s)", strings.Join(args, ", "), t.goType))
	per := s.width / t.size
	o := vops64
	if t.size == 4 {
		o = vops32
	}
	g := &vg{t: t, s: s, o: o, cidx: map[uint64]int{}, name: k.Name}
	g.tab = GLOBL(fmt.Sprintf("coupling%sSum%s%sconst", k.Name, t.suffix, s.suffix), RODATA|NOPTR)
	out := slicePtr(k.Outs[0])
	ins := make([]GPVirtual, len(k.Ins))
	for i, name := range k.Ins {
		ins[i] = slicePtr(name)
	}
	accp := slicePtr("acc")
	cnt := Load(Param(k.Outs[0]).Len(), GP64()).(GPVirtual)
	// The lane accumulators live in the last four registers for the whole call.
	regs := s.regs[:len(s.regs)-4]
	acc := s.regs[len(s.regs)-4:]
	for j, r := range acc {
		g.o.movu(Mem{Base: accp}.Offset(j*s.width), r)
	}
	const U = 4
	g.streams(ins, nil)
	// s is added into the lanes as soon as it is loaded, so it need not
	// stay live.
	var cv vmathalg.V
	sk := k
	sk.Build = func(b vmathalg.Builder) []vmathalg.V {
		cv = b.In(1)
		return k.Build(b)
	}
	prog := vmathalg.RecordKernel(sk, t.size == 8)
	base := 0
	g.onValue = func(i int, d vr) {
		if i != int(cv) {
			return
		}
		g.each(func(u int) { g.o.add(g.reg(d[u]), acc[base+u], acc[base+u]) })
	}
	pass := func() {
		g.U = U
		g.free = append([]VecPhysical(nil), regs...)
		replay(g, prog)
		g.each(func(u int) { g.o.movu(g.reg(g.outs[0][u]), Mem{Base: out}.Offset(u*s.width)) })
		for _, p := range append([]GPVirtual{out}, ins...) {
			ADDQ(U32(U*s.width), p)
		}
	}
	Comment(fmt.Sprintf("one lane group (4 vectors) at a time, %d per pass", U))
	Label("main")
	CMPQ(cnt, U32(4*per))
	JCS(LabelRef("done"))
	for base = 0; base < 4; base += U {
		pass()
	}
	SUBQ(U32(4*per), cnt)
	JMP(LabelRef("main"))
	Label("done")
	for j, r := range acc {
		g.o.movu(r, Mem{Base: accp}.Offset(j*s.width))
	}
	g.emitTable()
	ret()
}

// streamCopies overrides the copies of a stream kernel (4 on AVX-512 and 2
// on AVX2, 2 and 1 for Heavy ones) where more fit and measured faster:
// the clamps, BenchmarkCoupling 256 x 512 float64 on AMD Zen 5, against 2
// copies (AVX-512) and 1 (AVX2): tanh Forward and Inverse (CouplingClampTanh)
// 0.91-0.93x the time with 4 on AVX-512 (3: 1.00-1.05x) and 0.88-0.89x with
// 2 on AVX2, Backward (CouplingClampGradTanh) 0.90x and 0.87x; atan on
// AVX-512, 3 copies, 0.89-0.92x. The atan clamps do not fit 2 on AVX2.
var streamCopies = map[string]copies{
	"CouplingClampTanh":     {2, 4},
	"CouplingClampGradTanh": {2, 4},
	"CouplingClampAtan":     {1, 3},
	"CouplingClampGradAtan": {1, 3},
}

// streamKernel emits NameF64AVX512(outs..., ins... []float64, p []float64).
func streamKernel(k vmathalg.Kernel, t elem, s isa) {
	n := name(k.Name, t, s)
	args := append(append([]string(nil), k.Outs...), k.Ins...)
	if len(k.Params) > 0 {
		args = append(args, "p")
	}
	text(n, NOSPLIT, fmt.Sprintf("func(%s []%s)", strings.Join(args, ", "), t.goType))
	doc := []string{fmt.Sprintf("%s sets, for i < len(%s) rounded down to whole vectors,", n, k.Outs[0]),
		k.Doc + ","}
	if len(k.Params) > 0 {
		doc = append(doc, fmt.Sprintf("with p = [%s]; lengths are not checked.", strings.Join(k.Params, ", ")))
	} else {
		doc = append(doc, "lengths are not checked.")
	}
	o := vops64
	if t.size == 4 {
		o = vops32
	}
	g := &vg{t: t, s: s, o: o, cidx: map[uint64]int{}, name: k.Name}
	g.tab = GLOBL(fmt.Sprintf("coupling%s%s%sconst", k.Name, t.suffix, s.suffix), RODATA|NOPTR)
	outs := make([]GPVirtual, len(k.Outs))
	for i, name := range k.Outs {
		outs[i] = slicePtr(name)
	}
	ins := make([]GPVirtual, len(k.Ins))
	for i, name := range k.Ins {
		ins[i] = slicePtr(name)
	}
	var pp GPVirtual
	if len(k.Params) > 0 {
		pp = slicePtr("p")
	}
	cnt := Load(Param(k.Outs[0]).Len(), GP64()).(GPVirtual)
	per := s.width / t.size
	U := 4
	c, measured := copiesEntry(streamCopies, k.Name, t)
	switch {
	case measured:
		U = c.on(s)
	case k.Heavy && s.is512():
		U = 2
	case k.Heavy:
		U = 1
	case !s.is512():
		U = 2
	}
	g.streams(ins, pp)
	prog := vmathalg.RecordKernel(k, t.size == 8)
	pass := func(u int) {
		g.U = u
		g.free = append([]VecPhysical(nil), s.regs...)
		replay(g, prog)
		for j, v := range g.outs {
			g.each(func(u int) { g.o.movu(g.reg(v[u]), Mem{Base: outs[j]}.Offset(u*s.width)) })
		}
		for _, p := range append(append([]GPVirtual(nil), outs...), ins...) {
			ADDQ(U32(u*s.width), p)
		}
		SUBQ(U32(u*per), cnt)
	}
	Comment(fmt.Sprintf("%d vectors at a time, then one", U))
	Label("main")
	CMPQ(cnt, U32(U*per))
	JCS(LabelRef("one"))
	pass(U)
	JMP(LabelRef("main"))
	Label("one")
	CMPQ(cnt, U32(per))
	JCS(LabelRef("done"))
	pass(1)
	JMP(LabelRef("one"))
	Label("done")
	g.emitTable()
	ret()
}

// streams makes the program's inputs the vectors at ins[i] (each unrolled
// copy one vector further on) and its params the scalars at pp, broadcast.
func (g *vg) streams(ins []GPVirtual, pp GPVirtual) {
	g.in = func(i int) vr {
		d := g.alloc()
		g.each(func(u int) { g.o.movu(Mem{Base: ins[i]}.Offset(u*g.s.width), g.reg(d[u])) })
		return d
	}
	g.param = func(i int) vr {
		d := g.alloc()
		g.each(func(u int) { g.t.bcast(Mem{Base: pp}.Offset(i*g.t.size), g.reg(d[u])) })
		return d
	}
}
