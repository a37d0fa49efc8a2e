package main

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/gen/vmathalg"
	"github.com/flowkern/flowkern/internal/ref"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The vmath set: the element-wise vector math functions, each the exact step
// sequence of internal/ref (vmath.go, vmath_more.go), so every tier gives the
// same bits. Exp and Log are written out here (vexp, vlog: the hot pair, with
// AVX-512's VSCALEF, VGETMANT/VGETEXP and VFIXUPIMM where the other tiers
// compute the same values with integer operations and compares); Expm1,
// Log1p, Tanh, Sigmoid, Softplus and Atan replay the programs of
// gen/vmathalg (replay). The kernels walk the slice U vectors at a time
// (independent chains keep both FMA ports busy), then one vector at a time,
// then one masked vector for the tail. Constants live in a read-only table:
// AVX2 reads each one whole from a 64-byte slot where it is replicated,
// AVX-512 stores it once and broadcasts it (bc).

// vmathSet emits every function for both precisions and both tiers.
func vmathSet() {
	type fn struct {
		name string
		body func(g *vg)
	}
	fns := []fn{{"Exp", vexp}, {"Log", vlog}}
	for _, name := range vmathalg.Names {
		fns = append(fns, fn{name, func(g *vg) { replay(g, vmathalg.Record(name, g.is64())) }})
	}
	for _, fn := range fns {
		for _, t := range []elem{f64, f32} {
			for _, s := range []isa{avx2, avx512} {
				vmathKernel(fn.name, t, s, fn.body)
			}
		}
	}
}

// vops are the instructions of one element type the vmath kernels use.
type vops struct {
	min, max, add, sub, mul                   func(...Op)
	fma213, fma231, fnma231, fms231, fma132   func(...Op)
	fnma213                                   func(...Op)
	round, rndscale, scalef, getmant, getexp  func(...Op)
	cmp, blendm, blendv, and, or, movu, fixup func(...Op)
	div, xor, sqrt                            func(...Op)
	iadd, isub, isrl, isll                    func(...Op)
	ibits                                     int // bits per element
	mant                                      int // explicit mantissa bits (52, 23)
	bitsOf                                    func(float64) uint64
}

var vops64 = vops{
	min: bc(VMINPD, VMINPD_BCST), max: bc(VMAXPD, VMAXPD_BCST), add: bc(VADDPD, VADDPD_BCST), sub: bc(VSUBPD, VSUBPD_BCST), mul: bc(VMULPD, VMULPD_BCST),
	fma213: bc(VFMADD213PD, VFMADD213PD_BCST), fma231: bc(VFMADD231PD, VFMADD231PD_BCST), fnma231: bc(VFNMADD231PD, VFNMADD231PD_BCST), fnma213: bc(VFNMADD213PD, VFNMADD213PD_BCST),
	fms231: bc(VFMSUB231PD, VFMSUB231PD_BCST), fma132: bc(VFMADD132PD, VFMADD132PD_BCST),
	round: func(o ...Op) { VROUNDPD(o[0], o[1], o[2]) }, rndscale: VRNDSCALEPD, scalef: bc(VSCALEFPD, VSCALEFPD_BCST), getmant: VGETMANTPD, getexp: VGETEXPPD,
	sqrt: VSQRTPD, cmp: bc(VCMPPD, VCMPPD_BCST), div: bc(VDIVPD, VDIVPD_BCST), xor: bc(VXORPD, VXORPD_BCST), fixup: bc(VFIXUPIMMPD, VFIXUPIMMPD_BCST),
	blendm: bc(VBLENDMPD, VBLENDMPD_BCST), blendv: func(o ...Op) { VBLENDVPD(o[0], o[1], o[2], o[3]) },
	and: bc(VANDPD, VANDPD_BCST), or: bc(VORPD, VORPD_BCST), movu: bc(VMOVUPD, VBROADCASTSD),
	iadd: bc(VPADDQ, VPADDQ_BCST), isub: bc(VPSUBQ, VPSUBQ_BCST), isrl: VPSRLQ, isll: VPSLLQ,
	ibits: 64, mant: 52, bitsOf: math.Float64bits,
}

var vops32 = vops{
	min: bc(VMINPS, VMINPS_BCST), max: bc(VMAXPS, VMAXPS_BCST), add: bc(VADDPS, VADDPS_BCST), sub: bc(VSUBPS, VSUBPS_BCST), mul: bc(VMULPS, VMULPS_BCST),
	fma213: bc(VFMADD213PS, VFMADD213PS_BCST), fma231: bc(VFMADD231PS, VFMADD231PS_BCST), fnma231: bc(VFNMADD231PS, VFNMADD231PS_BCST), fnma213: bc(VFNMADD213PS, VFNMADD213PS_BCST),
	fms231: bc(VFMSUB231PS, VFMSUB231PS_BCST), fma132: bc(VFMADD132PS, VFMADD132PS_BCST),
	round: func(o ...Op) { VROUNDPS(o[0], o[1], o[2]) }, rndscale: VRNDSCALEPS, scalef: bc(VSCALEFPS, VSCALEFPS_BCST), getmant: VGETMANTPS, getexp: VGETEXPPS,
	sqrt: VSQRTPS, cmp: bc(VCMPPS, VCMPPS_BCST), div: bc(VDIVPS, VDIVPS_BCST), xor: bc(VXORPS, VXORPS_BCST), fixup: bc(VFIXUPIMMPS, VFIXUPIMMPS_BCST),
	blendm: bc(VBLENDMPS, VBLENDMPS_BCST), blendv: func(o ...Op) { VBLENDVPS(o[0], o[1], o[2], o[3]) },
	and: bc(VANDPS, VANDPS_BCST), or: bc(VORPS, VORPS_BCST), movu: bc(VMOVUPS, VBROADCASTSS),
	iadd: bc(VPADDD, VPADDD_BCST), isub: bc(VPSUBD, VPSUBD_BCST), isrl: VPSRLD, isll: VPSLLD,
	ibits: 32, mant: 23, bitsOf: func(v float64) uint64 { return uint64(math.Float32bits(float32(v))) },
}

