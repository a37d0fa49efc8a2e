// Command amd64 is the avo program that writes flowkern's AVX2 and AVX-512
// kernels: one assembly file and one declarations file per kernel set, e.g.
// asm/vec_amd64.s and asm/vec_amd64.go for -set vec (run by go generate in
// asm/). The shared helpers live here; each set has its own file.
//
// Every kernel reproduces internal/ref bit for bit. Reductions keep L lanes
// (32 for float64, 64 for float32): four 512-bit or eight 256-bit
// accumulators, vector j of each L-element block feeding accumulator j.
// Tails run through masks (opmasks on AVX-512, VMASKMOV + blend on AVX2), so
// no kernel reads or writes past n and an untouched lane keeps its bits.
//
// Vector registers are physical, not avo virtuals: avo's allocator may hand
// out X16-X31, which the VEX-only AVX2 tier cannot encode or run.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/flowkern/flowkern/gen/manifest"
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// elem describes an element type and the instructions that act on it.
type elem struct {
	suffix  string // F64, F32
	goType  string // float64, float32
	size    int    // bytes per element
	lanes   int    // L, partial sums of a reduction
	movu    func(...Op)
	movuZ   func(mxyz, k, mxyz1 Op)
	maskmov func(mxy, xy, mxy1 Op)
	blendv  func(xy, mxy, xy1, xy2 Op)
	bcast   func(...Op)
	add     func(...Op)
	mul     func(...Op)
	fma231  func(...Op)
	fma231b func(...Op) // AVX-512's FMA with an embedded broadcast
	fma213  func(...Op)
	movs    func(...Op) // scalar store of the result
	testm   func(...Op) // VPTESTMQ / VPTESTMD: opmask from a mask vector
}

var f64 = elem{
	suffix: "F64", goType: "float64", size: 8, lanes: 32,
	movu: VMOVUPD, movuZ: VMOVUPD_Z, maskmov: VMASKMOVPD, blendv: VBLENDVPD,
	bcast: VBROADCASTSD, add: VADDPD, mul: VMULPD, fma231: VFMADD231PD, fma231b: VFMADD231PD_BCST,
	fma213: VFMADD213PD, movs: VMOVSD, testm: VPTESTMQ,
}

var f32 = elem{
	suffix: "F32", goType: "float32", size: 4, lanes: 64,
	movu: VMOVUPS, movuZ: VMOVUPS_Z, maskmov: VMASKMOVPS, blendv: VBLENDVPS,
	bcast: VBROADCASTSS, add: VADDPS, mul: VMULPS, fma231: VFMADD231PS, fma231b: VFMADD231PS_BCST,
	fma213: VFMADD213PS, movs: VMOVSS, testm: VPTESTMD,
}

// isa describes a tier: its vector width and registers.
type isa struct {
	suffix string // AVX2, AVX512
	width  int    // vector bytes
	regs   []VecPhysical
}

var avx2 = isa{
	suffix: "AVX2", width: 32,
	regs: []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15},
}

var avx512 = isa{
	suffix: "AVX512", width: 64,
	regs: []VecPhysical{
		Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31,
	},
}

func (s isa) is512() bool { return s.width == 64 }

// opmasks for the AVX-512 tails; K0 means "no mask" in EVEX, so it is not used.
var opmasks = []OpmaskPhysical{K1, K2, K3, K4, K5, K6, K7}

// maskTable backs the tail masks: 256 bytes of ones, then 256 of zeros. The
// vector at tab+256-r*size+width*j is the mask of vector j of a tail of r
// elements: all ones in element l iff j*lanes+l < r (see maskWindow).
var maskTable Mem

// sets maps each -set name to the function that emits its kernels. Each
func main() {
	set := flag.String("set", "", "kernel set to generate (one .s file each): "+strings.Join(setNames(), ", "))
	flag.Parse() // avo's own flags (-out, -stubs, -pkg) are on the same flag set
	gen, ok := sets[*set]
	if !ok {
		fmt.Fprintf(os.Stderr, "gen/amd64: -set %q is not one of %s\n", *set, strings.Join(setNames(), ", "))
		os.Exit(2)
	}
	ConstraintExpr("!purego,!noasm") // old +build syntax: "," is AND
	setPrefix = *set
	gen()
	if miss := manifest.Missing(*set, "amd64"); len(miss) > 0 {
		fmt.Fprintf(os.Stderr, "gen/amd64: -set %s does not emit %s of the manifest\n", *set, strings.Join(miss, ", "))
		os.Exit(1)
	}
	Generate()
}

