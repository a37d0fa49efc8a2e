//go:build !(sleef && cgo && amd64)

package sleef

// Available reports whether this build links SLEEF.
const Available = false
