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

// readStream emits ReadStream<tier>: full-width loads of a buffer, each
// folded by XOR into one of eight accumulators (a one-cycle dependency, so
// the loads, not the folding, set the pace), the accumulators folded into
// the result at the end, so that every load counts.
func readStream(s isa) {
	fname := "ReadStream" + s.suffix
	text(fname, NOSPLIT, "func(buf []int) int")
	p := slicePtr("buf")
	n := Load(Param("buf").Len(), GP64()).(GPVirtual)
	SHRQ(U8(6), n) // blocks of streamBlock words
	const accs = 8
	acc := s.regs[:accs]
	for _, r := range acc {
		VPXOR(r.AsY(), r.AsY(), r.AsY()) // VEX zeroes the upper half
	}
	TESTQ(n, n)
	JEQ(LabelRef("fold"))
	Label("loop")
	for j := 0; j < streamBlock*8/s.width; j++ {
		m := Mem{Base: p}.Offset(j * s.width)
		if s.is512() {
			VPXORQ(m, acc[j%accs], acc[j%accs])
		} else {
			VPXOR(m, acc[j%accs], acc[j%accs])
		}
	}
	ADDQ(U32(streamBlock*8), p)
	DECQ(n)
	JNE(LabelRef("loop"))
	Label("fold")
	for k := accs / 2; k >= 1; k /= 2 {
		for j := 0; j < k; j++ {
			if s.is512() {
				VPXORQ(acc[j+k], acc[j], acc[j])
			} else {
				VPXOR(acc[j+k], acc[j], acc[j])
			}
		}
	}
	x := acc[0]
	if s.is512() {
		VEXTRACTI64X4(U8(1), x, acc[1].AsY())
		VPXOR(acc[1].AsY(), x.AsY(), x.AsY())
	}
	VEXTRACTI128(U8(1), x.AsY(), acc[1].AsX())
	VPXOR(acc[1].AsX(), x.AsX(), x.AsX())
	VPSHUFD(U8(0x4e), x.AsX(), acc[1].AsX())
	VPXOR(acc[1].AsX(), x.AsX(), x.AsX())
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