func setNames() []string {
	var names []string
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// setPrefix names the set being generated; data symbols carry it, because
// every .s file of package asm shares one symbol namespace.
var setPrefix string

// tailMask returns the mask table (see maskTable), emitting it on first use.
func tailMask() Mem {
	if maskTable.Symbol.Name == "" {
		maskTable = GLOBL(setPrefix+"tailmask", RODATA|NOPTR)
		for off := 0; off < 512; off += 8 {
			v := uint64(0)
			if off < 256 {
				v = ^uint64(0)
			}
			DATA(off, U64(v))
		}
	}
	return maskTable
}

// name returns the symbol of kernel k for t and s, e.g. DotF64AVX2.
func name(k string, t elem, s isa) string { return k + t.suffix + s.suffix }

// text starts kernel name (DotF64AVX2), which must be a row of the
// manifest with this signature: NOSPLIT with no frame (the signature fixes
// the argument size), and //go:noescape on the stub, which avo does not add
// by itself: the kernels keep no pointer past the call. The symbol is
// unexported (dotF64AVX2); asm/checked_amd64.go (gen/wire) exports the
// checked entry point.
func text(name string, a attr.Attribute, sig string) {
	TEXT(manifest.Raw(name), a, sig)
	Doc(manifest.StubDoc(name, strings.TrimPrefix(sig, "func"))...)
	Pragma("noescape")
}

// ret clears the upper vector state (no AVX-SSE transition penalty in the
// caller) and returns.
func ret() {
	VZEROUPPER()
	RET()
}

// loop emits the walk over n elements, blockElems at a time with unroll
// blocks per main-loop iteration:
//
//	main:   while n >= unroll*blockElems: block(0..unroll-1), advance
//	single: while n >= blockElems: block(0), advance
//	tail:   if n > 0: tail() with 0 < n < blockElems
//
// block(u) handles the u-th block at byte offset u*blockElems*size from ptrs.
// n and ptrs are clobbered; tail() runs with n holding the remainder.
func loop(t elem, n GPVirtual, ptrs []GPVirtual, blockElems, unroll int, block func(u int), tail func()) {
	step := unroll * blockElems
	SUBQ(U32(step), n)
	JCS(LabelRef("single"))
	Label("main")
	for u := 0; u < unroll; u++ {
		block(u)
	}
	for _, p := range ptrs {
		ADDQ(U32(step*t.size), p)
	}
	SUBQ(U32(step), n)
	JCC(LabelRef("main"))

	Label("single")
	ADDQ(U32(step), n)
	if unroll > 1 {
		// At most unroll-1 blocks are left.
		Label("block")
		CMPQ(n, U32(blockElems))
		JCS(LabelRef("tail"))
		block(0)
		for _, p := range ptrs {
			ADDQ(U32(blockElems*t.size), p)
		}
		SUBQ(U32(blockElems), n)
		JMP(LabelRef("block"))
	}

	Label("tail")
	TESTQ(n, n)
	JEQ(LabelRef("done"))
	tail()
	Label("done")
}

// maskWindow returns the address of the mask window for a tail of n
// elements, 0 < n*size < 256: the vector at Offset(j*width) is all ones in
// element l iff j*lanes+l < n, else zero. Every tail here spans at most 256
// bytes of vectors, so each window stays inside the table. Clobbers n.
func maskWindow(t elem, n GPVirtual) Mem {
	base := GP64()
	LEAQ(tailMask().Offset(256), base)
	NEGQ(n)
	LEAQ(Mem{Base: base, Index: n, Scale: uint8(t.size)}, base)
	return Mem{Base: base}
}

// kmasks sets opmasks[j] for vectors j = 0..vecs-1 of an AVX-512 tail of n
// elements: bit l of mask j is set iff element j*lanes+l < n. It tests the
// mask window against all ones (AVX512F only; BZHI would need BMI2, which
// the avx512 tier does not check). ones is a scratch register; clobbers n.
func kmasks(t elem, s isa, n GPVirtual, vecs int, ones VecPhysical) {
	m := maskWindow(t, n)
	VPTERNLOGD(U8(0xff), ones, ones, ones)
	for j := 0; j < vecs; j++ {
		t.testm(m.Offset(j*s.width), ones, opmasks[j])
	}
}

// slicePtr loads the base pointer of slice parameter p.
func slicePtr(p string) GPVirtual {
	return Load(Param(p).Base(), GP64()).(GPVirtual)
}

// addr returns the memory operand of the scalar parameter or result c.
func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
