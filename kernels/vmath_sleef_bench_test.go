//go:build sleef && cgo && amd64

package kernels

import "github.com/flowkern/flowkern/internal/sleef"

// With -tags sleef, BenchmarkVmath also measures SLEEF's u10 vector
// functions (AVX-512F and AVX2 variants) in the same run.
func init() {
	for f := range numVfuncs {
		name := f.String()
		for tier, g := range sleef.Funcs64[name] {
			if vmathPeers64[f] == nil {
				vmathPeers64[f] = map[string]func(dst, x []float64){}
			}
			vmathPeers64[f]["sleef-"+tier] = g
		}
		for tier, g := range sleef.Funcs32[name] {
			if vmathPeers32[f] == nil {
				vmathPeers32[f] = map[string]func(dst, x []float32){}
			}
			vmathPeers32[f]["sleef-"+tier] = g
		}
	}
}
