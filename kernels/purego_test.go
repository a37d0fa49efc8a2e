package kernels

import (
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestPureGoReductions checks the pure-Go Dot and Sum against internal/ref
// bit for bit where their shortcuts could go wrong: every length up to
// three times the lanes and across a pass block, lanes of signed zeros
// (products that are -0 or underflow to -0, elements that are -0), and
// running lanes carried between calls (the chunked form).
func TestPureGoReductions(t *testing.T) {
	t.Run("float64", testPureGoReductions[float64])
	t.Run("float32", testPureGoReductions[float32])
}

func testPureGoReductions[T Float](t *testing.T) {
	r := tk.NewRand(41)
	tiny := T(math.SmallestNonzeroFloat64)
	if !is64[T]() {
		tiny = T(math.SmallestNonzeroFloat32)
	}
	negz := T(math.Copysign(0, -1))
	kinds := []func(i int) (T, T){
		func(int) (T, T) { return T(r.NormFloat64()), T(r.NormFloat64()) },
		func(int) (T, T) { return negz, 1 },                  // -0 products, -0 elements
		func(int) (T, T) { return -tiny, tiny },              // products underflowing to -0
		func(i int) (T, T) { return T(i%3 - 1), T(i%2 - 1) }, // exact, zeros of both signs
		func(i int) (T, T) { // a mix, with an Inf and a NaN now and then
			switch r.IntN(40) {
			case 0:
				return T(math.Inf(1)), 1
			case 1:
				return T(math.NaN()), 1
			case 2, 3, 4, 5:
				return negz, negz
			}
			return T(r.NormFloat64()), T(r.NormFloat64())
		},
	}
	L := lanes[T]()
	lengths := []int{}
	for n := 0; n <= 3*L+1; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 2047, 2048, 2049, 4096+L+3, 3*blockElems*4+5)
	for ki, kind := range kinds {
		for _, n := range lengths {
			x, y := make([]T, n), make([]T, n)
			for i := range x {
				x[i], y[i] = kind(i)
			}
			if got, want := dotGo(x, y, nil), ref.Dot(x, y); !tk.Same(got, want) {
				t.Fatalf("kind %d, n = %d: Dot = %v (%#x), ref %v (%#x)", ki, n, got, tk.Bits(got), want, tk.Bits(want))
			}
			if got, want := sumGo(x, nil), ref.Sum(x); !tk.Same(got, want) {
				t.Fatalf("kind %d, n = %d: Sum = %v (%#x), ref %v (%#x)", ki, n, got, tk.Bits(got), want, tk.Bits(want))
			}
			// Chunked: the running lanes carried between calls of c elements
			// (c a multiple of the lanes, as package kernels cuts).
			for _, c := range []int{L, 3 * L} {
				acc, sacc := make([]T, L), make([]T, L)
				var got, sgot T
				for i := 0; i < n || i == 0; i += c {
					e := min(i+c, n)
					got = dotGo(x[i:e], y[i:e], acc)
					sgot = sumGo(x[i:e], sacc)
				}
				if want := ref.Dot(x, y); !tk.Same(got, want) {
					t.Fatalf("kind %d, n = %d, chunks of %d: Dot = %v, ref %v", ki, n, c, got, want)
				}
				if want := ref.Sum(x); !tk.Same(sgot, want) {
					t.Fatalf("kind %d, n = %d, chunks of %d: Sum = %v, ref %v", ki, n, c, sgot, want)
				}
			}
		}
	}
}

// dotGo is the pure-Go Dot of either precision.
func dotGo[T Float](x, y, acc []T) T {
	if is64[T]() {
		return T(dotGo64(f64(x), f64(y), f64(acc)))
	}
	return T(dotGo32(f32(x), f32(y), f32(acc)))
}

