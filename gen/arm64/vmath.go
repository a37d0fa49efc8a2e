package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/flowkern/flowkern/gen/vmathalg"
	"github.com/flowkern/flowkern/internal/ref"
)

// The vmath set for NEON: the element-wise vector math functions, each the
// exact step sequence of internal/ref (vmath.go, vmath_more.go), so the
// results equal every other tier's bit for bit. Exp and Log are written out
// (nexp, nlog); the others replay the programs of gen/vmathalg (nreplay).
//
// Registers: R0 reads x, R1 writes dst, R2 counts the elements left, R9
// points at the constant table (each constant replicated over 16 bytes and
// loaded whole with FMOVQ). A kernel walks U = 2 vectors at a time, then one,
// then the last partial vector lane by lane (lanes loaded into a zeroed
// register, computed, stored lane by lane); the vmathalg programs keep more
// values live and walk one vector at a time.

// vmathSet writes every function for both precisions.
func vmathSet(a *asmFile) {
	type fn struct {
		name string
		body func(g *ng)
	}
	fns := []fn{{"Exp", nexp}, {"Log", nlog}}
	for _, name := range vmathalg.Names {
		fns = append(fns, fn{name, func(g *ng) { nreplay(g, vmathalg.Record(name, g.is64())) }})
	}
	for _, fn := range fns {
		for _, t := range types {
			vmathKernel(a, fn.name, t, fn.body)
		}
	}
}

// ng generates a kernel body for U unrolled vectors; each method emits its
// instruction once per copy.
type ng struct {
	a    *asmFile
	t    ty
	U    int
	free []int
	tab  string
	cidx map[uint64]int
	x    []int // per copy: the body's input, then its result
	// Kernels of several streams (coupling.go): in loads input stream i,
	// param broadcasts scalar argument i; outs are the results of nreplay.
	in, param func(i int) val
	outs      []val
	// fast: every argument of Log is a positive normal number (the normal
	// set's 1 - v1), so nlog skips the subnormal scaling and the special
	// values; the results are the same for those arguments.
	fast bool
}

// val is one value: a register per copy.
type val []int

func (g *ng) alloc() val {
	if len(g.free) < g.U {
		panic("vmath: out of vector registers")
	}
	v := val(append([]int(nil), g.free[:g.U]...))
	g.free = g.free[g.U:]
	return v
}

func (g *ng) release(vs ...val) {
	for _, v := range vs {
		g.free = append(g.free, v...)
	}
}

func (g *ng) is64() bool { return g.t.prec == Double }

func (g *ng) pick(v64, v32 float64) float64 {
	if g.is64() {
		return v64
	}
	return v32
}

func (g *ng) pickBits(v64, v32 uint64) uint64 {
	if g.is64() {
		return v64
	}
	return v32
}

func (g *ng) bitsOf(v float64) uint64 {
	if g.is64() {
		return math.Float64bits(v)
	}
	return uint64(math.Float32bits(float32(v)))
}

// c loads a constant (by value) into a new value.
func (g *ng) c(v float64) val { return g.cbits(g.bitsOf(v)) }

// cbits loads a constant given by its bits into a new value.
func (g *ng) cbits(b uint64) val {
	i, ok := g.cidx[b]
	if !ok {
		i = len(g.cidx)
		g.cidx[b] = i
	}
	d := g.alloc()
	for _, r := range d {
		g.a.op("FMOVQ", fmt.Sprintf("%d(R9)", 16*i), fmt.Sprintf("F%d", r))
	}
	return d
}

// each runs f for every copy.
func (g *ng) each(f func(u int)) {
	for u := 0; u < g.U; u++ {
		f(u)
	}
}

// w emits a WORD instruction per copy.
func (g *ng) w(f func(u int) Inst) { g.each(func(u int) { g.a.word(f(u)) }) }

// vop emits a native instruction per copy with operands given as values.
func (g *ng) vop(mn, arr string, args ...val) {
	g.each(func(u int) {
		var ops []string
		for _, v := range args {
			ops = append(ops, fmt.Sprintf("V%d.%s", v[u], arr))
		}
		g.a.op(mn, ops...)
	})
}

