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

// readStream writes ReadStreamNEON: 64-byte LD1 loads of four registers
// each, every register folded by EOR into one of sixteen accumulators (V16
// to V31), which are folded into the result at the end, so that every load
// counts.
func readStream(a *asmFile) {
	name := "ReadStreamNEON"
	doc := fmt.Sprintf(`%s returns the XOR of buf[0 : len(buf) - len(buf)%%%d], read with
64-byte LD1 loads from first to last (the rest of buf is not read): the
bench command's probe of read bandwidth.`, name, streamBlock)
	f := newFn(name, "int", doc, []param{{name: "buf", kind: kSlice}}, &param{name: "ret", kind: kInt})
	a.text(f)
	const acc = 16
	a.op("MOVD", f.arg("buf", "base"), r(0))
	a.op("MOVD", f.arg("buf", "len"), r(1))
	a.op("LSR", imm(6), r(1), r(1)) // blocks of streamBlock words
	for q := acc; q < 2*acc; q++ {
		a.op("VEOR", v(q, "B16"), v(q, "B16"), v(q, "B16"))
	}
	a.op("CBZ", r(1), "fold")
	a.op("PCALIGN", imm(16))
	a.label("loop")
	for half := 0; half < streamBlock*8/(acc*16); half++ {
		for q := 0; q < acc; q += 4 {
			a.op("VLD1.P", post(64, 0), vlist(q, 4, "B16"))
		}
		for q := 0; q < acc; q++ {
			a.op("VEOR", v(q, "B16"), v(acc+q, "B16"), v(acc+q, "B16"))
		}
	}
	a.op("SUBS", imm(1), r(1))
	a.op("BNE", "loop")
	a.label("fold")
	for k := acc / 2; k >= 1; k /= 2 {
		for q := 0; q < k; q++ {
			a.op("VEOR", v(acc+q+k, "B16"), v(acc+q, "B16"), v(acc+q, "B16"))
		}
	}
	a.op("VMOV", lane(acc, "D", 0), r(2))
	a.op("VMOV", lane(acc, "D", 1), r(3))
	a.op("EOR", r(3), r(2), r(2))
	a.op("MOVD", r(2), f.arg("ret", ""))
	a.op("RET")
}
