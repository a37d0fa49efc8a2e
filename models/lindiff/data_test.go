package lindiff

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPowerLawSpectrum(t *testing.T) {
	for _, k := range []float64{0, 1, 2} {
		lam, err := PowerLawSpectrum(50, k)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for i, l := range lam {
			sum += l
			if i > 0 && math.Abs(l/lam[0]-math.Pow(float64(i+1), -k)) > 1e-12 {
				t.Fatalf("k = %v: lambda[%d]/lambda[0] = %v, want %v", k, i, l/lam[0], math.Pow(float64(i+1), -k))
			}
		}
		if math.Abs(sum-50) > 1e-9 {
			t.Fatalf("k = %v: total variance %v, want 50", k, sum)
		}
	}
	for _, bad := range []struct {
		d int
		k float64
	}{{0, 1}, {5, -1}, {5, math.NaN()}, {5, math.Inf(1)}} {
		if _, err := PowerLawSpectrum(bad.d, bad.k); err == nil {
			t.Errorf("PowerLawSpectrum(%d, %v): no error", bad.d, bad.k)
		}
	}
}

func TestDiagonalGaussian(t *testing.T) {
	lam := []float64{4, 1, 0.25}
	x, err := DiagonalGaussian(lam, 20000, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := DiagonalGaussian(lam, 20000, 7)
	if !mat.Equal(x, again) {
		t.Fatal("same seed, different samples")
	}
	for j, l := range lam {
		s2 := 0.0
		for i := range 20000 {
			s2 += x.At(i, j) * x.At(i, j)
		}
		// The sample variance of 20000 normals is within 4% with
		// probability far above 1 - 1e-6 (relative sd sqrt(2/n) = 1%).
		if v := s2 / 20000; math.Abs(v/l-1) > 0.04 {
			t.Fatalf("column %d: variance %v, want %v", j, v, l)
		}
	}
	if _, err := DiagonalGaussian([]float64{1, -1}, 3, 1); err == nil || !strings.Contains(err.Error(), "variance 1 is -1") {
		t.Fatalf("negative variance: %v", err)
	}
	if _, err := DiagonalGaussian(lam, 0, 1); err == nil {
		t.Fatal("no samples: no error")
	}
	if _, err := Subset(x, 0); err == nil {
		t.Fatal("Subset(0): no error")
	}
	if s, err := Subset(x, 3); err != nil || s.At(2, 1) != x.At(2, 1) {
		t.Fatalf("Subset: %v", err)
	}
}