// TestPureGoVmath checks the pure-Go loops of every vector math function
// against internal/ref (Exp64, Expm1[float64], ...) bit for bit: every
// 997th float32 bit pattern, and float64 inputs across the whole range
// (random bit patterns, every magnitude from subnormal to huge of both
// signs, the spec's random range and hard regions, the specials).
func TestPureGoVmath(t *testing.T) {
	const n = 1 << 12
	for _, s := range vmathSpecs {
		t.Run(s.f.String(), func(t *testing.T) {
			x32, d32 := make([]float32, 0, n), make([]float32, n)
			check32 := func() {
				d32 = d32[:len(x32)]
				vmathGo32(s.f, d32, x32)
				for i, v := range x32 {
					if want := s.ref32(v); !tk.Same(d32[i], want) {
						t.Fatalf("%v(%v (%#x)) = %v, ref %v", s.f, v, math.Float32bits(v), d32[i], want)
					}
				}
				x32 = x32[:0]
			}
			for b := uint64(0); b < 1<<32; b += 997 {
				x32 = append(x32, math.Float32frombits(uint32(b)))
				if len(x32) == n {
					check32()
				}
			}
			for _, v := range s.hard32() {
				x32 = append(x32, float32(v))
				if len(x32) == n {
					check32()
				}
			}
			check32()
			r := tk.NewRand(43)
			specials := tk.Specials[float64]()
			hard := s.hard64()
			x64, d64 := make([]float64, n), make([]float64, n)
			for round := range 64 {
				for i := range x64 {
					switch {
					case round == 0 && i < len(specials):
						x64[i] = specials[i]
					case i%4 == 0:
						x64[i] = math.Float64frombits(r.Uint64())
					case i%4 == 1:
						x64[i] = s.random(r)
					case i%4 == 2 && len(hard) > 0:
						x64[i], hard = hard[0], hard[1:]
					case i%4 == 2:
						x64[i] = r.NormFloat64() * 10
					default:
						x64[i] = math.Ldexp(r.NormFloat64(), r.IntN(2100)-1075)
					}
				}
				vmathGo64(s.f, d64, x64)
				for i, v := range x64 {
					if want := s.ref64(v); !tk.Same(d64[i], want) {
						t.Fatalf("%v(%v (%#x)) = %v, ref %v", s.f, v, math.Float64bits(v), d64[i], want)
					}
				}
			}
			if len(hard) > 0 {
				t.Fatalf("%d hard inputs left unchecked", len(hard))
			}
		})
	}
}

// TestPureGoMatVecsShort checks the pure-Go MatVecs against ref.MatVecs
// bit for bit on rows of every length up to four times the lanes, where
// rows sum plain products for their first element per lane: zero products
// of both signs (w or x = ±0; rows of -0 products only), products that
// underflow to ±0, rows that cancel to zero, and an Inf and a NaN now and
// then.
func TestPureGoMatVecsShort(t *testing.T) {
	t.Run("float64", testPureGoMatVecsShort[float64])
	t.Run("float32", testPureGoMatVecsShort[float32])
}

func testPureGoMatVecsShort[T Float](t *testing.T) {
	r := tk.NewRand(44)
	tiny := T(math.SmallestNonzeroFloat64)
	if !is64[T]() {
		tiny = T(math.SmallestNonzeroFloat32)
	}
	negz := T(math.Copysign(0, -1))
	pick := func(kind int) (T, T) {
		switch kind {
		case 0:
			return T(r.NormFloat64()), T(r.NormFloat64())
		case 1: // exact zero products, either sign
			return []T{0, negz}[r.IntN(2)], T(r.NormFloat64())
		case 2: // products underflowing to -0 or +0
			return []T{-tiny, tiny}[r.IntN(2)], tiny
		case 3: // small integers: rows that cancel to an exact zero
			return T(r.IntN(3) - 1), T(r.IntN(3) - 1)
		case 5: // every product -0: the canonical sum is +0
			return negz, 1
		}
		switch r.IntN(30) {
		case 0:
			return T(math.Inf(1)), 1
		case 1:
			return T(math.NaN()), 1
		}
		return []T{negz, tiny, T(r.NormFloat64())}[r.IntN(3)], []T{negz, -tiny, 1}[r.IntN(3)]
	}
	const m, nb = 7, 3
	for n := 0; n <= 4*ref.MatVecLanes[T]()+1; n++ {
		for kind := range 6 {
			for rep := range 40 {
				w, x, bias := make([]T, m*n), make([]T, nb*n), make([]T, m)
				for i := range w {
					w[i], _ = pick(kind)
				}
				for i := range x {
					_, x[i] = pick(kind)
				}
				for i := range bias {
					bias[i] = []T{0, negz, 1}[r.IntN(3)]
				}
				for _, b := range [][]T{nil, bias} {
					got, want := make([]T, nb*m), make([]T, nb*m)
					if is64[T]() {
						matVecsGo64(f64(got), m, f64(w), n, f64(x), n, f64(b), m, nb, n)
					} else {
						matVecsGo32(f32(got), m, f32(w), n, f32(x), n, f32(b), m, nb, n)
					}
					ref.MatVecs(want, m, w, n, x, n, b, m, n, nb)
					if i := tk.FirstDiff(got, want); i >= 0 {
						t.Fatalf("n = %d, kind %d, rep %d, bias %v: y[%d] = %v (%#x), ref %v (%#x)", n, kind, rep, b != nil, i, got[i], tk.Bits(got[i]), want[i], tk.Bits(want[i]))
					}
				}
			}
		}
	}
}