// bc is an instruction that reads constants of the table (symbol operands):
// f on AVX2, where the table holds each constant replicated over a 64-byte
// slot; on 512-bit registers fb, the EVEX embedded broadcast (VBROADCASTSD/SS
// for a load), which reads the one element stored. The linker aligns data
// to 32 bytes at most, so a 64-byte load from a table splits a cache line
// whenever the table lands 32 bytes off a line (most do, and which depends
// on the whole binary's layout), and split loads run at half rate
// (docs/perf-notes.md).
func bc(f, fb func(...Op)) func(...Op) {
	return func(ops ...Op) {
		tab, zmm := false, false
		for _, op := range ops {
			if m, ok := op.(Mem); ok && m.Symbol.Name != "" {
				tab = true
			}
			zmm = zmm || IsZMM(op)
		}
		if tab && zmm {
			fb(ops...)
			return
		}
		f(ops...)
	}
}

// Compare predicates (imm8 of VCMPPD/VCMPPS).
const (
	cmpEQ  = 0x00 // equal, ordered, quiet
	cmpLT  = 0x11 // less than, ordered, quiet
	cmpNGE = 0x19 // not greater or equal, unordered, quiet: x < c or NaN
	cmpNLT = 0x15 // not less than, unordered, quiet: x >= c or NaN
)

// vg generates one kernel body for U unrolled vectors: each method emits
// its instruction once per copy, so the copies interleave.
type vg struct {
	t    elem
	s    isa
	o    vops
	U    int
	free []VecPhysical
	tab  Mem            // constant table
	cidx map[uint64]int // constant bits -> slot
	nc   int
	x    vr // the body's input, and its result when it returns
	name string
	fast bool // AVX2: the inputs passed the function's fast check
	lbl  int  // label counter
	// Kernels of several streams (coupling.go): in loads input stream i,
	// param broadcasts scalar argument i; outs are the results of replay.
	in, param func(i int) vr
	outs      []vr
	// onValue, if set, runs after replay emits step i (its value in d).
	onValue func(i int, d vr)
}

// vr is one value: a register per unrolled copy.
type vr []VecPhysical

func (g *vg) alloc() vr {
	if len(g.free) < g.U {
		panic("vmath: out of vector registers")
	}
	v := vr(append([]VecPhysical(nil), g.free[:g.U]...))
	g.free = g.free[g.U:]
	return v
}

func (g *vg) release(vs ...vr) {
	for _, v := range vs {
		g.free = append(g.free, v...)
	}
}

// c returns the memory operand of a constant (given as float) in the table.
func (g *vg) c(v float64) Mem { return g.cbits(g.o.bitsOf(v)) }

// cbits returns the memory operand of a constant given by its bits.
func (g *vg) cbits(b uint64) Mem {
	i, ok := g.cidx[b]
	if !ok {
		i = g.nc
		g.cidx[b] = i
		g.nc++
	}
	return g.tab.Offset(g.slot() * i)
}

// slot is the bytes per constant in the table: one element on AVX-512 (the
// instructions broadcast it, bc), 64 on AVX2.
func (g *vg) slot() int {
	if g.s.is512() {
		return g.o.ibits / 8
	}
	return 64
}

// emitTable writes the constants, each replicated over its slot.
func (g *vg) emitTable() {
	slots := make([]uint64, g.nc)
	for b, i := range g.cidx {
		slots[i] = b
	}
	for i, b := range slots {
		for off := 0; off < g.slot(); off += g.o.ibits / 8 {
			if g.o.ibits == 64 {
				DATA(g.slot()*i+off, U64(b))
			} else {
				DATA(g.slot()*i+off, U32(uint32(b)))
			}
		}
	}
}

// each runs f for every unrolled copy.
func (g *vg) each(f func(u int)) {
	for u := 0; u < g.U; u++ {
		f(u)
	}
}

// load sets d to a constant.
func (g *vg) load(d vr, m Mem) { g.each(func(u int) { g.o.movu(m, g.reg(d[u])) }) }

// reg returns the register spelled at this tier's width.
func (g *vg) reg(r VecPhysical) Op {
	if g.s.is512() {
		return r
	}
	return r.AsY()
}

// op3 emits d = f(a, b) for every copy with Go operand order f(b, a, d).
func (g *vg) op3(f func(...Op), b func(u int) Op, a, d vr) {
	g.each(func(u int) { f(b(u), g.reg(a[u]), g.reg(d[u])) })
}

