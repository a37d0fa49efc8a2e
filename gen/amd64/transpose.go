package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// transposeSet emits Transpose4F64 and Transpose4F32: the 4x4-block
// transposes behind the triangular kernels' batch transposes (kernels/
// tri.go). They are pure data movement, so any implementation gives the
// same bits; VEX-encoded AVX (ymm for float64, xmm for float32), they serve
// the avx2 and avx512 tiers alike.
//
// Strides are signed, so a block can be written or read with its rows in
// reverse order (the backward substitution's virtual columns); hence the
// pointer arguments: the Go caller checks that every element is inside its
// slice.
func transposeSet() {
	for _, t := range []elem{f64, f32} {
		transpose4(t)
	}
}

func transpose4(t elem) {
	fn := "Transpose4" + t.suffix
	text(fn, NOSPLIT, fmt.Sprintf("func(dst *%[1]s, ldd int, src *%[1]s, lds int, rows, cols int)", t.goType))
	dst, src := slicePtrArg("dst"), slicePtrArg("src")
	ldd, lds := GP64(), GP64()
	Load(Param("ldd"), ldd)
	Load(Param("lds"), lds)
	SHLQ(U8(t.shift()), ldd) // bytes
	SHLQ(U8(t.shift()), lds)
	rows, cols := GP64(), GP64()
	Load(Param("rows"), rows)
	Load(Param("cols"), cols)
	TESTQ(rows, rows)
	JLE(LabelRef("done"))
	TESTQ(cols, cols)
	JLE(LabelRef("done"))
	lds3, ldd3 := GP64(), GP64() // 3*stride: the fourth row of a block
	LEAQ(Mem{Base: lds, Index: lds, Scale: 2}, lds3)
	LEAQ(Mem{Base: ldd, Index: ldd, Scale: 2}, ldd3)

	// Row blocks of src (r0 += 4) are the outer loop: the four src rows of a
	// block are read in order while the cols/4 blocks of dst rows they feed
	// (four lines each) stay in L1.
	Comment("Outer loop: four rows of src at a time.")
	Label("rowblock")
	s, d, c := GP64(), GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	MOVQ(cols, c)
	Label("colblock")
	in, tmp := []VecPhysical{Y0, Y1, Y2, Y3}, []VecPhysical{Y4, Y5, Y6, Y7}
	rowAt := func(base GPVirtual, ld, ld3 GPVirtual, i int) Mem {
		switch i {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: ld, Scale: 1}
		case 2:
			return Mem{Base: base, Index: ld, Scale: 2}
		}
		return Mem{Base: base, Index: ld3, Scale: 1}
	}
	if t.size == 8 {
		for i, r := range in {
			VMOVUPD(rowAt(s, lds, lds3, i), r)
		}
		// Pairs within 128-bit halves, then the halves across.
		VUNPCKLPD(in[1], in[0], tmp[0]) // r0[0] r1[0] r0[2] r1[2]
		VUNPCKHPD(in[1], in[0], tmp[1]) // r0[1] r1[1] r0[3] r1[3]
		VUNPCKLPD(in[3], in[2], tmp[2]) // r2[0] r3[0] r2[2] r3[2]
		VUNPCKHPD(in[3], in[2], tmp[3]) // r2[1] r3[1] r2[3] r3[3]
		VPERM2F128(U8(0x20), tmp[2], tmp[0], in[0])
		VPERM2F128(U8(0x20), tmp[3], tmp[1], in[1])
		VPERM2F128(U8(0x31), tmp[2], tmp[0], in[2])
		VPERM2F128(U8(0x31), tmp[3], tmp[1], in[3])
		for i, r := range in {
			VMOVUPD(r, rowAt(d, ldd, ldd3, i))
		}
	} else {
		x := func(v []VecPhysical) []Register {
			out := make([]Register, len(v))
			for i, r := range v {
				out[i] = r.AsX()
			}
			return out
		}
		in, tmp := x(in), x(tmp)
		for i, r := range in {
			VMOVUPS(rowAt(s, lds, lds3, i), r)
		}
		VUNPCKLPS(in[1], in[0], tmp[0]) // r0[0] r1[0] r0[1] r1[1]
		VUNPCKHPS(in[1], in[0], tmp[1]) // r0[2] r1[2] r0[3] r1[3]
		VUNPCKLPS(in[3], in[2], tmp[2]) // r2[0] r3[0] r2[1] r3[1]
		VUNPCKHPS(in[3], in[2], tmp[3]) // r2[2] r3[2] r2[3] r3[3]
		VMOVLHPS(tmp[2], tmp[0], in[0]) // low halves: column 0
		VMOVHLPS(tmp[0], tmp[2], in[1]) // high halves: column 1
		VMOVLHPS(tmp[3], tmp[1], in[2])
		VMOVHLPS(tmp[1], tmp[3], in[3])
		for i, r := range in {
			VMOVUPS(r, rowAt(d, ldd, ldd3, i))
		}
	}
	ADDQ(U8(4*t.size), s)                       // next four columns of src
	LEAQ(Mem{Base: d, Index: ldd, Scale: 4}, d) // next four rows of dst
	SUBQ(U8(4), c)
	JGT(LabelRef("colblock"))

	LEAQ(Mem{Base: src, Index: lds, Scale: 4}, src) // next four rows of src
	ADDQ(U8(4*t.size), dst)                         // next four columns of dst
	SUBQ(U8(4), rows)
	JGT(LabelRef("rowblock"))
	Label("done")
	ret()
}

// slicePtrArg loads pointer parameter p.
func slicePtrArg(p string) GPVirtual {
	return Load(Param(p), GP64()).(GPVirtual)
}
