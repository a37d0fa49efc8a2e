package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// peakAccs is the number of independent accumulators of the peak loop: two
// FMA ports times a latency of four cycles needs eight; twelve leaves room.
const peakAccs = 12

// peakSet emits PeakFMA{F64,F32}{AVX2,AVX512}: loops of independent fused
// multiply-adds on registers only, which the bench command times to measure
// this core's floating-point peak per tier; and ReadStream{AVX2,AVX512}, the
// load loop it times to measure read bandwidth.
func peakSet() {
	for _, t := range []elem{f64, f32} {
		for _, s := range []isa{avx2, avx512} {
			peak(t, s)
		}
	}
	for _, s := range []isa{avx2, avx512} {
		readStream(s)
	}
}

// streamBlock is the words ReadStream reads per iteration (512 bytes, on
// every tier and architecture).
const streamBlock = 64

// readStream emits ReadStream<tier>: full-width loads of the two halves of a
// buffer, one load of each in turn (as Dot and Axpy read x and y), into
// registers that the next block's loads overwrite; only each half's last
// 64 bytes are folded into the result, which tells that the loop reached
// both ends. The loads are plain moves: the CPU executes every one whether
// or not its value is used. The first probe folded each load by XOR into an
// accumulator and read one stream; on Emerald Rapids (Golden Cove) that ran
// at 0.6-0.8x of Dot's rate, so Dot beat its roof (docs/perf-notes.md).
func readStream(s isa) {
	fname := "ReadStream" + s.suffix
	text(fname, NOSPLIT, "func(buf []int) int")
	p := slicePtr("buf")
	n := Load(Param("buf").Len(), GP64()).(GPVirtual)
	SHRQ(U8(6), n) // blocks of streamBlock words: a half-block of each half per iteration
	q := GP64()
	MOVQ(n, q)
	SHLQ(U8(8), q) // the second half starts at n half-blocks of 256 bytes
	ADDQ(p, q)
	per := streamBlock * 8 / 2 / s.width // loads of each half per iteration
	regs := s.regs[:2*per]
	last := regs[2*per-2*64/s.width:] // the loads of each half's last 64 bytes
	for _, r := range last {
		VPXOR(r.AsY(), r.AsY(), r.AsY()) // VEX zeroes the upper half: an empty buf gives 0
	}
	TESTQ(n, n)
	JEQ(LabelRef("fold"))
	Label("loop")
	for j := range per {
		for h, base := range []Register{p, q} {
			m := Mem{Base: base}.Offset(j * s.width)
			if s.is512() {
				VMOVDQU64(m, regs[2*j+h])
			} else {
				VMOVDQU(m, regs[2*j+h].AsY())
			}
		}
	}
	ADDQ(U32(streamBlock*8/2), p)
	ADDQ(U32(streamBlock*8/2), q)
	DECQ(n)
	JNE(LabelRef("loop"))
	Label("fold")
	x, y := last[0], last[1]
	if s.is512() {
		VPXORQ(y, x, x)
		VEXTRACTI64X4(U8(1), x, y.AsY())
		VPXOR(y.AsY(), x.AsY(), x.AsY())
	} else {
		for _, r := range last[1:] {
			VPXOR(r.AsY(), x.AsY(), x.AsY())
		}
	}
	VEXTRACTI128(U8(1), x.AsY(), y.AsX())
	VPXOR(y.AsX(), x.AsX(), x.AsX())
	VPSHUFD(U8(0x4e), x.AsX(), y.AsX())
	VPXOR(y.AsX(), x.AsX(), x.AsX())
	r := GP64()
	VMOVQ(x.AsX(), r)
	Store(r, ReturnIndex(0))
	ret()
}

func peak(t elem, s isa) {
	text(name("PeakFMA", t, s), NOSPLIT, "func(iters int)")
	n := Load(Param("iters"), GP64())
	acc := s.regs[:peakAccs]
	x, y := s.regs[peakAccs], s.regs[peakAccs+1]
	for _, r := range append([]VecPhysical{x, y}, acc...) {
		VXORPS(r.AsX(), r.AsX(), r.AsX()) // VEX zeroes the whole register
	}
	TESTQ(n, n)
	JLE(LabelRef("done"))
	Label("loop")
	for _, r := range acc {
		t.fma231(x, y, r)
	}
	DECQ(n)
	JNE(LabelRef("loop"))
	Label("done")
	ret()
}