// m wraps a memory constant as an operand of every copy.
func m(x Mem) func(int) Op { return func(int) Op { return x } }

// rv wraps a value as an operand of every copy.
func (g *vg) rv(v vr) func(int) Op { return func(u int) Op { return g.reg(v[u]) } }

// poly sets q to ref.Poly64/Poly32: Horner chains in x2 over the even and
// the odd coefficients, interleaved, then q = fma(odd, x, even). It uses
// one scratch value.
func (g *vg) poly(q, x, x2 vr, c []float64) {
	if !g.is64() {
		// ref.Poly32: plain Horner in x.
		g.load(q, g.c(c[len(c)-1]))
		for i := len(c) - 2; i >= 0; i-- {
			g.op3(g.o.fma213, m(g.c(c[i])), x, q)
		}
		return
	}
	odd := g.alloc()
	top := func(from int) int { return from + (len(c)-1-from)/2*2 }
	te, to := top(0), top(1)
	g.load(q, g.c(c[te]))
	g.load(odd, g.c(c[to]))
	for ie, io := te-2, to-2; ie >= 0 || io >= 1; ie, io = ie-2, io-2 {
		if ie >= 0 {
			g.op3(g.o.fma213, m(g.c(c[ie])), x2, q) // q = x2*q + c
		}
		if io >= 1 {
			g.op3(g.o.fma213, m(g.c(c[io])), x2, odd)
		}
	}
	g.op3(g.o.fma213, g.rv(q), x, odd) // odd = x*odd + even
	even := append(vr(nil), q...)
	copy(q, odd) // the result's registers become q's
	g.release(even)
}

// coef returns the polynomial of the element type as float64s.
func coef64(c []float64) []float64 { return c }

func coef32(c []float32) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = float64(v)
	}
	return out
}

// refName is the internal/ref function a kernel reproduces: Exp64, or the
// generic Expm1[float64].
func refName(fname, goType string) string {
	if fname == "Exp" || fname == "Log" {
		return fname + goType[len(goType)-2:]
	}
	return fname + "[" + goType + "]"
}

// copies is the number of vectors a kernel's main loop works on at once,
// per tier: its unrolled copies interleave, so that their dependency
// chains overlap in the out-of-order window.
type copies struct{ avx2, avx512 int }

// vmathCopies is each vmath kernel's (a kernel without an entry gets 1 on
// AVX2 and 2 on AVX-512): the most copies that fit in the
// registers (the generator panics past them), but for Sigmoid on AVX-512
// (3 copies as fast as 2, 4 slower) and float32 Atan (3 no faster). More
// copies than before (2 on AVX-512 and 1 on AVX2 for every vmathalg
// program) measured, on AMD Zen 5 (BenchmarkVmath, n = 4096 and 2^20,
// docs/perf-notes.md): AVX-512 Tanh (4) 0.86-0.93x the time, Expm1 (3)
// 0.86-0.97x, Softplus (3) 0.83-0.89x, float64 Atan (3) 0.83-0.86x; AVX2
// Tanh (2) 0.79-0.83x, Sigmoid (2) 0.73-0.82x.
var vmathCopies = map[string]copies{
	"Exp": {2, 4}, "Log": {2, 4},
	"Tanh": {2, 4}, "Sigmoid": {2, 2}, "Expm1": {1, 3}, "Softplus": {1, 3},
	"Log1p": {1, 2}, "Atan": {1, 3}, "AtanF32": {1, 2},
}

// on returns the copies on tier s.
func (c copies) on(s isa) int {
	if s.is512() {
		return c.avx512
	}
	return c.avx2
}

// copiesEntry returns table's entry for name in precision t: that of
// name+t.suffix ("AtanF32") if there is one, else name's.
func copiesEntry(table map[string]copies, name string, t elem) (copies, bool) {
	if c, ok := table[name+t.suffix]; ok {
		return c, true
	}
	c, ok := table[name]
	return c, ok
}

// vmathKernel emits NameF64AVX512(dst, x []float64) etc.
func vmathKernel(fname string, t elem, s isa, body func(g *vg)) {
	n := name(fname, t, s)
	text(n, NOSPLIT, fmt.Sprintf("func(dst, x []%s)", t.goType))
	o := vops64
	if t.size == 4 {
		o = vops32
	}
	g := &vg{t: t, s: s, o: o, cidx: map[uint64]int{}, name: fname}
	tailMask() // DATA goes to the latest GLOBL: the shared mask table first
	g.tab = GLOBL(fmt.Sprintf("vmath%s%s%sconst", fname, t.suffix, s.suffix), RODATA|NOPTR)
	c, ok := copiesEntry(vmathCopies, fname, t)
	if !ok {
		c = copies{1, 2} // a new kernel's, until it is measured: every program so far fits them
	}
	g.U = c.on(s)
	dst, src := slicePtr("dst"), slicePtr("x")
	cnt := Load(Param("dst").Len(), GP64()).(GPVirtual)
	w := s.width
	per := w / t.size

	U := g.U
	step := U * per
	Comment(fmt.Sprintf("%d vectors at a time", U))
	Label("main")
	CMPQ(cnt, U32(step))
	JCS(LabelRef("one"))
	g.run(body, src, dst, U, false)
	ADDQ(U32(step*t.size), src)
	ADDQ(U32(step*t.size), dst)
	SUBQ(U32(step), cnt)
	JMP(LabelRef("main"))
	Label("one")
	CMPQ(cnt, U32(per))
	JCS(LabelRef("tail"))
	g.run(body, src, dst, 1, false)
	ADDQ(U32(w), src)
	ADDQ(U32(w), dst)
	SUBQ(U32(per), cnt)
	JMP(LabelRef("one"))
	Label("tail")
	TESTQ(cnt, cnt)
	JEQ(LabelRef("done"))
	Comment("Tail of 0 < n < one vector: masked load and store.")
	if s.is512() {
		kmasks(t, s, cnt, 1, s.regs[0])
	} else {
		mw := maskWindow(t, cnt)
		VMOVDQU(mw, s.regs[0].AsY())
	}
	g.run(body, src, dst, 1, true)
	Label("done")
	g.emitTable()
	ret()
}

