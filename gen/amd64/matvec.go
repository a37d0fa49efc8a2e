package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The matvec set: the register-blocked kernels behind kernels.MatVecs
// (MatVecsXxx, dot-product form; MatVecsWTXxx, AVX-512 only, on a transposed
// W for short rows; MatVecSpacedXxx, one X row in tiles of
// spaced W rows) and kernels.MatTVecs and AddOuters (OuterXxx, sums of
// outer products; OuterRowXxx for a single row of C). See
// internal/ref/matvec.go for the canonical orders; every kernel
// reproduces them bit for bit.
//
// MatVecs keeps L = 64/size lanes per output (one zmm, two ymm). A tile of
// ri W rows by rb X rows (4x6 on AVX-512, 8x1 for a single X row) loads each
// chunk of L elements of those rows once and feeds ri*rb accumulators. The
// accumulators are reduced eight (AVX-512) or four (AVX2) at a time by
// shuffles that follow the halving tree, and stored with masks, so a tile
// needs no scalar epilogue. The tiles of a block of X rows walk down the W
// rows, so the X rows stay in L1; long rows come in pieces (the caller cuts
// them) with the lanes parked in a buffer between calls, and the tiles
// prefetch the next block of X rows into L2.
//
// Outer holds a tile of C (6 rows by 4 vectors of columns on AVX-512; 8 to
// 16 rows when C is one vector wide) in registers and runs the chain over
// k: per k one load per vector of B and one broadcast per row of A. Row
// tiles are the outer loop, so the broadcasts of a tile stay in L1 while
// the panels of B (packed by the caller when their stride would alias)
// stream from L2. Chains split over k stay exact, as C goes through memory.
//
// GP registers are physical too: the kernels use all fourteen, and fixed
// roles keep the many generated tiles readable.

func matvecSet() {
	for _, t := range []elem{f64, f32} {
		for _, s := range []isa{avx512, avx2} {
			matVecsKernel(t, s)
			outerKernel(t, s)
		}
		matVecsWTKernel(t, avx512)
		for _, s := range []isa{avx512, avx2} {
			matVecSpacedKernel(t, s)
			outerRowKernel(t, s)
		}
	}
}

// mvTabs holds, per element size, the symbol of the padding table:
// 256 bytes of ones, 256 of zeros, 256 of zeros, 256 of sign bits. A window
// at tab+256-r*size has ones in the first r elements (a load mask); the same
// window plus 512 has -0 in every element from r on (the AVX2 padding).
var mvTabs = map[int]Mem{}

func mvTab(t elem) Mem {
	if m, ok := mvTabs[t.size]; ok {
		return m
	}
	m := GLOBL(fmt.Sprintf("matvec%stab", t.suffix), RODATA|NOPTR)
	sign := uint64(1) << 63
	if t.size == 4 {
		sign = 1<<63 | 1<<31
	}
	for off := 0; off < 1024; off += 8 {
		switch {
		case off < 256:
			DATA(off, U64(^uint64(0)))
		case off < 768:
			DATA(off, U64(0))
		default:
			DATA(off, U64(sign))
		}
	}
	mvTabs[t.size] = m
	return m
}

// Element-type spellings of the instructions the set adds to elem.
func (t elem) xor(a, b, c Op) {
	if t.size == 8 {
		VXORPD(a, b, c)
	} else {
		VXORPS(a, b, c)
	}
}

func (t elem) or(a, b, c Op) {
	if t.size == 8 {
		VORPD(a, b, c)
	} else {
		VORPS(a, b, c)
	}
}

func (t elem) shuf128(imm int, b, a, dst Op) {
	if t.size == 8 {
		VSHUFF64X2(U8(imm), b, a, dst)
	} else {
		VSHUFF32X4(U8(imm), b, a, dst)
	}
}

func (t elem) shift() int {
	if t.size == 8 {
		return 3
	}
	return 2
}

// runMasks are the opmasks set once per call (K5: all eight lanes, for
// the spaced tiles' gathers and scatters); runK returns the one for bits,
// or sets K2 to them.
var runMasks = map[int]OpmaskPhysical{0xff: K5}

func runK(bits int) Op {
	if k, ok := runMasks[bits]; ok {
		return k
	}
	kimm(K2, bits)
	return K2
}

// kimm sets opmask k to the constant bits.
func kimm(k Op, bits int) {
	MOVL(U32(bits), EDI)
	KMOVW(EDI, k)
}

// scaleTo loads the int parameter p into r as a byte count (p * size).
func scaleTo(t elem, p string, r GPPhysical) {
	Load(Param(p), r)
	SHLQ(U8(t.shift()), r)
}

// mulAdd adds k*src to dst, through tmp.
func mulAdd(dst, src, tmp GPPhysical, k int) {
	switch k {
	case 0:
	case 1:
		ADDQ(src, dst)
	case 2, 4, 8:
		LEAQ(Mem{Base: dst, Index: src, Scale: uint8(k)}, dst)
	default:
		MOVQ(src, tmp)
		IMUL3Q(U32(k), tmp, tmp)
		ADDQ(tmp, dst)
	}
}

// rowAddr returns the address of row r of a row set with bases every three
// rows (bases[r/3]) and row stride ld: base, base+ld, base+2*ld.
func rowAddr(bases []GPPhysical, ld GPPhysical, r int) Mem {
	m := Mem{Base: bases[r/3]}
	if r%3 > 0 {
		m.Index, m.Scale = ld, uint8(r%3)
	}
	return m
}

// setBases points bases[q] at row 3q: bases[0] must already hold row 0.
func setBases(bases []GPPhysical, ld GPPhysical) {
	for q := 1; q < len(bases); q++ {
		LEAQ(Mem{Base: bases[q-1], Index: ld, Scale: 2}, bases[q])
		ADDQ(ld, bases[q])
	}
}

// dispatch jumps to label(v) when r == v, for v in 1..hi.
func dispatch(r GPPhysical, hi int, label func(v int) string) {
	for v := 1; v <= hi; v++ {
		CMPQ(r, U32(v))
		JEQ(LabelRef(label(v)))
	}
}

// MatVecs tiles: ri W rows by rb X rows. A single X row (a matrix-vector
// product) takes eight (AVX-512) or six (AVX2) W rows, so that enough
// independent accumulators cover the FMA latency.
type mvTiles struct {
	rb    int           // X rows of a full tile
	ri    func(int) int // W rows of a tile of rb X rows
	group int           // accumulators reduced together
}

func mvTilesFor(s isa) mvTiles {
	if s.is512() {
		return mvTiles{rb: 6, ri: func(rb int) int {
			if rb == 1 {
				return 8
			}
			return 4
		}, group: 8}
	}
	// AVX2: 2 W rows by 3 X rows. Both use 12 accumulators and 5 loads per
	// 6 FMAs; 2x3 streams 2 W loads (from L2) per 6 FMAs where 3x2 streamed
	// 3, and its outputs come in runs of two per Y row, which plain 128-bit
	// stores write (Zen 3's VMASKMOVPD stores cost more than the FMAs of a
	// tile at n = 64).
	return mvTiles{rb: 3, ri: func(rb int) int {
		if rb == 1 {
			return 6
		}
		return 2
	}, group: 4}
}

// GP roles in MatVecs.
var (
	mvW0, mvW3, mvX0, mvX3, mvCnt = RAX, RBX, RCX, RDX, RSI // tile row pointers, chunk count
	mvLw, mvLx                    = R8, R9                  // W and X strides, bytes
	mvWblk, mvXblk, mvY           = R10, R11, R12           // tile origins in W, X, Y
	mvIrem, mvBrem, mvLP          = R13, R14, R15           // W rows and X rows left, lane buffer
)

func matVecsKernel(t elem, s isa) {
	name := name("MatVecs", t, s)
	text(name, NOSPLIT, fmt.Sprintf("func(y []%[1]s, ldy int, w []%[1]s, ldw int, x []%[1]s, ldx int, bias []%[1]s, m, nb, n int, lanes []%[1]s, first, last bool)", t.goType))
	tl := mvTilesFor(s)
	done := "mv_done"

	Load(Param("m"), mvIrem)
	TESTQ(mvIrem, mvIrem)
	JLE(LabelRef(done))
	Load(Param("nb"), mvBrem)
	TESTQ(mvBrem, mvBrem)
	JLE(LabelRef(done))
	scaleTo(t, "ldw", mvLw)
	scaleTo(t, "ldx", mvLx)
	Load(Param("x").Base(), mvXblk)
	Load(Param("y").Base(), mvY)
	Load(Param("lanes").Base(), mvLP)
	if s.is512() {
		mvMasks(t, s)
	}

	Label("mv_bblock")
	Comment("A block of X rows: a full tile height, or what is left.")
	if s.is512() {
		// 7 or 8 rows left go as 4 and 3 or 4, not as 6 and a block of 1
		// or 2 that streams W from L2 for so few rows (at 256 x 256
		// float64, 0.81-0.85x the time; docs/perf-notes.md).
		Comment("7 or 8 rows left: a block of 4 first.")
		CMPQ(mvBrem, U32(tl.rb+1))
		JEQ(LabelRef("mv_rb4"))
		CMPQ(mvBrem, U32(tl.rb+2))
		JEQ(LabelRef("mv_rb4"))
	}
	CMPQ(mvBrem, U32(tl.rb))
	JGE(LabelRef(fmt.Sprintf("mv_rb%d", tl.rb)))
	dispatch(mvBrem, tl.rb-1, func(v int) string { return fmt.Sprintf("mv_rb%d", v) })
	for rb := tl.rb; rb >= 1; rb-- {
		mvRowBlock(t, s, tl, rb)
	}
	Label(done)
	ret()
}

