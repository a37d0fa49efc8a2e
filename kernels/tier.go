package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// Generic reports whether the kernels run the pure-Go tier (ISA() ==
// "generic"). It inlines into the caller, where ISA, which returns a name,
// is a call: code that routes each call by tier, such as the gonum
// drop-in's methods, can ask it on every call for free.
func Generic() bool { return active == cpu.Generic }
