//go:build amd64 && !purego && !noasm

package kernels

import (
	"unsafe"

	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// hasTranspose4 reports whether tier t runs the AVX block transposes (both
// amd64 SIMD tiers: the kernels use VEX-encoded AVX only).
func hasTranspose4(t cpu.Tier) bool { return t == cpu.AVX2 || t == cpu.AVX512 }

// transpose4 runs the block kernel on the rows x cols (multiples of 4) at
// dst[do], src[so]; transposeOn has checked the bounds.
func transpose4[T Float](dst []T, do, ldd int, src []T, so, lds int, rows, cols int) {
	d, s := unsafe.Pointer(&dst[do]), unsafe.Pointer(&src[so])
	if is64[T]() {
		asm.Transpose4F64((*float64)(d), ldd, (*float64)(s), lds, rows, cols)
	} else {
		asm.Transpose4F32((*float32)(d), ldd, (*float32)(s), lds, rows, cols)
	}
}