// mvMasks sets the AVX-512 opmasks of a MatVecs call: K5 and K1.
func mvMasks(t elem, s isa) {
	L := 64 / t.size
	Comment("K5: all eight lanes (see runK).")
	kimm(K5, 0xff)
	Comment("K1: the elements of the last, partial chunk of a row (n % L).")
	Load(Param("n"), RSI)
	ANDQ(U32(L-1), RSI)
	m := mvWindow(t, RSI, RDI)
	ones := s.regs[31]
	VPTERNLOGD(U8(0xff), ones, ones, ones)
	t.testm(m, ones, K1)
}

// mvWindow points dst at the mask window of the padding table for cnt
// elements (see mvTab) and returns it. Clobbers cnt.
func mvWindow(t elem, cnt, dst GPPhysical) Mem {
	LEAQ(mvTab(t).Offset(256), dst)
	NEGQ(cnt)
	LEAQ(Mem{Base: dst, Index: cnt, Scale: uint8(t.size)}, dst)
	return Mem{Base: dst}
}

// mvRowBlock emits the pass over all W rows for a block of rb X rows.
func mvRowBlock(t elem, s isa, tl mvTiles, rb int) {
	p := fmt.Sprintf("mv_rb%d", rb)
	ri := tl.ri(rb)
	Label(p)
	Load(Param("w").Base(), mvWblk)
	Load(Param("m"), mvIrem)
	if s.is512() && rb == tl.rb {
		Comment("K7 (a spare 64-bit register): where the tiles of this block prefetch")
		Comment("the next block of X rows, which would otherwise come from L3 in a")
		Comment("burst at its first tile.")
		MOVQ(mvXblk, RDI)
		mulAdd(RDI, mvLx, RSI, rb)
		KMOVQ(RDI, K7)
	}

	Label(p + "_i")
	CMPQ(mvIrem, U32(ri))
	JLT(LabelRef(p + "_irem"))
	mvTile(t, s, tl, ri, rb, fmt.Sprintf("%s_t%d", p, ri), false)
	mulAdd(mvWblk, mvLw, RDI, ri)
	ADDQ(U32(ri*t.size), mvY)
	SUBQ(U32(ri), mvIrem)
	JMP(LabelRef(p + "_i"))

	Label(p + "_irem")
	dispatch(mvIrem, ri-1, func(v int) string { return fmt.Sprintf("%s_r%d", p, v) })
	JMP(LabelRef(p + "_next"))
	for r := ri - 1; r >= 1; r-- {
		Label(fmt.Sprintf("%s_r%d", p, r))
		mvTile(t, s, tl, r, rb, fmt.Sprintf("%s_t%d", p, r), false)
		ADDQ(U32(r*t.size), mvY)
		JMP(LabelRef(p + "_next"))
	}

	Label(p + "_next")
	Comment("Back to column 0 of Y, down rb rows of Y and X.")
	Load(Param("m"), RDI)
	SHLQ(U8(t.shift()), RDI)
	SUBQ(RDI, mvY)
	Load(Param("ldy"), RDI)
	IMUL3Q(U32(rb*t.size), RDI, RDI)
	ADDQ(RDI, mvY)
	mulAdd(mvXblk, mvLx, RDI, rb)
	SUBQ(U32(rb), mvBrem)
	JNE(LabelRef("mv_bblock"))
	JMP(LabelRef("mv_done"))
}

