// Package asm holds the generated assembly kernels and their Go declarations.
//
// Nothing here is written by hand but halves_amd64.go, the one variable the
// generated code reads (a load width chosen per CPU). gen/wire writes generate.go and the
// checked entry points (checked_<arch>.go) from the kernel manifest
// (gen/manifest), and gen/amd64 (avo) and gen/arm64 (our NEON emitter)
// write the assembly and its declarations. The assembly itself is
// unexported: no code outside this package can call it with slices too
// short for it. Each exported function checks the preconditions of one
// kernel (lengths, strides, counts) and panics when they do not hold; it
// does no dispatch and no shape checks of a public API, which package
// kernels does, documenting each operation.
package asm

//go:generate go run ../gen/wire -kernels ../kernels
