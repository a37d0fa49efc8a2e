package vmathalg

import "fmt"

// Kind is the operation of one program step.
type Kind int

// The operations, one per Builder method (Input is the function's argument).
const (
	Input Kind = iota
	Const
	Add
	Sub
	Mul
	Div
	FMA
	RoundEven
	Abs
	CopySign
	Min
	Max
	Neg
	Gt
	Ge
	Eq
	Select
	Pow2
	Scale
	SplitM
	SplitE
	Param // a scalar argument of the kernel (F: its index), in every lane
	Exp   // ref.Exp64/Exp32, emitted by each backend's own Exp
	Log   // ref.Log64/Log32, emitted by each backend's own Log
	Sqrt  // the square root, correctly rounded (IEEE)
	FNMA  // fma(-a, b, c), one rounding: only in a program of FoldNeg
)

var kindNames = [...]string{"Input", "Const", "Add", "Sub", "Mul", "Div", "FMA", "RoundEven", "Abs",
	"CopySign", "Min", "Max", "Neg", "Gt", "Ge", "Eq", "Select", "Pow2", "Scale", "SplitM", "SplitE", "Param", "Exp", "Log", "Sqrt", "FNMA"}

func (k Kind) String() string { return kindNames[k] }

// IsMask reports whether the step produces a lane mask.
func (k Kind) IsMask() bool { return k == Gt || k == Ge || k == Eq }

// Op is one step: its operation, the steps it reads, and the value of a
// Const (already rounded to the element type) or the index of an Input or
// Param.
type Op struct {
	Kind Kind
	Args []int
	F    float64
}

// Program is one function as straight-line steps; step i defines value i.
// Results are the values it returns (Result is the first); LastUse[i] is the
// last step that reads value i (-1: none; len(Ops) for a result).
type Program struct {
	Ops     []Op
	Result  int
	Results []int
	LastUse []int
}

// Record runs the algorithm of the named function for one element type and
// returns its steps.
func Record(name string, is64 bool) *Program {
	return record(is64, func(b Builder) []V { return []V{Funcs[name](b, b.In(0))} })
}

// RecordKernel records a kernel of several streams (see Kernels).
func RecordKernel(k Kernel, is64 bool) *Program { return record(is64, k.Build) }

func record(is64 bool, build func(b Builder) []V) *Program {
	r := &recorder{is64: is64, ins: map[int]V{}, params: map[int]V{}}
	res := build(r)
	p := &Program{Ops: r.ops, Result: int(res[0])}
	for _, v := range res {
		p.Results = append(p.Results, int(v))
	}
	p.setLastUse()
	return p
}

func (p *Program) setLastUse() {
	p.LastUse = make([]int, len(p.Ops))
	for i := range p.LastUse {
		p.LastUse[i] = -1
	}
	for i, op := range p.Ops {
		for _, a := range op.Args {
			p.LastUse[a] = i
		}
	}
	for _, v := range p.Results {
		p.LastUse[v] = len(p.Ops) // live to the end
	}
}

// FoldNeg returns p with each FMA whose first factor is a Neg written as
// an FNMA of the Neg's argument, where every read of that Neg is the
// first factor of an FMA: fma(-a, b, c) and -(a*b) + c are the same one
// rounding. A folded Neg stays in place, never read (LastUse -1), and a
// backend with a fused negated multiply-add emits nothing for it: the
// negated value then holds no register and costs no instruction.
func (p *Program) FoldNeg() *Program {
	q := &Program{Ops: make([]Op, len(p.Ops)), Result: p.Result, Results: p.Results}
	copy(q.Ops, p.Ops)
	foldable := func(k int) bool {
		if p.Ops[k].Kind != Neg || p.IsResult(k) {
			return false
		}
		for _, op := range p.Ops {
			for j, a := range op.Args {
				if a == k && (op.Kind != FMA || j != 0 || op.Args[1] == k || op.Args[2] == k) {
					return false
				}
			}
		}
		return true
	}
	for i, op := range q.Ops {
		if op.Kind == FMA && foldable(op.Args[0]) {
			q.Ops[i] = Op{Kind: FNMA, Args: []int{p.Ops[op.Args[0]].Args[0], op.Args[1], op.Args[2]}}
		}
	}
	q.setLastUse()
	return q
}