// run emits one pass of body over U vectors at src, storing to dst.
func (g *vg) run(body func(g *vg), src, dst GPVirtual, U int, masked bool) {
	g.U = U
	g.free = append([]VecPhysical(nil), g.s.regs...)
	if masked && !g.s.is512() {
		g.free = g.free[1:] // regs[0] holds the AVX2 tail mask
	}
	g.x = g.alloc()
	w := g.s.width
	g.each(func(u int) {
		mem := Mem{Base: src}.Offset(u * w)
		switch {
		case masked && g.s.is512():
			g.t.movuZ(mem, K1, g.x[u])
		case masked:
			g.t.maskmov(mem, g.s.regs[0].AsY(), g.x[u].AsY())
		default:
			g.o.movu(mem, g.reg(g.x[u]))
		}
	})
	store := func() {
		g.each(func(u int) {
			mem := Mem{Base: dst}.Offset(u * w)
			switch {
			case masked && g.s.is512():
				g.o.movu(g.x[u], K1, mem)
			case masked:
				g.t.maskmov(g.x[u].AsY(), g.s.regs[0].AsY(), mem)
			default:
				g.o.movu(g.reg(g.x[u]), mem)
			}
		})
	}
	check := vmathFast[g.name]
	if g.s.is512() || check == nil {
		g.fast = false
		body(g)
		store()
		return
	}
	// AVX2: when no input of the U vectors needs the special-value steps
	// (the check's mask is clear), run the body without them; the results
	// are the same bits either way.
	g.lbl++
	slow, done := fmt.Sprintf("slow%d", g.lbl), fmt.Sprintf("fast%d", g.lbl)
	xin, free := g.x, append([]VecPhysical(nil), g.free...)
	msk := check(g)
	for u := 1; u < g.U; u++ {
		VORPD(msk[u].AsY(), msk[0].AsY(), msk[0].AsY())
	}
	VPTEST(msk[0].AsY(), msk[0].AsY())
	g.release(msk)
	JNE(LabelRef(slow))
	g.fast = true
	body(g)
	store()
	JMP(LabelRef(done))
	Label(slow)
	g.x, g.free, g.fast = xin, free, false
	body(g)
	store()
	Label(done)
}

// vmathFast maps a body to its AVX2 fast check: a mask of the inputs that
// need the special-value steps.
var vmathFast = map[string]func(g *vg) vr{"Log": logCheck}

// logCheck flags x < smallest normal (zero, negative, subnormal), +Inf and
// NaN: !(x >= tiny) || !(x < Inf) as two compares.
func logCheck(g *vg) vr {
	o := g.o
	a, b := g.alloc(), g.alloc()
	tiny := g.pick(0x1p-1022, 0x1p-126)
	g.each(func(u int) {
		o.cmp(U8(cmpNGE), g.c(tiny), g.reg(g.x[u]), g.reg(a[u]))
		o.cmp(U8(cmpNLT), g.cbits(g.pickBits(0x7ff0000000000000, 0x7f800000)), g.reg(g.x[u]), g.reg(b[u]))
		VORPD(b[u].AsY(), a[u].AsY(), a[u].AsY())
	})
	g.release(b)
	return a
}

// Constants of the element type.
func (g *vg) is64() bool { return g.t.size == 8 }

func (g *vg) pick(v64, v32 float64) float64 {
	if g.is64() {
		return v64
	}
	return v32
}

func (g *vg) pickBits(v64, v32 uint64) uint64 {
	if g.is64() {
		return v64
	}
	return v32
}

