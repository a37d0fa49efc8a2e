package main

import (
	"fmt"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Main-loop unrolling, in blocks per iteration. A reduction block is L
// elements (one pass over every accumulator), an element-wise block four
// vectors. Unrolling only trims loop overhead: the lane chains are fixed by
// the canonical order, and loads (two per FMA in Dot), not the FMA latency,
// bound the loop (an 8-chain AVX-512 dot, not canonical, ran no faster).
const (
	unrollReduce = 2
	unrollElem   = 2
	elemVecs     = 4 // vectors per element-wise block
)

// vecSet emits the vector building blocks: Dot, Sum, Axpy, Scale, Add,
// Mul and KeepPositive for both precisions and both tiers.
func vecSet() {
	for _, t := range []elem{f64, f32} {
		for _, s := range []isa{avx2, avx512} {
			dot(t, s)
			sum(t, s)
			axpy(t, s)
			scale(t, s)
			add(t, s)
			mul(t, s)
			keepPositive(t, s)
		}
	}
}

// dot emits Dot: acc[i%L] = fma(x[i], y[i], acc[i%L]) for i < len(x), the
// lanes stored back to acc, the halving reduction returned.
func dot(t elem, s isa) {
	text(name("Dot", t, s), NOSPLIT, fmt.Sprintf("func(x, y, acc []%s) %s", t.goType, t.goType))
	reduction(t, s, []string{"x", "y"}, func(acc, r VecPhysical, in []Mem) {
		t.movu(in[0], r)
		t.fma231(in[1], r, acc)
	}, func(acc VecPhysical, in []VecPhysical) {
		t.fma231(in[1], in[0], acc)
	}, func(acc VecPhysical, k Op, in []VecPhysical) {
		t.fma231(in[1], in[0], k, acc)
	}, func(acc, mk VecPhysical, in []VecPhysical) {
		// t = x*y + acc in in[0], then keep the old lane where the mask is off.
		t.fma213(acc, in[1], in[0])
		t.blendv(mk, in[0], acc, acc)
	})
}

// sum emits Sum: acc[i%L] += x[i] for i < len(x), the lanes stored back to
// acc, the halving reduction returned.
func sum(t elem, s isa) {
	text(name("Sum", t, s), NOSPLIT, fmt.Sprintf("func(x, acc []%s) %s", t.goType, t.goType))
	reduction(t, s, []string{"x"}, func(acc, r VecPhysical, in []Mem) {
		t.add(in[0], acc, acc)
	}, nil, func(acc VecPhysical, k Op, in []VecPhysical) {
		t.add(in[0], acc, k, acc)
	}, func(acc, mk VecPhysical, in []VecPhysical) {
		t.add(acc, in[0], in[0])
		t.blendv(mk, in[0], acc, acc)
	})
}

// reduction emits a lane-accumulating kernel over the slices named by
// params (the first one gives n), with an "acc" slice parameter and a
// result. The callbacks update one accumulator:
//   - full(acc, r, in): inputs as memory operands, r a free register;
//   - split(acc, in): AVX-512 from L2 (see halvesFrom), inputs in registers
//     loaded 32 bytes at a time; nil keeps full-width loads at every size;
//   - k512(acc, k, in): AVX-512 tail, inputs zero-masked in registers, the
//     update must merge under opmask k;
//   - mask2(acc, mk, in): AVX2 tail, inputs loaded with VMASKMOV under mk
//     (zero where off), the update must leave acc unchanged where mk is off.
func reduction(t elem, s isa, params []string,
	full func(acc, r VecPhysical, in []Mem),
	split func(acc VecPhysical, in []VecPhysical),
	k512 func(acc VecPhysical, k Op, in []VecPhysical),
	mask2 func(acc, mk VecPhysical, in []VecPhysical),
) {
	ptrs := make([]GPVirtual, len(params))
	for i, p := range params {
		ptrs[i] = slicePtr(p)
	}
	a := slicePtr("acc")
	accLen := Load(Param("acc").Len(), GP64()).(GPVirtual)
	n := Load(Param(params[0]).Len(), GP64()).(GPVirtual)

	w := s.width
	vecs := t.lanes * t.size / w // 4 zmm or 8 ymm
	acc := s.regs[:vecs]
	tmp := s.regs[vecs:]

	Comment("An empty acc means lanes starting at +0 that are not stored back:",
		"the common unchunked call skips the loads, the stores and the caller's zeroing.")
	TESTQ(accLen, accLen)
	JNE(LabelRef("loadacc"))
	for _, r := range acc {
		VXORPS(r.AsX(), r.AsX(), r.AsX()) // VEX zeroes the whole register
	}
	JMP(LabelRef("accready"))
	Label("loadacc")
	loadAcc(t, s, Mem{Base: a}, acc, tmp)
	Label("accready")

	if s.is512() && split != nil {
		Comment("Slices of at least dotHalvesFrom bytes (see halvesFrom): the same blocks,",
			"every vector loaded in 32-byte halves, until fewer than a main-loop step are left.")
		step := unrollReduce * t.lanes
		CMPQ(n, U32(step))
		JCS(LabelRef("l1"))
		bytes := GP64()
		MOVQ(n, bytes)
		SHLQ(U8(bits.TrailingZeros(uint(t.size))), bytes)
		CMPQ(bytes, NewDataAddr(Symbol{Name: "·" + halvesFrom}, 0))
		JCS(LabelRef("l1"))
		Label("l2")
		for u := 0; u < unrollReduce; u++ {
			for j := range acc {
				off := (u*vecs + j) * w
				var in []VecPhysical
				for i, p := range ptrs {
					r := tmp[(len(ptrs)*(u*vecs+j)+i)%len(tmp)]
					t.movu(Mem{Base: p}.Offset(off), r.AsY())
					VINSERTF64X4(U8(1), Mem{Base: p}.Offset(off+32), r, r)
					in = append(in, r)
				}
				split(acc[j], in)
			}
		}
		for _, p := range ptrs {
			ADDQ(U32(step*t.size), p)
		}
		SUBQ(U32(step), n)
		CMPQ(n, U32(step))
		JCC(LabelRef("l2"))
		Label("l1")
	}
	loop(t, n, ptrs, t.lanes, unrollReduce, func(u int) {
		for j := range acc {
			off := (u*vecs + j) * w
			// Rotate the load registers so consecutive loads are independent.
			r := tmp[(u*vecs+j)%len(tmp)]
			var in []Mem
			for _, p := range ptrs {
				in = append(in, Mem{Base: p}.Offset(off))
			}
			full(acc[j], r, in)
		}
	}, func() {
		Comment("Tail of 0 < n < L elements: vector j covers lanes j*w.. of acc[j].")
		if s.is512() {
			kmasks(t, s, n, vecs, tmp[len(tmp)-1])
			for j := range acc {
				k := opmasks[j]
				in := tmp[j*len(ptrs) : (j+1)*len(ptrs)]
				for i, p := range ptrs {
					t.movuZ(Mem{Base: p}.Offset(j*w), k, in[i])
				}
				k512(acc[j], k, in)
			}
			return
		}
		m := maskWindow(t, n)
		for j := range acc {
			// Two alternating register sets keep neighbouring vectors independent.
			set := tmp[(j%2)*4 : (j%2)*4+4]
			mk, in := set[0], set[1:1+len(ptrs)]
			VMOVDQU(m.Offset(32*j), mk)
			for i, p := range ptrs {
				t.maskmov(Mem{Base: p}.Offset(j*w), mk, in[i])
			}
			mask2(acc[j], mk, in)
		}
	})

	Comment("Store the lanes back unreduced, so the caller can chunk long slices.")
	TESTQ(accLen, accLen)
	JEQ(LabelRef("reduce"))
	for j := range acc {
		t.movu(acc[j], Mem{Base: a}.Offset(j*w))
	}
	Label("reduce")

	Comment("Halving reduction: lane[k] += lane[k+h] for h = L/2 .. 1.")
	for h := len(acc) / 2; h >= 1; h /= 2 {
		for k := 0; k < h; k++ {
			t.add(acc[k+h], acc[k], acc[k])
		}
	}
	r, sc := acc[0], tmp[0]
	if s.is512() {
		VEXTRACTF64X4(U8(1), r, sc.AsY())
		t.add(sc.AsY(), r.AsY(), r.AsY())
	}
	VEXTRACTF128(U8(1), r.AsY(), sc.AsX())
	t.add(sc.AsX(), r.AsX(), r.AsX())
	if t.size == 4 {
		VMOVHLPS(r.AsX(), r.AsX(), sc.AsX()) // lanes 2,3 down to 0,1
		VADDPS(sc.AsX(), r.AsX(), r.AsX())
		VMOVSHDUP(r.AsX(), sc.AsX()) // lane 1 down to 0
		VADDSS(sc.AsX(), r.AsX(), r.AsX())
	} else {
		VUNPCKHPD(r.AsX(), r.AsX(), sc.AsX()) // lane 1 down to 0
		VADDSD(sc.AsX(), r.AsX(), r.AsX())
	}
	t.movs(r.AsX(), addr(ReturnIndex(0)))
	ret()
}

// halvesFrom is the asm package's variable (hand-written, asm/halves_amd64.go)
// holding the length of x, in bytes, from which the AVX-512 Dot loads each
// vector as two 32-byte halves: with x and y in L2 the halves pull more on
// AMD Zen 5 (64-byte loads went no faster with PREFETCHT0 or more
// unrolling), while on Intel's Golden Cove they took 1.3x the time, and in
// L1 they halve the rate everywhere, loads being the bound there
// (docs/perf-notes.md). asm sets it from internal/cpu.DotHalvesFrom.
const halvesFrom = "dotHalvesFrom"

// loadAcc loads the lanes from acc in 16-byte pieces. Go zeroes a fresh
// array with 16-byte stores, and a wider load that spans several in-flight
// stores misses store forwarding and waits for them to commit (several ns
// per call: docs/perf-notes.md); a 16-byte load is forwarded from such a store
// and from the wide stores of a previous call alike.
func loadAcc(t elem, s isa, a Mem, acc, tmp []VecPhysical) {
	Comment("Load the running lane sums, 16 bytes at a time (store forwarding).")
	for j, r := range acc {
		base := j * s.width
		VMOVUPD(a.Offset(base), r.AsX())
		VINSERTF128(U8(1), a.Offset(base+16), r.AsY(), r.AsY())
		if s.is512() {
			hi := tmp[j]
			VMOVUPD(a.Offset(base+32), hi.AsX())
			VINSERTF128(U8(1), a.Offset(base+48), hi.AsY(), hi.AsY())
			VINSERTF64X4(U8(1), hi.AsY(), r, r)
		}
	}
}

// axpy emits Axpy: y[i] = fma(alpha, x[i], y[i]) for i < len(x).
func axpy(t elem, s isa) {
	text(name("Axpy", t, s), NOSPLIT, fmt.Sprintf("func(alpha %s, x, y []%s)", t.goType, t.goType))
	alpha := s.regs[len(s.regs)-1]
	t.bcast(addr(Param("alpha")), alpha)
	elementwise(t, s, "x", []string{"y", "x"}, "y", func(r VecPhysical, in []Op) {
		t.fma231(in[0], alpha, r)
	})
}

// scale emits Scale: x[i] = alpha*x[i].
func scale(t elem, s isa) {
	text(name("Scale", t, s), NOSPLIT, fmt.Sprintf("func(alpha %s, x []%s)", t.goType, t.goType))
	alpha := s.regs[len(s.regs)-1]
	t.bcast(addr(Param("alpha")), alpha)
	elementwise(t, s, "x", []string{"x"}, "x", func(r VecPhysical, in []Op) {
		t.mul(alpha, r, r)
	})
}

// add emits Add: dst[i] = x[i] + y[i].
func add(t elem, s isa) {
	text(name("Add", t, s), NOSPLIT, fmt.Sprintf("func(dst, x, y []%s)", t.goType))
	elementwise(t, s, "dst", []string{"x", "y"}, "dst", func(r VecPhysical, in []Op) {
		t.add(in[0], r, r)
	})
}

// mul emits Mul: dst[i] = x[i] * y[i].
func mul(t elem, s isa) {
	text(name("Mul", t, s), NOSPLIT, fmt.Sprintf("func(dst, x, y []%s)", t.goType))
	elementwise(t, s, "dst", []string{"x", "y"}, "dst", func(r VecPhysical, in []Op) {
		t.mul(in[0], r, r)
	})
}

// keepPositive emits KeepPositive: dst[i] = x[i] where !(y[i] <= 0), +0
// elsewhere. The compare is 0 !>= y (predicate NGE_UQ, true for a NaN y)
// against a zero in the top register; AVX-512 keeps x by a zeroing masked
// move, AVX2 by an AND with the compare's mask.
func keepPositive(t elem, s isa) {
	text(name("KeepPositive", t, s), NOSPLIT, fmt.Sprintf("func(dst, x, y []%s)", t.goType))
	const ngeUQ = 0x19
	zero := s.regs[len(s.regs)-1]
	scratch := s.regs[len(s.regs)-2] // AVX2: the mask; above every register elementwise uses
	t.xor(zero, zero, zero)
	cmp := func(y, dst Op) {
		if t.size == 8 {
			VCMPPD(U8(ngeUQ), y, zero, dst)
		} else {
			VCMPPS(U8(ngeUQ), y, zero, dst)
		}
	}
	elementwise(t, s, "dst", []string{"x", "y"}, "dst", func(r VecPhysical, in []Op) {
		if s.is512() {
			cmp(in[0], K7) // K1-K4 hold the tail's masks
			t.movuZ(r, K7, r)
			return
		}
		cmp(in[0], scratch)
		if t.size == 8 {
			VANDPD(scratch, r, r)
		} else {
			VANDPS(scratch, r, r)
		}
	})
}

// elementwise emits an element-wise kernel over n = len(lenParam): for each
// vector, r = inputs[0], op(r, rest of inputs), store r to out. Inputs may
// name the output slice (in place); each name gets one pointer. The top
// vector register is left to the caller (alpha).
func elementwise(t elem, s isa, lenParam string, inputs []string, out string, op func(r VecPhysical, in []Op)) {
	// One pointer per distinct slice.
	var names []string
	ptr := map[string]GPVirtual{}
	for _, p := range append(append([]string{}, inputs...), out) {
		if _, ok := ptr[p]; !ok {
			ptr[p] = slicePtr(p)
			names = append(names, p)
		}
	}
	ptrs := make([]GPVirtual, len(names))
	for i, p := range names {
		ptrs[i] = ptr[p]
	}
	n := Load(Param(lenParam).Len(), GP64()).(GPVirtual)

	w := s.width
	mem := func(p string, off int) Mem { return Mem{Base: ptr[p]}.Offset(off) }
	regs := s.regs[:len(s.regs)-1]

	loop(t, n, ptrs, elemVecs*w/t.size, unrollElem, func(u int) {
		for j := 0; j < elemVecs; j++ {
			v := u*elemVecs + j
			r := regs[v%len(regs)]
			t.movu(mem(inputs[0], v*w), r)
			var in []Op
			for _, p := range inputs[1:] {
				in = append(in, mem(p, v*w))
			}
			op(r, in)
			t.movu(r, mem(out, v*w))
		}
	}, func() {
		Comment("Tail of 0 < n < 4 vectors, masked loads and stores.")
		if s.is512() {
			kmasks(t, s, n, elemVecs, regs[len(regs)-1])
			for j := 0; j < elemVecs; j++ {
				k := opmasks[j]
				r := regs[2*j]
				t.movuZ(mem(inputs[0], j*w), k, r)
				var in []Op
				for _, p := range inputs[1:] {
					t.movuZ(mem(p, j*w), k, regs[2*j+1])
					in = append(in, regs[2*j+1])
				}
				op(r, in)
				t.movu(r, k, mem(out, j*w))
			}
			return
		}
		m := maskWindow(t, n)
		for j := 0; j < elemVecs; j++ {
			mk, r, u := regs[3*j], regs[3*j+1], regs[3*j+2]
			VMOVDQU(m.Offset(32*j), mk)
			t.maskmov(mem(inputs[0], j*w), mk, r)
			var in []Op
			for _, p := range inputs[1:] {
				t.maskmov(mem(p, j*w), mk, u)
				in = append(in, u)
			}
			op(r, in)
			t.maskmov(r, mk, mem(out, j*w))
		}
	})
	ret()
}
