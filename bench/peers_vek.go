//go:build amd64 || arm64 || 386 || arm || ppc64le || s390x || wasm

// vek's dependency github.com/chewxy/math32 declares assembly functions and
// has their stubs only for these architectures (its riscv64 file is named
// stubs_risc64.s, so riscv64 gets none): elsewhere peers_novek.go reports
// the peer missing.

package main

import (
	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
)

func init() {
	add := func(kernel, prec string, m maker) {
		extraPeers[caseKey(kernel, prec)] = append(extraPeers[caseKey(kernel, prec)], peer{"vek", m})
	}
	add("Dot", "float64", func(n int) func() { x, y := vectors64(n); return func() { sink64 = vek.Dot(x, y) } })
	add("Dot", "float32", func(n int) func() { x, y := vectors32(n); return func() { sink32 = vek32.Dot(x, y) } })
	add("Sum", "float64", func(n int) func() { x, _ := vectors64(n); return func() { sink64 = vek.Sum(x) } })
	add("Sum", "float32", func(n int) func() { x, _ := vectors32(n); return func() { sink32 = vek32.Sum(x) } })
	add("Scale", "float64", func(n int) func() { x, _ := vectors64(n); return func() { vek.MulNumber_Inplace(x, 1) } })
	add("Scale", "float32", func(n int) func() { x, _ := vectors32(n); return func() { vek32.MulNumber_Inplace(x, 1) } })
	add("Add", "float64", func(n int) func() {
		x, y := vectors64(n)
		d := make([]float64, n)
		return func() { vek.Add_Into(d, x, y) }
	})
	add("Add", "float32", func(n int) func() {
		x, y := vectors32(n)
		d := make([]float32, n)
		return func() { vek32.Add_Into(d, x, y) }
	})
	add("Mul", "float64", func(n int) func() {
		x, y := vectors64(n)
		d := make([]float64, n)
		return func() { vek.Mul_Into(d, x, y) }
	})
	add("Mul", "float32", func(n int) func() {
		x, y := vectors32(n)
		d := make([]float32, n)
		return func() { vek32.Mul_Into(d, x, y) }
	})
}
