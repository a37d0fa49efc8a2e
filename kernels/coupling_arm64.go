//go:build arm64 && !purego && !noasm

package kernels

import (
	"github.com/flowkern/flowkern/asm"
	"github.com/flowkern/flowkern/internal/cpu"
)

// The coupling stream kernels of this build, called directly (no function
// values, so the slices do not escape). Each returns false for a tier
// without assembly, and the caller runs the pure-Go loop.

func streamF64(t cpu.Tier, k streamKernel, o0, o1, i0, i1, i2, p []float64) bool {
	switch t {
	case cpu.NEON:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF64NEON(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF64NEON(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF64NEON(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF64NEON(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF64NEON(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF64NEON(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF64NEON(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF64NEON(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF64NEON(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF64NEON(o0, i0, i1)
		default:
			return false
		}
		return true
	}
	return false
}

func streamF32(t cpu.Tier, k streamKernel, o0, o1, i0, i1, i2, p []float32) bool {
	switch t {
	case cpu.NEON:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF32NEON(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF32NEON(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF32NEON(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF32NEON(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF32NEON(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF32NEON(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF32NEON(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF32NEON(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF32NEON(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF32NEON(o0, i0, i1)
		default:
			return false
		}
		return true
	}
	return false
}

// streamSumF64 and streamSumF32: NEON has no fused-sum kernels; the caller
// sums the c values with Sum.
func streamSumF64(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float64) bool { return false }
func streamSumF32(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float32) bool { return false }
