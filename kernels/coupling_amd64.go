//go:build amd64 && !purego && !noasm

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
	case cpu.AVX512:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF64AVX512(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF64AVX512(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF64AVX512(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF64AVX512(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF64AVX512(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF64AVX512(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF64AVX512(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF64AVX512(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF64AVX512(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF64AVX512(o0, i0, i1)
		default:
			return false
		}
		return true
	case cpu.AVX2:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF64AVX2(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF64AVX2(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF64AVX2(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF64AVX2(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF64AVX2(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF64AVX2(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF64AVX2(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF64AVX2(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF64AVX2(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF64AVX2(o0, i0, i1)
		default:
			return false
		}
		return true
	}
	return false
}

func streamF32(t cpu.Tier, k streamKernel, o0, o1, i0, i1, i2, p []float32) bool {
	switch t {
	case cpu.AVX512:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF32AVX512(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF32AVX512(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF32AVX512(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF32AVX512(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF32AVX512(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF32AVX512(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF32AVX512(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF32AVX512(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF32AVX512(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF32AVX512(o0, i0, i1)
		default:
			return false
		}
		return true
	case cpu.AVX2:
		switch k {
		case skFwdNone:
			asm.CouplingFwdNoneF32AVX2(o0, i0, i1, i2)
		case skInvNone:
			asm.CouplingInvNoneF32AVX2(o0, i0, i1, i2)
		case skBwdNone:
			asm.CouplingBwdNoneF32AVX2(o0, o1, i0, i1, i2, p)
		case skFwdTanh:
			asm.CouplingFwdTanhF32AVX2(o0, o1, i0, i1, i2, p)
		case skInvTanh:
			asm.CouplingInvTanhF32AVX2(o0, o1, i0, i1, i2, p)
		case skBwdTanh:
			asm.CouplingBwdTanhF32AVX2(o0, o1, i0, i1, i2, p)
		case skFwdAtan:
			asm.CouplingFwdAtanF32AVX2(o0, o1, i0, i1, i2, p)
		case skInvAtan:
			asm.CouplingInvAtanF32AVX2(o0, o1, i0, i1, i2, p)
		case skBwdAtan:
			asm.CouplingBwdAtanF32AVX2(o0, o1, i0, i1, i2, p)
		case skSub:
			asm.CouplingSubF32AVX2(o0, i0, i1)
		default:
			return false
		}
		return true
	}
	return false
}

// streamSumF64 and streamSumF32 run the forward or inverse kernel k on a
// multiple of lanes[T]() elements without the c stream, adding c into the
// Sum lanes acc (AVX-512 only: the four lane vectors stay in registers);
// false for other tiers and kernels.
func streamSumF64(tier cpu.Tier, k streamKernel, o, i0, i1, i2, acc, p []float64) bool {
	if tier != cpu.AVX512 {
		return false
	}
	switch k {
	case skFwdNone:
		asm.CouplingFwdNoneSumF64AVX512(o, i0, i1, i2, acc)
	case skFwdTanh:
		asm.CouplingFwdTanhSumF64AVX512(o, i0, i1, i2, acc, p)
	case skFwdAtan:
		asm.CouplingFwdAtanSumF64AVX512(o, i0, i1, i2, acc, p)
	case skInvNone:
		asm.CouplingInvNoneSumF64AVX512(o, i0, i1, i2, acc)
	case skInvTanh:
		asm.CouplingInvTanhSumF64AVX512(o, i0, i1, i2, acc, p)
	case skInvAtan:
		asm.CouplingInvAtanSumF64AVX512(o, i0, i1, i2, acc, p)
	default:
		return false
	}
	return true
}

func streamSumF32(tier cpu.Tier, k streamKernel, o, i0, i1, i2, acc, p []float32) bool {
	if tier != cpu.AVX512 {
		return false
	}
	switch k {
	case skFwdNone:
		asm.CouplingFwdNoneSumF32AVX512(o, i0, i1, i2, acc)
	case skFwdTanh:
		asm.CouplingFwdTanhSumF32AVX512(o, i0, i1, i2, acc, p)
	case skFwdAtan:
		asm.CouplingFwdAtanSumF32AVX512(o, i0, i1, i2, acc, p)
	case skInvNone:
		asm.CouplingInvNoneSumF32AVX512(o, i0, i1, i2, acc)
	case skInvTanh:
		asm.CouplingInvTanhSumF32AVX512(o, i0, i1, i2, acc, p)
	case skInvAtan:
		asm.CouplingInvAtanSumF32AVX512(o, i0, i1, i2, acc, p)
	default:
		return false
	}
	return true
}
