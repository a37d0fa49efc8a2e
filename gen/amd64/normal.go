package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The Weyl sequence of kernels.Normal: state s, word s+g, s+2g, ...
const (
	weylStep = 0xa0761d6478bd642f
	weylMix  = 0xe7037ed1a0b428db
)

// normalSet emits ZigguratF64AVX512 and ZigguratF64AVX2: the fast path of
// kernels.Normal's ziggurat (kernels/normal.go, zigFastGo is the
// specification) on L = 8 or 4 consecutive words of the Weyl sequence at a
// time. Lane l of a block holds state s + (l+1) g; the 64x64 -> 128-bit
// product of the mixer is built from four 32x32 -> 64-bit VPMULUDQ; the
// layer tables are gathered. A block stores the draws before its first lane
// that leaves the fast path (or the end of dst) and the kernel returns
// there, with *s advanced past the stored draws only.
func normalSet() {
	consts := GLOBL(setPrefix+"consts", RODATA|NOPTR)
	vals := []uint64{
		weylMix,            // 0: the mixer's xor constant
		0xffffffff,         // 8: low 32 bits
		0xff,               // 16: the layer bits
		1 << 63,            // 24: the sign bit
		0x4330000000000000, // 32: 2^52 as bits (AVX2 conversion)
		0x4530000000000000, // 40: 2^84 as bits
		math.Float64bits(0x1p84 + 0x1p52),
	}
	for i, v := range vals {
		DATA(8*i, U64(v))
	}
	offsets := GLOBL(setPrefix+"weyl", RODATA|NOPTR)
	for l := 0; l < 8; l++ {
		DATA(8*l, U64(uint64(l+1)*weylStep)) // lane l: (l+1) g, mod 2^64
	}
	prefix := GLOBL(setPrefix+"prefix", RODATA|NOPTR)
	for c := 0; c < 8; c++ {
		DATA(c, U8(1<<c-1)) // the opmask of the first c lanes
	}
	zigKernel(avx512, consts, offsets, prefix)
	zigKernel(avx2, consts, offsets, prefix)
}

const (
	cMix  = 0
	cLo   = 8
	cLay  = 16
	cSgn  = 24
	c52   = 32
	c84   = 40
	c8452 = 48
)

