package kernels

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
)

// FuzzGatherScatter takes the rows, the column count, the strides, the
// offsets and a column set from the fuzzer: bare indices (repeats allowed),
// a split from one of the constructors, or a claimed permutation, which
// PermutationSplit must accept exactly when it is one. The values come
// from the fuzzer's bytes as raw IEEE bits. Gather and Scatter must match a
// per-element loop bit for bit and keep guards, gaps and inputs; a split
// must partition its columns, and ScatterSplit after GatherSplit must give
// the input back bit for bit.
func FuzzGatherScatter(f *testing.F) {
	b := make([]byte, 8*40)
	for i := range 40 {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i)-19.5))
	}
	binary.LittleEndian.PutUint64(b, 0x7ff0_0000_0000_0001) // a signalling NaN
	f.Add(b, uint32(3+9*32), []byte{0, 2, 4, 6, 8, 10, 1, 2, 3, 4, 5, 31}, false)
	f.Add(b, uint32(5+9*48+1<<16), []byte{4, 8, 2, 1}, true)
	f.Add(b, uint32(2+9*12+2<<16), []byte{1}, false)
	f.Add(b, uint32(4+9*24+3<<16), []byte{3, 4, 2, 1}, false)
	f.Add(b, uint32(1+9*6+4<<16), []byte{5, 4, 3, 2, 1, 0, 3}, true)
	f.Add([]byte{}, uint32(0), []byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, shape uint32, sel []byte, single bool) {
		if single {
			fuzzGatherScatter[float32](t, data, shape, sel)
		} else {
			fuzzGatherScatter[float64](t, data, shape, sel)
		}
	})
}

func fuzzGatherScatter[T Float](t *testing.T, data []byte, shape uint32, sel []byte) {
	rows, d := int(shape%9), int(shape/9%80)
	mode := shape >> 16 % 5
	layout := shape >> 19
	byteAt := func(i int) int {
		if len(sel) == 0 {
			return 0
		}
		return int(sel[i%len(sel)])
	}
	var cols []int
	var split *Split
	switch mode {
	case 0: // bare indices, repeats allowed
		if d > 0 {
			cols = make([]int, len(sel)%100)
			for i := range cols {
				cols[i] = byteAt(i) % d
			}
		}
	case 1, 2: // a constructor
		var s Split
		switch byteAt(0) % 5 {
		case 0:
			s = Halves(d)
		case 1:
			s = SplitAt(d, byteAt(1)%(d+1))
		case 2:
			s = Alternating(d, byteAt(1)%2)
		case 3:
			h, w, c := 1+byteAt(1)%6, 1+byteAt(2)%8, 1+byteAt(3)%4
			s = Checkerboard(h, w, c, byteAt(4)%2)
			d = s.D()
		default:
			perm := make([]int, d)
			for i := range perm {
				perm[i] = i
			}
			for i := d - 1; i > 0; i-- { // Fisher-Yates driven by the bytes
				j := byteAt(i+5) % (i + 1)
				perm[i], perm[j] = perm[j], perm[i]
			}
			var err error
			if s, err = PermutationSplit(perm, byteAt(1)%(d+1)); err != nil {
				t.Fatal(err)
			}
		}
		if mode == 2 {
			s = s.Swap()
		}
		split = &s
	default: // a claimed permutation: accepted exactly when it is one
		perm := make([]int, len(sel))
		for i := range perm {
			perm[i] = int(int8(sel[i])) // negatives too
		}
		k := byteAt(0) % (len(perm) + 1)
		s, err := PermutationSplit(perm, k)
		sorted := slices.Sorted(slices.Values(perm))
		isPerm := true
		for i, v := range sorted {
			isPerm = isPerm && v == i
		}
		if (err == nil) != isPerm {
			t.Fatalf("PermutationSplit(%v, %d): error %v, but is a permutation: %v", perm, k, err, isPerm)
		}
		if err != nil {
			return
		}
		d = len(perm)
		split = &s
	}

	if split != nil {
		s := *split
		all := append(s.A(), s.B()...)
		slices.Sort(all)
		if s.D() != d || len(all) != d || s.LenA()+s.LenB() != d {
			t.Fatalf("split of %d columns has D=%d, A=%v, B=%v", d, s.D(), s.A(), s.B())
		}
		for i, v := range all {
			if v != i {
				t.Fatalf("split of %d columns is not a partition: A=%v, B=%v", d, s.A(), s.B())
			}
		}
		cols = s.A()
	}

	values := decode[T](data)
	fill := func(m gmat[T]) {
		if len(values) == 0 {
			return
		}
		for i := range m.m.Data {
			if i%m.m.Stride < m.m.Cols {
				m.m.Data[i] = values[i%len(values)]
			}
		}
	}
	mat := func(rows, cols int, i uint32, gap T) gmat[T] {
		g := newGMat[T](tk.NewRand(uint64(i)), rows, cols, int(layout>>(4*i))&3, int(layout>>(4*i+2))&3, gap)
		fill(g)
		return g
	}
	src := mat(rows, d, 0, nan[T]())
	src0 := clone(src.m.Data)
	dst := mat(rows, len(cols), 1, -7)
	want := clone(dst.m.Data)
	Gather(dst.m, src.m, cols)
	naiveGather(Matrix[T]{rows, len(cols), want, dst.m.Stride}, src.m, cols)
	sameBits(t, "Gather", dst.m.Data, want)
	sameBits(t, "Gather src", src.m.Data, src0)
	checkAll(t, "Gather", src, dst)

	full := mat(rows, d, 2, -7)
	fullWant := clone(full.m.Data)
	Scatter(full.m, dst.m, cols)
	naiveScatter(Matrix[T]{rows, d, fullWant, full.m.Stride}, dst.m, cols)
	sameBits(t, "Scatter", full.m.Data, fullWant)
	sameBits(t, "Scatter src", dst.m.Data, want)
	checkAll(t, "Scatter", full, dst)

	if split == nil {
		return
	}
	s := *split
	xa, xb := mat(rows, s.LenA(), 3, -7), mat(rows, s.LenB(), 4, -7)
	GatherSplit(xa.m, xb.m, src.m, s)
	y := mat(rows, d, 5, -7)
	for i := range y.m.Data {
		if i%y.m.Stride < d {
			y.m.Data[i] = 12345
		}
	}
	ScatterSplit(y.m, xa.m, xb.m, s)
	for i := range y.m.Data {
		if i%y.m.Stride < d {
			if r, c := i/y.m.Stride, i%y.m.Stride; tk.Bits(y.m.Data[i]) != tk.Bits(src0[r*src.m.Stride+c]) {
				t.Fatalf("ScatterSplit(GatherSplit): row %d column %d = %v, want %v", r, c, y.m.Data[i], src0[r*src.m.Stride+c])
			}
		} else if y.m.Data[i] != -7 {
			t.Fatalf("ScatterSplit wrote gap element %d", i)
		}
	}
	checkAll(t, "split", xa, xb, y)
}
