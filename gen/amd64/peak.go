package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// peakAccs is the number of independent accumulators of the peak loop: two
// FMA ports times a latency of four cycles needs eight; twelve leaves room.
const peakAccs = 12

// peakSet emits PeakFMA{F64,F32}{AVX2,AVX512}: loops of independent fused
// multiply-adds on registers only, which the bench command times to measure
// this core's floating-point peak per tier.
func peakSet() {
	for _, t := range []elem{f64, f32} {
		for _, s := range []isa{avx2, avx512} {
			peak(t, s)
		}
	}
}

func peak(t elem, s isa) {
	lanes := s.width / t.size
	text(name("PeakFMA", t, s), NOSPLIT, "func(iters int)")
	Doc(
		fmt.Sprintf("%s runs iters iterations of %d independent %d-lane FMAs on registers", name("PeakFMA", t, s), peakAccs, lanes),
		fmt.Sprintf("(%d flops each), touching no memory: the bench command's measure of peak.", 2*lanes),
	)
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
