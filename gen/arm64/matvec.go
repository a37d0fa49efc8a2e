package main

import "fmt"

// The matvec set: NEON kernels behind kernels.MatVecs (MatVecsXxxNEON, dot
// products) and kernels.MatTVecs and AddOuters (OuterXxxNEON, sums of outer
// products), with the contracts of the amd64 kernels of the same names.
//
// MatVecs keeps the L = 16/size*4 lanes of an output in four Q registers
// (lane k in register k/perReg), so a tile of ri W rows by rb X rows holds
// 4*ri*rb accumulators: 2x3, 3x2 or 6x1, 24 registers. Per chunk of L
// elements it loads each row's four registers once. A partial last chunk
// fills its registers lane by lane over padding that leaves a lane as it
// is: W = +0 and X = -0, whose product -0 is the exact additive identity.
// Each output is then reduced on its own by the halving tree.
//
// Outer holds a tile of C of rr rows by cv Q registers of columns (at most
// 6x4) and runs the chain over k with one LD1R broadcast per row of A and one
// LD1 of the panel row of B. Columns past the last whole register (fewer
// than perReg) take a scalar FMADD chain.

func matvecSet(a *asmFile) {
	for _, t := range types {
		neonMatVecs(a, t)
		neonOuter(a, t)
	}
}

// neonMVri gives the W rows of a MatVecs tile of rb X rows.
func neonMVri(rb int) int { return map[int]int{1: 6, 2: 3, 3: 2}[rb] }

// GP roles in MatVecs. R0-R5 W rows, R6-R8 X rows of a tile.
const (
	nmCnt   = 9  // chunks left, then tail elements left
	nmTmp   = 10 // scratch
	nmTmp2  = 11 // scratch
	nmLP    = 12 // lane buffer
	nmY     = 19 // Y at the current tile's column, row of the block's first X row
	nmLdy   = 20 // Y row stride, bytes
	nmWblk  = 21 // W row of the tile
	nmLdw   = 22 // W row stride, bytes
	nmXblk  = 23 // X row of the block
	nmLdx   = 24 // X row stride, bytes
	nmIrem  = 25 // W rows left
	nmBrem  = 17 // X rows left
	nmBias  = 16 // bias at the tile's first row (or 0)
	nmNegZ  = 15 // bits of -0
	nmFirst = 14 // first (byte)
	nmLast  = 13 // last (byte)
)

