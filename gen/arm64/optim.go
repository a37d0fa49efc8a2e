package main

import "fmt"

// optimSet writes the optimizer steps: Adam for both precisions.
func optimSet(a *asmFile) {
	for _, t := range types {
		adam(a, t)
	}
}

// adam writes AdamXxxNEON: for i < len(w), in internal/ref.Adam's order,
//
//	m = fma(a1, g, b1*m); v = fma(a2, g*g, b2*v)
//	w = fma(w, keep, -((step*m) / (sqrt(v*ic2) + eps)))
//
// NEON's fused multiply-subtract VFMLS gives upd - w*keep, and negating it
// would turn the +0 of an exact cancellation into -0; so upd is negated
// (exact) and added by VFMLA, as fma(w, keep, -upd) says.
//
// Registers: V24-V31 the coefficients b1, a1, b2, a2, step, ic2, eps,
// keep (lane 0 of each is also the scalar F24-F31); R1 reads g, R0/R4 read
// and write w, R2/R5 m, R3/R6 v; R7 counts. Main loop: four registers per
// stream (G V0-V3, M V4-V7, V V8-V11, W V12-V15), then one register at a
// time, then one element at a time with the scalar instructions.
func adam(a *asmFile, t ty) {
	name := "Adam" + t.suffix + "NEON"
	params := []param{{name: "w", kind: kSlice}, {name: "g", kind: kSlice}, {name: "m", kind: kSlice}, {name: "v", kind: kSlice}}
	coefs := []string{"b1", "a1", "b2", "a2", "step", "ic2", "eps", "keep"}
	for _, c := range coefs {
		params = append(params, param{name: c, kind: t.scalar})
	}
	f := newFn(name, t.elem, "", params, nil)
	a.text(f)
	T, pr := t.arr, t.perReg()
	const cB1, cA1, cB2, cA2, cStep, cIC2, cEps, cKeep = 24, 25, 26, 27, 28, 29, 30, 31
	for i, c := range coefs {
		a.op(t.fmov, f.arg(c, ""), fmt.Sprintf("F%d", 24+i))
		a.op("VDUP", lane(24+i, t.lane, 0), v(24+i, T))
	}
	a.op("MOVD", f.arg("w", "base"), r(0))
	a.op("MOVD", r(0), r(4))
	a.op("MOVD", f.arg("g", "base"), r(1))
	a.op("MOVD", f.arg("m", "base"), r(2))
	a.op("MOVD", r(2), r(5))
	a.op("MOVD", f.arg("v", "base"), r(3))
	a.op("MOVD", r(3), r(6))
	a.op("MOVD", f.arg("w", "len"), r(7))

	// step handles k registers per stream (k = 1 or 4).
	step := func(k int) {
		const G, M, V, W = 0, 4, 8, 12
		a.op("VLD1.P", post(16*k, 1), vlist(G, k, T))
		a.op("VLD1.P", post(16*k, 2), vlist(M, k, T))
		a.op("VLD1.P", post(16*k, 3), vlist(V, k, T))
		a.op("VLD1.P", post(16*k, 0), vlist(W, k, T))
		for j := 0; j < k; j++ {
			a.word(FMUL(t.prec, M+j, M+j, cB1))            // b1*m
			a.op("VFMLA", v(cA1, T), v(G+j, T), v(M+j, T)) // m = fma(a1, g, b1*m)
			a.word(FMUL(t.prec, V+j, V+j, cB2))            // b2*v
			a.word(FMUL(t.prec, G+j, G+j, G+j))            // g*g
			a.op("VFMLA", v(cA2, T), v(G+j, T), v(V+j, T)) // v = fma(a2, g*g, b2*v)
		}
		a.op("VST1.P", vlist(M, k, T), post(16*k, 5))
		a.op("VST1.P", vlist(V, k, T), post(16*k, 6))
		for j := 0; j < k; j++ {
			a.word(FMUL(t.prec, G+j, V+j, cIC2))             // v*ic2
			a.word(FSQRT(t.prec, G+j, G+j))                  // sqrt
			a.word(FADD(t.prec, G+j, G+j, cEps))             // den
			a.word(FMUL(t.prec, M+j, M+j, cStep))            // step*m
			a.word(FDIV(t.prec, M+j, M+j, G+j))              // upd
			a.word(FNEG(t.prec, M+j, M+j))                   // -upd
			a.op("VFMLA", v(cKeep, T), v(W+j, T), v(M+j, T)) // w = fma(w, keep, -upd)
		}
		a.op("VST1.P", vlist(M, k, T), post(16*k, 4))
	}

	U := 4 * pr
	a.comment("main loop: %d elements", U)
	a.op("LSR", imm(log2(U)), r(7), r(8))
	a.op("CBZ", r(8), "vec")
	a.op("PCALIGN", imm(16))
	a.label("loop")
	step(4)
	a.op("SUBS", imm(1), r(8))
	a.op("BNE", "loop")

	a.label("vec")
	a.op("AND", imm(U-1), r(7))
	a.comment("one register at a time")
	a.op("CMP", imm(pr), r(7))
	a.op("BLT", "scalar")
	a.label("vecloop")
	step(1)
	a.op("SUB", imm(pr), r(7))
	a.op("CMP", imm(pr), r(7))
	a.op("BGE", "vecloop")

	a.label("scalar")
	a.comment("one element at a time: F0 g, F1 m, F2 v, F3 w")
	a.op("CBZ", r(7), "done")
	a.label("scalarloop")
	a.op(t.fmov+".P", post(t.esz, 1), "F0")
	a.op(t.fmov+".P", post(t.esz, 2), "F1")
	a.op(t.fmov+".P", post(t.esz, 3), "F2")
	a.op(t.fmov+".P", post(t.esz, 0), "F3")
	l := t.lane
	a.op(t.fmul, "F24", "F1")               // F1 = b1*m
	a.op(t.fmadd, "F25", "F1", "F0", "F1")  // F1 = F0*a1 + F1, fused
	a.op(t.fmul, "F26", "F2")               // F2 = b2*v
	a.op(t.fmul, "F0", "F0")                // F0 = g*g
	a.op(t.fmadd, "F27", "F2", "F0", "F2")  // F2 = F0*a2 + F2, fused
	a.op(t.fmov+".P", "F1", post(t.esz, 5)) // m
	a.op(t.fmov+".P", "F2", post(t.esz, 6)) // v
	a.op(t.fmul, "F29", "F2", "F4")         // F4 = v*ic2
	a.op("FSQRT"+l, "F4", "F4")             // F4 = sqrt(F4)
	a.op(t.fadd, "F30", "F4")               // F4 = F4 + eps
	a.op(t.fmul, "F28", "F1")               // F1 = step*m
	a.op("FDIV"+l, "F4", "F1")              // F1 = F1 / F4
	a.op("FNEG"+l, "F1", "F1")              // F1 = -upd
	a.op(t.fmadd, "F31", "F1", "F3", "F1")  // F1 = w*keep - upd, fused
	a.op(t.fmov+".P", "F1", post(t.esz, 4)) // w
	a.op("SUBS", imm(1), r(7))
	a.op("BNE", "scalarloop")
	a.label("done")
	a.op("RET")
}
