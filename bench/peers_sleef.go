//go:build sleef && cgo && amd64

package main

import "github.com/flowkern/flowkern/internal/sleef"

// SLEEF's u10 vector functions (AVX-512F and AVX2, through cgo) join the
// vector math functions they have.
func init() {
	for _, f := range vmathFuncs {
		for _, tier := range []string{"avx512", "avx2"} {
			if g := sleef.Funcs64[f.name][tier]; g != nil {
				extraPeers[caseKey(f.name, "float64")] = append(extraPeers[caseKey(f.name, "float64")],
					peer{"sleef-" + tier, func(n int) func() { d, x := vmathInputs64(f, n); return func() { g(d, x) } }})
			}
			if g := sleef.Funcs32[f.name][tier]; g != nil {
				extraPeers[caseKey(f.name, "float32")] = append(extraPeers[caseKey(f.name, "float32")],
					peer{"sleef-" + tier, func(n int) func() { d, x := vmathInputs32(f, n); return func() { g(d, x) } }})
			}
		}
	}
}
