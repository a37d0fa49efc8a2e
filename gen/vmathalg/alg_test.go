package vmathalg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
)

// eval runs a program on one input with the scalar operations of ref, in
// float64 or (rounding every step) float32.
func eval(p *Program, is64 bool, x float64) float64 {
	return evalAll(p, is64, []float64{x}, nil)[0]
}

// evalAll runs a program on its inputs and params and returns its results.
func evalAll(p *Program, is64 bool, ins, params []float64) []float64 {
	v := make([]float64, len(p.Ops))
	rd := func(f float64) float64 {
		if is64 {
			return f
		}
		return float64(float32(f))
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	for i, op := range p.Ops {
		a := func(j int) float64 { return v[op.Args[j]] }
		switch op.Kind {
		case Input:
			v[i] = ins[int(op.F)]
		case Param:
			v[i] = params[int(op.F)]
		case Exp:
			if is64 {
				v[i] = ref.Exp64(a(0))
			} else {
				v[i] = float64(ref.Exp32(float32(a(0))))
			}
		case Log:
			if is64 {
				v[i] = ref.Log64(a(0))
			} else {
				v[i] = float64(ref.Log32(float32(a(0))))
			}
		case Sqrt:
			v[i] = rd(math.Sqrt(a(0)))
		case Const:
			v[i] = op.F
		case Add:
			v[i] = rd(a(0) + a(1))
		case Sub:
			v[i] = rd(a(0) - a(1))
		case Mul:
			v[i] = rd(a(0) * a(1))
		case Div:
			v[i] = rd(a(0) / a(1))
		case FMA:
			if is64 {
				v[i] = math.FMA(a(0), a(1), a(2))
			} else {
				v[i] = float64(ref.FMA(float32(a(0)), float32(a(1)), float32(a(2))))
			}
		case FNMA:
			if is64 {
				v[i] = math.FMA(-a(0), a(1), a(2))
			} else {
				v[i] = float64(ref.FMA(-float32(a(0)), float32(a(1)), float32(a(2))))
			}
		case RoundEven:
			v[i] = math.RoundToEven(a(0))
		case Abs:
			v[i] = math.Abs(a(0))
		case CopySign:
			v[i] = math.Copysign(a(0), a(1))
		case Min:
			v[i] = a(1)
			if a(0) < a(1) {
				v[i] = a(0)
			}
		case Max:
			v[i] = a(1)
			if a(0) > a(1) {
				v[i] = a(0)
			}
		case Neg:
			v[i] = -a(0)
		case Gt:
			v[i] = b2f(a(0) > a(1))
		case Ge:
			v[i] = b2f(a(0) >= a(1))
		case Eq:
			v[i] = b2f(a(0) == a(1))
		case Select:
			v[i] = a(2)
			if a(0) != 0 {
				v[i] = a(1)
			}
		case Pow2:
			if a(0) != a(0) || a(0) > 2000 || a(0) < -2000 {
				v[i] = math.NaN()
			} else {
				v[i] = math.Ldexp(1, int(a(0)))
			}
		case Scale:
			if is64 {
				v[i] = ref.Scale64(a(0), a(1))
			} else {
				v[i] = float64(ref.Scale32(float32(a(0)), float32(a(1))))
			}
		case SplitM, SplitE:
			var m, e float64
			if a(0) > 0 && a(0) <= math.MaxFloat64 {
				if is64 {
					m, e = ref.Split64(a(0))
				} else {
					m32, e32 := ref.Split32(float32(a(0)))
					m, e = float64(m32), float64(e32)
				}
			}
			if op.Kind == SplitM {
				v[i] = m
			} else {
				v[i] = e
			}
		}
	}
	var out []float64
	for _, r := range p.Results {
		out = append(out, v[r])
	}
	return out
}

func same(a, b float64) bool { return (a != a && b != b) || math.Float64bits(a) == math.Float64bits(b) }

// TestFuncsInManifest: an algorithm whose name is not a kernel of the
// manifest's vmath set would never be emitted.
func TestFuncsInManifest(t *testing.T) {
	for name := range Funcs {
		if !slices.Contains(Names, name) {
			t.Errorf("vmathalg.Funcs has %s, which gen/manifest's vmath set does not list", name)
		}
	}
	if len(Names) == 0 {
		t.Error("no manifest kernel has an algorithm here")
	}
}

// TestProgramsMatchRef runs every recorded program on specials and random
// inputs and compares with internal/ref bit for bit.
func TestProgramsMatchRef(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inf := math.Inf(1)
	specials := []float64{0, math.Copysign(0, -1), 1, -1, inf, -inf, math.NaN(), 0.5, 2, -0.5, -2,
		1e-300, -1e-300, 5e-324, 709.78, -745.1, 88.7, -103.9, 40, 20, 1e30, -1e30}
	for _, name := range Names {
		for _, is64 := range []bool{true, false} {
			p := Record(name, is64)
			folded := p.FoldNeg() // the program amd64 replays
			xs := append([]float64(nil), specials...)
			for range 20000 {
				v := r.NormFloat64() * math.Ldexp(1, r.IntN(12)-4)
				if r.IntN(8) == 0 {
					v = math.Float64frombits(r.Uint64())
				}
				xs = append(xs, v)
			}
			for _, x := range xs {
				var got, want float64
				if is64 {
					got, want = eval(p, true, x), refs64[name](x)
				} else {
					x = float64(float32(x))
					got, want = eval(p, false, x), float64(refs32[name](float32(x)))
				}
				if !same(got, want) {
					t.Fatalf("%s (64-bit %v) at x = %v: program %v, ref %v", name, is64, x, got, want)
				}
				if f := eval(folded, is64, x); !same(f, got) {
					t.Fatalf("%s (64-bit %v) at x = %v: folded program %v, program %v", name, is64, x, f, got)
				}
			}
		}
	}
}