// fma emits d = d + n*m (VFMLA, fused).
func (g *ng) fma(d, n, m val) { g.vop("VFMLA", g.t.arr, m, n, d) }

// fms emits d = d - n*m (VFMLS, fused).
func (g *ng) fms(d, n, m val) { g.vop("VFMLS", g.t.arr, m, n, d) }

// add, sub, mul: d = n op m.
func (g *ng) add(d, n, m val) { g.w(func(u int) Inst { return FADD(g.t.prec, d[u], n[u], m[u]) }) }
func (g *ng) sub(d, n, m val) { g.w(func(u int) Inst { return FSUB(g.t.prec, d[u], n[u], m[u]) }) }
func (g *ng) mul(d, n, m val) { g.w(func(u int) Inst { return FMUL(g.t.prec, d[u], n[u], m[u]) }) }

// Integer operations on the bit patterns, lanes of the element width.
func (g *ng) iarr() string     { return g.t.arr }
func (g *ng) iadd(d, n, m val) { g.vop("VADD", g.iarr(), m, n, d) }
func (g *ng) isub(d, n, m val) { g.vop("VSUB", g.iarr(), m, n, d) }
func (g *ng) and(d, n, m val)  { g.vop("VAND", "B16", m, n, d) }
func (g *ng) or(d, n, m val)   { g.vop("VORR", "B16", m, n, d) }
func (g *ng) mov(d, n val)     { g.vop("VMOV", "B16", n, d) }

func (g *ng) shift(mn string, sh int, d, n val) {
	g.each(func(u int) {
		g.a.op(mn, fmt.Sprintf("$%d", sh), fmt.Sprintf("V%d.%s", n[u], g.t.arr), fmt.Sprintf("V%d.%s", d[u], g.t.arr))
	})
}

// bit sets d = mask ? n : d (VBIT).
func (g *ng) bit(d, n, mask val) { g.vop("VBIT", "B16", mask, n, d) }

// bif sets d = mask ? d : n (VBIF).
func (g *ng) bif(d, n, mask val) { g.vop("VBIF", "B16", mask, n, d) }

// poly sets the result to ref.Poly64 (two Horner chains in x2, then
// fma(odd, x, even)) or ref.Poly32 (Horner in x) and returns it.
func (g *ng) poly(x, x2 val, c []float64) val {
	horner := func(from, step int, y val) val {
		top := from + (len(c)-1-from)/step*step
		q := g.c(c[top])
		for i := top - step; i >= from; i -= step {
			t := g.c(c[i])
			g.fma(t, q, y) // t = c[i] + q*y
			g.release(q)
			q = t
		}
		return q
	}
	if !g.is64() {
		return horner(0, 1, x)
	}
	even, odd := horner(0, 2, x2), horner(1, 2, x2)
	g.fma(even, odd, x) // even + odd*x
	g.release(odd)
	return even
}

func coefs64(c []float64) []float64 { return c }

func coefs32(c []float32) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = float64(v)
	}
	return out
}

