//go:build openblas && cgo

package openblas

import (
	"os"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
)

func TestWiderCore(t *testing.T) {
	for _, c := range []struct {
		picked       string
		avx512, avx2 bool
		want         string
	}{
		{"Prescott", true, true, "SkylakeX"}, // Emerald Rapids in 0.3.21
		{"Zen", true, true, "SkylakeX"},      // Zen 5
		{"Haswell", true, true, "SkylakeX"},
		{"SkylakeX", true, true, ""},
		{"Cooperlake", true, true, ""},
		{"Prescott", false, true, "Haswell"},
		{"Zen", false, true, ""}, // Zen 3: its AVX2 kernels are Haswell's
		{"Haswell", false, true, ""},
		{"Prescott", false, false, ""},
		{"Nehalem", false, false, ""},
	} {
		if got := widerCore(c.picked, c.avx512, c.avx2); got != c.want {
			t.Errorf("widerCore(%q, avx512 %v, avx2 %v) = %q, want %q", c.picked, c.avx512, c.avx2, got, c.want)
		}
	}
}

// TestCoreInUse checks that init left OpenBLAS on kernels as wide as this
// CPU's vectors (unless the environment named a set), and that they still
// compute: a small dgemm and sgemm against the sums written out.
func TestCoreInUse(t *testing.T) {
	t.Logf("OpenBLAS %s: picked %s, running %s", Version(), Picked(), Corename())
	if Picked() == "" || Corename() == "" || Version() == "unknown" {
		t.Fatalf("OpenBLAS does not describe itself: picked %q, core %q, version %q", Picked(), Corename(), Version())
	}
	has512, _ := cpu.Supported(cpu.AVX512)
	has256, _ := cpu.Supported(cpu.AVX2)
	if ct := os.Getenv("OPENBLAS_CORETYPE"); ct != "" {
		t.Logf("OPENBLAS_CORETYPE=%s chose the set", ct)
	} else if w := widerCore(Corename(), has512, has256); w != "" {
		t.Errorf("OpenBLAS runs %s on a CPU that has %s's vectors", Corename(), w)
	}
	const m, n, k = 5, 7, 3
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	for i := range a {
		a[i] = float64(i%5) - 2
	}
	for i := range b {
		b[i] = float64(i%7) - 3
	}
	c := make([]float64, m*n)
	Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	c32 := make([]float32, m*n)
	a32, b32 := make([]float32, len(a)), make([]float32, len(b))
	for i := range a {
		a32[i] = float32(a[i])
	}
	for i := range b {
		b32[i] = float32(b[i])
	}
	Sgemm(false, false, m, n, k, 1, a32, k, b32, n, 0, c32, n)
	for i := range m {
		for j := range n {
			var want float64
			for p := range k {
				want += a[i*k+p] * b[p*n+j]
			}
			if c[i*n+j] != want || float64(c32[i*n+j]) != want {
				t.Fatalf("C[%d,%d]: dgemm %v, sgemm %v, want %v", i, j, c[i*n+j], c32[i*n+j], want)
			}
		}
	}
}