// mvTile emits one tile: ri W rows from mvWblk by rb X rows from mvXblk,
// results to Y at mvY (row b at mvY + b*ldy*size).
//
// A spaced tile (MatVecSpaced: one X row) has its rows mvLw apart as any
// tile, but its outputs are not: output k goes to mvY + k*s elements, so
// AVX-512 scatters them (and gathers their biases from mvSpBias) by the
// index vector mvSpIdx, and AVX2 stores them one by one. It takes whole
// rows: no lanes between calls.
func mvTile(t elem, s isa, tl mvTiles, ri, rb int, p string, spaced bool) {
	if spaced && (rb != 1 || ri != spacedRows(s)) {
		panic(fmt.Sprintf("mvTile: a spaced tile is %d W rows by one X row", spacedRows(s)))
	}
	Commentf("Tile: %d W rows by %d X rows.", ri, rb)
	L := 64 / t.size
	parts := L * t.size / s.width // vectors per lane set
	w := s.width

	// Registers: accumulators first, then X, then W (and the AVX2 mask).
	acc := func(r, b, h int) VecPhysical { return s.regs[(r*rb+b)*parts+h] }
	var xr []VecPhysical
	var wr []VecPhysical
	var mask VecPhysical
	if s.is512() {
		xr = s.regs[24 : 24+rb]
		wr = s.regs[30:32]
	} else {
		// With three X rows the W register doubles as the tail mask,
		// reloaded before each masked load of W.
		xr = s.regs[12 : 12+rb]
		wr = s.regs[max(14, 12+rb) : max(14, 12+rb)+1]
		mask = s.regs[15]
	}

	wb := []GPPhysical{mvW0}
	xb := []GPPhysical{mvX0}
	if ri > 3 {
		wb = append(wb, mvW3)
	}
	if ri > 6 {
		wb = append(wb, mvX3) // a single X row needs one base
	}
	if rb > 3 {
		xb = append(xb, mvX3)
	}
	if s.is512() && rb == tl.rb && ri == tl.ri(rb) {
		// Each tile prefetches the next 4 lines of each of the next block's
		// rows: sixteen tiles cover a 4 KiB piece of them.
		KMOVQ(K7, RDI)
		LEAQ(Mem{Base: RDI, Index: mvLx, Scale: 2}, RSI)
		ADDQ(mvLx, RSI)
		for r := 0; r < rb; r++ {
			for l := 0; l < 4; l++ {
				PREFETCHT1(rowAddr([]GPPhysical{RDI, RSI}, mvLx, r).Offset(64 * l))
			}
		}
		ADDQ(U32(256), RDI)
		KMOVQ(RDI, K7)
	}
	MOVQ(mvWblk, mvW0)
	setBases(wb, mvLw)
	MOVQ(mvXblk, mvX0)
	setBases(xb, mvLx)
	nacc := ri * rb * parts
	if !spaced { // a spaced tile takes whole rows: no lanes between calls
		CMPB(addr(Param("first")), U8(0))
		JNE(LabelRef(p + "_zero"))
		Comment("Lanes of the previous piece of the rows.")
		for k := 0; k < nacc; k++ {
			t.movu(Mem{Base: mvLP}.Offset(k*w), s.regs[k])
		}
		JMP(LabelRef(p + "_start"))
		Label(p + "_zero")
	}
	for k := 0; k < nacc; k++ {
		t.xor(s.regs[k], s.regs[k], s.regs[k])
	}
	Label(p + "_start")

	// chunk emits the FMAs of one chunk of L elements.
	chunk := func(tail bool, at int) {
		for h := 0; h < parts; h++ {
			off := at + h*w
			if tail && !s.is512() {
				VMOVDQU(Mem{Base: mvCnt}.Offset(off), mask)
			}
			for b := 0; b < rb; b++ {
				m := rowAddr(xb, mvLx, b).Offset(off)
				switch {
				case !tail:
					t.movu(m, xr[b])
				case s.is512():
					t.movuZ(m, K1, xr[b])
				default:
					// Pad with -0: the products -0 leave every lane as it is.
					t.maskmov(m, mask, xr[b])
					t.or(Mem{Base: mvCnt}.Offset(512+off), xr[b], xr[b])
				}
			}
			for r := 0; r < ri; r++ {
				m := rowAddr(wb, mvLw, r).Offset(off)
				if !tail && rb == 1 {
					t.fma231(m, xr[0], acc(r, 0, h)) // W straight from memory
					continue
				}
				wv := wr[r%len(wr)]
				switch {
				case !tail:
					t.movu(m, wv)
				case s.is512():
					t.movuZ(m, K1, wv)
				default:
					if wv == mask && r > 0 {
						VMOVDQU(Mem{Base: mvCnt}.Offset(off), mask)
					}
					t.maskmov(m, mask, wv)
				}
				for b := 0; b < rb; b++ {
					if tail && s.is512() {
						t.fma231(wv, xr[b], K1, acc(r, b, h))
					} else {
						t.fma231(wv, xr[b], acc(r, b, h))
					}
				}
			}
		}
	}

	advance := func(chunks int) {
		for _, r := range append(append([]GPPhysical{}, wb...), xb...) {
			ADDQ(U32(chunks*L*t.size), r)
		}
	}
	Comment("Chunks of L elements, two per iteration.")
	Load(Param("n"), mvCnt)
	SHRQ(U8(mvLog2(L)), mvCnt)
	Label(p + "_loop")
	CMPQ(mvCnt, U32(2))
	JLT(LabelRef(p + "_one"))
	chunk(false, 0)
	chunk(false, L*t.size)
	advance(2)
	SUBQ(U32(2), mvCnt)
	JMP(LabelRef(p + "_loop"))
	Label(p + "_one")
	TESTQ(mvCnt, mvCnt)
	JEQ(LabelRef(p + "_tail"))
	chunk(false, 0)
	advance(1)

	Label(p + "_tail")
	Load(Param("n"), RDI)
	ANDQ(U32(L-1), RDI)
	JEQ(LabelRef(p + "_reduce"))
	Comment("The last n % L elements, lanes past them untouched.")
	if !s.is512() {
		mvWindow(t, RDI, mvCnt)
	}
	chunk(true, 0)

	Label(p + "_reduce")
	if !spaced {
		CMPB(addr(Param("last")), U8(0))
		JNE(LabelRef(p + "_last"))
		Comment("Not the last piece: keep the lanes for the next call.")
		for k := 0; k < nacc; k++ {
			t.movu(s.regs[k], Mem{Base: mvLP}.Offset(k*w))
		}
		ADDQ(U32(nacc*w), mvLP)
		JMP(LabelRef(p + "_end"))
		Label(p + "_last")
		ADDQ(U32(nacc*w), mvLP)
	}
	// Outputs in b-major order, reduced in groups.
	type out struct{ b, r int }
	var outs []out
	for b := 0; b < rb; b++ {
		for r := 0; r < ri; r++ {
			outs = append(outs, out{b, r})
		}
	}
	for g0 := 0; g0 < len(outs); g0 += tl.group {
		grp := outs[g0:min(len(outs), g0+tl.group)]
		slots := make([][]VecPhysical, tl.group)
		for k := range slots {
			o := grp[min(k, len(grp)-1)] // unused slots repeat a used one
			for h := 0; h < parts; h++ {
				slots[k] = append(slots[k], acc(o.r, o.b, h))
			}
		}
		var res VecPhysical
		var free []VecPhysical
		if s.is512() {
			res = reduce8(t, s, slots, s.regs[24:32])
			free = []VecPhysical{s.regs[25], s.regs[26]}
		} else {
			// After the first step the group's own accumulators are free.
			res = reduce4(t, slots, s.regs[12:16], slots[0])
			free = []VecPhysical{s.regs[12], s.regs[14], s.regs[15]}
		}
		// Runs: consecutive outputs of one X row.
		var runs []mvRun
		for k, o := range grp {
			if k > 0 && runs[len(runs)-1].b == o.b {
				runs[len(runs)-1].n++
			} else {
				runs = append(runs, mvRun{o.b, o.r, k, 1})
			}
		}
		// The results fill a half-width register for float32.
		as := func(v VecPhysical) Register {
			switch {
			case t.size == 8:
				return v
			case s.is512():
				return v.AsY()
			}
			return v.AsX()
		}
		vres := as(res)
		lbl := fmt.Sprintf("%s_g%d", p, g0)
		switch {
		case spaced && s.is512():
			mvScatter(t, lbl, vres, as(free[0]))
			continue
		case spaced:
			mvStoreSpaced(t, lbl, res, free)
			continue
		case !s.is512():
			mvStoreAVX2(t, lbl, res, runs, free)
			continue
		}
		// Each run is stored from its first output on: its lanes are
		// rotated down to lane 0 of the narrowest register that holds
		// them, so that no masked-off lane lies before y[r0] or bias[r0]
		// (on Intel a masked-off lane in a page that is not mapped in
		// costs a microcode assist, and the page before a slice is often
		// one: kernels/pageend.go).
		run := func(rn mvRun, withBias bool) {
			lanes := 2 // float64: an xmm, a ymm or a zmm
			if t.size == 4 {
				lanes = 4 // float32: an xmm or a ymm
			}
			for lanes < rn.n {
				lanes *= 2
			}
			width := func(v VecPhysical) Register {
				switch lanes * t.size {
				case 16:
					return v.AsX()
				case 32:
					return v.AsY()
				}
				return v
			}
			src := width(res)
			if rn.l0 > 0 {
				if t.size == 8 {
					VALIGNQ(U8(rn.l0), res, res, free[0])
				} else {
					VALIGND(U8(rn.l0), res.AsY(), res.AsY(), free[0].AsY())
				}
				src = width(free[0])
			}
			var k Op // nil: all lanes of the register are the run's
			if rn.n < lanes {
				k = runK(1<<rn.n - 1) // before the base: it may set K2 through RDI
			}
			if withBias {
				bm, bv := Mem{Base: mvCnt}.Offset(rn.r0*t.size), width(free[1])
				if k == nil {
					t.movu(bm, bv)
				} else {
					t.movuZ(bm, k, bv)
				}
				t.add(bv, src, width(free[0]))
				src = width(free[0])
			}
			base := mvY
			if rn.b > 0 {
				Load(Param("ldy"), RDI)
				IMUL3Q(U32(rn.b*t.size), RDI, RDI)
				ADDQ(mvY, RDI)
				base = RDI
			}
			ym := Mem{Base: base}.Offset(rn.r0 * t.size)
			if k == nil {
				t.movu(src, ym)
			} else {
				t.movu(src, k, ym)
			}
		}
		mvBias(t, lbl, "Bias: bias[r] added to each output of a run, then its store.")
		for _, rn := range runs {
			run(rn, true)
		}
		JMP(LabelRef(lbl + "_end"))
		Label(lbl + "_store")
		for _, rn := range runs {
			run(rn, false)
		}
		Label(lbl + "_end")
	}
	Label(p + "_end")
}

// mvScatter adds the biases of a spaced tile's outputs (when the call has
// a bias) and scatters them, both by the index vector mvSpIdx: res holds
// the tile's outputs, tmp is free.
func mvScatter(t elem, lbl string, res, tmp Register) {
	Load(Param("bias").Len(), RDI)
	TESTQ(RDI, RDI)
	JEQ(LabelRef(lbl + "_store"))
	Comment("Bias: gather bias[k*s] of each output k, then add.")
	KMOVW(K5, K2) // a gather (and a scatter) clears its mask
	bias := Mem{Base: mvSpBias, Index: mvSpIdx, Scale: uint8(t.size)}
	if t.size == 8 {
		VGATHERQPD(bias, K2, tmp)
	} else {
		VGATHERQPS(bias, K2, tmp)
	}
	t.add(tmp, res, res)
	Label(lbl + "_store")
	KMOVW(K5, K2)
	out := Mem{Base: mvY, Index: mvSpIdx, Scale: uint8(t.size)}
	if t.size == 8 {
		VSCATTERQPD(res, K2, out)
	} else {
		VSCATTERQPS(res, K2, out)
	}
}

// mvBias jumps to lbl_store when the call has no bias; else it points
// mvCnt at bias[i] of the group's first W row and emits the comment.
func mvBias(t elem, lbl, comment string) {
	Load(Param("bias").Len(), RDI)
	TESTQ(RDI, RDI)
	JEQ(LabelRef(lbl + "_store"))
	Comment(comment)
	Load(Param("m"), mvCnt)
	SUBQ(mvIrem, mvCnt)
	SHLQ(U8(t.shift()), mvCnt)
	ADDQ(addr(Param("bias").Base()), mvCnt)
}

// mvStoreAVX2 stores the results of one group (element k of res, a ymm for
// float64 and the xmm of a ymm for float32, is output k of the group) by
// runs of consecutive outputs of one Y row, with plain stores of 1, 2 or 4
// elements, adding bias[i] first when the call has a bias (one rounding, s
// + bias as in internal/ref). free holds three free registers.
func mvStoreAVX2(t elem, lbl string, res VecPhysical, runs []mvRun, free []VecPhysical) {
	mvBias(t, lbl, "Bias: bias[i] added to each output before its store.")
	mvStoreRuns(t, res, runs, free, true)
	JMP(LabelRef(lbl + "_end"))
	Label(lbl + "_store")
	mvStoreRuns(t, res, runs, free, false)
	Label(lbl + "_end")
}

