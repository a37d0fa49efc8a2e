package main

import "fmt"

// ty describes one element type.
type ty struct {
	prec    Prec
	suffix  string // F64, F32
	elem    string // float64, float32
	scalar  kind   // kF64, kF32
	esz     int    // bytes per element
	shift   int    // log2(esz)
	arr     string // Go arrangement of a Q register: D2, S4
	lane    string // Go lane spelling: D, S
	fmov    string // scalar load/store: FMOVD, FMOVS
	fadd    string // scalar add
	fmul    string // scalar multiply
	fmadd   string // scalar fused multiply-add
	negZero string // bits of -0.0 (for VDUP from a general register)
}

var types = []ty{
	{Double, "F64", "float64", kF64, 8, 3, "D2", "D", "FMOVD", "FADDD", "FMULD", "FMADDD", "$0x8000000000000000"},
	{Single, "F32", "float32", kF32, 4, 2, "S4", "S", "FMOVS", "FADDS", "FMULS", "FMADDS", "$0x80000000"},
}

// perReg is the number of elements in a 128-bit register.
func (t ty) perReg() int { return 16 / t.esz }

// lanes is L, the number of partial sums of a reduction: 16 Q registers.
func (t ty) lanes() int { return 16 * t.perReg() }

func log2(n int) int {
	s := 0
	for 1<<s < n {
		s++
	}
	if 1<<s != n {
		panic("not a power of two")
	}
	return s
}

// vecSet writes the vector building blocks: Dot, Sum, Axpy, Scale, Add, Mul.
func vecSet(a *asmFile) {
	for _, t := range types {
		reduction(a, t, true)
		reduction(a, t, false)
	}
	for _, op := range []ewOp{opAxpy, opScale, opAdd, opMul, opKeepPositive} {
		for _, t := range types {
			elementwise(a, t, op)
		}
	}
}

