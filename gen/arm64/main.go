// Command arm64 writes flowkern's NEON kernels: the assembly (asm/vec_arm64.s)
// and their Go declarations (asm/vec_arm64.go).
//
// The Go assembler has no vector floating-point arithmetic but VFMLA/VFMLS;
// every instruction it lacks is emitted as WORD with its GNU mnemonic in a
// comment, encoded by the functions of enc.go. Run by go generate in asm/:
//
//	go run ../gen/arm64 -out vec_arm64.s -stubs vec_arm64.go -pkg asm
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
)

func main() {
	out := flag.String("out", "vec_arm64.s", "assembly output file")
	stubs := flag.String("stubs", "vec_arm64.go", "Go declarations output file")
	pkg := flag.String("pkg", "asm", "package name of the declarations")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen/arm64: ")

	a := generate()
	src, err := a.stubs(*pkg)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, a.assembly(), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*stubs, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// assembly is the text of the .s file.
func (a *asmFile) assembly() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n%s\n\n#include \"textflag.h\"\n", header, buildTag)
	b.Write(a.b.Bytes())
	return b.Bytes()
}

// stubs is the gofmt-ed text of the declarations file.
func (a *asmFile) stubs(pkg string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n%s\n\npackage %s\n", header, buildTag, pkg)
	for _, f := range a.funcs {
		b.WriteString("\n")
		for _, line := range bytes.Split([]byte(f.doc), []byte("\n")) {
			if len(line) == 0 {
				b.WriteString("//\n")
			} else {
				fmt.Fprintf(&b, "// %s\n", line)
			}
		}
		fmt.Fprintf(&b, "//\n//go:noescape\nfunc %s%s\n", f.name, f.signature())
	}
	return format.Source(b.Bytes())
}