func neonMatVecs(a *asmFile, t ty) {
	name := "MatVecs" + t.suffix + "NEON"
	pr := t.perReg()
	L := 4 * pr
	doc := fmt.Sprintf(`%s sets y[b*ldy+i] to the dot product of w row i (stride ldw) and x
row b (stride ldx) over n elements, plus bias[i] when len(bias) > 0, for
i < m and b < nb, in the canonical order of internal/ref.MatVecs (%d lanes,
halving tree, bias added last). Strides are in elements.

A long row can be cut into calls over consecutive pieces of w and x, each
but the last a multiple of %d long: the lanes of the m*nb outputs then pass
from call to call in lanes (m*nb*%d elements, in the kernel's own order).
first starts them at +0 (else they are loaded from lanes); last reduces
them into y (else they are stored to lanes). Nothing is checked.`, name, L, L, L)
	f := newFn(name, t.elem, doc, []param{
		{name: "y", kind: kSlice}, {name: "ldy", kind: kInt}, {name: "w", kind: kSlice}, {name: "ldw", kind: kInt},
		{name: "x", kind: kSlice}, {name: "ldx", kind: kInt}, {name: "bias", kind: kSlice},
		{name: "m", kind: kInt}, {name: "nb", kind: kInt}, {name: "n", kind: kInt},
		{name: "lanes", kind: kSlice}, {name: "first", kind: kBool}, {name: "last", kind: kBool},
	}, nil)
	a.text(f)
	ld := func(arg string, reg int) { a.op("MOVD", f.arg(arg, ""), r(reg)) }
	scaled := func(arg string, reg int) {
		ld(arg, reg)
		a.op("LSL", imm(t.shift), r(reg), r(reg))
	}
	ld("m", nmIrem)
	a.op("CMP", "$0", r(nmIrem))
	a.op("BLE", "done")
	ld("nb", nmBrem)
	a.op("CMP", "$0", r(nmBrem))
	a.op("BLE", "done")
	a.op("MOVD", f.arg("y", "base"), r(nmY))
	scaled("ldy", nmLdy)
	scaled("ldw", nmLdw)
	a.op("MOVD", f.arg("x", "base"), r(nmXblk))
	scaled("ldx", nmLdx)
	a.op("MOVD", f.arg("lanes", "base"), r(nmLP))
	a.op("MOVBU", f.arg("first", ""), r(nmFirst))
	a.op("MOVBU", f.arg("last", ""), r(nmLast))
	a.op("MOVD", t.negZero, r(nmNegZ))

	a.label("bblock")
	a.comment("a block of X rows: three, or what is left")
	a.op("CMP", "$3", r(nmBrem))
	a.op("BGE", "rb3")
	a.op("CMP", "$2", r(nmBrem))
	a.op("BEQ", "rb2")
	a.op("B", "rb1")
	for rb := 3; rb >= 1; rb-- {
		ri := neonMVri(rb)
		p := fmt.Sprintf("rb%d", rb)
		a.label(p)
		a.op("MOVD", f.arg("w", "base"), r(nmWblk))
		ld("m", nmIrem)
		a.op("MOVD", f.arg("bias", "base"), r(nmBias))
		a.op("MOVD", f.arg("bias", "len"), r(nmTmp))
		a.op("CBNZ", r(nmTmp), p+"_i")
		a.op("MOVD", "ZR", r(nmBias))
		a.label(p + "_i")
		a.op("CMP", imm(ri), r(nmIrem))
		a.op("BLT", p+"_irem")
		neonMVTile(a, f, t, ri, rb, fmt.Sprintf("%s_t%d", p, ri))
		a.op("MOVD", imm(ri), r(nmTmp))
		a.op("MUL", r(nmLdw), r(nmTmp), r(nmTmp))
		a.op("ADD", r(nmTmp), r(nmWblk))
		a.op("ADD", imm(ri*t.esz), r(nmY))
		a.op("CBZ", r(nmBias), p+"_nb")
		a.op("ADD", imm(ri*t.esz), r(nmBias))
		a.label(p + "_nb")
		a.op("SUB", imm(ri), r(nmIrem))
		a.op("B", p+"_i")
		a.label(p + "_irem")
		for v := 1; v < ri; v++ {
			a.op("CMP", imm(v), r(nmIrem))
			a.op("BEQ", fmt.Sprintf("%s_r%d", p, v))
		}
		a.op("B", p+"_next")
		for v := ri - 1; v >= 1; v-- {
			a.label(fmt.Sprintf("%s_r%d", p, v))
			neonMVTile(a, f, t, v, rb, fmt.Sprintf("%s_t%d", p, v))
			a.op("ADD", imm(v*t.esz), r(nmY))
			a.op("B", p+"_next")
		}
		a.label(p + "_next")
		a.comment("back to column 0 of Y, down rb rows of Y and X")
		ld("m", nmTmp)
		a.op("LSL", imm(t.shift), r(nmTmp), r(nmTmp))
		a.op("SUB", r(nmTmp), r(nmY))
		for i := 0; i < rb; i++ {
			a.op("ADD", r(nmLdy), r(nmY))
			a.op("ADD", r(nmLdx), r(nmXblk))
		}
		a.op("SUBS", imm(rb), r(nmBrem))
		a.op("BNE", "bblock")
		a.op("B", "done")
	}
	a.label("done")
	a.op("RET")
}

