package kernels

import (
	"testing"

	"github.com/flowkern/flowkern/internal/dd"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// The vector math fuzz targets decode the fuzzer's bytes as IEEE values (any
// bit pattern: NaNs, infinities, subnormals), run every usable tier on them
// in guarded slices at a fuzzer-chosen offset, and check each result against
// internal/ref bit for bit and against the double-double truth within the
// function's ulp bound.

func FuzzExp(f *testing.F)      { fuzzVmath(f, fnExp) }
func FuzzLog(f *testing.F)      { fuzzVmath(f, fnLog) }
func FuzzExpm1(f *testing.F)    { fuzzVmath(f, fnExpm1) }
func FuzzLog1p(f *testing.F)    { fuzzVmath(f, fnLog1p) }
func FuzzTanh(f *testing.F)     { fuzzVmath(f, fnTanh) }
func FuzzSigmoid(f *testing.F)  { fuzzVmath(f, fnSigmoid) }
func FuzzSoftplus(f *testing.F) { fuzzVmath(f, fnSoftplus) }
func FuzzAtan(f *testing.F)     { fuzzVmath(f, fnAtan) }

func specOf(fn vfunc) vmathSpec {
	for _, s := range vmathSpecs {
		if s.f == fn {
			return s
		}
	}
	panic("no spec for " + fn.String())
}

func fuzzVmath(f *testing.F, fn vfunc) {
	seedFuzz(f)
	s := specOf(fn)
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
