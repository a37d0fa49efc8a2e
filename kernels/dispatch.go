package kernels

import (
	"fmt"
	"os"
	"slices"
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
)

// active is the tier every public call runs: chosen at init, changed only by
// SetISA.
var active, activeWarning = cpu.Select(os.Getenv("FLOWKERN_ISA"), usable)

func init() {
	if activeWarning != "" {
		fmt.Fprintln(os.Stderr, "flowkern:", activeWarning)
	}
}

// ISA returns the name of the tier the kernels run: "avx512", "avx2",
// "neon" or "generic".
func ISA() string { return active.String() }

// SetISA makes every later call run the named tier, which must be usable
// here; it returns an error naming what is missing otherwise. It is the
// programmatic FLOWKERN_ISA (the bench tool compares tiers with it) and must
// not be called while other goroutines run kernels.
func SetISA(name string) error {
	t, err := cpu.Parse(name)
	if err != nil {
		return fmt.Errorf("kernels: SetISA: %w", err)
	}
	if ok, why := cpu.Supported(t); !ok {
		return fmt.Errorf("kernels: SetISA(%s): %s", t, why)
	}
	if !built(t) {
		return fmt.Errorf("kernels: SetISA(%s): this build has no %s code (purego or noasm tag)", t, t)
	}
	active = t
	return nil
}

// ISAWarning returns why FLOWKERN_ISA could not be honoured as written, or
// "" when it was (or is unset). The same line is printed to stderr at start.
func ISAWarning() string { return activeWarning }

// built reports whether this build contains code for tier t.
func built(t cpu.Tier) bool { return t == cpu.Generic || slices.Contains(builtTiers, t) }

// usable reports whether tier t can run here: built in, and supported by
// the CPU.
func usable(t cpu.Tier) bool {
	ok, _ := cpu.Supported(t)
	return ok && built(t)
}

// fallbackHook, when not nil, is told each time a dispatch function of
// dispatch_<arch>.go (gen/wire) runs the pure-Go path: the kernel's name
// (or its group's function and enum member) and the tier.
// TestDispatchReachesAssembly sets it; nothing else does.
var fallbackHook func(name string, member int, t cpu.Tier)

func fellBack(name string, member int, t cpu.Tier) {
	if fallbackHook != nil {
		fallbackHook(name, member, t)
	}
}

// chunk is the most elements one assembly call handles: assembly cannot be
// preempted, so long slices are cut into pieces of a few microseconds. It
// is a multiple of every reduction's lane count, so chunking keeps the
// canonical order.
const chunk = 1 << 16

// is64 reports whether T is float64.
func is64[T Float]() bool {
	var z T
	_, ok := any(z).(float64)
	return ok
}

// f64 and f32 view a []T as the concrete type T is; callers check is64.
func f64[T Float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func f32[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