// MatVecSpaced: one X row by the W rows 0..8s-1, in tiles of the eight
// rows t, t+s, ..., t+7s for t = 0, 1, ..., s-1 (on AVX2 as two tiles of
// four, t, ..., t+3s and t+4s, ..., t+7s: its sixteen registers hold the
// lanes of at most six rows).
// Each of the eight rows walks on through its own contiguous run of s rows,
// s rows from the next: on AMD Zen 5, eight streams in L2 as close together
// as the rows of a plain tile (2 KiB apart) read at about 140 GB/s, 32 KiB
// or more apart at 190-200 (docs/perf-notes.md). The tile is MatVecs' tile of
// a single X row (so the same bits) with the tile's row stride mvLw set to
// s rows; only its outputs, s apart, are scattered.
//
// GP roles: those of MatVecs, with mvIrem counting the tiles left; a
// single X row of whole rows leaves mvLx, mvBrem and mvLP free, and a tile
// of at most six rows mvX3.
var (
	mvSpBias, mvSpRow = R9, R14  // bias of the tile's first row (&bias[t]); one W row, bytes
	mvSpIdx           = Z16      // AVX-512: k*s in element k, unused by a tile of one X row
	mvSpGap, mvSpGap3 = R15, RDX // AVX2: s and 3s elements, in bytes
)

// spacedRows is the height of a spaced tile: 8 rows on AVX-512, 4 on AVX2.
func spacedRows(s isa) int {
	if s.is512() {
		return 8
	}
	return 4
}

func matVecSpacedKernel(t elem, s isa) {
	name := name("MatVecSpaced", t, s)
	text(name, NOSPLIT, fmt.Sprintf("func(y []%[1]s, w []%[1]s, ldw int, x []%[1]s, bias []%[1]s, s, n int)", t.goType))
	tl := mvTilesFor(s)
	rows := spacedRows(s)
	done := "mvs_done"
	Load(Param("s"), mvIrem)
	TESTQ(mvIrem, mvIrem)
	JLE(LabelRef(done))
	scaleTo(t, "ldw", mvSpRow)
	MOVQ(mvSpRow, mvLw)
	IMULQ(mvIrem, mvLw)
	Load(Param("w").Base(), mvWblk)
	Load(Param("x").Base(), mvXblk)
	Load(Param("y").Base(), mvY)
	Load(Param("bias").Base(), mvSpBias)
	if s.is512() {
		mvMasks(t, s)
		Comment("The index vector: k*s in element k.")
		VPBROADCASTQ(mvIrem, mvSpIdx)
		VPMULLQ(mvSpIdxTab(), mvSpIdx, mvSpIdx)
	} else {
		Comment("The gaps between the outputs of a tile: s and 3s elements.")
		scaleTo(t, "s", mvSpGap)
		LEAQ(Mem{Base: mvSpGap, Index: mvSpGap, Scale: 2}, mvSpGap3)
	}

	Label("mvs_tile")
	mvTile(t, s, tl, rows, 1, "mvs_t", true)
	if !s.is512() {
		Comment("The rows t+4s, ..., t+7s: W, Y and bias 4s rows on, then back.")
		LEAQ(Mem{Base: mvWblk, Index: mvLw, Scale: 4}, mvWblk)
		LEAQ(Mem{Base: mvY, Index: mvSpGap, Scale: 4}, mvY)
		LEAQ(Mem{Base: mvSpBias, Index: mvSpGap, Scale: 4}, mvSpBias)
		mvTile(t, s, tl, rows, 1, "mvs_u", true)
		MOVQ(mvLw, RDI)
		SHLQ(U8(2), RDI)
		SUBQ(RDI, mvWblk)
		MOVQ(mvSpGap, RDI)
		SHLQ(U8(2), RDI)
		SUBQ(RDI, mvY)
		SUBQ(RDI, mvSpBias)
	}
	ADDQ(mvSpRow, mvWblk)
	ADDQ(U32(t.size), mvY)
	ADDQ(U32(t.size), mvSpBias)
	DECQ(mvIrem)
	JNE(LabelRef("mvs_tile"))
	Label(done)
	ret()
}

// mvStoreSpaced adds the biases of a spaced AVX2 tile's four outputs (when
// the call has a bias) and stores them: element k of res (a ymm for
// float64, the xmm of a ymm for float32) to mvY + k*s elements, its bias
// from mvSpBias + k*s, one rounding (s + bias as in internal/ref). free
// holds two free registers.
func mvStoreSpaced(t elem, lbl string, res VecPhysical, free []VecPhysical) {
	at := func(base GPPhysical, k int) Mem {
		switch k {
		case 0:
			return Mem{Base: base}
		case 3:
			return Mem{Base: base, Index: mvSpGap3, Scale: 1}
		}
		return Mem{Base: base, Index: mvSpGap, Scale: uint8(k)}
	}
	lo, hi := free[0].AsX(), free[1].AsX()
	Load(Param("bias").Len(), RDI)
	TESTQ(RDI, RDI)
	JEQ(LabelRef(lbl + "_store"))
	Comment("Bias: bias[k*s] of each output k, then add.")
	if t.size == 8 {
		VMOVSD(at(mvSpBias, 0), lo)
		VMOVHPD(at(mvSpBias, 1), lo, lo)
		VMOVSD(at(mvSpBias, 2), hi)
		VMOVHPD(at(mvSpBias, 3), hi, hi)
		VINSERTF128(U8(1), hi, free[0], free[0])
		VADDPD(free[0], res, res)
	} else {
		VMOVSS(at(mvSpBias, 0), lo)
		for k := 1; k < 4; k++ {
			VINSERTPS(U8(k<<4), at(mvSpBias, k), lo, lo)
		}
		VADDPS(lo, res.AsX(), res.AsX())
	}
	Label(lbl + "_store")
	if t.size == 8 {
		VMOVSD(res.AsX(), at(mvY, 0))
		VMOVHPD(res.AsX(), at(mvY, 1))
		VEXTRACTF128(U8(1), res, lo)
		VMOVSD(lo, at(mvY, 2))
		VMOVHPD(lo, at(mvY, 3))
		return
	}
	VMOVSS(res.AsX(), at(mvY, 0))
	for k := 1; k < 4; k++ {
		VEXTRACTPS(U8(k), res.AsX(), at(mvY, k))
	}
}

// mvSpIdxTab is the table of the qwords 0..7.
var mvSpIdxSym *Mem

func mvSpIdxTab() Mem {
	if mvSpIdxSym == nil {
		m := GLOBL("matvecspidx", RODATA|NOPTR)
		for k := 0; k < 8; k++ {
			DATA(8*k, U64(uint64(k)))
		}
		mvSpIdxSym = &m
	}
	return *mvSpIdxSym
}

// mvRun is a run of n consecutive outputs of Y row b, from W row r0, in
// elements l0..l0+n-1 of a group's result.
type mvRun struct{ b, r0, l0, n int }

func mvStoreRuns(t elem, res VecPhysical, runs []mvRun, free []VecPhysical, bias bool) {
	hi, tmp, tmp2 := free[0], free[1], free[2]
	extracted := false
	for _, rn := range runs {
		base := mvY
		if rn.b > 0 {
			Load(Param("ldy"), RDI)
			IMUL3Q(U32(rn.b*t.size), RDI, RDI)
			ADDQ(mvY, RDI)
			base = RDI
		}
		// Pieces: element e of res to y[r0 + e - l0] (and bias[r0 + e - l0]).
		for e := rn.l0; e < rn.l0+rn.n; {
			ym := Mem{Base: base}.Offset((rn.r0 + e - rn.l0) * t.size)
			bm := Mem{Base: mvCnt}.Offset((rn.r0 + e - rn.l0) * t.size)
			left := rn.l0 + rn.n - e
			if t.size == 8 {
				if e == 0 && left == 4 {
					src := res
					if bias {
						VADDPD(bm, res, tmp)
						src = tmp
					}
					VMOVUPD(src, ym)
					e += 4
					continue
				}
				src := res.AsX()
				if e >= 2 {
					if !extracted {
						VEXTRACTF128(U8(1), res, hi.AsX())
						extracted = true
					}
					src = hi.AsX()
				}
				k := e % 2
				switch {
				case k == 0 && left >= 2:
					if bias {
						VADDPD(bm, src, tmp.AsX())
						src = tmp.AsX()
					}
					VMOVUPD(src, ym)
					e += 2
				case k == 0:
					if bias {
						VADDSD(bm, src, tmp.AsX())
						src = tmp.AsX()
					}
					VMOVSD(src, ym)
					e++
				default:
					if bias {
						VUNPCKHPD(src, src, tmp.AsX())
						VADDSD(bm, tmp.AsX(), tmp.AsX())
						VMOVSD(tmp.AsX(), ym)
					} else {
						VMOVHPD(src, ym)
					}
					e++
				}
				continue
			}
			src := res.AsX()
			switch {
			case e == 0 && left == 4:
				if bias {
					VADDPS(bm, src, tmp.AsX())
					src = tmp.AsX()
				}
				VMOVUPS(src, ym)
				e += 4
			case e%2 == 0 && left >= 2:
				// Two floats: the low or high 64 bits.
				if bias {
					if e == 2 {
						VUNPCKHPD(src, src, tmp2.AsX())
						src = tmp2.AsX()
					}
					VMOVSD(bm, tmp.AsX())
					VADDPS(tmp.AsX(), src, tmp.AsX())
					VMOVSD(tmp.AsX(), ym)
				} else if e == 2 {
					VMOVHPS(src, ym)
				} else {
					VMOVSD(src, ym)
				}
				e += 2
			default:
				if bias {
					if e > 0 {
						VPERMILPS(U8(e), src, tmp2.AsX())
						src = tmp2.AsX()
					}
					VADDSS(bm, src, tmp.AsX())
					VMOVSS(tmp.AsX(), ym)
				} else if e > 0 {
					VEXTRACTPS(U8(e), src, ym)
				} else {
					VMOVSS(src, ym)
				}
				e++
			}
		}
	}
}