// vmathKernel writes NameF64NEON(dst, x []float64) etc.
func vmathKernel(a *asmFile, fname string, t ty, body func(g *ng)) {
	name := fname + t.suffix + "NEON"
	rn := fname + t.elem[len(t.elem)-2:] // Exp64
	if fname != "Exp" && fname != "Log" {
		rn = fname + "[" + t.elem + "]" // Expm1[float64]
	}
	f := newFn(name, t.elem, fmt.Sprintf(`%s sets dst[i] = %s(x[i]) for i < len(dst) as internal/ref.%s does,
bit for bit. len(x) >= len(dst) is not checked; dst may be x.`, name, fname, rn),
		[]param{{name: "dst", kind: kSlice}, {name: "x", kind: kSlice}}, nil)
	a.text(f)
	g := &ng{a: a, t: t, cidx: map[uint64]int{}, tab: "vmath" + name + "const"}
	a.op("MOVD", f.arg("dst", "base"), r(1))
	a.op("MOVD", f.arg("dst", "len"), r(2))
	a.op("MOVD", f.arg("x", "base"), r(0))
	a.op("MOVD", fmt.Sprintf("$·%s(SB)", g.tab), r(9))
	pr := t.perReg()
	U := 2
	if fname != "Exp" && fname != "Log" {
		U = 1 // the vmathalg programs keep more values live
	}
	pass := func(u int, lanes bool) {
		g.U = u
		g.free = nil
		for i := 0; i < 32; i++ {
			g.free = append(g.free, i)
		}
		x := g.alloc()
		if lanes {
			// The last R2 < pr elements, lane by lane into zeroed registers.
			a.op("VEOR", v(x[0], "B16"), v(x[0], "B16"), v(x[0], "B16"))
			for l := 0; l < pr-1; l++ {
				if l > 0 {
					a.op("CMP", imm(l), r(2))
					a.op("BLE", "tailcalc")
				}
				a.op("VLD1.P", post(t.esz, 0), lane(x[0], t.lane, l))
			}
			a.label("tailcalc")
		} else {
			for _, reg := range x {
				a.op("VLD1.P", post(16, 0), vlist(reg, 1, t.arr))
			}
		}
		g.x = x
		body(g)
		if lanes {
			for l := 0; l < pr-1; l++ {
				if l > 0 {
					a.op("CMP", imm(l), r(2))
					a.op("BLE", "done")
				}
				a.op("VST1.P", lane(g.x[0], t.lane, l), post(t.esz, 1))
			}
			return
		}
		for _, reg := range g.x {
			a.op("VST1.P", vlist(reg, 1, t.arr), post(16, 1))
		}
	}
	a.label("main")
	a.op("CMP", imm(U*pr), r(2))
	a.op("BLT", "one")
	pass(U, false)
	a.op("SUB", imm(U*pr), r(2))
	a.op("B", "main")
	a.label("one")
	a.op("CMP", imm(pr), r(2))
	a.op("BLT", "tail")
	pass(1, false)
	a.op("SUB", imm(pr), r(2))
	a.op("B", "one")
	a.label("tail")
	a.op("CBZ", r(2), "done")
	pass(1, true)
	a.label("done")
	a.op("RET")
	g.table()
}

// table writes the constant table of the kernel, each constant over 16 bytes.
func (g *ng) table() {
	t := g.t
	slots := make([]uint64, len(g.cidx))
	for b, i := range g.cidx {
		slots[i] = b
	}
	var d strings.Builder
	for i, b := range slots {
		for off := 0; off < 16; off += t.esz {
			fmt.Fprintf(&d, "DATA ·%s+%d(SB)/%d, $%#x\n", g.tab, 16*i+off, t.esz, b)
		}
	}
	fmt.Fprintf(&d, "GLOBL ·%s(SB), RODATA|NOPTR, $%d\n", g.tab, 16*len(slots))
	g.a.b.WriteString("\n" + d.String())
}