// reduction writes DotXxxNEON (dot) or SumXxxNEON.
//
// Registers: V0-V15 hold the L lanes (lane k is V(k/perReg) element
// k%perReg); R0 x, R1 y, R2 remaining count, R3/R9 acc, R4 main-loop
// counter, R5 count of a partial register, R6/R7 its addresses.
//
// Main loop: L elements, four groups of four registers, loaded with VLD1.P
// four registers at a time; the scratch registers alternate between V16-V23
// and V24-V31 so that consecutive groups are independent.
//
// Tail (r < L elements, element j goes to lane j): the last r%perReg
// elements are first loaded into single lanes of V16 (x) and V20 (y), whose
// other lanes hold the identity (Dot: x = -0, y = +0, so the product -0
// leaves any lane bit-identical; Sum: -0). Then full groups of four
// registers, then full single registers, by a chain of compares that fixes
// which accumulator each step uses; the padded pair goes to the register
// after the last full one.
//
// Done: the lanes are stored to acc unreduced, then combined by halving.
func reduction(a *asmFile, t ty, dot bool) {
	name, what := "Sum", "sum"
	if dot {
		name, what = "Dot", "dot product"
	}
	name += t.suffix + "NEON"
	L, pr := t.lanes(), t.perReg()
	G := 4 * pr // elements in a group of four registers
	var doc string
	if dot {
		doc = fmt.Sprintf(`%s adds the %s of x and y[:len(x)] to the %d running lane sums
in acc and returns their halving reduction. len(y) >= len(x) and len(acc) == %d.

On entry acc holds the lanes; element i of x goes to lane i%%%d as
acc[i%%%d] = fma(x[i], y[i], acc[i%%%d]) in increasing i (a lane no element reaches
keeps its bits). The lanes are stored back to acc unreduced; the result is
the lanes combined by halving (for w = %d, %d, ..., 1: acc[k] + acc[k+w] for
k < w) without writing acc again. A caller that splits a long x into calls
must cut it at multiples of %d. An empty acc stands for lanes of +0 that
are not stored back. See internal/ref.Dot.`, name, what, L, L, L, L, L, L/2, L/4, L)
	} else {
		doc = fmt.Sprintf(`%s adds the elements of x to the %d running lane sums in acc and
returns their halving reduction. len(acc) == %d.

On entry acc holds the lanes; element i of x goes to lane i%%%d as
acc[i%%%d] += x[i] in increasing i (a lane no element reaches keeps its bits).
The lanes are stored back to acc unreduced; the result is the lanes combined
by halving (for w = %d, %d, ..., 1: acc[k] + acc[k+w] for k < w) without
writing acc again. A caller that splits a long x into calls must cut it at
multiples of %d. An empty acc stands for lanes of +0 that are not stored
back. See internal/ref.Sum.`, name, L, L, L, L, L/2, L/4, L)
	}
	params := []param{{name: "x", kind: kSlice}}
	if dot {
		params = append(params, param{name: "y", kind: kSlice})
	}
	params = append(params, param{name: "acc", kind: kSlice})
	f := newFn(name, t.elem, doc, params, &param{name: "ret", kind: t.scalar})
	a.text(f)

	T := t.arr
	// update adds the product or element in x (and y) to accumulator acc.
	update := func(acc, x, y int) {
		if dot {
			a.op("VFMLA", v(y, T), v(x, T), v(acc, T)) // acc += x*y, fused
		} else {
			a.word(FADD(t.prec, acc, acc, x)) // acc = acc + x
		}
	}
	// group loads four registers of x (and y) and updates V(first..first+3).
	group := func(first, xs int) {
		a.op("VLD1.P", post(64, 0), vlist(xs, 4, T))
		if dot {
			a.op("VLD1.P", post(64, 1), vlist(xs+4, 4, T))
		}
		for j := 0; j < 4; j++ {
			update(first+j, xs+j, xs+4+j)
		}
	}

	a.op("MOVD", f.arg("x", "base"), r(0))
	a.op("MOVD", f.arg("x", "len"), r(2))
	if dot {
		a.op("MOVD", f.arg("y", "base"), r(1))
	}
	a.op("MOVD", f.arg("acc", "base"), r(3))
	a.op("MOVD", r(3), r(9))
	a.op("MOVD", f.arg("acc", "len"), r(10))
	a.comment("V0-V15: the %d lanes; an empty acc means +0 lanes, not stored back", L)
	a.op("CBNZ", r(10), "loadacc")
	for q := 0; q < 16; q++ {
		a.op("VEOR", v(q, "B16"), v(q, "B16"), v(q, "B16"))
	}
	a.op("B", "accready")
	a.label("loadacc")
	for q := 0; q < 4; q++ {
		a.op("VLD1.P", post(64, 3), vlist(4*q, 4, T))
	}
	a.label("accready")

	a.comment("main loop: %d elements, one per lane", L)
	a.op("LSR", imm(log2(L)), r(2), r(4))
	a.op("CBZ", r(4), "tail")
	a.op("PCALIGN", imm(16))
	a.label("loop")
	for g := 0; g < 4; g++ {
		group(4*g, 16+8*(g%2))
	}
	a.op("SUBS", imm(1), r(4))
	a.op("BNE", "loop")

	a.label("tail")
	a.comment("R2 = full-register elements left, R5 = elements of the partial register")
	a.op("AND", imm(L-1), r(2))
	a.op("AND", imm(pr-1), r(2), r(5))
	a.op("SUB", r(5), r(2))
	a.op("CBZ", r(5), "full")
	a.comment("partial register: identity in every lane, then the last R5 elements in lanes 0, 1, ...")
	a.op("ADD", fmt.Sprintf("R2<<%d", t.shift), r(0), r(6))
	a.op("MOVD", t.negZero, r(8))
	a.op("VDUP", r(8), v(16, T))
	if dot {
		a.op("ADD", fmt.Sprintf("R2<<%d", t.shift), r(1), r(7))
		a.op("VEOR", v(20, "B16"), v(20, "B16"), v(20, "B16"))
	}
	for l := 0; l < pr-1; l++ {
		if l > 0 {
			a.op("CMP", imm(l), r(5))
			a.op("BLE", "full")
		}
		a.op("VLD1.P", post(t.esz, 6), lane(16, t.lane, l))
		if dot {
			a.op("VLD1.P", post(t.esz, 7), lane(20, t.lane, l))
		}
	}

	a.label("full")
	a.comment("full groups of four registers")
	for g := 0; g < 3; g++ {
		a.op("CMP", imm(G), r(2))
		a.op("BLT", fmt.Sprintf("part%d", g))
		group(4*g, 24)
		a.op("SUB", imm(G), r(2))
	}
	// After three full groups fewer than G elements are left: fall into part3.
	for _, g := range []int{3, 0, 1, 2} {
		a.label(fmt.Sprintf("part%d", g))
		a.comment("single registers V%d-V%d", 4*g, 4*g+2)
		for j := 0; j < 3; j++ {
			k := 4*g + j
			a.op("CBZ", r(2), fmt.Sprintf("pad%d", k))
			a.op("VLD1.P", post(16, 0), vlist(24, 1, T))
			if dot {
				a.op("VLD1.P", post(16, 1), vlist(28, 1, T))
			}
			update(k, 24, 28)
			if j < 2 {
				a.op("SUB", imm(pr), r(2))
			}
		}
		// Fewer than G elements were left at partG: none is left now.
		for _, k := range []int{4*g + 3, 4 * g, 4*g + 1, 4*g + 2} {
			a.label(fmt.Sprintf("pad%d", k))
			a.op("CBZ", r(5), "done")
			update(k, 16, 20)
			if !(g == 2 && k == 4*g+2) {
				a.op("B", "done")
			}
		}
	}

	a.label("done")
	a.op("CBZ", r(10), "reduce")
	for q := 0; q < 4; q++ {
		a.op("VST1.P", vlist(4*q, 4, T), post(64, 9))
	}
	a.label("reduce")
	a.comment("halving reduction")
	for w := 8; w >= 1; w /= 2 { // register steps: lanes k and k+w*perReg
		for k := 0; k < w; k++ {
			a.word(FADD(t.prec, k, k, k+w))
		}
	}
	if pr == 4 {
		// lanes k and k+2 of V0: line lanes 2,3 up under 0,1
		a.op("VEXT", imm(8), v(0, "B16"), v(0, "B16"), v(1, "B16"))
		a.word(FADD(t.prec, 0, 0, 1))
	}
	a.word(FADDPScalar(t.prec, 0, 0)) // lane 0 + lane 1
	a.op(t.fmov, "F0", f.arg("ret", ""))
	a.op("RET")
}

