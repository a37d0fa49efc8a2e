// Package asm holds the generated assembly kernels and their Go declarations.
//
// Nothing here is written by hand: gen/amd64 (avo) and gen/arm64 (our NEON
// emitter) write every file but this one. The functions do no shape checks
// and no dispatch; package kernels does both and documents each operation.
package asm

//go:generate go run ../gen/amd64 -set vec -out vec_amd64.s -stubs vec_amd64.go -pkg asm
//go:generate go run ../gen/arm64 -set vec -out vec_arm64.s -stubs vec_arm64.go -pkg asm
//go:generate go run ../gen/amd64 -set peak -out peak_amd64.s -stubs peak_amd64.go -pkg asm
//go:generate go run ../gen/arm64 -set peak -out peak_arm64.s -stubs peak_arm64.go -pkg asm
//go:generate go run ../gen/amd64 -set vmath -out vmath_amd64.s -stubs vmath_amd64.go -pkg asm
//go:generate go run ../gen/amd64 -set matvec -out matvec_amd64.s -stubs matvec_amd64.go -pkg asm
//go:generate go run ../gen/arm64 -set vmath -out vmath_arm64.s -stubs vmath_arm64.go -pkg asm
//go:generate go run ../gen/arm64 -set matvec -out matvec_arm64.s -stubs matvec_arm64.go -pkg asm
//go:generate go run ../gen/amd64 -set coupling -out coupling_amd64.s -stubs coupling_amd64.go -pkg asm
//go:generate go run ../gen/arm64 -set coupling -out coupling_arm64.s -stubs coupling_arm64.go -pkg asm
//go:generate go run ../gen/amd64 -set transpose -out transpose_amd64.s -stubs transpose_amd64.go -pkg asm
//go:generate go run ../gen/amd64 -set normal -out normal_amd64.s -stubs normal_amd64.go -pkg asm
//go:generate go run ../gen/arm64 -set normal -out normal_arm64.s -stubs normal_arm64.go -pkg asm
