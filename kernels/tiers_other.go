//go:build purego || noasm || !(amd64 || arm64)

package kernels

import "github.com/flowkern/flowkern/internal/cpu"

// Without assembly only the pure-Go tier exists.
var builtTiers []cpu.Tier

func dotF64(_ cpu.Tier, x, y, acc []float64) float64 { return dotGo64(x, y, acc) }
func dotF32(_ cpu.Tier, x, y, acc []float32) float32 { return dotGo32(x, y, acc) }
func sumF64(_ cpu.Tier, x, acc []float64) float64    { return sumGo(x, acc) }
func sumF32(_ cpu.Tier, x, acc []float32) float32    { return sumGo(x, acc) }

func axpyF64(_ cpu.Tier, alpha float64, x, y []float64) { axpyGo64(alpha, x, y) }
func axpyF32(_ cpu.Tier, alpha float32, x, y []float32) { axpyGo32(alpha, x, y) }
func scaleF64(_ cpu.Tier, alpha float64, x []float64)   { scaleGo(alpha, x) }
func scaleF32(_ cpu.Tier, alpha float32, x []float32)   { scaleGo(alpha, x) }

func binaryF64(_ cpu.Tier, op binaryOp, dst, x, y []float64) { binaryGo(op, dst, x, y) }
func binaryF32(_ cpu.Tier, op binaryOp, dst, x, y []float32) { binaryGo(op, dst, x, y) }