// reduce8 reduces eight AVX-512 accumulators (slots[k][0]) by the halving
// tree and returns a register whose element k (of a zmm for float64, of a
// ymm for float32) is the sum of slot k. tmp holds eight free registers.
//
// Step h=L/2: pairs of accumulators exchange 256-bit halves (VSHUFF64X2),
// so one add does h for two of them. Step h=L/4: likewise with 128-bit
// blocks, four accumulators per register. The last steps work inside the
// 128-bit blocks. Feeding the accumulators in a permuted order makes the
// results come out in slot order.
func reduce8(t elem, s isa, slots [][]VecPhysical, tmp []VecPhysical) VecPhysical {
	var perm []int
	if t.size == 8 {
		perm = []int{0, 2, 4, 6, 1, 3, 5, 7}
	} else {
		perm = []int{0, 4, 2, 6, 1, 5, 3, 7}
	}
	a := make([]VecPhysical, 8)
	for k := range a {
		a[k] = slots[perm[k]][0]
	}
	P, Q := tmp[6], tmp[7]
	Comment("Reduce eight accumulators: 256-bit halves.")
	for q := 0; q < 4; q++ {
		t.shuf128(0x44, a[2*q+1], a[2*q], P)
		t.shuf128(0xee, a[2*q+1], a[2*q], Q)
		t.add(Q, P, tmp[q])
	}
	Comment("128-bit blocks.")
	for q := 0; q < 2; q++ {
		t.shuf128(0x88, tmp[2*q+1], tmp[2*q], P)
		t.shuf128(0xdd, tmp[2*q+1], tmp[2*q], Q)
		t.add(Q, P, tmp[4+q])
	}
	u0, u1 := tmp[4], tmp[5]
	if t.size == 8 {
		Comment("Within the blocks: element 0 + element 1.")
		VUNPCKLPD(u1, u0, P)
		VUNPCKHPD(u1, u0, Q)
		VADDPD(Q, P, tmp[0])
		return tmp[0]
	}
	Comment("Within the blocks: elements 0+2 and 1+3, then 0+1.")
	VSHUFPS(U8(0x44), u1, u0, P)
	VSHUFPS(U8(0xee), u1, u0, Q)
	VADDPS(Q, P, tmp[1])
	VEXTRACTF32X8(U8(1), tmp[1], tmp[2].AsY())
	VSHUFPS(U8(0x88), tmp[2].AsY(), tmp[1].AsY(), P.AsY())
	VSHUFPS(U8(0xdd), tmp[2].AsY(), tmp[1].AsY(), Q.AsY())
	VADDPS(Q.AsY(), P.AsY(), tmp[0].AsY())
	return tmp[0]
}

// reduce4 reduces four AVX2 accumulators (slots[k] = two ymm each, lanes
// 0..L/2-1 and L/2..L-1) by the halving tree and returns a register whose
// element k (ymm for float64, xmm for float32) is the sum of slot k. tmp
// holds four free registers; spare (two registers) is written only after
// the first step, which reads every slot.
func reduce4(t elem, slots [][]VecPhysical, tmp []VecPhysical, spare []VecPhysical) VecPhysical {
	var perm []int
	if t.size == 8 {
		perm = []int{0, 2, 1, 3}
	} else {
		perm = []int{0, 1, 2, 3}
	}
	Comment("Reduce four accumulators: the two ymm of each.")
	for k := 0; k < 4; k++ {
		sl := slots[perm[k]]
		t.add(sl[1], sl[0], tmp[k])
	}
	P, Q := spare[0], spare[1]
	Comment("128-bit halves.")
	for q := 0; q < 2; q++ {
		VPERM2F128(U8(0x20), tmp[2*q+1], tmp[2*q], P)
		VPERM2F128(U8(0x31), tmp[2*q+1], tmp[2*q], Q)
		t.add(Q, P, tmp[2*q])
	}
	if t.size == 8 {
		Comment("Element 0 + element 1.")
		VUNPCKLPD(tmp[2], tmp[0], tmp[1])
		VUNPCKHPD(tmp[2], tmp[0], tmp[3])
		VADDPD(tmp[3], tmp[1], tmp[1])
		return tmp[1]
	}
	Comment("Elements 0+2 and 1+3, then 0+1.")
	VSHUFPS(U8(0x44), tmp[2], tmp[0], tmp[1])
	VSHUFPS(U8(0xee), tmp[2], tmp[0], tmp[3])
	VADDPS(tmp[3], tmp[1], tmp[1])
	VSHUFPS(U8(0x88), tmp[1], tmp[1], tmp[0])
	VSHUFPS(U8(0xdd), tmp[1], tmp[1], tmp[2])
	VADDPS(tmp[2], tmp[0], tmp[0])
	VEXTRACTF128(U8(1), tmp[0], tmp[2].AsX())
	VUNPCKLPS(tmp[2].AsX(), tmp[0].AsX(), tmp[1].AsX())
	return tmp[1]
}

// GP roles in Outer.
var (
	opA0, opA3, opB, opK = RAX, RBX, RCX, RDX // tile: A rows, B row, k count
	opLc, opC0, opC3     = RSI, RDI, R14      // tile: C stride (bytes), C rows
	opLa, opIa, opLb     = R8, R9, R10        // A row stride, A step per k, B row stride (bytes)
	opCols, opBpan       = R11, R12           // columns left in the row block, B panel
	opTmp, opRows        = R13, R15           // scratch, rows left
)

// outerTall is the height of Outer's tiles when C has one vector of
// columns: 6 rows by one vector keep only 6 FMA chains, fewer than the FMA
// latency times the units need (8), and each row's broadcast feeds a single
// FMA, so 8 rows cost 8 loads and 8 FMAs per k. 8 rows need a third base
// register for A and C (rowAddr: three rows a base).
const outerTall = 8

// outerContig is the height of the tiles of one vector of columns when
// A's rows are contiguous (lda = 1, as D^T in AddOuters): one base register
// reaches every row by displacement, and 16 chains (12 in AVX2's 16
// registers) leave the FMA units slack that 8 do not (AddOuters float32
// 16 x 16, batch 256, on Intel: 8 chains ran at 60% of the FMA peak, 16
// at 85-90%).
func outerContig(s isa) int {
	if s.is512() {
		return 16
	}
	return 12
}

// outerContig2 is the height of the AVX-512 tiles of two vectors of columns
// when A's rows are contiguous: 16 chains, where the 6-row tile keeps 12
// (AddOuters float64 16 x 16, batch 256: 0.88x the time; 12 rows, 24
// chains, measured no faster at 64 rows and slower at 16, as 12 + 4).
const outerContig2 = 8

// outerForm is how a tile reads A and B.
type outerForm int

const (
	formTile   outerForm = iota // B's vectors loaded once per k, A's rows from up to three bases
	formWide                    // a single row: B's vectors straight from memory into the FMAs
	formContig                  // A's rows contiguous: one base, rows by displacement
)

