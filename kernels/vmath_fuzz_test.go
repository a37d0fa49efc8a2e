package kernels

import (
	"slices"
	"testing"

	"github.com/flowkern/flowkern/internal/dd"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The vector math fuzz targets decode the fuzzer's bytes as IEEE values (any
// bit pattern: NaNs, infinities, subnormals), run every usable tier on them
// in guarded slices at a fuzzer-chosen offset, and check each result against
// internal/ref bit for bit and against the double-double truth within the
// function's ulp bound. gen/wire writes one target per function of the
// manifest (FuzzExp, ...), each calling fuzzVmath.

func fuzzVmath(f *testing.F, fn vfunc) {
	i := slices.IndexFunc(vmathSpecs, func(s vmathSpec) bool { return s.f == fn })
	if i < 0 {
		f.Fatalf("%s has no row in vmathSpecs", fn)
	}
	s := vmathSpecs[i]
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, single bool) {
		if single {
			fuzzVmathT[float32](t, s, data, off)
		} else {
			fuzzVmathT[float64](t, s, data, off)
		}
	})
}

func fuzzVmathT[T Float](t *testing.T, s vmathSpec, data []byte, off uint8) {
	x := decode[T](data)
	want := make([]T, len(x))
	for i, v := range x {
		want[i] = refVmath(s, v)
		truth, k := s.truth(float64(v))
		bound := s.bound64
		if !is64[T]() {
			bound = s.bound32
		}
		if e := dd.ULPError(float64(want[i]), truth, k, !is64[T]()); e > bound {
			t.Fatalf("%s(%v) = %v: error %.3f ulp exceeds %.1f", s.f, v, want[i], e, bound)
		}
	}
	for _, tier := range usableTiers() {
		gx, gd := guarded(x, off), tk.NewGuarded[T](len(x), int(off/8)%8)
		vmathTier(tier, s.f, gd.S(), gx.S())
		if i := tk.FirstDiff(gd.S(), want); i >= 0 {
			t.Fatalf("%s %s(%v) = %v, reference %v", tier, s.f, x[i], gd.S()[i], want[i])
		}
		vmathTier(tier, s.f, gx.S(), gx.S())
		if i := tk.FirstDiff(gx.S(), want); i >= 0 {
			t.Fatalf("%s %s(%v) in place = %v, reference %v", tier, s.f, x[i], gx.S()[i], want[i])
		}
		checkGuards(t, tier, gx, gd)
	}
}
