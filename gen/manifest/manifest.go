// Package manifest is the one list of flowkern's assembly kernels. Every
// other list is written from it: gen/amd64 and gen/arm64 take each
// kernel's name and signature from here (and refuse to emit one that is not
// listed), and gen/wire writes the go:generate lines of asm/, the checked
// entry points of asm/ (the raw kernels are unexported), the tier dispatch of
// package kernels, and the table its tests walk to prove that every tier
// reaches its assembly.
//
// A kernel's contract is stated once: in the doc comment of the public
// function of package kernels that runs it, and in internal/ref as the
// executable specification. A row here carries a one-line summary and the
// preconditions its checked entry point enforces, nothing more.
package manifest

import (
	"fmt"
	"strings"
)

// Prec is a precision: the element type T of a kernel.
type Prec struct {
	Suffix string // F64, F32
	Type   string // float64, float32
	Lanes  int    // partial sums of Dot and Sum: 32, 64
	MVL    int    // partial sums of a MatVecs output: 8, 16
	GoSfx  string // suffix of pure-Go functions spelled per precision: 64, 32
}

var (
	F64 = Prec{"F64", "float64", 32, 8, "64"}
	F32 = Prec{"F32", "float32", 64, 16, "32"}
)

// Words is the precision of the kernels without one: their symbol has no
// precision suffix.
var Words = Prec{"", "int", 0, 0, ""}

// Tier is a SIMD tier: its symbol suffix, its architecture and the
// internal/cpu constant naming it.
type Tier struct {
	Suffix string // AVX2, AVX512, NEON
	Arch   string // amd64, arm64
	CPU    string // cpu.AVX2, ...
	Width  int    // vector bytes
}

var (
	AVX2   = Tier{"AVX2", "amd64", "cpu.AVX2", 32}
	AVX512 = Tier{"AVX512", "amd64", "cpu.AVX512", 64}
	NEON   = Tier{"NEON", "arm64", "cpu.NEON", 16}
)

// Arches are the architectures with assembly, in file order.
var Arches = []string{"amd64", "arm64"}

// Group is a set of kernels that package kernels dispatches through one
// function taking an enum (the kernels of a group share its parameters, each
// passing the subset it takes). The enum's constants are generated in row
// order.
type Group struct {
	Func     string // dispatch function, {P} the precision suffix: vmath{P} -> vmathF64
	Enum     string // the enum type
	Var      string // the enum parameter's name
	Params   string // the shared parameters, T the element type
	Go       string // the pure-Go call for tiers without assembly ({P}: 64 or 32), "" with Optional
	Optional bool   // no Go path: the function reports whether it ran (false: the caller does it otherwise)
	Consts   bool   // declare the enum, its constants and its String method (else another group does)
	Elems    string // if set, the name ({P}: 64 or 32) of a table of each member's Elem, indexed by the enum
	Count    string // if set, the name of a constant after the last enum constant
	// Fuzz, if set, is the test helper of package kernels, func(f
	// *testing.F, v Enum), that fuzzes one member: gen/wire writes each
	// member's target, Fuzz<Name>, so a new member cannot lack one.
	Fuzz string
}

// Kernel is one row of the manifest: one operation, for each of its
// precisions and tiers one assembly function.
type Kernel struct {
	Name  string // DotF64AVX2 is Name + Prec.Suffix + Tier.Suffix; the raw symbol starts lower-case
	Set   string // generator set: asm/<Set>_<arch>.s
	Sig   string // Go signature of the raw kernel, T the element type: "(x, y, acc []T) T"
	Precs []Prec
	Tiers []Tier
	// Shared: one symbol serves every tier of Tiers (no tier suffix).
	Shared bool
	Doc    string // one line: what it does; the contract is Spec's
	Spec   string // where the contract is stated: the public function and internal/ref
	// Check is the precondition of the checked entry point, a Go
	// expression over the parameters; {L} and {MVL} stand for the
	// precision's lane counts, {W} for the tier's vector bytes and {PANEL}
	// for Outer's panel width. Helpers (written by gen/wire): fits, within,
	// matVecsArgs and outerArgs.
	Check string
	// Entry overrides the checked entry point's parameters when they are
	// not the raw kernel's (Call then says how to call the raw one).
	Entry, Call string

	// Dispatch in package kernels: either a function of its own, Func
	// ({P}: precision suffix) falling back to Go ({P}: 64 or 32), or a
	// member of Group with enum constant Const, passing Args of the group's
	// parameters. Neither (a probe such as PeakFMA): no dispatch.
	Func, Go   string
	Group      *Group
	Const      string
	Args       string
	Elem       string // the member's scalar pure-Go function for the group's Elems table ({P}: 64 or 32, {T}: the type)
	NoDispatch bool
}

