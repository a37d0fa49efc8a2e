package safetensors

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// python returns a python3 and whether numpy imports in it, or skips. It
// prefers the first python3 on PATH and falls back to the system one for
// numpy (a version manager's python3 often lacks the distribution's numpy).
func python(t *testing.T) (py string, numpy bool) {
	t.Helper()
	var found []string
	if p, err := exec.LookPath("python3"); err == nil {
		found = append(found, p)
	}
	if p, err := exec.LookPath("/usr/bin/python3"); err == nil {
		found = append(found, p)
	}
	if len(found) == 0 {
		t.Skip("python3 not found: the cross-language check is skipped (TestGolden still pins the format)")
	}
	for _, p := range found {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			return p, true
		}
	}
	return found[0], false
}

// numpyReader is the package doc's reader, followed by a dump of what it read:
// each element as the decimal string of its bits (floats viewed as unsigned
// integers of their width), so that the comparison is bit for bit.
const numpyReader = `
import json, sys, numpy as np
buf = open(sys.argv[1], "rb").read()
n = int.from_bytes(buf[:8], "little"); header = json.loads(buf[8:8 + n])
meta = header.pop("__metadata__", {})
dt = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}
t = {k: np.frombuffer(buf[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dt[v["dtype"]]).reshape(v["shape"]) for k, v in header.items()}
bits = lambda a: a.view("<u%d" % a.itemsize) if a.dtype.kind == "f" else a
out = {"meta": meta, "tensors": {k: {"dtype": a.dtype.str, "shape": list(a.shape), "values": [str(x) for x in bits(a).reshape(-1).tolist()]} for k, a in t.items()}}
print(json.dumps(out))
`

// TestPythonReadsOurFile runs the package doc's numpy reader on a file that
// WriteFile wrote.
func TestPythonReadsOurFile(t *testing.T) {
	py, numpy := python(t)
	if !numpy {
		t.Skip("numpy is not installed for " + py + " (nor /usr/bin/python3): the numpy reader check is skipped")
	}
	f32 := []float32{1.5, float32(math.Copysign(0, -1)), float32(math.Inf(1)), math.Float32frombits(0x7fc00001), -3}
	f64 := []float64{1.0 / 3, math.Inf(-1), math.Float64frombits(1)}
	i64 := []int64{math.MinInt64, math.MaxInt64, 0}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	err := WriteFile(path, []Tensor{
		F32("layers.0.weight", []int{1, 5}, f32),
		F64("bias", []int{3}, f64),
		I64("ints", []int{3}, i64),
		F32("empty", []int{2, 0}, nil),
		F64("scalar", []int{}, []float64{-2}),
	}, map[string]string{"arch": `{"d":3}`})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", numpyReader, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var got struct {
		Meta    map[string]string
		Tensors map[string]struct {
			DType  string
			Shape  []int
			Values []string
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Meta["arch"] != `{"d":3}` || len(got.Meta["sha256"]) != 64 {
		t.Errorf("metadata %q", got.Meta)
	}
	var b32, b64, ints []string
	for _, x := range f32 {
		b32 = append(b32, strconv.FormatUint(uint64(math.Float32bits(x)), 10))
	}
	for _, x := range f64 {
		b64 = append(b64, strconv.FormatUint(math.Float64bits(x), 10))
	}
	for _, x := range i64 {
		ints = append(ints, strconv.FormatInt(x, 10))
	}
	for name, want := range map[string]struct {
		dtype  string
		shape  []int
		values []string
	}{
		"layers.0.weight": {"<f4", []int{1, 5}, b32},
		"bias":            {"<f8", []int{3}, b64},
		"ints":            {"<i8", []int{3}, ints},
		"empty":           {"<f4", []int{2, 0}, nil},
		"scalar":          {"<f8", []int{}, []string{strconv.FormatUint(math.Float64bits(-2), 10)}},
	} {
		g, ok := got.Tensors[name]
		if !ok || g.DType != want.dtype || !slices.Equal(g.Shape, want.shape) || !slices.Equal(g.Values, want.values) {
			t.Errorf("%s: python read %s %v %v, want %s %v %v", name, g.DType, g.Shape, g.Values, want.dtype, want.shape, want.values)
		}
	}
	if len(got.Tensors) != 5 {
		t.Errorf("python read %d tensors, want 5", len(got.Tensors))
	}
}

// pythonWriter writes a file the way a Python program following the format
// would: json.dumps with its default separators, data in another order than
// the header, header padded to 8, its own checksum.
const pythonWriter = `
import hashlib, json, struct, sys
w = struct.pack("<6f", 1, 2, 3, 4, 5, -0.0)
b = struct.pack("<2d", 0.1, float("inf"))
n = struct.pack("<q", -5)
data = b + w + n
header = {
    "__metadata__": {"format": "pt", "sha256": hashlib.sha256(data).hexdigest()},
    "net.0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]},
    "net.0.bias": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]},
    "steps": {"dtype": "I64", "shape": [], "data_offsets": [40, 48]},
}
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + data)
`

// TestReadPythonFile reads a file that Python's standard library wrote
// (numpy is not needed).
func TestReadPythonFile(t *testing.T) {
	py, _ := python(t)
	path := filepath.Join(t.TempDir(), "py.safetensors")
	if out, err := exec.Command(py, "-c", pythonWriter, path).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	f, err := ReadFile(path, Options{RequireChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || len(f.Metadata) != 1 {
		t.Errorf("metadata %q", f.Metadata)
	}
	var names []string
	for _, x := range f.Tensors {
		names = append(names, x.Name)
	}
	if want := []string{"net.0.bias", "net.0.weight", "steps"}; !slices.Equal(names, want) {
		t.Errorf("tensors %q, want %q", names, want)
	}
	w, _ := f.Tensor("net.0.weight")
	if v, err := w.Float32s(); err != nil || !slices.Equal(v, []float32{1, 2, 3, 4, 5, 0}) || !math.Signbit(float64(v[5])) || !slices.Equal(w.Shape, []int{2, 3}) {
		t.Errorf("net.0.weight: %v %v, %v", w.Shape, v, err)
	}
	b, _ := f.Tensor("net.0.bias")
	if v, err := b.Float64s(); err != nil || !slices.Equal(v, []float64{0.1, math.Inf(1)}) {
		t.Errorf("net.0.bias: %v, %v", v, err)
	}
	s, _ := f.Tensor("steps")
	if v, err := s.Int64s(); err != nil || !slices.Equal(v, []int64{-5}) || len(s.Shape) != 0 {
		t.Errorf("steps: %v %v, %v", s.Shape, v, err)
	}
}
