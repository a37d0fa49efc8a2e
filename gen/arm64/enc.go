package main

import "fmt"

// This file encodes the NEON instructions the Go assembler cannot spell. Each
// encoder assembles the instruction word from the opcode fields of the Arm
// Architecture Reference Manual (DDI 0487, section C7.2) and the register
// numbers, and returns it with its GNU mnemonic. testdata/encodings.txt holds
// the words aarch64-linux-gnu-as gives for the same mnemonics, and
// enc_test.go compares the two.

// Prec is the floating-point precision of an instruction.
type Prec int

// The precisions.
const (
	Single Prec = iota // float32: S registers, 4S vectors
	Double             // float64: D registers, 2D vectors
)

// sz is the precision bit (bit 22) of the floating-point SIMD encodings.
func (p Prec) sz() uint32 {
	if p == Double {
		return 1
	}
	return 0
}

// vec is the GNU arrangement of a full 128-bit vector of p.
func (p Prec) vec() string {
	if p == Double {
		return "2d"
	}
	return "4s"
}

// pair is the GNU arrangement of the two lanes a scalar pairwise op reads.
func (p Prec) pair() string {
	if p == Double {
		return "2d"
	}
	return "2s"
}

// scalar is the GNU name prefix of a scalar register of p.
func (p Prec) scalar() string {
	if p == Double {
		return "d"
	}
	return "s"
}

// Inst is one instruction emitted as WORD: its encoding and its GNU mnemonic
// (the exact text aarch64-linux-gnu-as accepts and objdump prints).
type Inst struct {
	Word uint32
	Asm  string
}

// reg checks a register number and returns it as a 5-bit field.
func reg(r int) uint32 {
	if r < 0 || r > 31 {
		panic(fmt.Sprintf("register V%d out of range", r))
	}
	return uint32(r)
}

// threeSameFP encodes "Advanced SIMD three same" with a floating-point
// opcode (C4.1.69):
//
//	31 30 29 28-24 23 22 21 20-16 15-11  10 9-5 4-0
//	0  Q  U  01110 a  sz 1  Rm    opcode 1  Rn  Rd
//
// Q is 1 (128-bit vectors).
func threeSameFP(u, a, opcode uint32, p Prec, rd, rn, rm int) uint32 {
	const q = 1
	return q<<30 | u<<29 | 0b01110<<24 | a<<23 | p.sz()<<22 | 1<<21 |
		reg(rm)<<16 | opcode<<11 | 1<<10 | reg(rn)<<5 | reg(rd)
}

// FADD is fadd vd, vn, vm (vector): Vd[i] = Vn[i] + Vm[i].
// U=0, a=0, opcode=11010.
func FADD(p Prec, rd, rn, rm int) Inst {
	return Inst{
		Word: threeSameFP(0, 0, 0b11010, p, rd, rn, rm),
		Asm:  fmt.Sprintf("fadd v%d.%s, v%d.%s, v%d.%s", rd, p.vec(), rn, p.vec(), rm, p.vec()),
	}
}

// FMUL is fmul vd, vn, vm (vector): Vd[i] = Vn[i] * Vm[i].
// U=1, a=0, opcode=11011.
func FMUL(p Prec, rd, rn, rm int) Inst {
	return Inst{
		Word: threeSameFP(1, 0, 0b11011, p, rd, rn, rm),
		Asm:  fmt.Sprintf("fmul v%d.%s, v%d.%s, v%d.%s", rd, p.vec(), rn, p.vec(), rm, p.vec()),
	}
}

// FSUB is fsub vd, vn, vm (vector): Vd[i] = Vn[i] - Vm[i]. U=0, a=1, opcode=11010.
func FSUB(p Prec, rd, rn, rm int) Inst { return three("fsub", 0, 1, 0b11010, p, rd, rn, rm) }

// FDIV is fdiv vd, vn, vm (vector): Vd[i] = Vn[i] / Vm[i]. U=1, a=0, opcode=11111.
func FDIV(p Prec, rd, rn, rm int) Inst { return three("fdiv", 1, 0, 0b11111, p, rd, rn, rm) }

// FMAX is fmax vd, vn, vm (vector), NaN if either is NaN. U=0, a=0, opcode=11110.
func FMAX(p Prec, rd, rn, rm int) Inst { return three("fmax", 0, 0, 0b11110, p, rd, rn, rm) }

