package main

import "fmt"

// peakAccs is the number of independent accumulators of the peak loop:
// enough chains to cover the FMLA latency on any core we know of.
const peakAccs = 24

// peakSet writes PeakFMAF64NEON and PeakFMAF32NEON: loops of independent
// fused multiply-adds on registers only, which the bench command times to
// measure this core's floating-point peak.
func peakSet(a *asmFile) {
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