// neonMVTile emits one MatVecs tile: ri W rows from nmWblk by rb X rows from
// nmXblk, results to Y at nmY (row b at nmY + b*ldy).
func neonMVTile(a *asmFile, f *fn, t ty, ri, rb int, p string) {
	a.comment("tile: %d W rows by %d X rows", ri, rb)
	T, pr := t.arr, t.perReg()
	L := 4 * pr
	nout := ri * rb
	acc := func(rw, b, q int) int { return 4*(rw*rb+b) + q }
	wreg := func(rw int) int { return 24 + rw%2 }
	xreg := func(b int) int { return 26 + b }
	const padW, padX = 29, 30 // +0 and -0 in every lane
	wrow := func(rw int) int { return rw }
	xrow := func(b int) int { return 6 + b }

	a.op("MOVD", r(nmWblk), r(wrow(0)))
	for rw := 1; rw < ri; rw++ {
		a.op("ADD", r(nmLdw), r(wrow(rw-1)), r(wrow(rw)))
	}
	a.op("MOVD", r(nmXblk), r(xrow(0)))
	for b := 1; b < rb; b++ {
		a.op("ADD", r(nmLdx), r(xrow(b-1)), r(xrow(b)))
	}
	a.op("CBNZ", r(nmFirst), p+"_zero")
	a.comment("lanes of the previous piece of the rows")
	for o := 0; o < nout; o++ {
		a.op("VLD1.P", post(64, nmLP), vlist(4*o, 4, T))
	}
	a.op("SUB", imm(64*nout), r(nmLP))
	a.op("B", p+"_start")
	a.label(p + "_zero")
	for k := 0; k < 4*nout; k++ {
		a.op("VEOR", v(k, "B16"), v(k, "B16"), v(k, "B16"))
	}
	a.label(p + "_start")

	// q emits the FMLAs of register q of a chunk; load(row, vreg) fills a
	// register of one row.
	q := func(qi int, loadW func(rw, reg int), loadX func(b, reg int)) {
		for b := 0; b < rb; b++ {
			loadX(b, xreg(b))
		}
		for rw := 0; rw < ri; rw++ {
			loadW(rw, wreg(rw))
			for b := 0; b < rb; b++ {
				a.op("VFMLA", v(xreg(b), T), v(wreg(rw), T), v(acc(rw, b, qi), T)) // acc += w*x, fused
			}
		}
	}
	full := func(rowReg int) func(int, int) {
		return func(i, reg int) { a.op("VLD1.P", post(16, rowReg+i), vlist(reg, 1, T)) }
	}
	a.op("MOVD", f.arg("n", ""), r(nmCnt))
	a.op("LSR", imm(log2(L)), r(nmCnt), r(nmCnt))
	a.op("CBZ", r(nmCnt), p+"_tail")
	a.label(p + "_loop")
	for qi := 0; qi < 4; qi++ {
		q(qi, full(wrow(0)), full(xrow(0)))
	}
	a.op("SUBS", "$1", r(nmCnt))
	a.op("BNE", p+"_loop")

	a.label(p + "_tail")
	a.op("MOVD", f.arg("n", ""), r(nmCnt))
	a.op("AND", imm(L-1), r(nmCnt))
	a.op("CBZ", r(nmCnt), p+"_reduce")
	a.comment("the last n %% %d elements: whole registers, then one padded", L)
	a.op("VEOR", v(padW, "B16"), v(padW, "B16"), v(padW, "B16"))
	a.op("VDUP", r(nmNegZ), v(padX, T))
	for qi := 0; qi < 4; qi++ {
		a.op("CMP", imm(pr), r(nmCnt))
		a.op("BLT", fmt.Sprintf("%s_part%d", p, qi))
		q(qi, full(wrow(0)), full(xrow(0)))
		a.op("SUB", imm(pr), r(nmCnt))
	}
	a.op("B", p+"_reduce") // unreachable: the tail is shorter than a chunk
	for qi := 0; qi < 4; qi++ {
		a.label(fmt.Sprintf("%s_part%d", p, qi))
		a.op("CBZ", r(nmCnt), p+"_reduce")
		// Lanes 0..cnt-1 from memory, the rest padding.
		partial := func(rowReg, pad int) func(int, int) {
			return func(i, reg int) {
				skip := fmt.Sprintf("%s_p%d_r%d", p, qi, rowReg+i)
				a.op("VORR", v(pad, "B16"), v(pad, "B16"), v(reg, "B16"))
				a.op("MOVD", r(rowReg+i), r(nmTmp))
				for l := 0; l < pr-1; l++ {
					if l > 0 {
						a.op("CMP", imm(l), r(nmCnt))
						a.op("BLE", skip)
					}
					a.op("VLD1.P", post(t.esz, nmTmp), lane(reg, t.lane, l))
				}
				a.label(skip)
			}
		}
		q(qi, partial(wrow(0), padW), partial(xrow(0), padX))
		a.op("B", p+"_reduce")
	}

	a.label(p + "_reduce")
	a.op("CBNZ", r(nmLast), p+"_last")
	a.comment("not the last piece: keep the lanes for the next call")
	for o := 0; o < nout; o++ {
		a.op("VST1.P", vlist(4*o, 4, T), post(64, nmLP))
	}
	a.op("B", p+"_end")
	a.label(p + "_last")
	a.op("ADD", imm(64*nout), r(nmLP))
	for rw := 0; rw < ri; rw++ {
		for b := 0; b < rb; b++ {
			o := acc(rw, b, 0)
			a.comment("output (x row %d, w row %d): halving tree", b, rw)
			a.word(FADD(t.prec, o, o, o+2))
			a.word(FADD(t.prec, o+1, o+1, o+3))
			a.word(FADD(t.prec, o, o, o+1))
			if pr == 4 {
				a.op("VEXT", imm(8), v(o, "B16"), v(o, "B16"), v(o+1, "B16"))
				a.word(FADD(t.prec, o, o, o+1))
			}
			a.word(FADDPScalar(t.prec, o, o))
		}
	}
	a.op("CBZ", r(nmBias), p+"_store")
	a.comment("bias, added last")
	for rw := 0; rw < ri; rw++ {
		a.op(t.fmov, fmt.Sprintf("%d(R%d)", rw*t.esz, nmBias), "F31")
		for b := 0; b < rb; b++ {
			a.op(t.fadd, "F31", fmt.Sprintf("F%d", acc(rw, b, 0)))
		}
	}
	a.label(p + "_store")
	a.op("MOVD", r(nmY), r(nmTmp))
	for b := 0; b < rb; b++ {
		if b > 0 {
			a.op("ADD", r(nmLdy), r(nmTmp))
		}
		for rw := 0; rw < ri; rw++ {
			a.op(t.fmov, fmt.Sprintf("F%d", acc(rw, b, 0)), fmt.Sprintf("%d(R%d)", rw*t.esz, nmTmp))
		}
	}
	a.label(p + "_end")
}