// FMIN is fmin vd, vn, vm (vector), NaN if either is NaN. U=0, a=1, opcode=11110.
func FMIN(p Prec, rd, rn, rm int) Inst { return three("fmin", 0, 1, 0b11110, p, rd, rn, rm) }

// FCMEQ is fcmeq vd, vn, vm (register): all ones where Vn == Vm. U=0, a=0, opcode=11100.
func FCMEQ(p Prec, rd, rn, rm int) Inst { return three("fcmeq", 0, 0, 0b11100, p, rd, rn, rm) }

// FCMGE is fcmge vd, vn, vm (register): all ones where Vn >= Vm. U=1, a=0, opcode=11100.
func FCMGE(p Prec, rd, rn, rm int) Inst { return three("fcmge", 1, 0, 0b11100, p, rd, rn, rm) }

// FCMGT is fcmgt vd, vn, vm (register): all ones where Vn > Vm. U=1, a=1, opcode=11100.
func FCMGT(p Prec, rd, rn, rm int) Inst { return three("fcmgt", 1, 1, 0b11100, p, rd, rn, rm) }

func three(mn string, u, a, opcode uint32, p Prec, rd, rn, rm int) Inst {
	return Inst{
		Word: threeSameFP(u, a, opcode, p, rd, rn, rm),
		Asm:  fmt.Sprintf("%s v%d.%s, v%d.%s, v%d.%s", mn, rd, p.vec(), rn, p.vec(), rm, p.vec()),
	}
}

// twoMiscFP encodes "Advanced SIMD two-register miscellaneous" with a
// floating-point opcode (C4.1.72):
//
//	31 30 29 28-24 23 22 21-17 16-12  11-10 9-5 4-0
//	0  Q  U  01110 a  sz 10000 opcode 10    Rn  Rd
func twoMiscFP(mn string, u, a, opcode uint32, p Prec, rd, rn int) Inst {
	const q = 1
	return Inst{
		Word: q<<30 | u<<29 | 0b01110<<24 | a<<23 | p.sz()<<22 | 0b10000<<17 |
			opcode<<12 | 0b10<<10 | reg(rn)<<5 | reg(rd),
		Asm: fmt.Sprintf("%s v%d.%s, v%d.%s", mn, rd, p.vec(), rn, p.vec()),
	}
}

// FRINTN is frintn vd, vn: round to the nearest integer, ties to even.
// U=0, a=0, opcode=11000.
func FRINTN(p Prec, rd, rn int) Inst { return twoMiscFP("frintn", 0, 0, 0b11000, p, rd, rn) }

// FNEG is fneg vd, vn. U=1, a=1, opcode=01111.
func FNEG(p Prec, rd, rn int) Inst { return twoMiscFP("fneg", 1, 1, 0b01111, p, rd, rn) }

// FABS is fabs vd, vn. U=0, a=1, opcode=01111.
func FABS(p Prec, rd, rn int) Inst { return twoMiscFP("fabs", 0, 1, 0b01111, p, rd, rn) }

// FSQRT is fsqrt vd, vn: the correctly rounded square root. U=1, a=1,
// opcode=11111.
func FSQRT(p Prec, rd, rn int) Inst { return twoMiscFP("fsqrt", 1, 1, 0b11111, p, rd, rn) }

// The integer instructions below serve the 64-bit multiplies of SplitMix64
// (normal.go), which NEON lacks: each is encoded for the one arrangement
// used.

// MUL4S is mul vd.4s, vn.4s, vm.4s: the low 32 bits of each 32x32-bit
// product. "Advanced SIMD three same" (C4.1.69) with U=0, size=10,
// opcode=10011:
//
//	31 30 29 28-24 23-22 21 20-16 15-11 10 9-5 4-0
//	0  1  0  01110 10    1  Rm    10011 1  Rn  Rd
func MUL4S(rd, rn, rm int) Inst {
	return Inst{
		Word: 1<<30 | 0b01110<<24 | 0b10<<22 | 1<<21 | reg(rm)<<16 | 0b10011<<11 | 1<<10 | reg(rn)<<5 | reg(rd),
		Asm:  fmt.Sprintf("mul v%d.4s, v%d.4s, v%d.4s", rd, rn, rm),
	}
}

