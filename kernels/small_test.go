package kernels

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/ref"
)

// TestClampKindsMatchRef: the exported clamp kinds are plain values (godoc
// showed "ClampNone = ref.ClampNone", an internal name) equal to the
// reference's, which the kernels pass through unchanged.
func TestClampKindsMatchRef(t *testing.T) {
	for _, c := range []struct {
		got  ClampKind
		want int
		name string
	}{{ClampNone, ref.ClampNone, "ClampNone"}, {ClampTanh, ref.ClampTanh, "ClampTanh"}, {ClampAtan, ref.ClampAtan, "ClampAtan"}} {
		if int(c.got) != c.want {
			t.Errorf("%s = %d, ref.%s = %d", c.name, c.got, c.name, c.want)
		}
	}
	for _, d := range packageDoc(t).Types {
		if d.Name != "ClampKind" {
			continue
		}
		for _, v := range d.Consts {
			for _, spec := range v.Decl.Specs {
				for _, val := range spec.(*ast.ValueSpec).Values {
					if _, ok := val.(*ast.BasicLit); !ok {
						t.Errorf("a ClampKind constant's value is %T, not a literal: godoc shows the expression", val)
					}
				}
			}
		}
	}
}

// TestZeroMatrixPanicMatchesDoc: the zero Matrix{} panics with the rule the
// Matrix doc states (the doc said only "Stride below Cols", the panic
// "Stride 0 < max(1, Cols 0)").
func TestZeroMatrixPanicMatchesDoc(t *testing.T) {
	var mdoc string
	for _, d := range packageDoc(t).Types {
		if d.Name == "Matrix" {
			mdoc = d.Doc
		}
	}
	for _, rule := range []string{"Stride >= max(1, Cols)", "zero Matrix{}"} {
		if !strings.Contains(mdoc, rule) {
			t.Errorf("Matrix doc does not state %q", rule)
		}
	}
	msg := panicMessage(func() { Transpose(Matrix[float64]{}, Matrix[float64]{}) })
	if !strings.Contains(msg, "Stride 0 < max(1, Cols 0)") {
		t.Errorf("Transpose of zero matrices panicked with %q, want the Stride >= max(1, Cols) rule", msg)
	}
	// A 0x0 view with Stride 1 is valid.
	e := Matrix[float64]{Stride: 1}
	Transpose(e, e)
}

// packageDoc parses the package's non-test files.
func packageDoc(t *testing.T) *doc.Package {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	return doc.New(pkgs["kernels"], "github.com/flowkern/flowkern/kernels", 0)
}

// panicMessage returns what f panics with, as a string ("" if it returns).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = strings.TrimSpace(strings.Join(strings.Fields(toString(r)), " "))
		}
	}()
	f()
	return ""
}

func toString(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	return "non-string panic"
}