// Groups of package kernels.
var (
	Binary = &Group{Func: "binary{P}", Enum: "binaryOp", Var: "op", Params: "(dst, x, y []T)", Go: "binaryGo(op, dst, x, y)", Consts: true,
		Fuzz: "fuzzBinary"}
	Vmath = &Group{Func: "vmath{P}", Enum: "vfunc", Var: "f", Params: "(dst, x []T)", Go: "vmathGo{P}(f, dst, x)", Consts: true, Count: "numVfuncs",
		Elems: "goFuncs{P}", Fuzz: "fuzzVmath"}
	Stream = &Group{Func: "stream{P}", Enum: "streamKernel", Var: "k", Params: "(o0, o1, i0, i1, i2, p []T)",
		Go: "streamGo(k, o0, o1, i0, i1, i2, p)", Consts: true}
	StreamSum = &Group{Func: "streamSum{P}", Enum: "streamKernel", Var: "k", Params: "(o, i0, i1, i2, acc, p []T)", Optional: true}
)

var (
	both  = []Prec{F64, F32}
	all   = []Tier{AVX2, AVX512, NEON}
	avx   = []Tier{AVX2, AVX512}
	avx5  = []Tier{AVX512}
	ref   = "internal/ref."
	vmDoc = "dst[i] = %s(x[i]) for i < len(dst)"
)

// Kernels is the manifest, in the order of the generated files.
var Kernels = kernels()