// UADDLP2D is uaddlp vd.2d, vn.4s: Vd[i] = Vn[2i] + Vn[2i+1] as 64-bit
// sums. "Advanced SIMD two-register miscellaneous" (C4.1.72) with U=1,
// size=10, opcode=00010:
//
//	31 30 29 28-24 23-22 21-17 16-12 11-10 9-5 4-0
//	0  1  1  01110 10    10000 00010 10    Rn  Rd
func UADDLP2D(rd, rn int) Inst {
	return Inst{
		Word: 1<<30 | 1<<29 | 0b01110<<24 | 0b10<<22 | 0b10000<<17 | 0b00010<<12 | 0b10<<10 | reg(rn)<<5 | reg(rd),
		Asm:  fmt.Sprintf("uaddlp v%d.2d, v%d.4s", rd, rn),
	}
}

// UMLALElem is umlal vd.2d, vn.2s, vm.s[i]: Vd[j] += Vn[j] * Vm[i], the
// 32x32 -> 64-bit products of the low half of Vn. "Advanced SIMD vector x
// indexed element" (C4.1.75) with Q=0, U=1, size=10, opcode=0010; the
// index is H:L and Rm takes M as its top bit:
//
//	31 30 29 28-24 23-22 21 20-16 15-12 11 10 9-5 4-0
//	0  0  1  01111 10    L  M:Rm  0010  H  0  Rn  Rd
func UMLALElem(rd, rn, rm, i int) Inst {
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("umlal: lane %d out of range", i))
	}
	l, h := uint32(i&1), uint32(i>>1)
	return Inst{
		Word: 1<<29 | 0b01111<<24 | 0b10<<22 | l<<21 | reg(rm)<<16 | 0b0010<<12 | h<<11 | reg(rn)<<5 | reg(rd),
		Asm:  fmt.Sprintf("umlal v%d.2d, v%d.2s, v%d.s[%d]", rd, rn, rm, i),
	}
}

// FADDPScalar is faddp (scalar): Sd/Dd = Vn[0] + Vn[1]. "Advanced SIMD
// scalar pairwise" (C4.1.62) with U=1, size=0:sz, opcode=01101:
//
//	31 30 29 28-24 23 22 21-17 16-12 11-10 9-5 4-0
//	0  1  1  11110 0  sz 11000 01101 10    Rn  Rd
func FADDPScalar(p Prec, rd, rn int) Inst {
	w := uint32(0b01)<<30 | 1<<29 | 0b11110<<24 | 0<<23 | p.sz()<<22 |
		0b11000<<17 | 0b01101<<12 | 0b10<<10 | reg(rn)<<5 | reg(rd)
	return Inst{
		Word: w,
		Asm:  fmt.Sprintf("faddp %s%d, v%d.%s", p.scalar(), rd, rn, p.pair()),
	}
}

// Repertoire lists instructions of every form the encoders produce, each
// register field swept through all 32 values while the others stay fixed.
// Together with the instructions of the generated file (allWords in enc_test.go) it is
// the set that testdata/encodings.txt must cover.
func Repertoire() []Inst {
	var out []Inst
	for _, p := range []Prec{Double, Single} {
		for _, op := range []func(Prec, int, int, int) Inst{FADD, FMUL, FSUB, FDIV, FMAX, FMIN, FCMEQ, FCMGE, FCMGT} {
			for r := 0; r < 32; r++ {
				out = append(out, op(p, r, 1, 2), op(p, 3, r, 4), op(p, 5, 6, r))
			}
		}
		for r := 0; r < 32; r++ {
			out = append(out, FADDPScalar(p, r, 7), FADDPScalar(p, 8, r))
		}
		for _, op := range []func(Prec, int, int) Inst{FRINTN, FNEG, FABS, FSQRT} {
			for r := 0; r < 32; r++ {
				out = append(out, op(p, r, 9), op(p, 10, r))
			}
		}
	}
	for r := 0; r < 32; r++ {
		out = append(out, MUL4S(r, 1, 2), MUL4S(3, r, 4), MUL4S(5, 6, r))
		out = append(out, UADDLP2D(r, 7), UADDLP2D(8, r))
		out = append(out, UMLALElem(r, 1, 2, 1), UMLALElem(3, r, 4, 1), UMLALElem(5, 6, r, 1))
	}
	for i := 0; i < 4; i++ {
		out = append(out, UMLALElem(7, 8, 9, i), UMLALElem(10, 11, 31, i))
	}
	return out
}
