//go:build purego || noasm || !(amd64 || arm64)

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

func vmathF64(_ cpu.Tier, f vfunc, dst, x []float64) { vmathGo64(f, dst, x) }
func vmathF32(_ cpu.Tier, f vfunc, dst, x []float32) { vmathGo32(f, dst, x) }
