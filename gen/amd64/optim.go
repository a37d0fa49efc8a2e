package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// optimSet emits the optimizer steps: Adam for both precisions and tiers.
func optimSet() {
	for _, t := range []elem{f64, f32} {
		for _, s := range []isa{avx2, avx512} {
			adam(t, s)
		}
	}
}

// adamUnroll is the number of vectors per main-loop iteration. A vector
// takes three registers next to the eight coefficients: 16 - 8 leaves two
// on AVX2 (and one for the tail mask), AVX-512 has room for four. The
// divisions and square roots of neighbouring iterations overlap out of
// order; unrolling only trims loop overhead.
func adamUnroll(s isa) int {
	if s.is512() {
		return 4
	}
	return 2
}

// adam emits Adam: for i < len(w), in internal/ref.Adam's order,
//
//	m = fma(a1, g, b1*m); v = fma(a2, g*g, b2*v)
//	w = fma(w, keep, -((step*m) / (sqrt(v*ic2) + eps)))
//
// The last line is one VFMSUB231 (keep*w - upd, a single rounding). Whole
// vectors first, then one masked vector for the tail.
func adam(t elem, s isa) {
	ty := t.goType
	text(name("Adam", t, s), NOSPLIT, fmt.Sprintf("func(w, g, m, v []%s, b1, a1, b2, a2, step, ic2, eps, keep %s)", ty, ty))
	sqrt, div, fms := VSQRTPD, VDIVPD, VFMSUB231PD
	if t.size == 4 {
		sqrt, div, fms = VSQRTPS, VDIVPS, VFMSUB231PS
	}
	nr := len(s.regs)
	coef := s.regs[nr-8:]
	names := []string{"b1", "a1", "b2", "a2", "step", "ic2", "eps", "keep"}
	for i, c := range names {
		t.bcast(addr(Param(c)), coef[i])
	}
	b1, a1, b2, a2, step, ic2, eps, keep := coef[0], coef[1], coef[2], coef[3], coef[4], coef[5], coef[6], coef[7]

	pw, pg, pm, pv := slicePtr("w"), slicePtr("g"), slicePtr("m"), slicePtr("v")
	n := Load(Param("w").Len(), GP64()).(GPVirtual)
	w := s.width
	at := func(p GPVirtual, j int) Mem { return Mem{Base: p}.Offset(j * w) }

	// update computes vector j from G = g, M = b1*m and V = b2*v (M and V
	// already multiplied), stores m and v through st, then w: W is w
	// as a memory operand or a register.
	update := func(G, M, V VecPhysical, W Op, j int, st func(r VecPhysical, p GPVirtual)) {
		t.fma231(G, a1, M) // m = fma(a1, g, b1*m)
		st(M, pm)
		t.mul(G, G, G)     // g*g
		t.fma231(G, a2, V) // v = fma(a2, g*g, b2*v)
		st(V, pv)
		t.mul(ic2, V, V) // v*ic2
		sqrt(V, V)
		t.add(eps, V, V)  // den
		t.mul(step, M, M) // step*m
		div(V, M, M)      // upd = step*m / den
		fms(W, keep, M)   // keep*w - upd
		st(M, pw)
	}

	U := adamUnroll(s)
	loop(t, n, []GPVirtual{pw, pg, pm, pv}, w/t.size, U, func(u int) {
		G, M, V := s.regs[3*u], s.regs[3*u+1], s.regs[3*u+2]
		t.movu(at(pg, u), G)
		t.mul(at(pm, u), b1, M)
		t.mul(at(pv, u), b2, V)
		update(G, M, V, at(pw, u), u, func(r VecPhysical, p GPVirtual) { t.movu(r, at(p, u)) })
	}, func() {
		Comment("Tail of 0 < n < one vector: masked loads and stores.")
		G, M, V, W := s.regs[0], s.regs[1], s.regs[2], s.regs[3]
		if s.is512() {
			kmasks(t, s, n, 1, s.regs[4])
			k := opmasks[0]
			t.movuZ(at(pg, 0), k, G)
			t.movuZ(at(pm, 0), k, M)
			t.movuZ(at(pv, 0), k, V)
			t.movuZ(at(pw, 0), k, W)
			t.mul(b1, M, M)
			t.mul(b2, V, V)
			update(G, M, V, W, 0, func(r VecPhysical, p GPVirtual) { t.movu(r, k, at(p, 0)) })
			return
		}
		mk := s.regs[4]
		VMOVDQU(maskWindow(t, n), mk)
		t.maskmov(at(pg, 0), mk, G)
		t.maskmov(at(pm, 0), mk, M)
		t.maskmov(at(pv, 0), mk, V)
		t.maskmov(at(pw, 0), mk, W)
		t.mul(b1, M, M)
		t.mul(b2, V, V)
		update(G, M, V, W, 0, func(r VecPhysical, p GPVirtual) { t.maskmov(r, mk, at(p, 0)) })
	})
	ret()
}