// outerKernel emits OuterXxx: C = C0 + A B as chains over k, by row tiles
// of 6, or 8 to 16 when C is narrow (outer loop: their broadcasts stay in
// L1), and panels of PW vectors of columns (inner loop: B streams from L2,
// packed or not).
func outerKernel(t elem, s isa) {
	name := name("Outer", t, s)
	text(name, NOSPLIT, fmt.Sprintf("func(c []%[1]s, ldc int, a []%[1]s, lda, inca int, b []%[1]s, ldb, ldp int, rows, cols, k int, load bool)", t.goType))
	E := s.width / t.size
	PW := 2
	if s.is512() {
		PW = 4
	}
	Load(Param("rows"), opRows)
	TESTQ(opRows, opRows)
	JLE(LabelRef("op_done"))
	Load(Param("cols"), opCols)
	TESTQ(opCols, opCols)
	JLE(LabelRef("op_done"))
	scaleTo(t, "lda", opLa)
	scaleTo(t, "inca", opIa)
	scaleTo(t, "ldb", opLb)
	Comment("Mask of the last vector of a partial panel: ((cols-1) % E) + 1 elements.")
	MOVQ(opCols, RDI)
	lastMask(t, s, RDI, RSI)
	Comment("A single row of a row-major B takes wider panels.")
	CMPQ(opRows, U32(1))
	JNE(LabelRef("op_tall"))
	Load(Param("ldp"), RDI)
	CMPQ(RDI, U32(PW*E))
	JEQ(LabelRef("op_w"))

	Label("op_tall")
	Comment("Narrow C: taller tiles, for enough independent chains.")
	narrow := 1 // C at most this many vectors wide takes them
	if s.is512() {
		narrow = 2
	}
	CMPQ(opCols, U32(narrow*E))
	JGT(LabelRef("op_row"))
	CMPQ(opLa, U32(t.size))
	JNE(LabelRef("op_t8c"))
	if s.is512() {
		CMPQ(opCols, U32(E))
		JGT(LabelRef("op_l2"))
	}
	tallLoop(t, s, "op_l", outerContig(s), 1, formContig, "op_t8")
	if s.is512() {
		tallLoop(t, s, "op_l2", outerContig2, 2, formContig, "op_row")
	}
	Label("op_t8c")
	CMPQ(opCols, U32(E))
	JGT(LabelRef("op_row"))
	tallLoop(t, s, "op_t8", outerTall, 1, formTile, "op_row")

	Label("op_row")
	CMPQ(opRows, U32(6))
	JGE(LabelRef("op_rr6"))
	dispatch(opRows, 5, func(v int) string { return fmt.Sprintf("op_rr%d", v) })
	for rr := 6; rr >= 1; rr-- {
		q := fmt.Sprintf("op_rr%d", rr)
		Label(q)
		outerRowBlock(t, s, q, rr, PW, formTile)
		SUBQ(U32(rr), opRows)
		if rr == 6 {
			JNE(LabelRef("op_row"))
		}
		JMP(LabelRef("op_done"))
	}

	Label("op_w")
	Comment("A single row: wider panels, for enough independent chains.")
	outerRowBlock(t, s, "op_w", 1, 8, formWide)
	Label("op_done")
	ret()
}

// tallLoop emits the loop q over row blocks of rr rows by panels of pw
// vectors while rr rows are left; fewer go on at label next.
func tallLoop(t elem, s isa, q string, rr, pw int, form outerForm, next string) {
	Label(q)
	CMPQ(opRows, U32(rr))
	JLT(LabelRef(next))
	outerRowBlock(t, s, q, rr, pw, form)
	SUBQ(U32(rr), opRows)
	JEQ(LabelRef("op_done"))
	JMP(LabelRef(q))
}

// lastMask sets the mask of the last vector of cols columns (in cnt,
// clobbered), ((cols-1) % E) + 1 of its E elements: K1 on AVX-512, Y15 on
// AVX2. tmp is clobbered.
func lastMask(t elem, s isa, cnt, tmp GPPhysical) {
	E := s.width / t.size
	DECQ(cnt)
	ANDQ(U32(E-1), cnt)
	INCQ(cnt)
	m := mvWindow(t, cnt, tmp)
	if s.is512() {
		ones := s.regs[31]
		VPTERNLOGD(U8(0xff), ones, ones, ones)
		t.testm(m, ones, K1)
	} else {
		VMOVDQU(m, s.regs[15])
	}
}

// outerRowBlock emits the walk over the column panels of pw vectors for the
// row block of rr rows starting at row rows - opRows.
func outerRowBlock(t elem, s isa, q string, rr, pw int, form outerForm) {
	E := s.width / t.size
	Load(Param("cols"), opCols)
	Load(Param("b").Base(), opBpan)
	Label(q + "_p")
	CMPQ(opCols, U32(pw*E))
	JLT(LabelRef(q + "_part"))
	outerTile(t, s, rr, pw, false, form, q+"_full")
	if form == formWide {
		ADDQ(U32(pw*s.width), opBpan)
	} else {
		scaleTo(t, "ldp", opTmp)
		ADDQ(opTmp, opBpan)
	}
	SUBQ(U32(pw*E), opCols)
	JMP(LabelRef(q + "_p"))

	Label(q + "_part")
	TESTQ(opCols, opCols)
	JEQ(LabelRef(q + "_next"))
	for cv := pw; cv >= 2; cv-- {
		CMPQ(opCols, U32((cv-1)*E))
		JGT(LabelRef(fmt.Sprintf("%s_c%d", q, cv)))
	}
	for cv := 1; cv <= pw; cv++ {
		Label(fmt.Sprintf("%s_c%d", q, cv))
		outerTile(t, s, rr, cv, true, form, fmt.Sprintf("%s_c%d", q, cv))
		JMP(LabelRef(q + "_next"))
	}
	Label(q + "_next")
}

// outerTile emits one tile: rr rows from row rows - opRows by cv vectors of
// columns from column cols - opCols, B from opBpan; the last vector is
// masked (K1, or Y15 on AVX2) when masked is set.
func outerTile(t elem, s isa, rr, cv int, masked bool, form outerForm, p string) {
	Commentf("Tile: %d rows by %d vectors.", rr, cv)
	w := s.width
	acc := func(r, v int) VecPhysical { return s.regs[r*cv+v] }
	var bregs []VecPhysical
	var bc, mask VecPhysical
	if s.is512() {
		bregs = s.regs[24 : 24+min(cv, 4)]
		bc = s.regs[31]
	} else {
		bregs = s.regs[12:14]
		bc, mask = s.regs[14], s.regs[15]
	}
	last := func(v int) bool { return masked && v == cv-1 }
	wide := form == formWide || (rr == 1 && cv > 2) // one row: B straight from memory
	contig := form == formContig

	Comment("A and C at row r0 = rows - rows left, C at column cols - columns left.")
	Load(Param("rows"), opA3)
	SUBQ(opRows, opA3)
	MOVQ(opA3, opA0)
	IMULQ(opLa, opA0)
	ADDQ(addr(Param("a").Base()), opA0)
	scaleTo(t, "ldc", opLc)
	MOVQ(opA3, opC0)
	IMULQ(opLc, opC0)
	ADDQ(addr(Param("c").Base()), opC0)
	Load(Param("cols"), opTmp)
	SUBQ(opCols, opTmp)
	SHLQ(U8(t.shift()), opTmp)
	ADDQ(opTmp, opC0)
	ab := []GPPhysical{opA0}
	cb := []GPPhysical{opC0}
	if rr > 3 && !contig { // a contiguous tile walks down C (cRows)
		ab = append(ab, opA3)
		cb = append(cb, opC3)
	}
	if rr > 6 && !contig {
		// The third bases take registers the k loop leaves free: opTmp
		// for A, and for C opB outside the loop (rebuilt after it).
		ab = append(ab, opTmp)
		cb = append(cb, opB)
	}
	setBases(ab, opLa)
	setBases(cb, opLc)

	amem := func(r int) Mem {
		if contig {
			return Mem{Base: opA0}.Offset(r * t.size)
		}
		return rowAddr(ab, opLa, r)
	}
	cmem := func(r, v int) Mem { return rowAddr(cb, opLc, r).Offset(v * w) }
	// cRows calls f on the rows of the tile in order, with each row's
	// address: from the bases cb, or in a contiguous tile (more rows than
	// three bases reach) from a pointer in opTmp walking down C.
	cRows := func(f func(r int, row func(v int) Mem)) {
		if !contig {
			for r := 0; r < rr; r++ {
				f(r, func(v int) Mem { return cmem(r, v) })
			}
			return
		}
		walk := []GPPhysical{opTmp}
		MOVQ(opC0, opTmp)
		for r := 0; r < rr; r++ {
			if r > 0 && r%3 == 0 {
				LEAQ(Mem{Base: opTmp, Index: opLc, Scale: 2}, opTmp)
				ADDQ(opLc, opTmp)
			}
			f(r, func(v int) Mem { return rowAddr(walk, opLc, r%3).Offset(v * w) })
		}
	}
	CMPB(addr(Param("load")), U8(0))
	JEQ(LabelRef(p + "_zero"))
	cRows(func(r int, row func(v int) Mem) {
		for v := 0; v < cv; v++ {
			switch {
			case !last(v):
				t.movu(row(v), acc(r, v))
			case s.is512():
				t.movuZ(row(v), K1, acc(r, v))
			default:
				t.maskmov(row(v), mask, acc(r, v))
			}
		}
	})
	JMP(LabelRef(p + "_k"))
	Label(p + "_zero")
	for r := 0; r < rr; r++ {
		for v := 0; v < cv; v++ {
			t.xor(acc(r, v), acc(r, v), acc(r, v))
		}
	}

	Label(p + "_k")
	if !masked && rr > 1 && rr <= 6 {
		// Prefetch the C rows of the next panel: C is usually far from
		// the caches (a whole k chunk ago), and the first loads of the next
		// tile would otherwise stall it.
		for r := 0; r < rr; r++ {
			for off := 0; off < cv*w; off += 64 {
				PREFETCHT0(cmem(r, cv).Offset(off))
			}
		}
	}
	MOVQ(opBpan, opB)
	Load(Param("k"), opK)
	TESTQ(opK, opK)
	JEQ(LabelRef(p + "_store"))
	Label(p + "_loop")
	bmem := func(v int) Mem { return Mem{Base: opB}.Offset(v * w) }
	if wide {
		t.bcast(rowAddr(ab, opLa, 0), bc)
		for v := 0; v < cv; v++ {
			if !last(v) {
				t.fma231(bmem(v), bc, acc(0, v))
				continue
			}
			if s.is512() {
				t.movuZ(bmem(v), K1, bregs[0])
			} else {
				t.maskmov(bmem(v), mask, bregs[0])
			}
			t.fma231(bregs[0], bc, acc(0, v))
		}
	} else {
		for v := 0; v < cv; v++ {
			switch {
			case !last(v):
				t.movu(bmem(v), bregs[v])
			case s.is512():
				t.movuZ(bmem(v), K1, bregs[v])
			default:
				t.maskmov(bmem(v), mask, bregs[v])
			}
		}
		for r := 0; r < rr; r++ {
			if cv == 1 && s.is512() {
				// One FMA per broadcast: embedded, it is one fused
				// operation instead of two.
				t.fma231b(amem(r), bregs[0], acc(r, 0))
				continue
			}
			// One broadcast per row, not one per FMA: embedded broadcasts
			// would cost a load each and make the loop load-bound.
			b := bc
			if s.is512() {
				b = s.regs[28+r%2]
			}
			t.bcast(amem(r), b)
			for v := 0; v < cv; v++ {
				t.fma231(bregs[v], b, acc(r, v))
			}
		}
	}
	for _, r := range ab {
		ADDQ(opIa, r)
	}
	ADDQ(opLb, opB)
	DECQ(opK)
	JNE(LabelRef(p + "_loop"))

	Label(p + "_store")
	if rr > 6 && !contig {
		setBases(cb[1:], opLc)
	}
	cRows(func(r int, row func(v int) Mem) {
		for v := 0; v < cv; v++ {
			switch {
			case !last(v):
				t.movu(acc(r, v), row(v))
			case s.is512():
				t.movu(acc(r, v), K1, row(v))
			default:
				t.maskmov(acc(r, v), mask, row(v))
			}
		}
	})
}

