// Package toy2d generates the 2-D densities that flow papers and libraries
// test on: two moons, eight Gaussians, a checkerboard and two spirals. Every
// set is drawn from kernels.Normal streams, so a seed gives the same points
// on every architecture.
package toy2d

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/flowkern/flowkern/kernels"
)

// Names lists the generators Generate knows.
var Names = []string{"moons", "8gaussians", "checkerboard", "spirals"}

// Generate returns n points of the named density as an n x 2 row-major
// matrix, drawn from seed.
func Generate(name string, n int, seed uint64) (kernels.Matrix[float64], error) {
	if n < 0 {
		return kernels.Matrix[float64]{}, fmt.Errorf("toy2d: n = %d < 0", n)
	}
	gen, ok := map[string]func([]float64, *kernels.Normal){
		"moons": moons, "8gaussians": eightGaussians, "checkerboard": checkerboard, "spirals": spirals,
	}[name]
	if !ok {
		known := append([]string(nil), Names...)
		sort.Strings(known)
		return kernels.Matrix[float64]{}, fmt.Errorf("toy2d: unknown density %q (want one of %s)", name, strings.Join(known, ", "))
	}
	x := make([]float64, 2*n)
	g := kernels.NewNormal(seed, 0)
	for i := range n {
		gen(x[2*i:2*i+2], &g)
	}
	return kernels.Matrix[float64]{Rows: n, Cols: 2, Data: x, Stride: 2}, nil
}

// uniform returns a uniform number in [0, 1).
func uniform(g *kernels.Normal) float64 { return float64(g.Uint64()>>11) * 0x1p-53 }

// The trigonometric functions go through sinCos, a polynomial on a reduced
// argument with explicit roundings: math.Sin and math.Cos are pure Go on
// amd64 and arm64 today, but the points must not depend on that.
func sinCos(a float64) (s, c float64) {
	// Reduce to r in [-pi/4, pi/4] with quadrant q.
	q := math.Round(a * (2 / math.Pi))
	r := math.FMA(-q, math.Pi/2, a)
	r = math.FMA(-q, 6.123233995736766e-17, r) // the rest of pi/2
	r2 := float64(r * r)
	sp := r * horner(r2, 1, -1.0/6, 1.0/120, -1.0/5040, 1.0/362880, -1.0/39916800, 1.0/6227020800, -1.0/1307674368000, 1.0/355687428096000)
	cp := horner(r2, 1, -0.5, 1.0/24, -1.0/720, 1.0/40320, -1.0/3628800, 1.0/479001600, -1.0/87178291200, 1.0/20922789888000)
	switch int64(q) & 3 {
	case 0:
		return sp, cp
	case 1:
		return cp, -sp
	case 2:
		return -sp, -cp
	}
	return -cp, sp
}

// horner returns c[0] + x c[1] + x^2 c[2] + ... with explicit fmas.
func horner(x float64, c ...float64) float64 {
	v := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		v = math.FMA(v, x, c[i])
	}
	return v
}

// Every product below that meets an addition is rounded by an explicit
// conversion: the compiler may fuse a*b+c into an fma on arm64 and not on
// amd64, and the points must be the same on both.

// moons: two interleaved half circles of radius 1 (the second shifted by
// (1, -0.5)), noise 0.1, then centred and scaled as the flow literature
// does (x - (0.5, 0.25)) * 2.
func moons(p []float64, g *kernels.Normal) {
	t := math.Pi * uniform(g)
	s, c := sinCos(t)
	x, y := c, s
	if g.Uint64()&1 == 1 {
		x, y = 1-c, 0.5-s
	}
	x += float64(0.1 * g.Float64())
	y += float64(0.1 * g.Float64())
	p[0], p[1] = float64((x-0.5)*2), float64((y-0.25)*2)
}

// eightGaussians: eight Gaussians of standard deviation 0.2 evenly on a
// circle of radius 2.
func eightGaussians(p []float64, g *kernels.Normal) {
	k := float64(g.Uint64() % 8)
	s, c := sinCos(k * (math.Pi / 4))
	p[0] = float64(2*c) + float64(0.2*g.Float64())
	p[1] = float64(2*s) + float64(0.2*g.Float64())
}

// checkerboard: uniform on the black squares of a 4 x 4 board on [-2, 2)^2.
func checkerboard(p []float64, g *kernels.Normal) {
	x := float64(4*uniform(g)) - 2
	y := float64(4*uniform(g)) - 2
	// Move y into the black square of x's column.
	ix := int(math.Floor(x + 2))
	iy := int(math.Floor(y + 2))
	if (ix+iy)%2 == 1 {
		y -= 1
		if y < -2 {
			y += 4
		}
	}
	p[0], p[1] = x, y
}

// spirals: two interleaved spirals r = t, angle t, t in [0, 3 pi] scaled
// to radius 3, noise 0.1.
func spirals(p []float64, g *kernels.Normal) {
	t := 3 * math.Pi * math.Sqrt(uniform(g))
	s, c := sinCos(t)
	r := t / math.Pi
	x, y := float64(r*c), float64(r*s)
	if g.Uint64()&1 == 1 {
		x, y = -x, -y
	}
	p[0] = x + float64(0.1*g.Float64())
	p[1] = y + float64(0.1*g.Float64())
}
