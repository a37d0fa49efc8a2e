//go:build !(amd64 || arm64 || 386 || arm || ppc64le || s390x || wasm)

package main

import "runtime"

func init() {
	missingPeers = append(missingPeers, "vek (github.com/viterin/vek) does not build on "+runtime.GOARCH+
		": its dependency github.com/chewxy/math32 has no assembly stubs there")
}