// IsResult reports whether value i is one of the program's results.
func (p *Program) IsResult(i int) bool {
	for _, r := range p.Results {
		if r == i {
			return true
		}
	}
	return false
}

func (p *Program) String() string {
	s := ""
	for i, op := range p.Ops {
		s += fmt.Sprintf("%3d = %s %v %g\n", i, op.Kind, op.Args, op.F)
	}
	return s
}

// recorder is the Builder that records steps.
type recorder struct {
	is64        bool
	ops         []Op
	ins, params map[int]V // each argument read once
}

func (r *recorder) add(k Kind, f float64, args ...V) V {
	a := make([]int, len(args))
	for i, v := range args {
		a[i] = int(v)
	}
	r.ops = append(r.ops, Op{Kind: k, Args: a, F: f})
	return V(len(r.ops) - 1)
}

func (r *recorder) Is64() bool { return r.is64 }
func (r *recorder) In(i int) V {
	if v, ok := r.ins[i]; ok {
		return v
	}
	r.ins[i] = r.add(Input, float64(i))
	return r.ins[i]
}
func (r *recorder) Param(i int) V {
	if v, ok := r.params[i]; ok {
		return v
	}
	r.params[i] = r.add(Param, float64(i))
	return r.params[i]
}
func (r *recorder) Exp(a V) V  { return r.add(Exp, 0, a) }
func (r *recorder) Log(a V) V  { return r.add(Log, 0, a) }
func (r *recorder) Sqrt(a V) V { return r.add(Sqrt, 0, a) }
func (r *recorder) Const(v float64) V {
	if !r.is64 {
		v = float64(float32(v))
	}
	return r.add(Const, v)
}
func (r *recorder) Add(a, b V) V         { return r.add(Add, 0, a, b) }
func (r *recorder) Sub(a, b V) V         { return r.add(Sub, 0, a, b) }
func (r *recorder) Mul(a, b V) V         { return r.add(Mul, 0, a, b) }
func (r *recorder) Div(a, b V) V         { return r.add(Div, 0, a, b) }
func (r *recorder) FMA(a, b, c V) V      { return r.add(FMA, 0, a, b, c) }
func (r *recorder) RoundEven(a V) V      { return r.add(RoundEven, 0, a) }
func (r *recorder) Abs(a V) V            { return r.add(Abs, 0, a) }
func (r *recorder) CopySign(m, s V) V    { return r.add(CopySign, 0, m, s) }
func (r *recorder) Min(c, x V) V         { return r.add(Min, 0, c, x) }
func (r *recorder) Max(c, x V) V         { return r.add(Max, 0, c, x) }
func (r *recorder) Neg(a V) V            { return r.add(Neg, 0, a) }
func (r *recorder) Gt(a, b V) M          { return M(r.add(Gt, 0, a, b)) }
func (r *recorder) Ge(a, b V) M          { return M(r.add(Ge, 0, a, b)) }
func (r *recorder) Eq(a, b V) M          { return M(r.add(Eq, 0, a, b)) }
func (r *recorder) Select(m M, a, b V) V { return r.add(Select, 0, V(m), a, b) }
func (r *recorder) Pow2(k V) V           { return r.add(Pow2, 0, k) }
func (r *recorder) Scale(p, k V) V       { return r.add(Scale, 0, p, k) }
func (r *recorder) SplitM(x V) V         { return r.add(SplitM, 0, x) }
func (r *recorder) SplitE(x V) V         { return r.add(SplitE, 0, x) }
