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

	"github.com/flowkern/flowkern/internal/ref"
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

// sinCos2Pi returns sin and cos of 2 pi v, v in [0, 1): ref.SinCos2Pi,
// not math.Sin and math.Cos, whose Go code is compiled with fused
// multiply-adds on arm64 and without on amd64.
func sinCos2Pi(v float64) (s, c float64) {
	c, s = ref.SinCos2Pi(v)
	return s, c
}

// Every product below that meets an addition is rounded by an explicit
// conversion: the compiler may fuse a*b+c into an fma on arm64 and not on
// amd64, and the points must be the same on both.

// moons: two interleaved half circles of radius 1 (the second shifted by
// (1, -0.5)), noise 0.1, then centred and scaled as the flow literature
// does (x - (0.5, 0.25)) * 2.
func moons(p []float64, g *kernels.Normal) {
	s, c := sinCos2Pi(g.Uniform() / 2)
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
	s, c := sinCos2Pi(float64(g.Uint64()%8) / 8)
	p[0] = float64(2*c) + float64(0.2*g.Float64())
	p[1] = float64(2*s) + float64(0.2*g.Float64())
}

// checkerboard: uniform on the black squares of a 4 x 4 board on [-2, 2)^2.
func checkerboard(p []float64, g *kernels.Normal) {
	x := float64(4*g.Uniform()) - 2
	y := float64(4*g.Uniform()) - 2
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
	r := 3 * math.Sqrt(g.Uniform()) // the angle is r pi
	v := r / 2
	v -= math.Floor(v) // exact
	s, c := sinCos2Pi(v)
	x, y := float64(r*c), float64(r*s)
	if g.Uint64()&1 == 1 {
		x, y = -x, -y
	}
	p[0] = x + float64(0.1*g.Float64())
	p[1] = y + float64(0.1*g.Float64())
}
