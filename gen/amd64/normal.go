package main

import (
	"fmt"

	"github.com/flowkern/flowkern/gen/vmathalg"
	"github.com/flowkern/flowkern/internal/ref"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// normalSet emits NormalsF64AVX512 and NormalsF64AVX2, kernels.Normal's
// draws (internal/ref/normal.go): each vector lane takes one pair, its two
// Weyl states through SplitMix64's mixer (64-bit products kept low:
// VPMULLQ, or three VPMULUDQ on AVX2), their uniforms, then the Box-Muller
// program of gen/vmathalg replayed as the vmath functions are, and the pair
// interleaved into dst.
func normalSet() {
	for _, s := range []isa{avx512, avx2} {
		normalKernel(s)
	}
}

// normalUnroll is the vectors of pairs per main-loop pass: the program
// keeps many values live (its log most); AVX-512 runs out of registers at
// four, AVX2 at two.
func normalUnroll(s isa) int {
	if s.is512() {
		return 3
	}
	return 1
}

func normalKernel(s isa) {
	t := f64
	fn := name("Normals", t, s)
	text(fn, NOSPLIT, "func(dst []float64, s *uint64)")
	L := s.width / t.size // pairs per vector
	U := normalUnroll(s)
	// Lane offsets from the state: word 2p+1+i of the pass (input i: v1 or
	// v2) for pair p = u L + l of copy u.
	offs := GLOBL(fmt.Sprintf("normal%sweyl", s.suffix), RODATA|NOPTR)
	for u := 0; u < U; u++ {
		for i := 0; i < 2; i++ {
			for l := 0; l < L; l++ {
				p := uint64(u*L + l)
				DATA(((u*2+i)*L+l)*8, U64((2*p+1+uint64(i))*ref.WeylStep))
			}
		}
	}
	prefix16 := GLOBL(fmt.Sprintf("normal%sprefix", s.suffix), RODATA|NOPTR)
	for c := 0; c < 16; c++ {
		DATA(2*c, U16(uint16(1<<c-1))) // the opmask of the first c numbers
	}
	tailMask()
	// DATA goes to the latest GLOBL: the constants' table comes last.
	g := &vg{t: t, s: s, o: vops64, cidx: map[uint64]int{}, name: "Normals"}
	g.tab = GLOBL(fmt.Sprintf("normal%sconst", s.suffix), RODATA|NOPTR)
	dst := slicePtr("dst")
	cnt := Load(Param("dst").Len(), GP64()).(GPVirtual)
	sp := slicePtrArg("s")
	st := GP64()
	MOVQ(Mem{Base: sp}, st)

	o := g.o
	// mul64 sets z to the low 64 bits of z times the constant c: one
	// VPMULLQ on AVX-512; on AVX2 the three partial products that reach
	// them, z_lo c_lo + (z_hi c_lo + z_lo c_hi) << 32.
	mul64 := func(z, t1, t2 Op, c uint64) {
		if s.is512() {
			VPBROADCASTQ(g.cbits(c), t1)
			VPMULLQ(t1, z, z)
			return
		}
		o.movu(g.cbits(c>>32), t1)
		VPMULUDQ(t1, z, t1) // z_lo c_hi
		VPSRLQ(U8(32), z, t2)
		VPMULUDQ(g.cbits(c&0xffffffff), t2, t2) // z_hi c_lo
		VPADDQ(t2, t1, t1)
		VPSLLQ(U8(32), t1, t1)
		VPMULUDQ(g.cbits(c&0xffffffff), z, z) // z_lo c_lo
		VPADDQ(t1, z, z)
	}
	g.in = func(i int) vr {
		d, t1, t2 := g.alloc(), g.alloc(), g.alloc()
		g.each(func(u int) {
			r := func(v vr) Op { return g.reg(v[u]) }
			z := r(d)
			if s.is512() {
				VPBROADCASTQ(st, z)
			} else {
				VMOVQ(st, d[u].AsX())
				VPBROADCASTQ(d[u].AsX(), z)
			}
			VPADDQ(offs.Offset((u*2+i)*L*8), z, z) // the lanes' states
			// The word Mix64(s): xor-shift, multiply, twice, xor-shift.
			for _, round := range []struct {
				shift int
				c     uint64
			}{{30, 0xbf58476d1ce4e5b9}, {27, 0x94d049bb133111eb}} {
				VPSRLQ(U8(round.shift), z, r(t1))
				o.xor(r(t1), z, z)
				mul64(z, r(t1), r(t2), round.c)
			}
			VPSRLQ(U8(31), z, r(t1))
			o.xor(r(t1), z, z)
			// Its uniform: the top 52 bits as the fraction of 1.f, minus 1.
			VPSRLQ(U8(12), z, z)
			o.or(g.cbits(0x3ff<<52), z, z)
			o.sub(g.c(1), z, z)
		})
		g.release(t1, t2)
		return d
	}
	prog := vmathalg.RecordKernel(vmathalg.BoxMuller, true)
	perVec := 2 * L // normals per vector of pairs
	// pass draws u vectors of pairs; a tail pass (u = 1) stores only the
	// first cnt < perVec numbers.
	pass := func(u int, tail bool) {
		g.U = u
		g.free = append([]VecPhysical(nil), s.regs...)
		// The log's argument 1 - v1 lies in [2^-52, 1]: normal, so the
		// AVX2 log may skip its subnormal scaling and special values.
		g.fast = true
		replay(g, prog)
		z0, z1 := g.outs[0], g.outs[1]
		lo, hi := g.alloc(), g.alloc()
		var m0, m1 Op // the tail's store masks
		if tail {
			if s.is512() {
				tab, bitsReg := GP64(), GP32()
				LEAQ(prefix16, tab)
				MOVWLZX(Mem{Base: tab, Index: cnt, Scale: 2}, bitsReg)
				KMOVW(bitsReg, K1)
				KSHIFTRW(U8(8), K1, K2)
				m0, m1 = K1, K2
			} else {
				w := maskWindow(f64, cnt) // clobbers cnt
				VMOVUPD(w, lo[0])
				VMOVUPD(w.Offset(s.width), hi[0])
				m0, m1 = lo[0], hi[0]
				lo, hi = g.alloc(), g.alloc()
			}
		}
		g.each(func(u int) {
			r := func(v vr) Op { return g.reg(v[u]) }
			// lo = z0[0] z1[0] z0[2] z1[2] ..., hi = z0[1] z1[1] z0[3] z1[3] ...
			VUNPCKLPD(r(z1), r(z0), r(lo))
			VUNPCKHPD(r(z1), r(z0), r(hi))
			at := Mem{Base: dst}.Offset(u * 2 * s.width)
			if s.is512() {
				// 128-bit blocks lo.0 hi.0 lo.1 hi.1, then lo.2 hi.2 lo.3 hi.3.
				VSHUFF64X2(U8(0x44), r(hi), r(lo), r(z0)) // lo.0 lo.1 hi.0 hi.1
				VSHUFF64X2(U8(0xd8), r(z0), r(z0), r(z0))
				VSHUFF64X2(U8(0xee), r(hi), r(lo), r(z1)) // lo.2 lo.3 hi.2 hi.3
				VSHUFF64X2(U8(0xd8), r(z1), r(z1), r(z1))
			} else {
				VPERM2F128(U8(0x20), r(hi), r(lo), r(z0)) // lo.0 hi.0
				VPERM2F128(U8(0x31), r(hi), r(lo), r(z1)) // lo.1 hi.1
			}
			switch {
			case !tail:
				o.movu(r(z0), at)
				o.movu(r(z1), at.Offset(s.width))
			case s.is512():
				VMOVUPD(r(z0), m0, at)
				VMOVUPD(r(z1), m1, at.Offset(s.width))
			default:
				VMASKMOVPD(r(z0), m0, at)
				VMASKMOVPD(r(z1), m1, at.Offset(s.width))
			}
		})
		if tail {
			return // the state advanced by the caller
		}
		ADDQ(U32(u*perVec*t.size), dst)
		adv := GP64()
		MOVQ(U64(uint64(u*perVec)*ref.WeylStep), adv)
		ADDQ(adv, st)
		SUBQ(U32(u*perVec), cnt)
	}
	Comment(fmt.Sprintf("%d vectors of pairs at a time, then one, then a part of one", U))
	Label("main")
	CMPQ(cnt, U32(U*perVec))
	JCS(LabelRef("one"))
	pass(U, false)
	JMP(LabelRef("main"))
	Label("one")
	if U > 1 {
		CMPQ(cnt, U32(perVec))
		JCS(LabelRef("tail"))
		pass(1, false)
		JMP(LabelRef("one"))
	}
	Label("tail")
	TESTQ(cnt, cnt)
	JEQ(LabelRef("done"))
	// The words of ceil(cnt/2) pairs.
	words := GP64()
	LEAQ(Mem{Base: cnt, Disp: 1}, words)
	ANDQ(I8(-2), words)
	adv := GP64()
	MOVQ(U64(ref.WeylStep), adv)
	IMULQ(words, adv)
	pass(1, true)
	ADDQ(adv, st)
	Label("done")
	MOVQ(st, Mem{Base: sp})
	g.emitTable()
	ret()
}