// ewOp is an element-wise kernel.
type ewOp int

const (
	opAxpy ewOp = iota
	opScale
	opAdd
	opMul
	opKeepPositive
)

// elementwise writes AxpyXxxNEON, ScaleXxxNEON, AddXxxNEON, MulXxxNEON or
// KeepPositiveXxxNEON.
//
// Registers: Ra and Rb read the operands, Rd writes the result, R3 counts.
// Main loop: 8 registers (16 float64 or 32 float32) per stream, loaded and
// stored four registers at a time with VLD1.P/VST1.P. Then four registers
// once if that many are left, one register at a time, and one element at a
// time with scalar instructions.
func elementwise(a *asmFile, t ty, op ewOp) {
	T, pr := t.arr, t.perReg()
	var f *fn
	var ra, rb, rd int // registers of the two inputs and of the output
	var res int        // first vector register of the results
	switch op {
	case opAxpy:
		name := "Axpy" + t.suffix + "NEON"
		f = newFn(name, t.elem, name+` sets y[i] = fma(alpha, x[i], y[i]) (one rounding) for i < len(x).
len(y) >= len(x). See internal/ref.Axpy.`,
			[]param{{name: "alpha", kind: t.scalar}, {name: "x", kind: kSlice}, {name: "y", kind: kSlice}}, nil)
		a.text(f)
		a.op(t.fmov, f.arg("alpha", ""), "F31")
		a.op("VDUP", lane(31, t.lane, 0), v(31, T))
		a.op("MOVD", f.arg("x", "base"), r(0))
		a.op("MOVD", f.arg("x", "len"), r(3))
		a.op("MOVD", f.arg("y", "base"), r(1))
		a.op("MOVD", r(1), r(2))
		ra, rb, rd, res = 0, 1, 2, 16
	case opScale:
		name := "Scale" + t.suffix + "NEON"
		f = newFn(name, t.elem, name+` sets x[i] = alpha * x[i]. See internal/ref.Scale.`,
			[]param{{name: "alpha", kind: t.scalar}, {name: "x", kind: kSlice}}, nil)
		a.text(f)
		a.op(t.fmov, f.arg("alpha", ""), "F31")
		a.op("VDUP", lane(31, t.lane, 0), v(31, T))
		a.op("MOVD", f.arg("x", "base"), r(0))
		a.op("MOVD", f.arg("x", "len"), r(3))
		a.op("MOVD", r(0), r(2))
		ra, rb, rd, res = 0, -1, 2, 0
	case opAdd, opMul, opKeepPositive:
		kernel, doc := "Add", "x[i] + y[i]"
		switch op {
		case opMul:
			kernel, doc = "Mul", "x[i] * y[i]"
		case opKeepPositive:
			kernel, doc = "KeepPositive", "x[i] where !(y[i] <= 0), else +0,"
		}
		name := kernel + t.suffix + "NEON"
		f = newFn(name, t.elem, name+` sets dst[i] = `+doc+` for i < len(dst).
len(x), len(y) >= len(dst); dst may be x or y. See internal/ref.`+kernel+`.`,
			[]param{{name: "dst", kind: kSlice}, {name: "x", kind: kSlice}, {name: "y", kind: kSlice}}, nil)
		a.text(f)
		a.op("MOVD", f.arg("dst", "base"), r(0))
		a.op("MOVD", f.arg("dst", "len"), r(3))
		a.op("MOVD", f.arg("x", "base"), r(1))
		a.op("MOVD", f.arg("y", "base"), r(2))
		if op == opKeepPositive {
			a.op("VEOR", v(31, "B16"), v(31, "B16"), v(31, "B16")) // the zero keep copies in
		}
		ra, rb, rd, res = 1, 2, 0, 0
	}

	// keep zeroes the lanes of V(x) where V(y) <= 0: the compare 0 >= y
	// (false for a NaN y) overwrites V(y), then bit-insert-if-true copies
	// V31's zeros into V(x) under it.
	keep := func(x, y int) {
		a.word(FCMGE(t.prec, y, 31, y))
		a.op("VBIT", v(y, "B16"), v(31, "B16"), v(x, "B16"))
	}
	// vec computes register j of the result from V(j) (first operand) and
	// V(16+j) (second operand).
	vec := func(j int) {
		switch op {
		case opAxpy:
			a.op("VFMLA", v(31, T), v(j, T), v(16+j, T)) // y += x*alpha, fused
		case opScale:
			a.word(FMUL(t.prec, j, j, 31)) // x*alpha
		case opAdd:
			a.word(FADD(t.prec, j, j, 16+j))
		case opMul:
			a.word(FMUL(t.prec, j, j, 16+j))
		case opKeepPositive:
			keep(j, 16+j)
		}
	}
	// load/store count registers from/to the streams.
	step := func(count int) {
		for q := 0; q < count; q += 4 {
			n := min(4, count-q)
			a.op("VLD1.P", post(16*n, ra), vlist(q, n, T))
		}
		if rb >= 0 {
			for q := 0; q < count; q += 4 {
				n := min(4, count-q)
				a.op("VLD1.P", post(16*n, rb), vlist(16+q, n, T))
			}
		}
		for j := 0; j < count; j++ {
			vec(j)
		}
		for q := 0; q < count; q += 4 {
			n := min(4, count-q)
			a.op("VST1.P", vlist(res+q, n, T), post(16*n, rd))
		}
	}

	U := 8 * pr // elements per main-loop iteration
	a.comment("main loop: %d elements", U)
	a.op("LSR", imm(log2(U)), r(3), r(4))
	a.op("CBZ", r(4), "vec")
	a.op("PCALIGN", imm(16))
	a.label("loop")
	step(8)
	a.op("SUBS", imm(1), r(4))
	a.op("BNE", "loop")

	a.label("vec")
	a.op("AND", imm(U-1), r(3))
	a.comment("four registers once, then one register at a time")
	a.op("CMP", imm(4*pr), r(3))
	a.op("BLT", "vec1")
	step(4)
	a.op("SUB", imm(4*pr), r(3))
	a.label("vec1")
	a.op("CMP", imm(pr), r(3))
	a.op("BLT", "scalar")
	a.label("vecloop")
	step(1)
	a.op("SUB", imm(pr), r(3))
	a.op("CMP", imm(pr), r(3))
	a.op("BGE", "vecloop")

	a.label("scalar")
	a.comment("one element at a time")
	a.op("CBZ", r(3), "done")
	a.label("scalarloop")
	a.op(t.fmov+".P", post(t.esz, ra), "F0")
	if rb >= 0 {
		a.op(t.fmov+".P", post(t.esz, rb), "F1")
	}
	out := "F0"
	switch op {
	case opAxpy:
		a.op(t.fmadd, "F31", "F1", "F0", "F1") // F1 = F0*F31 + F1, fused
		out = "F1"
	case opScale:
		a.op(t.fmul, "F31", "F0") // F0 = F0*F31
	case opAdd:
		a.op(t.fadd, "F1", "F0") // F0 = F0+F1
	case opMul:
		a.op(t.fmul, "F1", "F0") // F0 = F0*F1
	case opKeepPositive:
		keep(0, 1) // whole registers: the lanes above the element are not stored
	}
	a.op(t.fmov+".P", out, post(t.esz, rd))
	a.op("SUBS", imm(1), r(3))
	a.op("BNE", "scalarloop")
	a.label("done")
	a.op("RET")
}