func kernels() []Kernel {
	ks := []Kernel{
		{Name: "Dot", Set: "vec", Sig: "(x, y, acc []T) T", Precs: both, Tiers: all,
			Doc:   "adds x[i]*y[i] (fused) into lane acc[i%L], stores the lanes back, returns their halving reduction; an empty acc is L lanes of +0 not stored back",
			Spec:  "kernels.Dot, " + ref + "Dot",
			Check: "len(y) >= len(x) && len(acc)&^{L} == 0", // len(acc) is 0 or L
			Func:  "dot{P}", Go: "dotGo{P}(x, y, acc)"},
		{Name: "Sum", Set: "vec", Sig: "(x, acc []T) T", Precs: both, Tiers: all,
			Doc:   "adds x[i] into lane acc[i%L] as Dot does",
			Spec:  "kernels.Sum, " + ref + "Sum",
			Check: "len(acc)&^{L} == 0",
			Func:  "sum{P}", Go: "sumGo(x, acc)"},
		{Name: "Axpy", Set: "vec", Sig: "(alpha T, x, y []T)", Precs: both, Tiers: all,
			Doc: "y[i] = fma(alpha, x[i], y[i]) for i < len(x)", Spec: "kernels.Axpy, " + ref + "Axpy",
			Check: "len(y) >= len(x)", Func: "axpy{P}", Go: "axpyGo{P}(alpha, x, y)"},
		{Name: "Scale", Set: "vec", Sig: "(alpha T, x []T)", Precs: both, Tiers: all,
			Doc: "x[i] = alpha*x[i]", Spec: "kernels.Scale, " + ref + "Scale",
			Func: "scale{P}", Go: "scaleGo(alpha, x)"},
		{Name: "Add", Set: "vec", Sig: "(dst, x, y []T)", Precs: both, Tiers: all,
			Doc: "dst[i] = x[i] + y[i] for i < len(dst)", Spec: "kernels.Add, " + ref + "Add",
			Check: "len(x) >= len(dst) && len(y) >= len(dst)", Group: Binary, Const: "opAdd"},
		{Name: "Mul", Set: "vec", Sig: "(dst, x, y []T)", Precs: both, Tiers: all,
			Doc: "dst[i] = x[i] * y[i] for i < len(dst)", Spec: "kernels.Mul, " + ref + "Mul",
			Check: "len(x) >= len(dst) && len(y) >= len(dst)", Group: Binary, Const: "opMul"},
		{Name: "KeepPositive", Set: "vec", Sig: "(dst, x, y []T)", Precs: both, Tiers: all,
			Doc:   "dst[i] = x[i] where !(y[i] <= 0), +0 elsewhere, for i < len(dst)",
			Spec:  "kernels.KeepPositive, " + ref + "KeepPositive",
			Check: "len(x) >= len(dst) && len(y) >= len(dst)", Group: Binary, Const: "opKeepPositive"},

		{Name: "PeakFMA", Set: "peak", Sig: "(iters int)", Precs: both, Tiers: all,
			Doc: "iters iterations of independent FMAs on registers (the bench tool's FMA peak)", Spec: "bench/peak.go",
			Check: "iters >= 0", NoDispatch: true},
		{Name: "ReadStream", Set: "peak", Sig: "(buf []int) int", Precs: []Prec{Words}, Tiers: all,
			Doc:  "loads all of buf[:len(buf) - len(buf)%64] with full-width loads, as two streams (its halves, a load of each in turn), and returns the XOR of the last 8 words of each half (the bench tool's read-bandwidth probe)",
			Spec: "bench/peak.go", NoDispatch: true},
	}
	for _, f := range []string{"Exp", "Log", "Expm1", "Log1p", "Tanh", "Sigmoid", "Softplus", "Atan"} {
		elem := "ref." + f + "[{T}]" // the pure-Go tier is the reference itself
		if f == "Exp" || f == "Log" {
			elem = "ref." + f + "{P}"
		}
		ks = append(ks, Kernel{Name: f, Set: "vmath", Sig: "(dst, x []T)", Precs: both, Tiers: all,
			Doc: fmt.Sprintf(vmDoc, strings.ToLower(f)), Spec: "kernels." + f + ", " + ref + f,
			Check: "len(x) >= len(dst)", Group: Vmath, Const: "fn" + f, Elem: elem})
	}
	ks = append(ks,
		Kernel{Name: "MatVecs", Set: "matvec", Precs: both, Tiers: all,
			Sig:   "(y []T, ldy int, w []T, ldw int, x []T, ldx int, bias []T, m, nb, n int, lanes []T, first, last bool)",
			Doc:   "y[b*ldy+i] = (w row i) . (x row b) over n, + bias[i], for i < m, b < nb; lanes carry MVL partial sums per output between pieces of a row",
			Spec:  "kernels.MatVecs, " + ref + "MatVecs",
			Check: "matVecsArgs(len(y), ldy, len(w), ldw, len(x), ldx, len(bias), m, nb, n, len(lanes), {MVL}, first && last)",
			Func:  "matVecs{P}", Go: "matVecsGo{P}(y, ldy, w, ldw, x, ldx, bias, m, nb, n)"},
		Kernel{Name: "MatVecsWT", Set: "matvec", Precs: both, Tiers: avx5,
			Sig:   "(y []T, ldy int, wt []T, ldt int, x []T, ldx int, bias []T, m, nb, n int)",
			Doc:   "MatVecs (whole rows) with W given transposed, wt[j*ldt+i] = W[i][j]: the outputs along the vector, a register per lane",
			Spec:  "kernels.MatVecs, " + ref + "MatVecs",
			Check: "m >= 0 && nb >= 0 && n >= 0 && fits(len(y), nb, ldy, m) && fits(len(wt), n, ldt, m) && fits(len(x), nb, ldx, n) && (len(bias) == 0 || len(bias) >= m)",
			Func:  "matVecsWT{P}", Go: "matVecsWTGo(y, ldy, wt, ldt, x, ldx, bias, m, nb, n)"},
		Kernel{Name: "MatVecSpaced", Set: "matvec", Precs: both, Tiers: avx,
			Sig:   "(y []T, w []T, ldw int, x []T, bias []T, s, n int)",
			Doc:   "MatVecs of one X row by W rows 0..8s-1 (m = 8s), whole rows, in tiles of the rows t, t+s, ..., t+7s for t < s (AVX2: two tiles of four): the same outputs, eight row streams s rows apart",
			Spec:  "kernels.MatVecs, " + ref + "MatVecs",
			Check: "s >= 0 && s < 1<<40 && matVecsArgs(len(y), 0, len(w), ldw, len(x), 0, len(bias), 8*s, 1, n, 0, {MVL}, true)",
			Func:  "matVecSpaced{P}", Go: "matVecSpacedGo(y, w, ldw, x, bias, s, n)"},
		Kernel{Name: "Outer", Set: "matvec", Precs: both, Tiers: all,
			Sig:   "(c []T, ldc int, a []T, lda, inca int, b []T, ldb, ldp int, rows, cols, k int, load bool)",
			Doc:   "c[r*ldc+j] = (load ? c : +0), then c = fma(a[r*lda+kk*inca], B(kk, j), c) for kk < k; B in panels of {PANEL} columns: B(kk, j) = b[(j/{PANEL})*ldp + kk*ldb + j%{PANEL}]",
			Spec:  "kernels.MatTVecs, kernels.AddOuters, " + ref + "MatTVecs, " + ref + "AddOuters",
			Check: "outerArgs(len(c), ldc, len(a), lda, inca, len(b), ldb, ldp, rows, cols, k, {PANEL})",
			Func:  "outer{P}", Go: "outerGo{P}(c, ldc, a, lda, inca, b, ldb, rows, cols, k, load)"},
		Kernel{Name: "OuterRow", Set: "matvec", Precs: both, Tiers: avx,
			Sig:   "(c []T, a []T, inca int, b []T, ldb, cols, k int, load bool)",
			Doc:   "Outer of one row with B row-major, B streamed row by row: c[j] = (load ? c[j] : +0), then c[j] = fma(a[kk*inca], b[kk*ldb+j], c[j]) for kk < k, j < cols",
			Spec:  "kernels.MatTVecs, kernels.AddOuters, " + ref + "MatTVecs, " + ref + "AddOuters",
			Check: "outerArgs(len(c), 0, len(a), 0, inca, len(b), ldb, 0, 1, cols, k, max(1, cols))",
			Func:  "outerRow{P}", Go: "outerGo{P}(c, 0, a, 0, inca, b, ldb, 1, cols, k, load)"},
	)
	// The coupling kernels: Outs, then Ins, then p (gen/vmathalg.Kernels).
	// A clamped coupling is its clamp, then the unclamped kernel on c
	// (package kernels, couplingOp).
	ks = append(ks,
		Kernel{Name: "CouplingFwdNone", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
			Sig: "(y, x, s, t []T)", Args: "o0, i0, i1, i2", Const: "skFwdNone",
			Doc:   "y = fma(x, exp(s), t), for whole vectors of len(y)",
			Spec:  "kernels.CouplingForward, " + ref + "CouplingForward",
			Check: "len(x) >= len(y) && len(s) >= len(y) && len(t) >= len(y)"},
		Kernel{Name: "CouplingInvNone", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
			Sig: "(x, y, s, t []T)", Args: "o0, i0, i1, i2", Const: "skInvNone",
			Doc:   "x = (y - t) * exp(-s), for whole vectors of len(x)",
			Spec:  "kernels.CouplingInverse, " + ref + "CouplingInverse",
			Check: "len(y) >= len(x) && len(s) >= len(x) && len(t) >= len(x)"},
		Kernel{Name: "CouplingBwdNone", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
			Sig: "(dx, ds, dy, x, s, p []T)", Args: "o0, o1, i0, i1, i2, p", Const: "skBwdNone",
			Doc:   "dx = dy*exp(s), ds = fma(dx, x, p[0]), for whole vectors of len(dx)",
			Spec:  "kernels.CouplingBackward, " + ref + "CouplingBackward",
			Check: "len(ds) >= len(dx) && len(dy) >= len(dx) && len(x) >= len(dx) && len(s) >= len(dx) && len(p) >= 1"},
	)
	for _, c := range []string{"Tanh", "Atan"} {
		ks = append(ks,
			Kernel{Name: "CouplingClamp" + c, Set: "coupling", Precs: both, Tiers: all, Group: Stream,
				Sig: "(c, s, p []T)", Args: "o0, i0, p", Const: "skClamp" + c,
				Doc:   "c = c(s), p = [ia, m], for whole vectors of len(c)",
				Spec:  "kernels.CouplingForward, kernels.CouplingInverse, " + ref + "CouplingScale",
				Check: "len(s) >= len(c) && len(p) >= 2"},
			Kernel{Name: "CouplingClampGrad" + c, Set: "coupling", Precs: both, Tiers: all, Group: Stream,
				Sig: "(c, f, s, p []T)", Args: "o0, o1, i0, p", Const: "skClampGrad" + c,
				Doc:   "c = c(s) and dc/ds's factor f, p = [ia, m], for whole vectors of len(c)",
				Spec:  "kernels.CouplingBackward, " + ref + "CouplingScaleGrad",
				Check: "len(f) >= len(c) && len(s) >= len(c) && len(p) >= 2"},
		)
	}
	ks = append(ks, Kernel{Name: "CouplingChainAtan", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
		Sig: "(ds, g, f []T)", Args: "o0, i0, i1", Const: "skChainAtan",
		Doc:   "ds = (g * 2/pi) / f for whole vectors of len(ds)",
		Spec:  "kernels.CouplingBackward, " + ref + "CouplingChain",
		Check: "len(g) >= len(ds) && len(f) >= len(ds)"})
	ks = append(ks, Kernel{Name: "CouplingSub", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
		Sig: "(x, y, t []T)", Args: "o0, i0, i1", Const: "skSub",
		Doc: "x = y - t for whole vectors of len(x)", Spec: "kernels.AdditiveInverse",
		Check: "len(y) >= len(x) && len(t) >= len(x)"})
	ks = append(ks, Kernel{Name: "TanhGrad", Set: "coupling", Precs: both, Tiers: all, Group: Stream,
		Sig: "(d, g, y []T)", Args: "o0, i0, i1", Const: "skTanhGrad",
		Doc: "d = g - (g*y)*y for whole vectors of len(d)", Spec: "kernels.TanhGrad, " + ref + "TanhGrad",
		Check: "len(g) >= len(d) && len(y) >= len(d)"})
	// The fused forward/inverse + row-sum kernels (AVX-512 only): s is c.
	for _, d := range []string{"Fwd", "Inv"} {
		ks = append(ks, Kernel{Name: "Coupling" + d + "NoneSum", Set: "coupling", Precs: both, Tiers: avx5, Group: StreamSum,
			Sig: "(o, i0, i1, i2, acc []T)", Args: "o, i0, i1, i2, acc", Const: "sk" + d + "None",
			Doc:   "Coupling" + d + "None on len(o) rounded down to L elements, s added into Sum's lanes acc (read and stored back)",
			Spec:  "kernels.Coupling" + map[string]string{"Fwd": "Forward", "Inv": "Inverse"}[d],
			Check: "len(i0) >= len(o) && len(i1) >= len(o) && len(i2) >= len(o) && len(acc) >= {L}"})
	}
	ks = append(ks,
		Kernel{Name: "Transpose4", Set: "transpose", Precs: both, Tiers: avx, Shared: true,
			Sig:   "(dst *T, ldd int, src *T, lds int, rows, cols int)",
			Entry: "(dst []T, do, ldd int, src []T, so, lds int, rows, cols int)",
			Call:  "if rows > 0 && cols > 0 {\n\t\t%s(&dst[do], ldd, &src[so], lds, rows, cols)\n\t}",
			Doc:   "dst[do+c*ldd+r] = src[so+r*lds+c] for r < rows, c < cols (multiples of 4), in 4x4 blocks; strides may be negative",
			Spec:  "kernels.Transpose",
			Check: "rows >= 0 && cols >= 0 && rows%4 == 0 && cols%4 == 0 && (rows == 0 || cols == 0 || within(len(dst), do, ldd, cols, rows) && within(len(src), so, lds, rows, cols))",
			Func:  "transpose4{P}", Go: "transposeGo(dst, do, ldd, src, so, lds, rows, cols, 0, 0)"},
		Kernel{Name: "Normals", Set: "normal", Sig: "(dst []T, s *uint64)", Precs: []Prec{F64}, Tiers: all,
			Doc:   "dst[2p], dst[2p+1] = the normals of pair p from the Weyl state *s, advanced past their words (an odd len(dst) ends with a pair's first number)",
			Spec:  "kernels.Normal, " + ref + "Normals",
			Check: "s != nil", Func: "normals{P}", Go: "ref.Normals(s, dst)"},
		// The weights are w, not p: zeroArgs (gen/wire) gives a slice named
		// p the three elements of the couplings' parameters.
		Kernel{Name: "Adam", Set: "optim", Precs: both, Tiers: all,
			Sig:   "(w, g, m, v []T, b1, a1, b2, a2, step, ic2, eps, keep T)",
			Doc:   "one Adam step for i < len(w): m = fma(a1, g, b1*m), v = fma(a2, g*g, b2*v), w = fma(w, keep, -(step*m)/(sqrt(v*ic2)+eps)), each operation rounded",
			Spec:  "kernels.Adam, " + ref + "Adam",
			Check: "len(g) >= len(w) && len(m) >= len(w) && len(v) >= len(w)",
			Func:  "adam{P}", Go: "adamGo{P}(w, g, m, v, b1, a1, b2, a2, step, ic2, eps, keep)"},
	)
	return ks
}