// GP roles in Outer. R0-R5 A rows of a tile.
const (
	noB     = 6  // B row of the tile
	noK     = 7  // k left
	noC     = 8  // C row
	noTmp   = 9  // scratch
	noTmp2  = 10 // scratch
	noLa    = 11 // A row stride, bytes
	noIa    = 12 // A step per k, bytes
	noLb    = 13 // B row stride, bytes
	noLc    = 14 // C row stride, bytes
	noCols  = 15 // columns left in the row block
	noBpan  = 16 // B panel
	noRows  = 17 // rows left
	noLoad  = 19 // load (byte)
	noKarg  = 20 // k
	noCcol  = 21 // C at row r0, current column
	noArow  = 22 // A at row r0
	noLdp   = 23 // B panel stride, bytes
	noScalR = 24 // scalar path: row counter
)

func neonOuter(a *asmFile, t ty) {
	name := "Outer" + t.suffix + "NEON"
	pr := t.perReg()
	PW := 4 * pr
	doc := fmt.Sprintf(`%s sets c[r*ldc+j] = c0, then c = fma(a[r*lda+kk*inca], B(kk, j), c)
for kk = 0, 1, ..., k-1 in turn, for r < rows and j < cols, where c0 is
c[r*ldc+j] if load, else +0. Strides are in elements; inca may be 0.
B is in panels of %d columns: B(kk, j) = b[(j/%d)*ldp + kk*ldb + j%%%d], so
ldp = %d reads a row-major B and ldb = %d, ldp = k*%d a packed one.
Nothing is checked.`, name, PW, PW, PW, PW, PW, PW)
	f := newFn(name, t.elem, doc, []param{
		{name: "c", kind: kSlice}, {name: "ldc", kind: kInt}, {name: "a", kind: kSlice},
		{name: "lda", kind: kInt}, {name: "inca", kind: kInt}, {name: "b", kind: kSlice},
		{name: "ldb", kind: kInt}, {name: "ldp", kind: kInt}, {name: "rows", kind: kInt},
		{name: "cols", kind: kInt}, {name: "k", kind: kInt}, {name: "load", kind: kBool},
	}, nil)
	a.text(f)
	ld := func(arg string, reg int) { a.op("MOVD", f.arg(arg, ""), r(reg)) }
	scaled := func(arg string, reg int) {
		ld(arg, reg)
		a.op("LSL", imm(t.shift), r(reg), r(reg))
	}
	ld("rows", noRows)
	a.op("CMP", "$0", r(noRows))
	a.op("BLE", "done")
	ld("cols", noCols)
	a.op("CMP", "$0", r(noCols))
	a.op("BLE", "done")
	scaled("lda", noLa)
	scaled("inca", noIa)
	scaled("ldb", noLb)
	scaled("ldc", noLc)
	scaled("ldp", noLdp)
	ld("k", noKarg)
	a.op("MOVBU", f.arg("load", ""), r(noLoad))
	a.op("MOVD", f.arg("a", "base"), r(noArow))
	a.op("MOVD", f.arg("c", "base"), r(noCcol))

	a.label("row")
	a.op("CMP", "$6", r(noRows))
	a.op("BGE", "rr6")
	for v := 1; v < 6; v++ {
		a.op("CMP", imm(v), r(noRows))
		a.op("BEQ", fmt.Sprintf("rr%d", v))
	}
	for rr := 6; rr >= 1; rr-- {
		q := fmt.Sprintf("rr%d", rr)
		a.label(q)
		ld("cols", noCols)
		a.op("MOVD", f.arg("b", "base"), r(noBpan))
		a.label(q + "_p")
		a.op("CMP", imm(PW), r(noCols))
		a.op("BLT", q+"_part")
		neonOuterTile(a, t, rr, 4, q+"_full")
		a.op("ADD", r(noLdp), r(noBpan))
		a.op("ADD", imm(PW*t.esz), r(noCcol))
		a.op("SUB", imm(PW), r(noCols))
		a.op("B", q+"_p")
		a.label(q + "_part")
		for cv := 3; cv >= 1; cv-- {
			a.op("CMP", imm(cv*pr), r(noCols))
			a.op("BGE", fmt.Sprintf("%s_c%d", q, cv))
		}
		a.op("B", q+"_scalar")
		for cv := 3; cv >= 1; cv-- {
			a.label(fmt.Sprintf("%s_c%d", q, cv))
			neonOuterTile(a, t, rr, cv, fmt.Sprintf("%s_c%d", q, cv))
			a.op("ADD", imm(cv*pr*t.esz), r(noCcol))
			a.op("ADD", imm(cv*pr*t.esz), r(noBpan))
			a.op("SUB", imm(cv*pr), r(noCols))
			a.op("B", q+"_scalar")
		}
		a.label(q + "_scalar")
		neonOuterScalar(a, t, rr, q+"_s")
		a.comment("next row block: C back to column 0, down rr rows; A down rr rows")
		ld("cols", noTmp)
		a.op("SUB", r(noCols), r(noTmp), r(noTmp))
		a.op("LSL", imm(t.shift), r(noTmp), r(noTmp))
		a.op("SUB", r(noTmp), r(noCcol))
		for i := 0; i < rr; i++ {
			a.op("ADD", r(noLc), r(noCcol))
			a.op("ADD", r(noLa), r(noArow))
		}
		a.op("SUBS", imm(rr), r(noRows))
		a.op("BNE", "row")
		a.op("B", "done")
	}
	a.label("done")
	a.op("RET")
}