// vexp is ref.Exp64 / ref.Exp32.
func vexp(g *vg) {
	o := g.o
	x := g.x
	c := g.alloc()
	Comment("x = clamp(x, lo, hi); NaN passes (x is the second source)")
	g.load(c, g.c(g.pick(ref.ExpHi64, ref.ExpHi32)))
	g.op3(o.min, g.rv(x), c, x)
	g.load(c, g.c(g.pick(ref.ExpLo64, ref.ExpLo32)))
	g.op3(o.max, g.rv(x), c, x)
	Comment("kb = fma(x, log2e, 1.5*2^mant): x*log2e rounded once to an integer (ties to even),")
	Comment("kept in the low bits; k = kb - 1.5*2^mant exactly")
	magic := g.pick(0x1.8p52, 0x1.8p23)
	k, kb := g.alloc(), g.alloc()
	g.load(kb, g.c(magic))
	g.op3(o.fma231, m(g.c(g.pick(ref.Log2e64, ref.Log2e32))), x, kb)
	g.op3(o.sub, m(g.c(magic)), kb, k)
	Comment("r = fma(k, -ln2hi, x); r = fma(k, -ln2lo, r)")
	g.op3(o.fnma231, m(g.c(g.pick(ref.Ln2Hi64, ref.Ln2Hi32))), k, x)
	g.op3(o.fnma231, m(g.c(g.pick(ref.Ln2Lo64, ref.Ln2Lo32))), k, x)
	r := x
	Comment("r2 = r*r; q = Poly(ExpQ, r, r2)")
	q, r2 := c, g.alloc()
	g.op3(o.mul, g.rv(r), r, r2)
	if g.is64() {
		g.poly(q, r, r2, coef64(ref.ExpQ64[:]))
	} else {
		g.poly(q, r, r2, coef32(ref.ExpQ32[:]))
	}
	Comment("hi = 1 + r; lo = r - (hi - 1) (exact); p = hi + fma(r2, q, lo)")
	hi, lo := g.alloc(), g.alloc()
	g.op3(o.add, m(g.c(1)), r, hi)
	g.op3(o.sub, m(g.c(1)), hi, lo)
	g.op3(o.sub, g.rv(lo), r, lo)
	g.op3(o.fma213, g.rv(lo), r2, q)
	g.release(r2)
	g.op3(o.add, g.rv(q), hi, hi)
	p := hi
	Comment("p * 2^k, one rounding")
	if g.s.is512() {
		g.op3(o.scalef, g.rv(k), p, x)
		g.release(k, kb, c, hi, lo)
		return
	}
	// 2^(k>>1) and 2^(k - k>>1) from the integer bits of kb = magic + k:
	// tt = k + 2*bias, a = tt>>1 = (k>>1) + bias, b = tt - a.
	bias := g.pickBits(1023, 127)
	g.op3(o.isub, m(g.cbits(g.o.bitsOf(magic)-2*bias)), kb, kb)
	g.each(func(u int) { o.isrl(U8(1), g.reg(kb[u]), g.reg(k[u])) })
	g.op3(o.isub, g.rv(k), kb, kb)
	g.each(func(u int) {
		o.isll(U8(g.o.mant), g.reg(k[u]), g.reg(k[u]))
		o.isll(U8(g.o.mant), g.reg(kb[u]), g.reg(kb[u]))
	})
	g.op3(o.mul, g.rv(k), p, p)
	g.op3(o.mul, g.rv(kb), p, x)
	g.release(k, kb, c, hi, lo)
}

