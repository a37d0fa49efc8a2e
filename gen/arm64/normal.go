package main

import (
	"fmt"
	"strings"

	"github.com/flowkern/flowkern/gen/vmathalg"
	"github.com/flowkern/flowkern/internal/ref"
)

// The normal set for NEON: NormalsF64NEON, kernels.Normal's draws
// (internal/ref/normal.go), as gen/amd64's normal set draws them. Each
// vector lane takes one pair: the two Weyl words of the pair computed in
// the register (SplitMix64's Mix64), their uniforms, then the Box-Muller
// program of gen/vmathalg replayed as the vmath functions are (nreplay), and
// the pair interleaved into dst.
//
// NEON has no 64-bit multiply. mul64 builds the low 64 bits of z c from
// 32-bit halves, z = zh 2^32 + zl and c = ch 2^32 + cl:
//
//	z c mod 2^64 = zl cl + ((zl ch + zh cl) mod 2^32) 2^32
//
// with the constant stored as the 32-bit lanes (ch, cl): one MUL .4S gives
// zl ch and zh cl (each mod 2^32), UADDLP adds the two, SHL moves the sum
// to the high half (the carry out of bit 63 is dropped), and UMLAL adds the
// 64-bit product zl cl (zl from UZP1, cl the constant's lane 1).
//
// Registers: R1 writes dst, R2 counts the numbers left, R3 holds the Weyl
// state and R8 points at it, R9 at the constant table (each constant over
// 16 bytes, loaded with FMOVQ), R10 at the lanes' Weyl offsets; R4 to R7
// are scratch. A pass draws normalUnroll vectors of pairs, then one at a
// time; the last cnt < 4 numbers come from one more vector, stored lane by
// lane (nothing is read from dst, nothing written past it).

// normalUnroll is the vectors of pairs per main-loop pass: two independent
// copies of the program fit in the 32 vector registers.
const normalUnroll = 2

func normalSet(a *asmFile) { normalKernel(a) }