// nexp is ref.Exp64 / ref.Exp32.
func nexp(g *ng) {
	p := g.t.prec
	x := g.x
	g.a.comment("x = clamp(x, lo, hi): FMIN and FMAX keep NaN")
	c := g.c(g.pick(ref.ExpHi64, ref.ExpHi32))
	g.w(func(u int) Inst { return FMIN(p, x[u], x[u], c[u]) })
	g.release(c)
	c = g.c(g.pick(ref.ExpLo64, ref.ExpLo32))
	g.w(func(u int) Inst { return FMAX(p, x[u], x[u], c[u]) })
	g.release(c)
	g.a.comment("kb = fma(x, log2e, 1.5*2^mant): x*log2e rounded once to an integer; k = kb - 1.5*2^mant")
	magic := g.pick(0x1.8p52, 0x1.8p23)
	kb := g.c(magic)
	c = g.c(g.pick(ref.Log2e64, ref.Log2e32))
	g.fma(kb, x, c)
	g.release(c)
	k := g.alloc()
	c = g.c(magic)
	g.sub(k, kb, c)
	g.release(c)
	g.a.comment("r = fma(k, -ln2hi, x); r = fma(k, -ln2lo, r)")
	c = g.c(g.pick(ref.Ln2Hi64, ref.Ln2Hi32))
	g.fms(x, k, c)
	g.release(c)
	c = g.c(g.pick(ref.Ln2Lo64, ref.Ln2Lo32))
	g.fms(x, k, c)
	g.release(c)
	r := x
	g.a.comment("r2 = r*r; q = Poly(ExpQ, r, r2)")
	r2 := g.alloc()
	g.mul(r2, r, r)
	var q val
	if g.is64() {
		q = g.poly(r, r2, coefs64(ref.ExpQ64[:]))
	} else {
		q = g.poly(r, r2, coefs32(ref.ExpQ32[:]))
	}
	g.a.comment("hi = 1 + r; lo = r - (hi - 1) (exact); p = hi + fma(r2, q, lo)")
	one := g.c(1)
	hi, lo := g.alloc(), g.alloc()
	g.add(hi, r, one)
	g.sub(lo, hi, one)
	g.sub(lo, r, lo)
	g.release(one)
	g.fma(lo, r2, q)
	g.add(hi, hi, lo)
	g.release(q, r2, lo)
	g.a.comment("p * 2^k: 2^(k>>1) and 2^(k-k>>1) from the integer bits of kb = k + 1.5*2^mant")
	g.release(k)
	k = kb
	bias := g.pickBits(1023, 127)
	c = g.cbits(g.bitsOf(magic) - 2*bias)
	g.isub(k, k, c) // tt = k + 2*bias
	g.release(c)
	a := g.alloc()
	mant := int(g.pickBits(52, 23))
	g.shift("VUSHR", 1, a, k)
	g.isub(k, k, a)
	g.shift("VSHL", mant, a, a)
	g.shift("VSHL", mant, k, k)
	g.mul(hi, hi, a)
	g.mul(x, hi, k)
	g.release(a, k, hi)
}