// vlog is ref.Log64 / ref.Log32.
func vlog(g *vg) {
	o := g.o
	x := g.x
	mm, e := g.alloc(), g.alloc()
	if g.s.is512() {
		Comment("m = getmant(x) in [0.75, 1.5); e = getexp(x) - getexp(m)")
		t := g.alloc()
		g.each(func(u int) {
			o.getmant(U8(3), x[u], mm[u])
			o.getexp(x[u], e[u])
			o.getexp(mm[u], t[u])
		})
		g.op3(o.sub, g.rv(t), e, e)
		g.release(t)
	} else {
		Comment("Split: subnormals scaled up; m and e from the integer bits (ref.Split)")
		msk, t := g.alloc(), g.alloc()
		tiny, up, adj := g.pick(0x1p-1022, 0x1p-126), g.pick(0x1p54, 0x1p24), g.pick(-54, -24)
		if g.fast {
			g.each(func(u int) { o.movu(g.reg(x[u]), g.reg(t[u])) })
		} else {
			g.each(func(u int) { o.cmp(U8(cmpLT), g.c(tiny), g.reg(x[u]), g.reg(msk[u])) })
			g.op3(o.mul, m(g.c(up)), x, t)
			g.each(func(u int) { o.blendv(g.reg(msk[u]), g.reg(t[u]), g.reg(x[u]), g.reg(t[u])) })
			g.op3(o.and, m(g.c(adj)), msk, msk)
		}
		off := g.pickBits(0x3fe8000000000000, 0x3f400000)
		bias := g.pickBits(1024<<52, 128<<23)
		lomask := g.pickBits(1<<52-1, 1<<23-1)
		g.op3(o.isub, m(g.cbits((off-bias)&g.pickBits(math.MaxUint64, math.MaxUint32))), t, t)
		g.op3(o.and, m(g.cbits(lomask)), t, mm)
		g.op3(o.iadd, m(g.cbits(off)), mm, mm)
		g.each(func(u int) { o.isrl(U8(g.o.mant), g.reg(t[u]), g.reg(t[u])) })
		two := g.pick(0x1p52, 0x1p23)
		g.op3(o.or, m(g.c(two)), t, t)
		g.op3(o.sub, m(g.c(two+g.pick(1024, 128))), t, e)
		if !g.fast {
			g.op3(o.add, g.rv(msk), e, e)
		}
		g.release(msk, t)
	}
	Comment("f = m - 1; s, rest = LogParts(f): f - f*f/2 summed exactly, the rest by R")
	f := mm
	g.op3(o.sub, m(g.c(1)), mm, f)
	q, f2 := g.alloc(), g.alloc()
	g.op3(o.mul, g.rv(f), f, f2)
	if g.is64() {
		g.poly(q, f, f2, coef64(ref.LogR64[:]))
	} else {
		g.poly(q, f, f2, coef32(ref.LogR32[:]))
	}
	s, sl, t := g.alloc(), g.alloc(), g.alloc()
	g.op3(o.mul, m(g.c(-0.5)), f2, sl)    // h = -0.5*f2
	g.op3(o.add, g.rv(sl), f, s)          // s = f + h
	g.op3(o.sub, g.rv(s), f, t)           // f - s
	g.op3(o.add, g.rv(t), sl, sl)         // sl = (f - s) + h
	g.op3(o.mul, g.rv(f2), f, t)          // t = f*f2
	g.op3(o.fms231, g.rv(f), f, f2)       // f2l = f*f - f2
	g.op3(o.fma132, m(g.c(-0.5)), sl, f2) // -0.5*f2l + sl
	g.op3(o.fma231, g.rv(q), t, f2)       // rest = t*R + that
	g.release(sl, t, mm)
	Comment("hi = fma(e, ln2hi, s); lo = fma(e, ln2hi, -hi) + s; r = hi + (lo + fma(e, ln2lo, rest)),")
	Comment("with e1 = e*ln2hi (exact): hi = e1 + s, lo = (e1 - hi) + s, the same values")
	ln2hi, ln2lo := g.c(g.pick(ref.Ln2Hi64, ref.Ln2Hi32)), g.c(g.pick(ref.Ln2Lo64, ref.Ln2Lo32))
	hi, lo, e1 := g.alloc(), g.alloc(), g.alloc()
	g.op3(o.mul, m(ln2hi), e, e1)
	g.op3(o.add, g.rv(s), e1, hi)
	g.op3(o.sub, g.rv(hi), e1, lo)
	g.op3(o.add, g.rv(s), lo, lo)
	g.release(e1)
	g.op3(o.fma231, m(ln2lo), e, f2) // rest = e*ln2lo + rest
	g.op3(o.add, g.rv(f2), lo, lo)
	g.op3(o.add, g.rv(lo), hi, hi)
	g.release(s)
	Comment("x == +Inf: +Inf; x == 0: -Inf; x < 0 or NaN: NaN")
	inf := g.pickBits(0x7ff0000000000000, 0x7f800000)
	ninf := g.pickBits(0xfff0000000000000, 0xff800000)
	nan := g.pickBits(0x7ff8000000000000, 0x7fc00000)
	fix := func(pred uint8, c Mem, val func(u int) Op) {
		if g.s.is512() {
			g.each(func(u int) {
				k := opmasks[1+u]
				o.cmp(U8(pred), c, x[u], k)
				o.blendm(val(u), hi[u], k, hi[u])
			})
			return
		}
		g.each(func(u int) {
			o.cmp(U8(pred), c, g.reg(x[u]), g.reg(q[u]))
			if mv, ok := val(u).(Mem); ok {
				o.movu(mv, g.reg(lo[u]))
				o.blendv(g.reg(q[u]), g.reg(lo[u]), g.reg(hi[u]), g.reg(hi[u]))
			} else {
				o.blendv(g.reg(q[u]), val(u), g.reg(hi[u]), g.reg(hi[u]))
			}
		})
	}
	switch {
	case g.s.is512():
		// VFIXUPIMM picks per class of x: QNaN: x, SNaN: QNaN(x), ±0:
		// -Inf, +1: keep, -Inf: NaN, +Inf: +Inf, negative: NaN, positive:
		// keep (the same values as the compares of the other tiers).
		g.each(func(u int) { o.fixup(U8(0), g.cbits(0x03530421), x[u], hi[u]) })
	case !g.fast:
		fix(cmpEQ, g.cbits(inf), g.rv(x))
		fix(cmpEQ, g.c(0), m(g.cbits(ninf)))
		fix(cmpNGE, g.c(0), m(g.cbits(nan)))
	}
	g.x = hi
	g.release(x, e, q, lo, f2)
}