// neonOuterTile emits one Outer tile: rr rows from noArow/noCcol by cv Q
// registers of columns from noBpan/noCcol.
func neonOuterTile(a *asmFile, t ty, rr, cv int, p string) {
	a.comment("tile: %d rows by %d registers", rr, cv)
	T := t.arr
	acc := func(row, q int) int { return row*cv + q }
	const breg = 24
	bc := func(row int) int { return 28 + row%2 }
	a.op("MOVD", r(noArow), r(0))
	for row := 1; row < rr; row++ {
		a.op("ADD", r(noLa), r(row-1), r(row))
	}
	a.op("MOVD", r(noCcol), r(noC))
	a.op("CBZ", r(noLoad), p+"_zero")
	for row := 0; row < rr; row++ {
		a.op("VLD1", mem(noC), vlist(acc(row, 0), cv, T))
		if row < rr-1 {
			a.op("ADD", r(noLc), r(noC))
		}
	}
	a.op("B", p+"_k")
	a.label(p + "_zero")
	for k := 0; k < rr*cv; k++ {
		a.op("VEOR", v(k, "B16"), v(k, "B16"), v(k, "B16"))
	}
	a.label(p + "_k")
	a.op("MOVD", r(noBpan), r(noB))
	a.op("MOVD", r(noKarg), r(noK))
	a.op("CBZ", r(noK), p+"_store")
	a.label(p + "_loop")
	a.op("VLD1.P", fmt.Sprintf("(R%d)(R%d)", noB, noLb), vlist(breg, cv, T))
	for row := 0; row < rr; row++ {
		a.op("VLD1R.P", fmt.Sprintf("(R%d)(R%d)", row, noIa), vlist(bc(row), 1, T))
		for q := 0; q < cv; q++ {
			a.op("VFMLA", v(breg+q, T), v(bc(row), T), v(acc(row, q), T)) // c += a*b, fused
		}
	}
	a.op("SUBS", "$1", r(noK))
	a.op("BNE", p+"_loop")
	a.label(p + "_store")
	a.op("MOVD", r(noCcol), r(noC))
	for row := 0; row < rr; row++ {
		a.op("VST1", vlist(acc(row, 0), cv, T), mem(noC))
		if row < rr-1 {
			a.op("ADD", r(noLc), r(noC))
		}
	}
}

