//go:build !amd64 || purego || noasm

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// hasTranspose4: no block-transpose kernel in this build (the NEON tier
// uses the callers' Go loops).
func hasTranspose4(cpu.Tier) bool { return false }

func transpose4[T Float](_ []T, _, _ int, _ []T, _, _ int, _, _ int) {}
