package kernels

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/flowkern/flowkern/internal/dd"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// TestVmathMaxErrorSearch searches for the largest error of each vector
// math function, the measure behind the "Max error" of the docs in
// vmath.go: a coarse pass (the hard sweeps of TestVmathAccuracy, random
// inputs over the function's whole domain and log-uniform magnitudes of
// both signs), then repeated local scans around the worst points found so
// far, at steps of 1, 2^8, 2^16 and 2^24 ulps of x. It takes minutes, so it
// runs only with FLOWKERN_VMATH_SEARCH set (to the number of coarse inputs
// per function and precision, e.g. 2000000); it prints the worst points as
// "func precision x f(x) ulps", for an independent check (such as
// kernels/testdata/vmath_check.py, with mpmath), and
// fails if a point exceeds the test bound.
func TestVmathMaxErrorSearch(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FLOWKERN_VMATH_SEARCH"))
	if n <= 0 {
		t.Skip("set FLOWKERN_VMATH_SEARCH=<inputs per function> to run the search")
	}
	for _, s := range vmathSpecs {
		for _, single := range []bool{false, true} {
			prec, bound := "float64", s.bound64
			if single {
				prec, bound = "float32", s.bound32
			}
			top := searchWorst(s, single, n)
			for i, p := range top[:min(5, len(top))] {
				fmt.Printf("search %s %s %v %v %.4f\n", s.f, prec, p.x, evalAt(s.f, p.x, single), p.e)
				if i == 0 && p.e > bound {
					t.Errorf("%s %s: %.4f ulp at %v exceeds %v", s.f, prec, p.e, p.x, bound)
				}
			}
		}
	}
}

type errPoint struct{ x, e float64 }

// searchWorst returns the worst points of s found by the search, worst
// first, distinct.
func searchWorst(s vmathSpec, single bool, n int) []errPoint {
	r := tk.NewRand(uint64(s.f)*7 + 1)
	var xs []float64
	if single {
		xs = s.hard32()
	} else {
		xs = s.hard64()
	}
	for range n / 2 {
		if single {
			xs = append(xs, random32(r, s))
		} else {
			xs = append(xs, s.random(r))
		}
	}
	for range n / 2 {
		// Log-uniform magnitude in [2^-30, 2^10), either sign.
		v := math.Exp2(-30 + 40*r.Float64())
		if r.IntN(2) == 0 {
			v = -v
		}
		xs = append(xs, v)
	}
	// Points an independent check reported (issue 16).
	xs = append(xs, knownWorst[s.f]...)
	const keep = 48
	top := worstOf(s, single, xs, keep)
	for _, step := range []float64{1 << 24, 1 << 16, 1 << 8, 1} {
		for range 2 {
			var near []float64
			for _, p := range top {
				near = append(near, neighbours(p.x, step, 1024, single, r)...)
			}
			top = mergeTop(top, worstOf(s, single, near, keep), keep)
		}
	}
	return top
}

// neighbours returns m inputs within ±m*step ulps of x (random offsets).
func neighbours(x, step float64, m int, single bool, r *rand.Rand) []float64 {
	out := make([]float64, 0, m)
	for range m {
		k := math.Round((2*r.Float64() - 1) * float64(m) * step)
		if single {
			b := int64(math.Float32bits(float32(math.Abs(x)))) + int64(k)
			if b < 0 || b >= 0x7f800000 {
				continue
			}
			out = append(out, math.Copysign(float64(math.Float32frombits(uint32(b))), x))
		} else {
			b := int64(math.Float64bits(math.Abs(x))) + int64(k)
			if b < 0 || b >= 0x7ff0000000000000 {
				continue
			}
			out = append(out, math.Copysign(math.Float64frombits(uint64(b)), x))
		}
	}
	return out
}

// worstOf evaluates the function on xs (on the active tier, bit-identical
// to every other) and returns its keep worst points.
func worstOf(s vmathSpec, single bool, xs []float64, keep int) []errPoint {
	var ys []float64
	if single {
		x := make([]float32, len(xs))
		for i, v := range xs {
			x[i] = float32(v)
		}
		y := make([]float32, len(x))
		vmathTier(active, s.f, y, x)
		xs = make([]float64, len(x))
		for i := range x {
			xs[i], ys = float64(x[i]), append(ys, float64(y[i]))
		}
	} else {
		ys = make([]float64, len(xs))
		vmathTier(active, s.f, ys, xs)
	}
	var pts []errPoint
	for i, x := range xs {
		v, k := s.truth(x)
		if e := dd.ULPError(ys[i], v, k, single); e > 0.5 && !math.IsNaN(e) {
			pts = append(pts, errPoint{x, e})
		}
	}
	return mergeTop(nil, pts, keep)
}

// mergeTop returns the keep worst distinct points of a and b.
func mergeTop(a, b []errPoint, keep int) []errPoint {
	all := slices.Concat(a, b)
	slices.SortFunc(all, func(p, q errPoint) int { return cmp.Or(cmp.Compare(q.e, p.e), cmp.Compare(p.x, q.x)) })
	all = slices.CompactFunc(all, func(p, q errPoint) bool { return p.x == q.x })
	return all[:min(keep, len(all))]
}

// evalAt returns the function at x as the kernels compute it (in float32
// when single).
func evalAt(f vfunc, x float64, single bool) float64 {
	if single {
		d := []float32{0}
		vmathTier(active, f, d, []float32{float32(x)})
		return float64(d[0])
	}
	d := []float64{0}
	vmathTier(active, f, d, []float64{x})
	return d[0]
}

// knownWorst are worst points found elsewhere, searched from too.
var knownWorst = map[vfunc][]float64{
	fnExp:   {699.07864109403738},
	fnExpm1: {0.38811342929794512},
	fnTanh:  {0.062025886},
}