// nlog is ref.Log64 / ref.Log32.
func nlog(g *ng) {
	p := g.t.prec
	x := g.x
	off := g.pickBits(0x3fe8000000000000, 0x3f400000)
	bias := g.pickBits(1024<<52, 128<<23)
	var msk, t val
	var c val
	if g.fast {
		g.a.comment("Split (x normal): m and e from the integer bits (ref.Split)")
		t = g.alloc()
		c = g.cbits((off - bias) & g.pickBits(math.MaxUint64, math.MaxUint32))
		g.isub(t, x, c)
		g.release(c, x)
	} else {
		g.a.comment("Split: subnormals scaled up; m and e from the integer bits (ref.Split)")
		msk, t = g.alloc(), g.alloc()
		c = g.c(g.pick(0x1p-1022, 0x1p-126))
		g.w(func(u int) Inst { return FCMGT(p, msk[u], c[u], x[u]) }) // x < tiny
		g.release(c)
		c = g.c(g.pick(0x1p54, 0x1p24))
		g.mul(t, x, c)
		g.release(c)
		xs := g.alloc()
		g.mov(xs, x)
		g.bit(xs, t, msk) // xs = msk ? x*2^54 : x
		c = g.c(g.pick(-54, -24))
		g.and(msk, msk, c) // exponent adjustment: -54 or 0
		g.release(c)
		c = g.cbits((off - bias) & g.pickBits(math.MaxUint64, math.MaxUint32))
		g.isub(t, xs, c)
		g.release(c, xs)
	}
	mm := g.alloc()
	c = g.cbits(g.pickBits(1<<52-1, 1<<23-1))
	g.and(mm, t, c)
	g.release(c)
	c = g.cbits(off)
	g.iadd(mm, mm, c)
	g.release(c)
	mant := int(g.pickBits(52, 23))
	g.shift("VUSHR", mant, t, t)
	two := g.pick(0x1p52, 0x1p23)
	c = g.c(two)
	g.or(t, t, c)
	g.release(c)
	e := g.alloc()
	c = g.c(two + g.pick(1024, 128))
	g.sub(e, t, c)
	g.release(c, t)
	if !g.fast {
		g.add(e, e, msk)
		g.release(msk)
	}

	g.a.comment("f = m - 1; s, rest = LogParts(f): f - f*f/2 summed exactly, the rest by R")
	c = g.c(1)
	f := mm
	g.sub(f, mm, c)
	g.release(c)
	f2 := g.alloc()
	g.mul(f2, f, f)
	var q val
	if g.is64() {
		q = g.poly(f, f2, coefs64(ref.LogR64[:]))
	} else {
		q = g.poly(f, f2, coefs32(ref.LogR32[:]))
	}
	h, s, t := g.alloc(), g.alloc(), g.alloc()
	c = g.c(-0.5)
	g.mul(h, f2, c)
	g.add(s, f, h)
	g.sub(t, f, s)
	g.add(h, t, h) // sl = (f - s) + h
	g.mul(t, f, f2)
	g.w(func(u int) Inst { return FNEG(p, f2[u], f2[u]) })
	g.fma(f2, f, f) // f2l = -f2 + f*f
	g.fma(h, f2, c) // sl + f2l*(-0.5)
	g.fma(h, t, q)  // rest = that + t*R
	g.release(c, t, f2, q)
	rest := h
	g.a.comment("hi = fma(e, ln2hi, s); lo = fma(e, ln2hi, -hi) + s; r = hi + (lo + fma(e, ln2lo, rest))")
	hi, lo := g.alloc(), g.alloc()
	c = g.c(g.pick(ref.Ln2Hi64, ref.Ln2Hi32))
	g.mov(hi, s)
	g.fma(hi, e, c)
	g.mov(lo, hi)
	g.fms(lo, e, c) // hi - e*ln2hi = -(e*ln2hi - hi), exact
	g.sub(lo, s, lo)
	g.release(c)
	c = g.c(g.pick(ref.Ln2Lo64, ref.Ln2Lo32))
	g.fma(rest, e, c)
	g.release(c)
	g.add(lo, lo, rest)
	g.add(hi, hi, lo)
	g.release(lo, rest, s, e, mm)
	if g.fast {
		g.x = hi
		return
	}

	g.a.comment("x == +Inf: +Inf; x == 0: -Inf; x < 0 or NaN: NaN")
	m := g.alloc()
	c = g.cbits(g.pickBits(0x7ff0000000000000, 0x7f800000))
	g.w(func(u int) Inst { return FCMEQ(p, m[u], x[u], c[u]) })
	g.bit(hi, x, m)
	g.release(c)
	z := g.cbits(0)
	g.w(func(u int) Inst { return FCMEQ(p, m[u], x[u], z[u]) })
	c = g.cbits(g.pickBits(0xfff0000000000000, 0xff800000))
	g.bit(hi, c, m)
	g.release(c)
	g.w(func(u int) Inst { return FCMGE(p, m[u], x[u], z[u]) })
	c = g.cbits(g.pickBits(0x7ff8000000000000, 0x7fc00000))
	g.bif(hi, c, m)
	g.release(c, z, m, x)
	g.x = hi
}

