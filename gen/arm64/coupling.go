package main

import (
	"fmt"
	"strings"

	"github.com/flowkern/flowkern/gen/vmathalg"
)

// The coupling set for NEON: the affine coupling kernels of gen/vmathalg
// (Kernels), element-wise over several streams, replayed as the vmath
// functions are. Whole vectors only: package kernels passes a multiple of
// 16 (float32) or 8 (float64) elements and pads the rest.
//
// Registers: inputs R0, R3, R4; outputs R1, R5; parameters R6; R2 counts
// the elements left; R9 the constant table; R10 a scratch for parameters.

func couplingSet(a *asmFile) {
	for _, k := range vmathalg.Kernels {
		for _, t := range types {
			streamKernel(a, k, t)
		}
	}
}

func streamKernel(a *asmFile, k vmathalg.Kernel, t ty) {
	name := k.Name + t.suffix + "NEON"
	var params []param
	for _, n := range append(append([]string(nil), k.Outs...), k.Ins...) {
		params = append(params, param{name: n, kind: kSlice})
	}
	if len(k.Params) > 0 {
		params = append(params, param{name: "p", kind: kSlice})
	}
	doc := fmt.Sprintf("%s sets, for i < len(%s) rounded down to whole vectors,\n%s,\n", name, k.Outs[0], k.Doc)
	if len(k.Params) > 0 {
		doc += fmt.Sprintf("with p = [%s]; lengths are not checked.", strings.Join(k.Params, ", "))
	} else {
		doc += "lengths are not checked."
	}
	f := newFn(name, t.elem, doc, params, nil)
	a.text(f)
	g := &ng{a: a, t: t, cidx: map[uint64]int{}, tab: "coupling" + name + "const"}
	inRegs, outRegs := []int{0, 3, 4}, []int{1, 5}
	for i, n := range k.Ins {
		a.op("MOVD", f.arg(n, "base"), r(inRegs[i]))
	}
	for i, n := range k.Outs {
		a.op("MOVD", f.arg(n, "base"), r(outRegs[i]))
	}
	if len(k.Params) > 0 {
		a.op("MOVD", f.arg("p", "base"), r(6))
	}
	a.op("MOVD", f.arg(k.Outs[0], "len"), r(2))
	a.op("MOVD", fmt.Sprintf("$·%s(SB)", g.tab), r(9))
	g.in = func(i int) val {
		d := g.alloc()
		for _, reg := range d {
			a.op("VLD1.P", post(16, inRegs[i]), vlist(reg, 1, t.arr))
		}
		return d
	}
	g.param = func(i int) val {
		d := g.alloc()
		ld := map[int]string{8: "MOVD", 4: "MOVWU"}[t.esz]
		a.op(ld, fmt.Sprintf("%d(R6)", i*t.esz), r(10))
		for _, reg := range d {
			a.op("VDUP", r(10), v(reg, t.arr))
		}
		return d
	}
	prog := vmathalg.RecordKernel(k, t.prec == Double)
	pr := t.perReg()
	U := 2
	if k.Heavy {
		U = 1
	}
	pass := func(u int) {
		g.U = u
		g.free = nil
		for i := 0; i < 32; i++ {
			g.free = append(g.free, i)
		}
		nreplay(g, prog)
		for j, v := range g.outs {
			for _, reg := range v {
				a.op("VST1.P", vlist(reg, 1, t.arr), post(16, outRegs[j]))
			}
		}
		a.op("SUB", imm(u*pr), r(2))
	}
	a.label("main")
	a.op("CMP", imm(U*pr), r(2))
	a.op("BLT", "one")
	pass(U)
	a.op("B", "main")
	a.label("one")
	a.op("CMP", imm(pr), r(2))
	a.op("BLT", "done")
	pass(1)
	a.op("B", "one")
	a.label("done")
	a.op("RET")
	g.table()
}
