package flow

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowkern/flowkern/internal/isatest"
	"github.com/flowkern/flowkern/internal/ref"
	"github.com/flowkern/flowkern/kernels"
)

// The LU layer's contract is internal/ref.LU, bit for bit on every tier:
// TestLUReference checks it on random layers across the diagonal block of
// the triangular kernels (64) and the worker split, FuzzLU on values and
// shapes from the fuzzer (special values included). The diagonal of the
// "lu" tensor holds NaN (the layer must never read it) and its gradient's
// diagonal must keep its bits.

// luCase is an LU layer bound to its own arenas, with inputs.
type luCase[T kernels.Float] struct {
	l           *LU[T]
	p, g        []T
	x, dz       Matrix[T]
	dlogdet     []T
	d, nb       int
	withDlogdet bool
}

// newLUCase builds a d-feature layer and a batch of nb rows; next supplies
// every value (parameters, gradients, inputs) and perm the permutation.
func newLUCase[T kernels.Float](d, nb int, perm []int, signs []T, next func() T, withDlogdet bool) *luCase[T] {
	l := NewLU[T](d)
	copy(l.perm, perm)
	copy(l.sign, signs)
	c := &luCase[T]{l: l, p: make([]T, l.NumParams()), g: make([]T, l.NumParams()), d: d, nb: nb, withDlogdet: withDlogdet}
	for i := range c.p {
		c.p[i], c.g[i] = next(), next()
	}
	for i := range d {
		c.p[i*d+i] = T(math.NaN())
		c.g[i*d+i] = T(-7)
	}
	l.bind(c.p, c.g)
	mk := func() Matrix[T] {
		m := Matrix[T]{Rows: nb, Cols: d, Data: make([]T, nb*d), Stride: max(1, d)}
		for i := range m.Data {
			m.Data[i] = next()
		}
		return m
	}
	c.x, c.dz = mk(), mk()
	if withDlogdet {
		c.dlogdet = make([]T, nb)
		for i := range c.dlogdet {
			c.dlogdet[i] = next()
		}
	}
	return c
}

func (c *luCase[T]) ref() *ref.LU[T] {
	d := c.d
	return &ref.LU[T]{D: d, Perm: c.l.perm, L: c.p[:d*d], LDL: max(1, d), U: c.p[:d*d], LDU: max(1, d), Sign: c.l.sign, LogS: c.p[d*d:]}
}

// sameBits reports whether got and want are equal bit for bit, NaN
// payloads aside.
func sameBits[T kernels.Float](got, want []T) int {
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if !(math.IsNaN(g) && math.IsNaN(w)) && math.Float64bits(g) != math.Float64bits(w) {
			return i
		}
	}
	return -1
}

// check runs Forward, Inverse and Backward and compares them with ref.LU.
func (c *luCase[T]) check(t *testing.T, what string) {
	t.Helper()
	d, nb, r := c.d, c.nb, c.ref()
	p0, x0, dz0 := clone(c.p), clone(c.x.Data), clone(c.dz.Data)
	same := func(name string, got, want []T) {
		t.Helper()
		if i := sameBits(got, want); i >= 0 {
			t.Fatalf("%s: %s[%d] = %v, reference %v", what, name, i, got[i], want[i])
		}
	}
	mat := func() Matrix[T] { return Matrix[T]{Rows: nb, Cols: d, Data: make([]T, nb*d), Stride: max(1, d)} }
	// Forward, with the log-determinant.
	z, ld := mat(), make([]float64, nb)
	for b := range ld {
		ld[b] = float64(b)
	}
	c.l.Forward(z, c.x, ld)
	wz := clone(x0)
	r.Forward(wz, max(1, d), nb, nil)
	same("Forward z", z.Data, wz)
	s := float64(ref.Sum(c.p[d*d:]))
	for b, v := range ld {
		if w := float64(b) + s; !(math.IsNaN(v) && math.IsNaN(w)) && v != w {
			t.Fatalf("%s: Forward logdet[%d] = %v, want %v", what, b, v, w)
		}
	}
	// Inverse of the reference's output.
	xi := mat()
	c.l.Inverse(xi, Matrix[T]{Rows: nb, Cols: d, Data: clone(wz), Stride: max(1, d)}, nil)
	wx := clone(wz)
	r.Inverse(wx, max(1, d), nb, nil)
	same("Inverse x", xi.Data, wx)
	// Backward, gradients added to the arena.
	g0 := clone(c.g)
	dx := mat()
	c.l.Backward(dx, c.dz, c.x, c.dlogdet)
	wdx, wg := clone(dz0), clone(g0)
	var dl []T
	if c.withDlogdet {
		dl = c.dlogdet
	}
	r.Backward(wdx, max(1, d), clone(x0), max(1, d), nb, dl, wg[:d*d], max(1, d), wg[:d*d], max(1, d), wg[d*d:])
	same("Backward dx", dx.Data, wdx)
	same("Backward gradients", c.g, wg)
	// Inputs and parameters unchanged.
	same("parameters", c.p, p0)
	same("x", c.x.Data, x0)
	same("dz", c.dz.Data, dz0)
}