func zigKernel(s isa, consts, offsets, prefix Mem) {
	fn := "ZigguratF64" + s.suffix
	L := s.width / 8
	text(fn, NOSPLIT, "func(dst []float64, s *uint64, k *[256]uint64, w *[256]float64) int")
	Doc(
		fn+" draws standard normals into dst by the fast path of the ziggurat",
		"(kernels.zigFastGo) from the Weyl state *s, stopping before the first word",
		"that leaves it; it returns the number of draws c and advances *s by as many",
		"words. k and w are the layer tables. dst[c:] may be overwritten.",
	)
	dst := slicePtr("dst")
	n := Load(Param("dst").Len(), GP64()).(GPVirtual)
	sp := slicePtrArg("s")
	kt, wt := slicePtrArg("k"), slicePtrArg("w")
	total := GP64()
	XORQ(total, total)
	TESTQ(n, n)
	JEQ(LabelRef("done"))

	v := func(i int) VecPhysical { return s.regs[i] }
	sv, step := v(0), v(1) // lane states, L g
	st := GP64()
	MOVQ(Mem{Base: sp}, st)
	g := GP64()
	MOVQ(U64(uint64(L)*weylStep), g)
	VMOVQ(st, sv.AsX())
	VPBROADCASTQ(sv.AsX(), sv)
	VPADDQ(offsets, sv, sv)
	VMOVQ(g, step.AsX())
	VPBROADCASTQ(step.AsX(), step)
	mix, lo32 := v(2), v(3)
	VPBROADCASTQ(consts.Offset(cMix), mix)
	VPBROADCASTQ(consts.Offset(cLo), lo32)
	zero, cvt := v(4).AsX(), v(5).AsX() // the conversions merge into zero
	VXORPD(zero, zero, zero)
	sgn := GP64()
	MOVQ(U64(1<<63), sgn)
	and, or, xor := vex3(VPAND), vex3(VPOR), vex3(VPXOR)
	if s.is512() {
		and, or, xor = VPANDQ, VPORQ, VPXORQ
	}

	// The words of L lanes are stored into dst (or into its first n
	// elements, masked, when fewer are left) and read back one by one: the
	// layer tables are read by scalar loads, which on AMD's cores are
	// several times faster than vector gathers.
	Label("block")
	m, a1, b1 := v(6), v(7), v(8)
	p00, p01, p10, p11 := v(9), v(10), v(11), v(12)
	t, tmp, u := v(13), v(14), v(15)
	xor(mix, sv, m) // the multiplier s ^ mix
	VPSRLQ(U8(32), sv, a1)
	VPSRLQ(U8(32), m, b1)
	VPMULUDQ(m, sv, p00)
	VPMULUDQ(b1, sv, p01)
	VPMULUDQ(m, a1, p10)
	VPMULUDQ(b1, a1, p11)
	// t = hi32(p00) + lo32(p01) + lo32(p10): the middle column with its carry.
	VPSRLQ(U8(32), p00, t)
	and(lo32, p01, tmp)
	VPADDQ(tmp, t, t)
	and(lo32, p10, tmp)
	VPADDQ(tmp, t, t)
	// hi = p11 + hi32(p01) + hi32(p10) + hi32(t)
	VPSRLQ(U8(32), p01, p01)
	VPSRLQ(U8(32), p10, p10)
	VPADDQ(p01, p11, p11)
	VPADDQ(p10, p11, p11)
	VPSRLQ(U8(32), t, tmp)
	VPADDQ(tmp, p11, p11)
	// lo = lo32(t) << 32 | lo32(p00)
	if s.is512() {
		VPMULLQ(m, sv, tmp)
	} else {
		VPSLLQ(U8(32), t, t)
		and(lo32, p00, p00)
		or(p00, t, tmp)
	}
	xor(tmp, p11, u) // the words u = hi ^ lo
	VPADDQ(step, sv, sv)

	CMPQ(n, U32(L))
	JCS(LabelRef("part"))
	// A whole block: the scalar loop checks each lane against k[i] and
	// replaces its word by w[i]; the vector code then makes the draws.
	if s.is512() {
		VMOVDQU64(u, Mem{Base: dst})
	} else {
		VMOVDQU(u, Mem{Base: dst})
	}
	for l := 0; l < L; l++ {
		lookup(Mem{Base: dst, Disp: 8 * l}, kt, wt, fmt.Sprintf("stop%d", l))
	}
	finish(s, u, dst, consts, prefix, nil)
	ADDQ(U32(L*8), dst)
	ADDQ(U32(L), total)
	SUBQ(U32(L), n)
	JNE(LabelRef("block"))
	JMP(LabelRef("done"))
	// Lane l left the fast path: the l lanes before it are drawn.
	for l := 1; l < L; l++ {
		Label(fmt.Sprintf("stop%d", l))
		ADDQ(U32(l), total)
		cnt := GP64()
		MOVQ(U32(l), cnt)
		finish(s, u, dst, consts, prefix, cnt)
		JMP(LabelRef("done"))
	}

	// 0 < n < L elements left: store n words, draw them in turn.
	Label("part")
	if s.is512() {
		tab, bitsReg := GP64(), GP32()
		LEAQ(prefix, tab)
		MOVBLZX(Mem{Base: tab, Index: n, Scale: 1}, bitsReg)
		KMOVW(bitsReg, K1)
		VMOVDQU64(u, K1, Mem{Base: dst})
	} else {
		mask, nn := v(6), GP64()
		MOVQ(n, nn)
		VMOVDQU(maskWindow(f64, nn), mask)
		VMASKMOVPD(u, mask, Mem{Base: dst})
	}
	Label("partloop")
	draw(Mem{Base: dst}, kt, wt, zero, cvt, sgn, "stop0")
	ADDQ(U8(8), dst)
	INCQ(total)
	DECQ(n)
	JNE(LabelRef("partloop"))

	Label("stop0")
	Label("done")
	// *s += total g, mod 2^64.
	adv := GP64()
	MOVQ(U64(weylStep), adv)
	IMULQ(total, adv)
	ADDQ(adv, Mem{Base: sp})
	Store(total, ReturnIndex(0))
	ret()
}

