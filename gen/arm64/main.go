// Command arm64 writes flowkern's NEON kernels: one assembly file and one Go
// declarations file per kernel set (asm/vec_arm64.s and asm/vec_arm64.go for
// -set vec).
//
// The Go assembler has no vector floating-point arithmetic but VFMLA/VFMLS;
// every instruction it lacks is emitted as WORD with its GNU mnemonic in a
// comment, encoded by the functions of enc.go. Run by go generate in asm/:
//
//	go run ../gen/arm64 -set vec -out vec_arm64.s -stubs vec_arm64.go -pkg asm
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/flowkern/flowkern/gen/manifest"
)

func main() {
	set := flag.String("set", "", "kernel set to generate (one .s file each): "+strings.Join(setNames(), ", "))
	out := flag.String("out", "vec_arm64.s", "assembly output file")
	stubs := flag.String("stubs", "vec_arm64.go", "Go declarations output file")
	pkg := flag.String("pkg", "asm", "package name of the declarations")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen/arm64: ")

	gen, ok := sets[*set]
	if !ok {
		log.Fatalf("-set %q is not one of %s", *set, strings.Join(setNames(), ", "))
	}
	a := &asmFile{}
	gen(a)
	if miss := manifest.Missing(*set, "arm64"); len(miss) > 0 {
		log.Fatalf("-set %s does not emit %s of the manifest", *set, strings.Join(miss, ", "))
	}
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

func setNames() []string {
	var names []string
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
		fmt.Fprintf(&b, "//\n//go:noescape\nfunc %s%s\n", manifest.Raw(f.name), f.signature())
	}
	return format.Source(b.Bytes())
}
