package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/ref"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The fuzz targets decode the fuzzer's bytes as IEEE values (so every bit
// pattern, NaNs and subnormals included, can occur), place them at a
// fuzzer-chosen offset in guarded slices, and check every usable tier
// against internal/ref bit for bit.

func decode[T Float](data []byte) []T {
	if is64[T]() {
		v := make([]float64, len(data)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return any(v).([]T)
	}
	v := make([]float32, len(data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return any(v).([]T)
}

// guarded copies v into a NaN-guarded slice at offset off.
func guarded[T Float](v []T, off uint8) *tk.Guarded[T] {
	g := tk.NewGuarded[T](len(v), int(off%8))
	copy(g.S(), v)
	return g
}

func usableTiers() []cpu.Tier {
	var ts []cpu.Tier
	for _, t := range cpu.Tiers {
		if usable(t) {
			ts = append(ts, t)
		}
	}
	return ts
}

func seedFuzz(f *testing.F) {
	f.Add([]byte{}, uint8(0), false)
	f.Add(make([]byte, 8*70), uint8(3), false)
	f.Add(make([]byte, 4*130), uint8(5), true)
	b := make([]byte, 8*40)
	for i := range 40 {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i)-19.5))
	}
	f.Add(b, uint8(1), false)
	f.Add(b, uint8(2), true)
}

func checkGuards[T Float](t *testing.T, tier cpu.Tier, gs ...*tk.Guarded[T]) {
	t.Helper()
	for _, g := range gs {
		if err := g.Check(); err != nil {
			t.Fatalf("%s: %v", tier, err)
		}
	}
}

func FuzzDot(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzDot[float32](t, data, off)
		} else {
			fuzzDot[float64](t, data, off)
		}
	})
}

func fuzzDot[T Float](t *testing.T, data []byte, off uint8) {
	v := decode[T](data)
	x, y := v[:len(v)/2], v[len(v)/2:2*(len(v)/2)]
	want := ref.Dot(x, y)
	for _, tier := range usableTiers() {
		gx, gy := guarded(x, off), guarded(y, off/8)
		if got := dotOn(tier, gx.S(), gy.S()); !tk.Same(got, want) {
			t.Fatalf("%s: Dot n=%d = %v (%#x), reference %v (%#x)", tier, len(x), got, tk.Bits(got), want, tk.Bits(want))
		}
		checkGuards(t, tier, gx, gy)
	}
}

func FuzzSum(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzSum[float32](t, data, off)
		} else {
			fuzzSum[float64](t, data, off)
		}
	})
}

func fuzzSum[T Float](t *testing.T, data []byte, off uint8) {
	x := decode[T](data)
	want := ref.Sum(x)
	for _, tier := range usableTiers() {
		gx := guarded(x, off)
		if got := sumOn(tier, gx.S()); !tk.Same(got, want) {
			t.Fatalf("%s: Sum n=%d = %v (%#x), reference %v (%#x)", tier, len(x), got, tk.Bits(got), want, tk.Bits(want))
		}
		checkGuards(t, tier, gx)
	}
}

func FuzzAxpy(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzAxpy[float32](t, data, off)
		} else {
			fuzzAxpy[float64](t, data, off)
		}
	})
}

func fuzzAxpy[T Float](t *testing.T, data []byte, off uint8) {
	v := decode[T](data)
	if len(v) == 0 {
		return
	}
	alpha, v := v[0], v[1:]
	x, y := v[:len(v)/2], v[len(v)/2:2*(len(v)/2)]
	want := clone(y)
	ref.Axpy(alpha, x, want)
	for _, tier := range usableTiers() {
		gx, gy := guarded(x, off), guarded(y, off/8)
		axpyOn(tier, alpha, gx.S(), gy.S())
		if i := tk.FirstDiff(gy.S(), want); i >= 0 {
			t.Fatalf("%s: Axpy n=%d: y[%d] = %v, reference %v", tier, len(x), i, gy.S()[i], want[i])
		}
		checkGuards(t, tier, gx, gy)
	}
}

func FuzzScale(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzScale[float32](t, data, off)
		} else {
			fuzzScale[float64](t, data, off)
		}
	})
}

func fuzzScale[T Float](t *testing.T, data []byte, off uint8) {
	v := decode[T](data)
	if len(v) == 0 {
		return
	}
	alpha, x := v[0], v[1:]
	want := clone(x)
	ref.Scale(alpha, want)
	for _, tier := range usableTiers() {
		gx := guarded(x, off)
		scaleOn(tier, alpha, gx.S())
		if i := tk.FirstDiff(gx.S(), want); i >= 0 {
			t.Fatalf("%s: Scale n=%d: x[%d] = %v, reference %v", tier, len(x), i, gx.S()[i], want[i])
		}
		checkGuards(t, tier, gx)
	}
}

// fuzzBinary fuzzes one kernel of the binary group (gen/wire writes FuzzAdd
// and FuzzMul, one per member of the manifest).
func fuzzBinary(f *testing.F, op binaryOp) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzBinaryT[float32](t, op, data, off)
		} else {
			fuzzBinaryT[float64](t, op, data, off)
		}
	})
}

func fuzzBinaryT[T Float](t *testing.T, op binaryOp, data []byte, off uint8) {
	v := decode[T](data)
	x, y := v[:len(v)/2], v[len(v)/2:2*(len(v)/2)]
	want := make([]T, len(x))
	refBinary(op, want, x, y)
	for _, tier := range usableTiers() {
		gx, gy, gd := guarded(x, off), guarded(y, off/8), guarded(make([]T, len(x)), off/64)
		binaryOn(tier, op, gd.S(), gx.S(), gy.S())
		if i := tk.FirstDiff(gd.S(), want); i >= 0 {
			t.Fatalf("%s: op %d n=%d: dst[%d] = %v, reference %v", tier, op, len(x), i, gd.S()[i], want[i])
		}
		binaryOn(tier, op, gx.S(), gx.S(), gy.S()) // dst == x
		if i := tk.FirstDiff(gx.S(), want); i >= 0 {
			t.Fatalf("%s: op %d n=%d with dst == x: dst[%d] = %v, reference %v", tier, op, len(x), i, gx.S()[i], want[i])
		}
		checkGuards(t, tier, gx, gy, gd)
	}
}