// Symbol returns the exported name of kernel k for p and t (DotF64AVX2):
// the checked entry point in asm.
func (k *Kernel) Symbol(p Prec, t Tier) string {
	if k.Shared {
		return k.Name + p.Suffix
	}
	return k.Name + p.Suffix + t.Suffix
}

// Raw returns the unexported symbol of the assembly itself (dotF64AVX2).
func Raw(symbol string) string { return strings.ToLower(symbol[:1]) + symbol[1:] }

// Has reports whether k has tier t.
func (k *Kernel) Has(t Tier) bool {
	for _, u := range k.Tiers {
		if u == t {
			return true
		}
	}
	return false
}

// HasPrec reports whether k has precision p.
func (k *Kernel) HasPrec(p Prec) bool {
	for _, q := range k.Precs {
		if q == p {
			return true
		}
	}
	return false
}

// Find returns the kernel and the precision and tier whose symbol (checked
// or raw) is sym, and false if there is none.
func Find(sym string) (*Kernel, Prec, Tier, bool) {
	for i := range Kernels {
		k := &Kernels[i]
		for _, p := range k.Precs {
			for _, t := range k.Tiers {
				if s := k.Symbol(p, t); s == sym || Raw(s) == sym {
					return k, p, t, true
				}
			}
		}
	}
	return nil, Prec{}, Tier{}, false
}