// replay emits a vmathalg program: one instruction (or a short fixed
// sequence) per step, registers taken from the free list and returned after
// the last read of their value.
func replay(g *vg, p *vmathalg.Program) {
	p = p.FoldNeg() // a negated factor costs no register and no instruction
	o := g.o
	vals := make([]vr, len(p.Ops))
	kvals := make([][]OpmaskPhysical, len(p.Ops))
	kfree := append([]OpmaskPhysical(nil), opmasks[1:]...) // K1: the tail mask
	is512 := g.s.is512()
	kalloc := func() []OpmaskPhysical {
		if len(kfree) < g.U {
			panic("vmath: out of opmask registers")
		}
		k := append([]OpmaskPhysical(nil), kfree[:g.U]...)
		kfree = kfree[g.U:]
		return k
	}
	signBit := g.pickBits(1<<63, 1<<31)
	absMask := g.pickBits(1<<63-1, 1<<31-1)
	magic := g.pick(0x1.8p52, 0x1.8p23)
	bias := g.pickBits(1023, 127)
	mant := uint8(g.o.mant)
	// int2pow sets d to 2^k for integral k (AVX2): the bits of k + 1.5*2^mant
	// minus those of the constant plus the bias, shifted into the exponent.
	int2pow := func(d, k vr) {
		g.op3(o.add, m(g.c(magic)), k, d)
		g.op3(o.isub, m(g.cbits(g.o.bitsOf(magic)-bias)), d, d)
		g.each(func(u int) { o.isll(U8(mant), g.reg(d[u]), g.reg(d[u])) })
	}
	// A constant takes no register until a step needs it in one: an
	// operand that may come from memory reads it from the table instead
	// (embedded broadcast on AVX-512). Half the instructions of a body
	// were broadcasts of constants, one per unrolled copy, and the bodies
	// run as deep as the reorder window lets them.
	lazy := func(v int) bool { return vals[v] == nil && p.Ops[v].Kind == vmathalg.Const }
	for i, op := range p.Ops {
		a := func(j int) vr { // argument j in registers
			v := op.Args[j]
			if lazy(v) {
				vals[v] = g.alloc()
				g.load(vals[v], g.c(p.Ops[v].F))
			}
			return vals[v]
		}
		src := func(j int) func(int) Op { // argument j where memory may serve
			if v := op.Args[j]; lazy(v) {
				return m(g.c(p.Ops[v].F))
			}
			return g.rv(a(j))
		}
		isConst := func(j int) bool { return lazy(op.Args[j]) }
		dies := func(j int) bool { return p.LastUse[op.Args[j]] == i && !lazy(op.Args[j]) }
		var d vr
		reused := -1 // argument whose registers became d
		switch op.Kind {
		case vmathalg.Input:
			d = g.x
			if g.in != nil {
				d = g.in(int(op.F))
			}
		case vmathalg.Param:
			d = g.param(int(op.F))
		case vmathalg.Exp:
			if dies(0) {
				d, reused = a(0), 0
			} else {
				d = g.alloc()
				g.each(func(u int) { o.movu(g.reg(a(0)[u]), g.reg(d[u])) })
			}
			g.x = d
			vexp(g)
			d = g.x
		case vmathalg.Log:
			if dies(0) {
				d, reused = a(0), 0
			} else {
				d = g.alloc()
				g.each(func(u int) { o.movu(g.reg(a(0)[u]), g.reg(d[u])) })
			}
			g.x = d
			vlog(g)
			d = g.x
		case vmathalg.Sqrt:
			d = g.alloc()
			g.each(func(u int) { o.sqrt(g.reg(a(0)[u]), g.reg(d[u])) })
		case vmathalg.Const:
			// lazy: see above
		case vmathalg.Add, vmathalg.Sub, vmathalg.Mul, vmathalg.Div, vmathalg.Min, vmathalg.Max:
			f := map[vmathalg.Kind]func(...Op){vmathalg.Add: o.add, vmathalg.Sub: o.sub, vmathalg.Mul: o.mul,
				vmathalg.Div: o.div, vmathalg.Min: o.min, vmathalg.Max: o.max}[op.Kind]
			d = g.alloc()
			x, y := 0, 1
			if (op.Kind == vmathalg.Add || op.Kind == vmathalg.Mul) && isConst(0) && !isConst(1) {
				x, y = 1, 0 // exact either way round; a constant is never a NaN
			}
			g.op3(f, src(y), a(x), d) // d = a0 op a1 (Min/Max: a0 is the first source)
		case vmathalg.FMA, vmathalg.FNMA: // FNMA: -(a0*a1) + a2
			f231, f213 := o.fma231, o.fma213
			if op.Kind == vmathalg.FNMA {
				f231, f213 = o.fnma231, o.fnma213
			}
			// mul: the factor that may come from memory, the other in a register.
			mul := func(j, k int) (func(int) Op, vr) {
				if isConst(j) && !isConst(k) {
					return src(j), a(k)
				}
				return src(k), a(j)
			}
			switch {
			case dies(2) && op.Args[2] != op.Args[0] && op.Args[2] != op.Args[1]:
				d, reused = a(2), 2
				f, r := mul(0, 1)
				g.op3(f231, f, r, d) // d = a0*a1 + d
			case dies(0) && op.Args[0] != op.Args[2]:
				d, reused = a(0), 0
				g.op3(f213, src(2), a(1), d) // d = a1*d + a2
			case dies(1) && op.Args[1] != op.Args[2]:
				d, reused = a(1), 1
				g.op3(f213, src(2), a(0), d) // d = a0*d + a2
			default:
				d = g.alloc()
				if isConst(2) {
					g.load(d, g.c(p.Ops[op.Args[2]].F))
				} else {
					g.each(func(u int) { o.movu(g.reg(a(2)[u]), g.reg(d[u])) })
				}
				f, r := mul(0, 1)
				g.op3(f231, f, r, d)
			}
		case vmathalg.RoundEven:
			d = g.alloc()
			if is512 {
				g.each(func(u int) { o.rndscale(U8(0), a(0)[u], d[u]) })
			} else {
				g.each(func(u int) { o.round(U8(0), g.reg(a(0)[u]), g.reg(d[u])) })
			}
		case vmathalg.Abs:
			d = g.alloc()
			g.op3(o.and, m(g.cbits(absMask)), a(0), d)
		case vmathalg.Neg:
			if p.LastUse[i] == -1 {
				continue // never read: folded into FNMAs (FoldNeg)
			}
			d = g.alloc()
			g.op3(o.xor, m(g.cbits(signBit)), a(0), d)
		case vmathalg.CopySign:
			d, t := g.alloc(), g.alloc()
			g.op3(o.and, m(g.cbits(signBit)), a(1), t)
			g.op3(o.and, m(g.cbits(absMask)), a(0), d)
			g.op3(o.or, g.rv(t), d, d)
			g.release(t)
			vals[i] = d
			goto freeArgs
		case vmathalg.Gt, vmathalg.Ge, vmathalg.Eq:
			pred := map[vmathalg.Kind]uint8{vmathalg.Gt: 0x1e, vmathalg.Ge: 0x1d, vmathalg.Eq: 0x00}[op.Kind]
			if is512 {
				k := kalloc()
				g.each(func(u int) { o.cmp(U8(pred), src(1)(u), a(0)[u], k[u]) })
				kvals[i] = k
			} else {
				d = g.alloc()
				g.each(func(u int) { o.cmp(U8(pred), src(1)(u), g.reg(a(0)[u]), g.reg(d[u])) })
			}
		case vmathalg.Select:
			d = g.alloc()
			if is512 {
				k := kvals[op.Args[0]]
				g.each(func(u int) { o.blendm(src(1)(u), a(2)[u], k[u], d[u]) })
			} else {
				g.each(func(u int) { o.blendv(g.reg(a(0)[u]), src(1)(u), g.reg(a(2)[u]), g.reg(d[u])) })
			}
		case vmathalg.Pow2:
			d = g.alloc()
			if is512 {
				g.load(d, g.c(1))
				g.op3(o.scalef, g.rv(a(0)), d, d)
			} else {
				int2pow(d, a(0))
			}
		case vmathalg.Scale:
			d = g.alloc()
			if is512 {
				g.op3(o.scalef, src(1), a(0), d)
				break
			}
			// As ref.Scale: p * 2^(k>>1) * 2^(k - k>>1).
			t := g.alloc()
			g.op3(o.add, m(g.c(magic)), a(1), t)
			g.op3(o.isub, m(g.cbits(g.o.bitsOf(magic)-2*bias)), t, t) // k + 2 bias
			g.each(func(u int) { o.isrl(U8(1), g.reg(t[u]), g.reg(d[u])) })
			g.op3(o.isub, g.rv(d), t, t)
			g.each(func(u int) {
				o.isll(U8(mant), g.reg(d[u]), g.reg(d[u]))
				o.isll(U8(mant), g.reg(t[u]), g.reg(t[u]))
			})
			g.op3(o.mul, g.rv(a(0)), d, d)
			g.op3(o.mul, g.rv(t), d, d)
			g.release(t)
		case vmathalg.SplitM, vmathalg.SplitE:
			d = g.alloc()
			if is512 {
				if op.Kind == vmathalg.SplitM {
					g.each(func(u int) { o.getmant(U8(3), a(0)[u], d[u]) })
					break
				}
				t := g.alloc()
				g.each(func(u int) {
					o.getmant(U8(3), a(0)[u], t[u])
					o.getexp(t[u], t[u])
					o.getexp(a(0)[u], d[u])
				})
				g.op3(o.sub, g.rv(t), d, d)
				g.release(t)
				break
			}
			off := g.pickBits(0x3fe8000000000000, 0x3f400000)
			ebias := g.pickBits(1024<<52, 128<<23)
			g.op3(o.isub, m(g.cbits((off-ebias)&g.pickBits(math.MaxUint64, math.MaxUint32))), a(0), d)
			if op.Kind == vmathalg.SplitM {
				g.op3(o.and, m(g.cbits(g.pickBits(1<<52-1, 1<<23-1))), d, d)
				g.op3(o.iadd, m(g.cbits(off)), d, d)
				break
			}
			two := g.pick(0x1p52, 0x1p23)
			g.each(func(u int) { o.isrl(U8(mant), g.reg(d[u]), g.reg(d[u])) })
			g.op3(o.or, m(g.c(two)), d, d)
			g.op3(o.sub, m(g.c(two+g.pick(1024, 128))), d, d)
		default:
			panic("vmath: no instruction for " + op.Kind.String())
		}
		vals[i] = d
	freeArgs:
		if g.onValue != nil && vals[i] != nil { // a constant's step is not reported
			g.onValue(i, vals[i])
		}
		seen := map[int]bool{}
		for j, v := range op.Args {
			if seen[v] || p.LastUse[v] != i || j == reused {
				continue
			}
			seen[v] = true
			if kvals[v] != nil {
				kfree = append(kfree, kvals[v]...)
				continue
			}
			g.release(vals[v])
		}
		if p.LastUse[i] == -1 && vals[i] != nil && !p.IsResult(i) {
			g.release(vals[i]) // never read
		}
		if p.LastUse[i] == -1 && kvals[i] != nil {
			kfree = append(kfree, kvals[i]...)
		}
	}
	for _, r := range p.Results {
		if lazy(r) {
			vals[r] = g.alloc()
			g.load(vals[r], g.c(p.Ops[r].F))
		}
	}
	g.x = vals[p.Result]
	g.outs = nil
	for _, r := range p.Results {
		g.outs = append(g.outs, vals[r])
	}
}