func clone[T any](s []T) []T { return append([]T(nil), s...) }

func TestLUReference(t *testing.T) {
	isatest.Each(t, func(t *testing.T) {
		t.Run("float64", func(t *testing.T) { testLUReference[float64](t) })
		t.Run("float32", func(t *testing.T) { testLUReference[float32](t) })
	})
}

func testLUReference[T kernels.Float](t *testing.T) {
	shapes := [][2]int{{0, 3}, {1, 1}, {2, 0}, {3, 5}, {8, 7}, {17, 40}, {63, 9}, {64, 33}, {65, 2}, {71, 40}, {130, 5}}
	for _, sh := range shapes {
		d, nb := sh[0], sh[1]
		for k, withDlogdet := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(d), uint64(nb*2+k)))
			signs := make([]T, d)
			for i := range signs {
				signs[i] = T(1 - 2*r.IntN(2))
			}
			n := 0
			next := func() T {
				n++
				if n%(d*d+d+1) < d+1 { // a few log-scales and the rest
					return T(0.3 * r.NormFloat64())
				}
				return T(r.NormFloat64() / math.Sqrt(float64(max(1, d))))
			}
			c := newLUCase[T](d, nb, r.Perm(d), signs, next, withDlogdet)
			c.check(t, fmt.Sprintf("d=%d batch=%d dlogdet=%v", d, nb, withDlogdet))
		}
	}
}

// FuzzLU takes d (up to 71), the batch (up to 40), a permutation seed (0
// is the identity), the precision, whether dlogdet is given, whether the
// signs are ±1 or any value, and every value from the fuzzer's bytes (8 or
// 4 bytes each, IEEE bits, cycled), and checks every usable tier against
// ref.LU.
func FuzzLU(f *testing.F) {
	seed := make([]byte, 64)
	for i := range seed {
		seed[i] = byte(i*37 + 11)
	}
	f.Add(uint8(5), uint8(3), uint64(0), uint8(0), seed)
	f.Add(uint8(65), uint8(33), uint64(7), uint8(1), seed)
	f.Add(uint8(70), uint8(9), uint64(3), uint8(6), seed)
	f.Add(uint8(1), uint8(0), uint64(1), uint8(3), []byte{})
	f.Add(uint8(0), uint8(3), uint64(117), uint8(0), []byte("0")) // d = 0 with rows (kernels' old LULinear corpus)
	f.Fuzz(func(t *testing.T, d, nb uint8, permSeed uint64, flags uint8, data []byte) {
		dd, nbb := int(d)%72, int(nb)%41
		perm := make([]int, dd)
		for i := range perm {
			perm[i] = i
		}
		if permSeed != 0 {
			rand.New(rand.NewPCG(permSeed, 1)).Shuffle(dd, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		isatest.Each(t, func(t *testing.T) {
			what := fmt.Sprintf("d=%d batch=%d perm=%d flags=%#x", dd, nbb, permSeed, flags)
			if flags&1 != 0 {
				fuzzLU[float32](t, what, dd, nbb, perm, flags, data)
			} else {
				fuzzLU[float64](t, what, dd, nbb, perm, flags, data)
			}
		})
	})
}

func fuzzLU[T kernels.Float](t *testing.T, what string, d, nb int, perm []int, flags uint8, data []byte) {
	var vals []T
	if _, ok := any(T(0)).(float32); ok {
		for i := 0; i+4 <= len(data); i += 4 {
			vals = append(vals, T(math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))))
		}
	} else {
		for i := 0; i+8 <= len(data); i += 8 {
			vals = append(vals, T(math.Float64frombits(binary.LittleEndian.Uint64(data[i:]))))
		}
	}
	pos := 0
	next := func() T {
		if len(vals) == 0 {
			return 0
		}
		pos++
		return vals[pos%len(vals)]
	}
	signs := make([]T, d)
	for i := range signs {
		signs[i] = 1
		if flags&4 != 0 {
			signs[i] = next()
		} else if i%3 == 1 {
			signs[i] = -1
		}
	}
	c := newLUCase[T](d, nb, perm, signs, next, flags&2 != 0)
	c.check(t, what)
}