// OuterRow: Outer of a single row with B row-major, in the other loop
// order. Outer's tiles hold a piece of C in registers and run its chain
// over k, so they read B as a panel down k rows, streams a row apart,
// which L2 serves at about half the rate of one stream (AMD Zen 5,
// docs/perf-notes.md). Here C stays in L1 instead and each row of B in
// turn updates all of it: B is read in order, one stream. Every element's
// chain over kk is Outer's, so the bits are the same.
//
// GP roles.
var (
	orC, orB, orA, orK, orCols = RAX, RBX, RCX, RDX, RSI // C, B row, a[kk], rows left, columns left
	orLb, orIa, orCp, orBp     = R8, R9, R10, R11        // B row and a strides (bytes), pointers of a pass
)

// orMode is what a pass over C does: +0 (no rows, not load), fma on +0
// (the first row, not load) or fma on C.
type orMode int

const (
	orZero orMode = iota
	orFirst
	orNext
)

func outerRowKernel(t elem, s isa) {
	name := name("OuterRow", t, s)
	text(name, NOSPLIT, fmt.Sprintf("func(c []%[1]s, a []%[1]s, inca int, b []%[1]s, ldb, cols, k int, load bool)", t.goType))
	Load(Param("cols"), orCols)
	TESTQ(orCols, orCols)
	JLE(LabelRef("or_done"))
	Comment("Mask of the last, partial vector of a row: ((cols-1) % E) + 1 elements.")
	lastMask(t, s, orCols, RDI)
	scaleTo(t, "ldb", orLb)
	scaleTo(t, "inca", orIa)
	Load(Param("c").Base(), orC)
	Load(Param("a").Base(), orA)
	Load(Param("b").Base(), orB)
	Load(Param("k"), orK)
	TESTQ(orK, orK)
	JNE(LabelRef("or_rows"))
	CMPB(addr(Param("load")), U8(0))
	JNE(LabelRef("or_done"))
	orPass(t, s, orZero, "or_z")
	JMP(LabelRef("or_done"))

	Label("or_rows")
	CMPB(addr(Param("load")), U8(0))
	JNE(LabelRef("or_next"))
	orPass(t, s, orFirst, "or_f")
	ADDQ(orIa, orA)
	ADDQ(orLb, orB)
	DECQ(orK)
	JEQ(LabelRef("or_done"))
	Label("or_next")
	orPass(t, s, orNext, "or_n")
	ADDQ(orIa, orA)
	ADDQ(orLb, orB)
	DECQ(orK)
	JNE(LabelRef("or_next"))
	Label("or_done")
	ret()
}

// orPass emits one pass over the row of C: eight vectors a step, then one,
// then the masked last vector (K1, or Y15 on AVX2).
func orPass(t elem, s isa, mode orMode, p string) {
	E, w := s.width/t.size, s.width
	const U = 8
	acc := s.regs[:U]
	bc, tmp := s.regs[14], s.regs[13]
	if s.is512() {
		bc, tmp = s.regs[30], s.regs[29]
	}
	MOVQ(orC, orCp)
	MOVQ(orB, orBp)
	Load(Param("cols"), orCols)
	if mode != orZero {
		t.bcast(Mem{Base: orA}, bc)
	}
	// vec updates C's vector at byte offset off with acc register r.
	vec := func(r VecPhysical, off int, masked bool) {
		cm, bm := Mem{Base: orCp}.Offset(off), Mem{Base: orBp}.Offset(off)
		switch {
		case mode != orNext:
			t.xor(r, r, r)
		case !masked:
			t.movu(cm, r)
		case s.is512():
			t.movuZ(cm, K1, r)
		default:
			t.maskmov(cm, s.regs[15], r)
		}
		if mode != orZero {
			switch {
			case !masked:
				t.fma231(bm, bc, r)
			case s.is512():
				t.movuZ(bm, K1, tmp)
				t.fma231(tmp, bc, r)
			default:
				t.maskmov(bm, s.regs[15], tmp)
				t.fma231(tmp, bc, r)
			}
		}
		switch {
		case !masked:
			t.movu(r, cm)
		case s.is512():
			t.movu(r, K1, cm)
		default:
			t.maskmov(r, s.regs[15], cm)
		}
	}
	Label(p + "_u")
	CMPQ(orCols, U32(U*E))
	JLT(LabelRef(p + "_v"))
	for v := range U {
		vec(acc[v], v*w, false)
	}
	ADDQ(U32(U*w), orCp)
	ADDQ(U32(U*w), orBp)
	SUBQ(U32(U*E), orCols)
	JMP(LabelRef(p + "_u"))
	Label(p + "_v")
	CMPQ(orCols, U32(E))
	JLE(LabelRef(p + "_t"))
	vec(acc[0], 0, false)
	ADDQ(U32(w), orCp)
	ADDQ(U32(w), orBp)
	SUBQ(U32(E), orCols)
	JMP(LabelRef(p + "_v"))
	Label(p + "_t")
	Comment("The last vector, 1 to E columns: masked.")
	TESTQ(orCols, orCols)
	JEQ(LabelRef(p + "_end"))
	vec(acc[0], 0, true)
	Label(p + "_end")
}

func mvLog2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// MatVecsWT: MatVecs on a transposed copy of W (wt[j*ldt+i] = W[i][j]), for
// short rows. The dot-product kernel reduces the L lanes of each output
// across one register with shuffles, which at n = 64 cost about as much as
// the products; here the outputs lie along the vector and each lane of the
// canonical order is a register of its own: lane q of L outputs is the chain
// fma(wt row j, x[b][j] broadcast, lane) over j = q, q+L, ..., and the
// halving tree is vertical adds. Without every lane in registers at once
// (L per output vector and X row), the tree is evaluated depth first: two
// chains (lanes k and k+L/2, a node of the first level) at a time, and a
// node's sum as soon as both halves are done, which keeps log2(L)+1
// registers per X row live.
//
// A chain pair is straight-line code, its steps unrolled wtSteps at a time:
// the X elements of step st lie at constant displacements from one base
// register per X row, so each broadcast FMA keeps its load fused with it
// (an indexed address splits the two on Intel) and only wt's two pointers
// move. Rows longer than wtSteps*L elements loop over such groups.

// GP roles in MatVecsWT.
var (
	wtA, wtB, wtRem  = RAX, RBX, R13 // chain pointers into wt, elements of lane k's columns left; temporaries outside the chains
	wtBrem, wtY, wtV = R10, R11, R12 // X rows left, tile origin in Y, output column (bytes)
	wtN, wtLtL       = R14, R15      // n, L rows of wt (bytes)
)

// wtX holds the bases of the X rows of a tile (row 0: the tile's origin).
var wtX = []GPPhysical{RCX, RDX, RSI, RDI, R8, R9}

// wtRows is the X rows of a full MatVecsWT tile: five registers per row
// (float32) and two for wt fill the 32.
const wtRows = 6

