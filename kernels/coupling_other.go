//go:build purego || noasm || !(amd64 || arm64)

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

func streamF64(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float64) bool    { return false }
func streamF32(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float32) bool    { return false }
func streamSumF64(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float64) bool { return false }
func streamSumF32(_ cpu.Tier, _ streamKernel, _, _, _, _, _, _ []float32) bool { return false }