// Names returns the names of the kernels of generator set set, in manifest
// order.
func Names(set string) []string {
	var names []string
	for _, k := range Kernels {
		if k.Set == set {
			names = append(names, k.Name)
		}
	}
	return names
}

// Sets returns the generator sets of arch, in manifest order.
func Sets(arch string) []string {
	var sets []string
	seen := map[string]bool{}
	for _, k := range Kernels {
		for _, t := range k.Tiers {
			if t.Arch == arch && !seen[k.Set] {
				seen[k.Set] = true
				sets = append(sets, k.Set)
			}
		}
	}
	return sets
}

// Subst replaces T by the precision's type and the placeholders of Check
// and Go in s.
func Subst(s string, p Prec, t Tier) string {
	r := strings.NewReplacer("{L}", fmt.Sprint(p.Lanes), "{MVL}", fmt.Sprint(p.MVL), "{P}", p.Suffix,
		"{W}", fmt.Sprint(t.Width), "{PANEL}", fmt.Sprint(panel(t, p)))
	return r.Replace(s)
}

// GoSubst is Subst for pure-Go calls: {P} is 64 or 32.
func GoSubst(s string, p Prec) string { return strings.ReplaceAll(s, "{P}", p.GoSfx) }

// panel is the column count of Outer's panels of B on t: 256 bytes on
// AVX-512, 64 bytes on AVX2 and NEON.
func panel(t Tier, p Prec) int {
	size := 8
	if p == F32 {
		size = 4
	}
	if t == AVX512 {
		return 256 / size
	}
	return 64 / size
}