// lookup replaces the word u at m by w[i] (i = u & 255), or jumps to stop
// if j = u >> 11 >= k[i].
func lookup(m Mem, kt, wt GPVirtual, stop string) {
	u, i, r := GP64(), GP64(), GP64()
	MOVQ(m, u)
	MOVBQZX(u.As8(), i)
	SHRQ(U8(11), u)
	CMPQ(u, Mem{Base: kt, Index: i, Scale: 8})
	JCC(LabelRef(stop)) // j >= k[i], unsigned
	MOVQ(Mem{Base: wt, Index: i, Scale: 8}, r)
	MOVQ(r, m)
}

// finish makes the draws x = j w[i] with the sign bit of the words u from
// the w[i] that lookup left at dst, and stores them there: all L lanes, or
// the first cnt (1 <= cnt < L) when cnt is not nil.
func finish(s isa, u VecPhysical, dst GPVirtual, consts, prefix Mem, cnt GPVirtual) {
	v := func(i int) VecPhysical { return s.regs[i] }
	j, x, t, sg := v(6), v(7), v(8), v(9)
	VPSRLQ(U8(11), u, j)
	VPBROADCASTQ(consts.Offset(cSgn), sg)
	VPSLLQ(U8(55), u, t) // bit 8 of the word is the sign
	if s.is512() {
		VCVTQQ2PD(j, x) // exact: j < 2^53
		VMULPD(Mem{Base: dst}, x, x)
		VPANDQ(sg, t, t)
		VPORQ(t, x, x)
		if cnt == nil {
			VMOVUPD(x, Mem{Base: dst})
			return
		}
		tab, bitsReg := GP64(), GP32()
		LEAQ(prefix, tab)
		MOVBLZX(Mem{Base: tab, Index: cnt, Scale: 1}, bitsReg)
		KMOVW(bitsReg, K1)
		VMOVUPD(x, K1, Mem{Base: dst})
		return
	}
	// j = jh 2^32 + jl exactly: (2^84 + jh 2^32) - (2^84 + 2^52) + (2^52 + jl).
	k84, k8452, k52, lo := v(10), v(11), v(12), v(13)
	VPBROADCASTQ(consts.Offset(c84), k84)
	VPBROADCASTQ(consts.Offset(c8452), k8452)
	VPBROADCASTQ(consts.Offset(c52), k52)
	VPBROADCASTQ(consts.Offset(cLo), lo)
	VPSRLQ(U8(32), j, x)
	VPOR(k84, x, x)
	VSUBPD(k8452, x, x)
	VPAND(lo, j, j)
	VPOR(k52, j, j)
	VADDPD(j, x, x)
	VMULPD(Mem{Base: dst}, x, x)
	VPAND(sg, t, t)
	VPOR(t, x, x)
	if cnt == nil {
		VMOVUPD(x, Mem{Base: dst})
		return
	}
	mask := v(14)
	VMOVUPD(maskWindow(f64, cnt), mask)
	VMASKMOVPD(x, mask, Mem{Base: dst})
}

// draw replaces the word at m by its draw, x = j w[i] with the word's sign
// bit (i = u & 255, j = u >> 11), or jumps to stop if j >= k[i].
func draw(m Mem, kt, wt GPVirtual, zero, cvt Register, sgn GPVirtual, stop string) {
	u, i, j, r := GP64(), GP64(), GP64(), GP64()
	MOVQ(m, u)
	MOVBQZX(u.As8(), i)
	MOVQ(u, j)
	SHRQ(U8(11), j)
	CMPQ(j, Mem{Base: kt, Index: i, Scale: 8})
	JCC(LabelRef(stop))      // j >= k[i], unsigned
	VCVTSI2SDQ(j, zero, cvt) // exact: j < 2^53
	VMULSD(Mem{Base: wt, Index: i, Scale: 8}, cvt, cvt)
	VMOVQ(cvt, r)
	SHLQ(U8(55), u) // bit 8 of the word is the sign
	ANDQ(sgn, u)
	ORQ(u, r)
	MOVQ(r, m)
}

// vex3 wraps a three-operand VEX instruction in the variadic signature of
// its EVEX twin.
func vex3(f func(a, b, c Op)) func(...Op) {
	return func(ops ...Op) { f(ops[0], ops[1], ops[2]) }
}