func normalKernel(a *asmFile) {
	t := types[0] // float64
	if t.prec != Double {
		panic("normal: types[0] is not float64")
	}
	name := "NormalsF64NEON"
	f := newFn(name, t.elem, name+` sets dst[2p], dst[2p+1] to the normals of pair p (ref.NormalPair)
from the Weyl state *s and advances *s past their words. An odd len(dst)
ends with the first number of a pair.`,
		[]param{{name: "dst", kind: kSlice}, {name: "s", kind: kU64Ptr}}, nil)
	a.text(f)
	g := &ng{a: a, t: t, cidx: map[uint64]int{}, tab: "normal" + name + "const"}
	weyl := "normal" + name + "weyl"
	a.op("MOVD", f.arg("dst", "base"), r(1))
	a.op("MOVD", f.arg("dst", "len"), r(2))
	a.op("MOVD", f.arg("s", ""), r(8))
	a.op("MOVD", mem(8), r(3))
	a.op("MOVD", fmt.Sprintf("$·%s(SB)", g.tab), r(9))
	a.op("MOVD", fmt.Sprintf("$·%s(SB)", weyl), r(10))

	U := normalUnroll
	L := t.perReg()   // pairs per vector
	perVec := 2 * L   // numbers per vector of pairs
	var offs []uint64 // slot u*2+i: lane l holds word 2p+1+i of pair p = u L + l
	for u := 0; u < U; u++ {
		for i := 0; i < 2; i++ {
			for l := 0; l < L; l++ {
				p := uint64(u*L + l)
				offs = append(offs, (2*p+1+uint64(i))*ref.WeylStep)
			}
		}
	}

	// mul64 sets z to the low 64 bits of z times c (see above); t1 and t2
	// are scratch.
	mul64 := func(z, t1, t2 val, c uint64) {
		k := g.cbits(c<<32 | c>>32)                                      // 32-bit lanes ch, cl, ch, cl
		g.w(func(u int) Inst { return MUL4S(t1[u], z[u], k[u]) })        // zl ch, zh cl
		g.vop("VUZP1", "S4", z, z, t2)                                   // t2.2S = zl of both lanes
		g.w(func(u int) Inst { return UADDLP2D(t1[u], t1[u]) })          // zl ch + zh cl
		g.shift("VSHL", 32, z, t1)                                       // that << 32
		g.w(func(u int) Inst { return UMLALElem(z[u], t2[u], k[u], 1) }) // + zl cl
		g.release(k)
	}
	g.in = func(i int) val {
		d, t1, t2 := g.alloc(), g.alloc(), g.alloc()
		g.each(func(u int) {
			a.op("VDUP", r(3), v(d[u], "D2"))
			a.op("FMOVQ", fmt.Sprintf("%d(R10)", 16*(u*2+i)), fmt.Sprintf("F%d", t1[u]))
		})
		g.vop("VADD", "D2", t1, d, d) // the lanes' states
		// The word Mix64(s): xor-shift, multiply, twice, xor-shift.
		for _, round := range []struct {
			shift int
			c     uint64
		}{{30, 0xbf58476d1ce4e5b9}, {27, 0x94d049bb133111eb}} {
			g.shift("VUSHR", round.shift, t1, d)
			g.vop("VEOR", "B16", t1, d, d)
			mul64(d, t1, t2, round.c)
		}
		g.shift("VUSHR", 31, t1, d)
		g.vop("VEOR", "B16", t1, d, d)
		// Its uniform: the top 52 bits as the fraction of 1.f, minus 1.
		// The bits of 1.0 are 0x3ff << 52: one constant serves both.
		g.shift("VUSHR", 12, d, d)
		c := g.c(1)
		g.or(d, d, c)
		g.sub(d, d, c)
		g.release(c, t1, t2)
		return d
	}
	prog := vmathalg.RecordKernel(vmathalg.BoxMuller, true)

	// pass draws u vectors of pairs; a tail pass (u = 1) stores only the
	// first R2 < perVec numbers and leaves the state to the caller.
	pass := func(u int, tail bool) {
		g.U = u
		g.free = nil
		for i := 0; i < 32; i++ {
			g.free = append(g.free, i)
		}
		// The log's argument 1 - v1 lies in [2^-52, 1]: a normal number,
		// so nlog may skip its subnormal scaling and special values.
		g.fast = true
		nreplay(g, prog)
		z0, z1 := g.outs[0], g.outs[1]
		if tail {
			// Number k is z0 (k even) or z1 (k odd) of lane k/2.
			for k := 0; k < perVec-1; k++ {
				if k > 0 {
					a.op("CMP", imm(k), r(2))
					a.op("BEQ", "advance")
				}
				z := z0
				if k%2 == 1 {
					z = z1
				}
				a.op("VST1.P", lane(z[0], t.lane, k/2), post(8, 1))
			}
			return
		}
		lo, hi := g.alloc(), g.alloc()
		g.vop("VZIP1", "D2", z1, z0, lo) // z0[0] z1[0]
		g.vop("VZIP2", "D2", z1, z0, hi) // z0[1] z1[1]
		for k := range lo {
			a.op("FSTPQ.P", fmt.Sprintf("(F%d, F%d)", lo[k], hi[k]), post(32, 1))
		}
		a.op("MOVD", fmt.Sprintf("$%#x", uint64(u*perVec)*ref.WeylStep), r(4))
		a.op("ADD", r(4), r(3))
		a.op("SUB", imm(u*perVec), r(2))
	}
	a.comment("%d vectors of pairs at a time, then one, then a part of one", U)
	a.label("main")
	a.op("CMP", imm(U*perVec), r(2))
	a.op("BLT", "one")
	pass(U, false)
	a.op("B", "main")
	a.label("one")
	a.op("CMP", imm(perVec), r(2))
	a.op("BLT", "tail")
	pass(1, false)
	a.op("B", "one")
	a.label("tail")
	a.op("CBZ", r(2), "done")
	a.comment("The words of ceil(R2/2) pairs: R6 = (R2+1 &^ 1) WeylStep")
	a.op("ADD", imm(1), r(2), r(6))
	a.op("AND", imm(-2), r(6))
	a.op("MOVD", fmt.Sprintf("$%#x", uint64(ref.WeylStep)), r(7))
	a.op("MUL", r(7), r(6))
	pass(1, true)
	a.label("advance")
	a.op("ADD", r(6), r(3))
	a.label("done")
	a.op("MOVD", r(3), mem(8))
	a.op("RET")
	g.table()

	var d strings.Builder
	for i, o := range offs {
		fmt.Fprintf(&d, "DATA ·%s+%d(SB)/8, $%#x\n", weyl, 8*i, o)
	}
	fmt.Fprintf(&d, "GLOBL ·%s(SB), RODATA|NOPTR, $%d\n", weyl, 8*len(offs))
	a.b.WriteString("\n" + d.String())
}