// neonOuterScalar emits the columns past the last whole register (noCols of
// them, fewer than perReg) of a row block of rr rows: one scalar FMADD chain
// per output, B(kk, j) at noBpan + j*size + kk*ldb.
func neonOuterScalar(a *asmFile, t ty, rr int, p string) {
	a.op("CBZ", r(noCols), p+"_done")
	a.op("MOVD", "ZR", r(noTmp2)) // column
	a.label(p + "_col")
	a.op("MOVD", r(noArow), r(0))
	a.op("LSL", imm(t.shift), r(noTmp2), r(noTmp))
	a.op("ADD", r(noCcol), r(noTmp), r(noC))
	a.op("MOVD", imm(rr), r(noScalR))
	a.label(p + "_row")
	a.op("CBZ", r(noLoad), p+"_z")
	a.op(t.fmov, mem(noC), "F0")
	a.op("B", p+"_k")
	a.label(p + "_z")
	a.op(t.fmov, "ZR", "F0")
	a.label(p + "_k")
	a.op("MOVD", r(0), r(2))
	a.op("LSL", imm(t.shift), r(noTmp2), r(noTmp))
	a.op("ADD", r(noBpan), r(noTmp), r(noB))
	a.op("MOVD", r(noKarg), r(noK))
	a.op("CBZ", r(noK), p+"_st")
	a.label(p + "_loop")
	a.op(t.fmov, mem(2), "F1")
	a.op(t.fmov, mem(noB), "F2")
	a.op(t.fmadd, "F2", "F0", "F1", "F0") // F0 = F1*F2 + F0, fused
	a.op("ADD", r(noIa), r(2))
	a.op("ADD", r(noLb), r(noB))
	a.op("SUBS", "$1", r(noK))
	a.op("BNE", p+"_loop")
	a.label(p + "_st")
	a.op(t.fmov, "F0", mem(noC))
	a.op("ADD", r(noLa), r(0))
	a.op("ADD", r(noLc), r(noC))
	a.op("SUBS", "$1", r(noScalR))
	a.op("BNE", p+"_row")
	a.op("ADD", "$1", r(noTmp2))
	a.op("CMP", r(noCols), r(noTmp2))
	a.op("BLT", p+"_col")
	a.label(p + "_done")
}