// wtSteps is the steps of a chain unrolled in one group.
const wtSteps = 4

func matVecsWTKernel(t elem, s isa) {
	name := name("MatVecsWT", t, s)
	text(name, NOSPLIT, fmt.Sprintf("func(y []%[1]s, ldy int, wt []%[1]s, ldt int, x []%[1]s, ldx int, bias []%[1]s, m, nb, n int)", t.goType))
	done := "wt_done"
	Load(Param("m"), wtA)
	TESTQ(wtA, wtA)
	JLE(LabelRef(done))
	Load(Param("nb"), wtBrem)
	TESTQ(wtBrem, wtBrem)
	JLE(LabelRef(done))
	L := 64 / t.size
	scaleTo(t, "ldt", wtLtL)
	SHLQ(U8(mvLog2(L)), wtLtL)
	Load(Param("x").Base(), wtX[0])
	Load(Param("y").Base(), wtY)
	Load(Param("n"), wtN)

	Label("wt_bblock")
	CMPQ(wtBrem, U32(wtRows))
	JGE(LabelRef(fmt.Sprintf("wt_rb%d", wtRows)))
	dispatch(wtBrem, wtRows-1, func(v int) string { return fmt.Sprintf("wt_rb%d", v) })
	for rb := wtRows; rb >= 1; rb-- {
		wtRowBlock(t, s, rb)
	}
	Label(done)
	ret()
}

// wtRowBlock emits the walk over the output vectors for a block of rb X
// rows.
func wtRowBlock(t elem, s isa, rb int) {
	p := fmt.Sprintf("wt_rb%d", rb)
	L := 64 / t.size
	Label(p)
	xr := wtX[:rb]
	if rb > 1 {
		Comment("The bases of X rows 1..rb-1.")
		scaleTo(t, "ldx", wtA)
		for r := 1; r < rb; r++ {
			LEAQ(Mem{Base: xr[r-1], Index: wtA, Scale: 1}, xr[r])
		}
	}
	XORQ(wtV, wtV)
	Label(p + "_v")
	Comment("K1: the outputs of this vector, min(L, m - column).")
	Load(Param("m"), wtA)
	SHLQ(U8(t.shift()), wtA)
	SUBQ(wtV, wtA)
	SHRQ(U8(t.shift()), wtA)
	CMPQ(wtA, U32(L))
	JLT(LabelRef(p + "_part"))
	MOVQ(U32(L), wtA)
	Label(p + "_part")
	m := mvWindow(t, wtA, wtB)
	if t.size == 8 {
		VMOVDQU64(m, s.regs[0])
		VPMOVQ2M(s.regs[0], K1)
	} else {
		VMOVDQU32(m, s.regs[0])
		VPMOVD2M(s.regs[0], K1)
	}

	// Registers: a free list; a node's value is one register per X row.
	free := append([]VecPhysical{}, s.regs...)
	alloc := func() []VecPhysical {
		r := free[len(free)-rb:]
		free = free[:len(free)-rb]
		return append([]VecPhysical{}, r...)
	}
	release := func(r []VecPhysical) { free = append(free, r...) }
	wv := []VecPhysical{free[0], free[1]}
	free = free[2:]
	// fma adds w times element off (bytes) of each X row to acc.
	fma := func(w VecPhysical, acc []VecPhysical, off int) {
		for r := range rb {
			if t.size == 8 {
				VFMADD231PD_BCST(Mem{Base: xr[r]}.Offset(off), w, acc[r])
			} else {
				VFMADD231PS_BCST(Mem{Base: xr[r]}.Offset(off), w, acc[r])
			}
		}
	}
	// pair emits lanes k and k+L/2 of every row and returns their sum.
	pair := func(k int) []VecPhysical {
		a, b := alloc(), alloc()
		q := fmt.Sprintf("%s_k%d", p, k)
		Commentf("Lanes %d and %d.", k, k+L/2)
		for r := range rb {
			t.xor(a[r], a[r], a[r])
			t.xor(b[r], b[r], b[r])
		}
		Load(Param("wt").Base(), wtA)
		ADDQ(wtV, wtA)
		scaleTo(t, "ldt", wtB)
		if k > 0 {
			IMUL3Q(U32(k), wtB, wtRem)
			ADDQ(wtRem, wtA)
		}
		IMUL3Q(U32(L/2), wtB, wtB)
		ADDQ(wtA, wtB)
		MOVQ(wtN, wtRem)
		if k > 0 {
			SUBQ(U32(k), wtRem)
		}
		// Step st reads wt rows st*L on from the pointers: (A) and
		// (A)(LtL) for even and odd steps, the pointers moving two steps
		// on after each odd one.
		wtRow := func(base GPPhysical, st int) Mem {
			if st%2 == 1 {
				return Mem{Base: base, Index: wtLtL, Scale: 1}
			}
			return Mem{Base: base}
		}
		Label(q + "_group")
		for st := range wtSteps {
			CMPQ(wtRem, U32(st*L+L/2))
			JLE(LabelRef(fmt.Sprintf("%s_tail%d", q, st)))
			t.movuZ(wtRow(wtA, st), K1, wv[0])
			t.movuZ(wtRow(wtB, st), K1, wv[1])
			fma(wv[0], a, (k+st*L)*t.size)
			fma(wv[1], b, (k+st*L+L/2)*t.size)
			if st%2 == 1 {
				LEAQ(Mem{Base: wtA, Index: wtLtL, Scale: 2}, wtA)
				LEAQ(Mem{Base: wtB, Index: wtLtL, Scale: 2}, wtB)
			}
		}
		Commentf("Rows longer than %d elements: the next group.", wtSteps*L)
		CMPQ(wtRem, U32(wtSteps*L))
		JLE(LabelRef(q + "_sum"))
		SUBQ(U32(wtSteps*L), wtRem)
		for _, r := range xr {
			ADDQ(U32(wtSteps*L*t.size), r)
		}
		JMP(LabelRef(q + "_group"))
		for st := range wtSteps {
			Label(fmt.Sprintf("%s_tail%d", q, st))
			if st == 0 {
				Comment("Lane k may have one element more than lane k+L/2.")
			}
			CMPQ(wtRem, U32(st*L))
			JLE(LabelRef(q + "_sum"))
			t.movuZ(wtRow(wtA, st), K1, wv[0])
			fma(wv[0], a, (k+st*L)*t.size)
			if st < wtSteps-1 {
				JMP(LabelRef(q + "_sum"))
			}
		}
		Label(q + "_sum")
		Comment("X's bases back where the groups took them from.")
		MOVQ(wtN, wtA)
		SUBQ(wtRem, wtA)
		if k > 0 {
			SUBQ(U32(k), wtA)
		}
		JEQ(LabelRef(q + "_add"))
		SHLQ(U8(t.shift()), wtA)
		for _, r := range xr {
			SUBQ(wtA, r)
		}
		Label(q + "_add")
		for r := range rb {
			t.add(b[r], a[r], a[r])
		}
		release(b)
		return a
	}
	// node returns the value of node k of tree level lv: lane k for 0,
	// then node(lv-1, k) + node(lv-1, k + L>>lv).
	var node func(lv, k int) []VecPhysical
	node = func(lv, k int) []VecPhysical {
		if lv == 1 {
			return pair(k)
		}
		a := node(lv-1, k)
		b := node(lv-1, k+L>>lv)
		for r := range rb {
			t.add(b[r], a[r], a[r])
		}
		release(b)
		return a
	}
	res := node(mvLog2(L), 0)

	lbl := p + "_st"
	Load(Param("bias").Len(), wtA)
	TESTQ(wtA, wtA)
	JEQ(LabelRef(lbl))
	Comment("Bias: one rounding, s + bias[i].")
	Load(Param("bias").Base(), wtA)
	t.movuZ(Mem{Base: wtA, Index: wtV, Scale: 1}, K1, wv[0])
	for r := range rb {
		t.add(wv[0], res[r], res[r])
	}
	Label(lbl)
	for r := range rb {
		base := wtY
		if r > 0 {
			Load(Param("ldy"), wtA)
			IMUL3Q(U32(r*t.size), wtA, wtA)
			ADDQ(wtY, wtA)
			base = wtA
		}
		t.movu(res[r], K1, Mem{Base: base, Index: wtV, Scale: 1})
	}
	ADDQ(U32(L*t.size), wtV)
	Load(Param("m"), wtA)
	SHLQ(U8(t.shift()), wtA)
	CMPQ(wtV, wtA)
	JLT(LabelRef(p + "_v"))

	Comment("Down rb rows of X and Y.")
	Load(Param("ldy"), wtA)
	IMUL3Q(U32(rb*t.size), wtA, wtA)
	ADDQ(wtA, wtY)
	scaleTo(t, "ldx", wtA)
	mulAdd(wtX[0], wtA, wtB, rb)
	SUBQ(U32(rb), wtBrem)
	JNE(LabelRef("wt_bblock"))
	JMP(LabelRef("wt_done"))
}
