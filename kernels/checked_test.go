//go:build amd64 && !purego && !noasm

package kernels

import (
	"strings"
	"testing"

	"github.com/flowkern/flowkern/asm"
)

// The exported entry points of asm check their preconditions: a call that
// would write past a slice panics before the assembly runs.
func TestCheckedEntryPoints(t *testing.T) {
	for name, call := range map[string]func(){
		"AxpyF64AVX2":  func() { asm.AxpyF64AVX2(1, make([]float64, 5), make([]float64, 4)) },
		"DotF32AVX512": func() { asm.DotF32AVX512(nil, nil, make([]float32, 32)) },
		"ExpF64AVX512": func() { asm.ExpF64AVX512(make([]float64, 9), make([]float64, 8)) },
		"MatVecsF64AVX2": func() {
			asm.MatVecsF64AVX2(make([]float64, 5), 4, make([]float64, 8), 4, make([]float64, 8), 4, nil, 2, 2, 4, nil, true, true)
		},
		"MatVecsWTF32AVX512": func() { // wt holds 2 rows of 3, not n = 3
			asm.MatVecsWTF32AVX512(make([]float32, 6), 3, make([]float32, 6), 3, make([]float32, 6), 3, nil, 3, 2, 3)
		},
		"MatVecsWT bias": func() {
			asm.MatVecsWTF64AVX512(make([]float64, 6), 3, make([]float64, 9), 3, make([]float64, 6), 3, make([]float64, 2), 3, 2, 3)
		},
		"MatVecSpacedF64AVX512": func() { // y holds 15 outputs, not 8s = 16
			asm.MatVecSpacedF64AVX512(make([]float64, 15), make([]float64, 64), 4, make([]float64, 4), nil, 2, 4)
		},
		"MatVecSpacedF64AVX2": func() { // w holds 15 rows of 4, not 8s = 16
			asm.MatVecSpacedF64AVX2(make([]float64, 16), make([]float64, 60), 4, make([]float64, 4), nil, 2, 4)
		},
		"MatVecSpaced bias": func() { // bias holds 7 of 8s = 8
			asm.MatVecSpacedF32AVX512(make([]float32, 8), make([]float32, 32), 4, make([]float32, 4), make([]float32, 7), 1, 4)
		},
		"OuterRowF64AVX2": func() { // b holds 2 rows of 5, not k = 3
			asm.OuterRowF64AVX2(make([]float64, 5), make([]float64, 3), 1, make([]float64, 10), 5, 5, 3, true)
		},
		"OuterRow c": func() { // c holds 4 of cols = 5
			asm.OuterRowF32AVX512(make([]float32, 4), make([]float32, 3), 1, make([]float32, 15), 5, 5, 3, false)
		},
		"OuterF32AVX512": func() {
			asm.OuterF32AVX512(make([]float32, 4), 2, make([]float32, 4), 2, 1, make([]float32, 4), 2, 64, 2, 2, 3, false)
		},
		"Transpose4F64":  func() { asm.Transpose4F64(make([]float64, 16), 1, 4, make([]float64, 16), 0, 4, 4, 4) },
		"NormalsF64AVX2": func() { asm.NormalsF64AVX2(make([]float64, 2), nil) },
		"CouplingClampTanh": func() { // p holds ia but not m
			asm.CouplingClampTanhF64AVX2(make([]float64, 8), make([]float64, 8), make([]float64, 1))
		},
		"AdamF32AVX512": func() {
			asm.AdamF32AVX512(make([]float32, 9), make([]float32, 9), make([]float32, 9), make([]float32, 8), 0, 0, 0, 0, 0, 0, 0, 0)
		},
		"MatVecs strides":  func() { asm.MatVecsF32AVX2(make([]float32, 8), -1, nil, 0, nil, 0, nil, 2, 2, 0, nil, true, true) },
		"MatVecs overflow": func() { asm.MatVecsF64AVX512(make([]float64, 8), 1<<62, nil, 0, nil, 0, nil, 1, 4, 0, nil, true, true) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.Contains(s, "precondition") {
					t.Errorf("%s: recovered %v, want a precondition panic", name, r)
				}
			}()
			call()
		}()
	}
}
