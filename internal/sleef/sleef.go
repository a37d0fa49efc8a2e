//go:build sleef && cgo && amd64

package sleef

/*
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lsleef
#include <immintrin.h>
#include <string.h>
// sleef.h declares each ISA's functions only where the compiler targets
// that ISA: declare them all, then compile each loop for its own ISA.
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#include <sleef.h>
#pragma GCC pop_options

// Each loop runs a SLEEF vector function over n elements; the tail goes
// through a zero-padded vector so no access leaves the slices. Each loop is
// compiled for its own ISA (target attribute, not -m flags for the whole
// file), so the AVX2 loops hold no AVX-512 instruction and run on CPUs
// without it.
#define LOOP(name, T, W, VT, load, store, fn, isa) \
__attribute__((target(isa))) static void name(T *dst, const T *x, long n) { \
	long i = 0; \
	for (; i + W <= n; i += W) store(dst + i, fn(load(x + i))); \
	if (i < n) { \
		T buf[W]; memset(buf, 0, sizeof buf); memcpy(buf, x + i, (n - i) * sizeof(T)); \
		store(buf, fn(load(buf))); memcpy(dst + i, buf, (n - i) * sizeof(T)); \
	} \
}
#define D8(name, fn) LOOP(name, double, 8, __m512d, _mm512_loadu_pd, _mm512_storeu_pd, fn, "avx512f")
#define F16(name, fn) LOOP(name, float, 16, __m512, _mm512_loadu_ps, _mm512_storeu_ps, fn, "avx512f")
#define D4(name, fn) LOOP(name, double, 4, __m256d, _mm256_loadu_pd, _mm256_storeu_pd, fn, "avx2,fma")
#define F8(name, fn) LOOP(name, float, 8, __m256, _mm256_loadu_ps, _mm256_storeu_ps, fn, "avx2,fma")

D8(exp_d8, Sleef_expd8_u10avx512f)
F16(exp_f16, Sleef_expf16_u10avx512f)
D4(exp_d4, Sleef_expd4_u10avx2)
F8(exp_f8, Sleef_expf8_u10avx2)
D8(log_d8, Sleef_logd8_u10avx512f)
F16(log_f16, Sleef_logf16_u10avx512f)
D4(log_d4, Sleef_logd4_u10avx2)
F8(log_f8, Sleef_logf8_u10avx2)
D8(expm1_d8, Sleef_expm1d8_u10avx512f)
F16(expm1_f16, Sleef_expm1f16_u10avx512f)
D4(expm1_d4, Sleef_expm1d4_u10avx2)
F8(expm1_f8, Sleef_expm1f8_u10avx2)
D8(log1p_d8, Sleef_log1pd8_u10avx512f)
F16(log1p_f16, Sleef_log1pf16_u10avx512f)
D4(log1p_d4, Sleef_log1pd4_u10avx2)
F8(log1p_f8, Sleef_log1pf8_u10avx2)
D8(tanh_d8, Sleef_tanhd8_u10avx512f)
F16(tanh_f16, Sleef_tanhf16_u10avx512f)
D4(tanh_d4, Sleef_tanhd4_u10avx2)
F8(tanh_f8, Sleef_tanhf8_u10avx2)
D8(atan_d8, Sleef_atand8_u10avx512f)
F16(atan_f16, Sleef_atanf16_u10avx512f)
D4(atan_d4, Sleef_atand4_u10avx2)
F8(atan_f8, Sleef_atanf8_u10avx2)
*/
import "C"

import (
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
)

// Available reports whether this build links SLEEF.
const Available = true

// Funcs64 and Funcs32 map a function name (Exp, Log, Expm1, Log1p, Tanh,
// Atan) and a tier (avx512, avx2) to the SLEEF u10 loop; dst and x must
// have the same length. A tier this CPU cannot run has no entry.
var (
	Funcs64 = map[string]map[string]func(dst, x []float64){}
	Funcs32 = map[string]map[string]func(dst, x []float32){}
)

func d(f func(*C.double, *C.double, C.long)) func(dst, x []float64) {
	return func(dst, x []float64) {
		if len(x) > 0 {
			f((*C.double)(unsafe.Pointer(&dst[0])), (*C.double)(unsafe.Pointer(&x[0])), C.long(len(x)))
		}
	}
}

func s(f func(*C.float, *C.float, C.long)) func(dst, x []float32) {
	return func(dst, x []float32) {
		if len(x) > 0 {
			f((*C.float)(unsafe.Pointer(&dst[0])), (*C.float)(unsafe.Pointer(&x[0])), C.long(len(x)))
		}
	}
}

func init() {
	has512, _ := cpu.Supported(cpu.AVX512)
	has256, _ := cpu.Supported(cpu.AVX2)
	add := func(name string, d8, d4 func(dst, x []float64), f16, f8 func(dst, x []float32)) {
		Funcs64[name] = map[string]func(dst, x []float64){}
		Funcs32[name] = map[string]func(dst, x []float32){}
		if has512 {
			Funcs64[name]["avx512"], Funcs32[name]["avx512"] = d8, f16
		}
		if has256 {
			Funcs64[name]["avx2"], Funcs32[name]["avx2"] = d4, f8
		}
	}
	add("Exp", d(func(a, b *C.double, n C.long) { C.exp_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.exp_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.exp_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.exp_f8(a, b, n) }))
	add("Log", d(func(a, b *C.double, n C.long) { C.log_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.log_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.log_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.log_f8(a, b, n) }))
	add("Expm1", d(func(a, b *C.double, n C.long) { C.expm1_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.expm1_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.expm1_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.expm1_f8(a, b, n) }))
	add("Log1p", d(func(a, b *C.double, n C.long) { C.log1p_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.log1p_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.log1p_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.log1p_f8(a, b, n) }))
	add("Tanh", d(func(a, b *C.double, n C.long) { C.tanh_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.tanh_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.tanh_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.tanh_f8(a, b, n) }))
	add("Atan", d(func(a, b *C.double, n C.long) { C.atan_d8(a, b, n) }), d(func(a, b *C.double, n C.long) { C.atan_d4(a, b, n) }),
		s(func(a, b *C.float, n C.long) { C.atan_f16(a, b, n) }), s(func(a, b *C.float, n C.long) { C.atan_f8(a, b, n) }))
}
