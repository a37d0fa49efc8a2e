package main

import "fmt"

// peakAccs is the number of independent accumulators of the peak loop:
// enough chains to cover the FMLA latency on any core we know of.
const peakAccs = 24

// peakSet writes PeakFMAF64NEON and PeakFMAF32NEON: loops of independent
// fused multiply-adds on registers only, which the bench command times to
// measure this core's floating-point peak; and ReadStreamNEON, the load
// loop it times to measure read bandwidth.
func peakSet(a *asmFile) {
	defer readStream(a)
	for _, t := range types {
		name := "PeakFMA" + t.suffix + "NEON"
		doc := fmt.Sprintf(`%s runs iters iterations of %d independent %s FMLA
instructions on registers (%d flops each), touching no memory: the bench
command's measure of the peak floating-point throughput of one core.`,
			name, peakAccs, t.arr, 2*t.perReg())
		f := newFn(name, t.elem, doc, []param{{name: "iters", kind: kInt}}, nil)
		a.text(f)
		T := t.arr
		a.op("MOVD", f.arg("iters", ""), r(0))
		for q := 0; q < peakAccs+2; q++ {
			a.op("VEOR", v(q, "B16"), v(q, "B16"), v(q, "B16"))
		}
		a.op("CMP", "$0", r(0))
		a.op("BLE", "done")
		a.op("PCALIGN", imm(16))
		a.label("loop")
		for q := 0; q < peakAccs; q++ {
			a.op("VFMLA", v(peakAccs, T), v(peakAccs+1, T), v(q, T))
		}
		a.op("SUBS", imm(1), r(0))
		a.op("BNE", "loop")
		a.label("done")
		a.op("RET")
	}
}

// streamBlock is the words ReadStreamNEON reads per iteration (512 bytes, as
// on amd64).
const streamBlock = 64

// readStream writes ReadStreamNEON, the probe of gen/amd64's readStream:
// 64-byte LD1 loads of four registers from the two halves of the buffer in
// turn, into registers the next block overwrites (V0-V15 for the first half,
// V16-V31 for the second); only each half's last 64 bytes are folded into
// the result. The loads are plain: a fold per load would let the vector
// ALUs, not the loads, set the pace where they are as few as the load ports.
func readStream(a *asmFile) {
	name := "ReadStreamNEON"
	doc := fmt.Sprintf(`%s loads all of buf[0 : len(buf) - len(buf)%%%d] with 64-byte LD1
loads, as two streams (its halves, a load of each in turn), and returns the
XOR of the last 8 words of each half (the rest of buf is not read): the
bench command's probe of read bandwidth.`, name, streamBlock)
	f := newFn(name, "int", doc, []param{{name: "buf", kind: kSlice}}, &param{name: "ret", kind: kInt})
	a.text(f)
	a.op("MOVD", f.arg("buf", "base"), r(0))
	a.op("MOVD", f.arg("buf", "len"), r(1))
	a.op("LSR", imm(6), r(1), r(1))     // blocks of streamBlock words
	a.op("ADD", r(1)+"<<8", r(0), r(4)) // the second half: n half-blocks of 256 bytes on
	for _, q := range []int{12, 13, 14, 15, 28, 29, 30, 31} {
		a.op("VEOR", v(q, "B16"), v(q, "B16"), v(q, "B16")) // an empty buf gives 0
	}
	a.op("CBZ", r(1), "fold")
	a.op("PCALIGN", imm(16))
	a.label("loop")
	for j := 0; j < 4; j++ {
		a.op("VLD1.P", post(64, 0), vlist(4*j, 4, "B16"))
		a.op("VLD1.P", post(64, 4), vlist(16+4*j, 4, "B16"))
	}
	a.op("SUBS", imm(1), r(1))
	a.op("BNE", "loop")
	a.label("fold")
	for _, q := range []int{13, 14, 15, 28, 29, 30, 31} {
		a.op("VEOR", v(q, "B16"), v(12, "B16"), v(12, "B16"))
	}
	a.op("VMOV", lane(12, "D", 0), r(2))
	a.op("VMOV", lane(12, "D", 1), r(3))
	a.op("EOR", r(3), r(2), r(2))
	a.op("MOVD", r(2), f.arg("ret", ""))
	a.op("RET")
}