// nreplay emits a vmathalg program, registers returned to the free list
// after the last read of their value.
func nreplay(g *ng, p *vmathalg.Program) {
	pr := g.t.prec
	vals := make([]val, len(p.Ops))
	magic := g.pick(0x1.8p52, 0x1.8p23)
	bias := g.pickBits(1023, 127)
	mant := int(g.pickBits(52, 23))
	for i, op := range p.Ops {
		a := func(j int) val { return vals[op.Args[j]] }
		dies := func(j int) bool { return p.LastUse[op.Args[j]] == i }
		var d val
		reused := -1
		w3 := func(f func(Prec, int, int, int) Inst, x, y val) val {
			d := g.alloc()
			g.w(func(u int) Inst { return f(pr, d[u], x[u], y[u]) })
			return d
		}
		w2 := func(f func(Prec, int, int) Inst, x val) val {
			d := g.alloc()
			g.w(func(u int) Inst { return f(pr, d[u], x[u]) })
			return d
		}
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
				g.mov(d, a(0))
			}
			g.x = d
			nexp(g)
			d = g.x
		case vmathalg.Log:
			if dies(0) {
				d, reused = a(0), 0
			} else {
				d = g.alloc()
				g.mov(d, a(0))
			}
			g.x = d
			nlog(g)
			d = g.x
		case vmathalg.Sqrt:
			d = w2(FSQRT, a(0))
		case vmathalg.Const:
			d = g.c(op.F)
		case vmathalg.Add:
			d = w3(FADD, a(0), a(1))
		case vmathalg.Sub:
			d = w3(FSUB, a(0), a(1))
		case vmathalg.Mul:
			d = w3(FMUL, a(0), a(1))
		case vmathalg.Div:
			d = w3(FDIV, a(0), a(1))
		case vmathalg.Min:
			d = w3(FMIN, a(1), a(0)) // NaN in x gives NaN
		case vmathalg.Max:
			d = w3(FMAX, a(1), a(0))
		case vmathalg.FMA:
			if dies(2) && op.Args[2] != op.Args[0] && op.Args[2] != op.Args[1] {
				d, reused = a(2), 2
			} else {
				d = g.alloc()
				g.mov(d, a(2))
			}
			g.fma(d, a(0), a(1)) // d += a0*a1
		case vmathalg.RoundEven:
			d = w2(FRINTN, a(0))
		case vmathalg.Abs:
			d = w2(FABS, a(0))
		case vmathalg.Neg:
			d = w2(FNEG, a(0))
		case vmathalg.CopySign:
			d = w2(FABS, a(0))
			sm := g.cbits(g.pickBits(1<<63, 1<<31))
			g.bit(d, a(1), sm) // the sign bit of a1
			g.release(sm)
		case vmathalg.Gt:
			d = w3(FCMGT, a(0), a(1))
		case vmathalg.Ge:
			d = w3(FCMGE, a(0), a(1))
		case vmathalg.Eq:
			d = w3(FCMEQ, a(0), a(1))
		case vmathalg.Select:
			d = g.alloc()
			g.mov(d, a(2))
			g.bit(d, a(1), a(0)) // mask ? a1 : a2
		case vmathalg.Pow2:
			c := g.c(magic)
			d = w3(FADD, a(0), c)
			g.release(c)
			c = g.cbits(g.bitsOf(magic) - bias)
			g.isub(d, d, c)
			g.release(c)
			g.shift("VSHL", mant, d, d)
		case vmathalg.Scale:
			// As ref.Scale: p * 2^(k>>1) * 2^(k - k>>1).
			c := g.c(magic)
			t := w3(FADD, a(1), c)
			g.release(c)
			c = g.cbits(g.bitsOf(magic) - 2*bias)
			g.isub(t, t, c) // k + 2 bias
			g.release(c)
			d = g.alloc()
			g.shift("VUSHR", 1, d, t)
			g.isub(t, t, d)
			g.shift("VSHL", mant, d, d)
			g.shift("VSHL", mant, t, t)
			g.mul(d, d, a(0))
			g.mul(d, d, t)
			g.release(t)
		case vmathalg.SplitM, vmathalg.SplitE:
			off := g.pickBits(0x3fe8000000000000, 0x3f400000)
			ebias := g.pickBits(1024<<52, 128<<23)
			c := g.cbits((off - ebias) & g.pickBits(math.MaxUint64, math.MaxUint32))
			d = g.alloc()
			g.isub(d, a(0), c)
			g.release(c)
			if op.Kind == vmathalg.SplitM {
				c = g.cbits(g.pickBits(1<<52-1, 1<<23-1))
				g.and(d, d, c)
				g.release(c)
				c = g.cbits(off)
				g.iadd(d, d, c)
				g.release(c)
				break
			}
			two := g.pick(0x1p52, 0x1p23)
			g.shift("VUSHR", mant, d, d)
			c = g.c(two)
			g.or(d, d, c)
			g.release(c)
			c = g.c(two + g.pick(1024, 128))
			g.sub(d, d, c)
			g.release(c)
		default:
			panic("vmath: no instruction for " + op.Kind.String())
		}
		vals[i] = d
		seen := map[int]bool{}
		for j, v := range op.Args {
			if seen[v] || p.LastUse[v] != i || j == reused {
				continue
			}
			seen[v] = true
			g.release(vals[v])
		}
		if p.LastUse[i] == -1 && !p.IsResult(i) {
			g.release(d)
		}
	}
	g.x = vals[p.Result]
	g.outs = nil
	for _, r := range p.Results {
		g.outs = append(g.outs, vals[r])
	}
}
