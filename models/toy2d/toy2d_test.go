package toy2d

import (
	"math"
	"testing"
)

// TestShapes checks each density's support and spread, and that a seed
// fixes the points.
func TestShapes(t *testing.T) {
	const n = 20000
	for _, name := range Names {
		x, err := Generate(name, n, 1)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := Generate(name, n, 1)
		z, _ := Generate(name, n, 2)
		same, diff := true, false
		var mx, my, r2 float64
		for i := range n {
			a, b := x.Data[2*i], x.Data[2*i+1]
			same = same && a == y.Data[2*i] && b == y.Data[2*i+1]
			diff = diff || a != z.Data[2*i]
			mx += a / n
			my += b / n
			r2 += (a*a + b*b) / n
			if math.IsNaN(a) || math.Abs(a) > 5 || math.Abs(b) > 5 {
				t.Fatalf("%s: point %d = (%v, %v) out of range", name, i, a, b)
			}
			switch name {
			case "checkerboard":
				ix, iy := int(math.Floor(a+2)), int(math.Floor(b+2))
				if (ix+iy)%2 == 1 || a < -2 || a >= 2 || b < -2 || b >= 2 {
					t.Fatalf("checkerboard point (%v, %v) on a white square", a, b)
				}
			case "8gaussians":
				if r := math.Hypot(a, b); r < 1 || r > 3 {
					t.Fatalf("8gaussians point at radius %v", r)
				}
			}
		}
		if !same || !diff {
			t.Fatalf("%s: same seed same points %v, other seed other points %v", name, same, diff)
		}
		if math.Abs(mx) > 0.1 || math.Abs(my) > 0.1 || r2 < 0.5 || r2 > 8 {
			t.Errorf("%s: mean (%v, %v), E|x|^2 = %v", name, mx, my, r2)
		}
	}
	if _, err := Generate("circles", 3, 1); err == nil {
		t.Error("unknown name: no error")
	}
	if _, err := Generate("moons", -1, 1); err == nil {
		t.Error("n < 0: no error")
	}
}