// Param is one parameter of a signature.
type Param struct{ Name, Type string }

// Params parses a signature "(a, b []T, n int) T" into its parameters (T
// replaced by typ) and its result.
func Params(sig, typ string) ([]Param, string) {
	sig = strings.ReplaceAll(sig, "T", typ)
	end := strings.LastIndex(sig, ")")
	list, result := sig[1:end], strings.TrimSpace(sig[end+1:])
	var ps []Param
	var pending []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, typ, ok := strings.Cut(f, " ")
		pending = append(pending, name)
		if ok {
			for _, n := range pending {
				ps = append(ps, Param{n, strings.TrimSpace(typ)})
			}
			pending = nil
		}
	}
	if len(pending) > 0 {
		panic("manifest: no type for " + strings.Join(pending, ", ") + " in " + sig)
	}
	return ps, result
}

// StubDoc returns the doc lines of the declaration of raw kernel sym
// (DotF64AVX2, declared as dotF64AVX2) with signature sig, "(x, y, acc
// []float64) float64". It panics if sym is not in the manifest or sig is
// not its signature: a generator emits only manifest kernels.
func StubDoc(sym, sig string) []string {
	k, p, t, ok := Find(sym)
	if !ok {
		panic("manifest: the generators emit " + sym + ", which is not in gen/manifest")
	}
	if got, want := types(Params(sig, p.Type)), types(Params(k.Sig, p.Type)); got != want {
		panic(fmt.Sprintf("manifest: %s is emitted as %s, the manifest says %s", sym, got, want))
	}
	tier := t.Suffix
	if k.Shared {
		tier = "every " + t.Arch + " tier"
	}
	emitted[sym] = true
	return []string{
		fmt.Sprintf("%s is the %s kernel of %s (%s). Its checked entry point is %s", Raw(sym), tier, k.Name, p.Type, sym),
		fmt.Sprintf("(asm/checked_%s.go); its contract: %s.", t.Arch, k.Spec),
	}
}

func types(ps []Param, res string) string {
	var ts []string
	for _, p := range ps {
		ts = append(ts, p.Type)
	}
	return "(" + strings.Join(ts, ", ") + ") " + res
}

var emitted = map[string]bool{}

// Missing returns the symbols of set on arch that the manifest lists and
// no StubDoc call has emitted.
func Missing(set, arch string) []string {
	var miss []string
	for i := range Kernels {
		k := &Kernels[i]
		if k.Set != set {
			continue
		}
		for _, p := range k.Precs {
			for _, t := range k.Tiers {
				if t.Arch == arch && !emitted[k.Symbol(p, t)] {
					miss = append(miss, k.Symbol(p, t))
				}
				if k.Shared {
					break
				}
			}
		}
	}
	return miss
}
