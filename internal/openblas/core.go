//go:build openblas && cgo

package openblas

/*
#cgo pkg-config: openblas
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <cblas.h>

// reselect makes a DYNAMIC_ARCH OpenBLAS choose its kernels again, under
// OPENBLAS_CORETYPE=name, through the two entry points its own start-up
// uses; it returns 0 when the library has none (a build for one CPU).
static int reselect(const char *name) {
	void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
	void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
	if (quit == NULL || init == NULL) {
		return 0;
	}
	setenv("OPENBLAS_CORETYPE", name, 1);
	quit();
	init();
	return 1;
}
*/
import "C"

import (
	"os"
	"slices"
	"strings"
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
)

// picked is the kernel set OpenBLAS chose by itself at start-up.
var picked string

// OpenBLAS reads OPENBLAS_CORETYPE when it loads, before any Go code runs,
// and without it picks by CPU model: 0.3.21 does not know Zen 5 (it takes
// its AVX2 kernels) nor Emerald Rapids (it takes Prescott's SSE3 ones).
// A peer slowed down that way flatters every ratio against it, so unless
// the user named a core, init asks for the widest kernels this CPU runs,
// as the PyTorch peer's environment does (bench/models_torch.go).
func init() {
	C.openblas_set_num_threads(1)
	picked = Corename()
	if os.Getenv("OPENBLAS_CORETYPE") != "" {
		return
	}
	has512, _ := cpu.Supported(cpu.AVX512)
	has256, _ := cpu.Supported(cpu.AVX2)
	if want := widerCore(picked, has512, has256); want != "" {
		name := C.CString(want)
		C.reselect(name)
		C.free(unsafe.Pointer(name))
		C.openblas_set_num_threads(1)
	}
}

// widerCore names the OpenBLAS kernel set to use instead of picked on a CPU
// with (or without) AVX-512 and AVX2, or "" when picked already has vectors
// as wide as the CPU's.
func widerCore(picked string, avx512, avx2 bool) string {
	wide := []string{"SkylakeX", "Cooperlake", "SapphireRapids"}
	switch {
	case slices.Contains(wide, picked):
		return ""
	case avx512:
		return "SkylakeX"
	case picked == "Haswell" || picked == "Zen":
		return ""
	case avx2:
		return "Haswell"
	}
	return ""
}

// Corename is the kernel set OpenBLAS runs.
func Corename() string { return C.GoString(C.openblas_get_corename()) }

// Picked is the kernel set OpenBLAS chose by itself, before init asked
// for a wider one (the same as Corename when it did not).
func Picked() string { return picked }

// Version is the library's version, as its configuration string gives it
// ("0.3.21").
func Version() string {
	f := strings.Fields(C.GoString(C.openblas_get_config()))
	if len(f) >= 2 && f[0] == "OpenBLAS" {
		return f[1]
	}
	return "unknown"
}
