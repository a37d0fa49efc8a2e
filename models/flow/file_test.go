package flow

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/internal/safetensors"
	"github.com/flowkern/flowkern/kernels"
)

// roundTrip saves f, loads it back and checks every parameter, buffer and
// the architecture bit for bit, and that the loaded flow computes the same
// log-densities.
func roundTrip[T kernels.Float](t *testing.T, f *Flow[T]) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load[T](path)
	if err != nil {
		t.Fatal(err)
	}
	if weightHash(f) != weightHash(g) {
		t.Fatal("parameters changed by Save and Load")
	}
	var a, b bytes.Buffer
	f.Encode(&a)
	g.Encode(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the loaded flow encodes to other bytes")
	}
	x := randMat[T](7, f.d, 40)
	la, lb := make([]float64, 7), make([]float64, 7)
	f.LogProb(la, x)
	g.LogProb(lb, x)
	for i := range la {
		if la[i] != lb[i] {
			t.Fatalf("row %d: log p %v before saving, %v after loading", i, la[i], lb[i])
		}
	}
	if _, err := Load[float32](path); err == nil && dtypeName[T]() == "float64" {
		t.Error("a float64 model loads as float32 without an error")
	}
}

func TestFileRoundTrip(t *testing.T) {
	for name, sp := range testSpecs(t, 6) {
		t.Run(name, func(t *testing.T) {
			roundTrip(t, randomised[float64](t, sp, 41))
			roundTrip(t, randomised[float32](t, sp, 41))
		})
	}
	// An ActNorm initialised by training stays initialised after loading.
	sp, _ := Glow(2, 1, Block{Hidden: []int{4}})
	f, _ := New[float64](sp, 1)
	if _, err := f.Train(randMat[float64](32, 2, 1), Matrix[float64]{}, TrainOptions{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	f.Encode(&buf)
	g, err := Decode[float64](buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !g.layers[0].(*ActNorm[float64]).initialized() {
		t.Error("ActNorm forgot its data-dependent initialisation")
	}
}

// validFile returns the bytes of a small model file.
func validFile(t testing.TB) []byte {
	sp, _ := Glow(4, 1, Block{Hidden: []int{3}})
	f, err := New[float64](sp, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewrite decodes a valid file, lets edit change its tensors and metadata,
// and encodes it again (with a fresh checksum).
func rewrite(t *testing.T, edit func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor) []byte {
	file, err := safetensors.Decode(validFile(t), safetensors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := append([]safetensors.Tensor(nil), file.Tensors...)
	ts = edit(ts, file.Metadata)
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, ts, file.Metadata); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileErrors(t *testing.T) {
	good := validFile(t)
	find := func(ts []safetensors.Tensor, name string) int {
		for i, x := range ts {
			if x.Name == name {
				return i
			}
		}
		t.Fatalf("no tensor %s", name)
		return -1
	}
	cases := map[string]struct {
		data []byte
		msg  string
	}{
		"empty":     {nil, "safetensors"},
		"truncated": {good[:len(good)-3], "safetensors"},
		"corrupted": {func() []byte { b := bytes.Clone(good); b[len(b)-1] ^= 1; return b }(), "sha256"},
		"format": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["format"] = "other"
			return ts
		}), "not a flowkern flow"},
		"version": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["version"] = "2"
			return ts
		}), "version"},
		"arch json": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["arch"] = `{"dim": 4, "layers": [`
			return ts
		}), "architecture"},
		"arch field": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["arch"] = strings.Replace(md["arch"], `"dim"`, `"dimension"`, 1)
			return ts
		}), "architecture"},
		"huge arch": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["arch"] = `{"dim": 40000, "layers": [{"kind": "lu"}]}`
			return ts
		}), "needs more tensor data"},
		"many big permutations": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			md["arch"] = `{"dim": 1048576, "layers": [` + strings.Repeat(`{"kind": "reverse"},`, 1000) + `{"kind": "reverse"}]}`
			return ts
		}), "needs more tensor data"},
		"missing tensor": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			i := find(ts, "layers.1.logs")
			return append(ts[:i], ts[i+1:]...)
		}), `"layers.1.logs" is missing`},
		"extra tensor": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			return append(ts, safetensors.F64("layers.9.x", []int{1}, []float64{1}))
		}), `"layers.9.x" is not part`},
		"wrong shape": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			i := find(ts, "layers.1.lu")
			ts[i].Shape = []int{16}
			return ts
		}), "shape"},
		"wrong dtype": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			i := find(ts, "layers.0.bias")
			ts[i] = safetensors.F32("layers.0.bias", []int{4}, []float32{0, 0, 0, 0})
			ts = append(ts, safetensors.F32("pad", []int{4}, []float32{0, 0, 0, 0}))
			return ts
		}), "layers.0.bias"},
		"not a permutation": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			i := find(ts, "layers.1.perm")
			ts[i] = safetensors.I64("layers.1.perm", []int{4}, []int64{0, 1, 1, 3})
			return ts
		}), "not a permutation"},
		"bad sign": {rewrite(t, func(ts []safetensors.Tensor, md map[string]string) []safetensors.Tensor {
			i := find(ts, "layers.1.sign")
			ts[i] = safetensors.F64("layers.1.sign", []int{4}, []float64{1, 1, 0.5, 1})
			return ts
		}), "sign"},
	}
	for name, c := range cases {
		_, err := Decode[float64](c.data)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.msg)
		}
	}
	// A checksum is required: a file without one is refused.
	file, _ := safetensors.Decode(good, safetensors.Options{})
	var buf bytes.Buffer
	safetensors.Encode(&buf, file.Tensors, file.Metadata)
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	hdr := strings.Replace(string(b[8:8+n]), `"sha256":"`+file.Checksum+`"`, `"x":"`+strings.Repeat(" ", len(file.Checksum)-1)+`"`, 1)
	b = append(append(b[:8:8], hdr...), b[8+n:]...)
	if _, err := Decode[float64](b); err == nil {
		t.Error("a file without a checksum loads")
	}
}

func TestSaveLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	sp, _ := NICE(2, 1, Block{Hidden: []int{3}})
	f, _ := New[float64](sp, 1)
	if err := f.Save(filepath.Join(dir, "missing", "m.safetensors")); err == nil {
		t.Fatal("saving into a missing folder: no error")
	}
	path := filepath.Join(dir, "m.safetensors")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(path); err == nil {
		t.Fatal("saving over a folder: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("the folder holds %d entries after failed saves", len(ents))
	}
	missing := filepath.Join(dir, "none")
	if _, err := Load[float64](missing); err == nil || strings.Count(err.Error(), missing) != 1 {
		t.Errorf("missing file: error %v, want one naming the path once", err)
	}
}

// FuzzDecode: no input panics; a file that loads saves to the same bytes
// it loads from after one round.
func FuzzDecode(f *testing.F) {
	good := validFile(f)
	f.Add(good)
	f.Add(good[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Decode[float64](data)
		if err != nil {
			return
		}
		var a bytes.Buffer
		if err := fl.Encode(&a); err != nil {
			t.Fatal(err)
		}
		g, err := Decode[float64](a.Bytes())
		if err != nil {
			t.Fatalf("a re-encoded file does not load: %v", err)
		}
		var b bytes.Buffer
		g.Encode(&b)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzArch fuzzes the architecture behind a valid checksum (FuzzDecode's
// mutations rarely get past it): any arch either loads or is an error,
// never a panic or a huge allocation.
func FuzzArch(f *testing.F) {
	file, err := safetensors.Decode(validFile(f), safetensors.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(file.Metadata["arch"])
	f.Add(`{"dim": 4, "layers": [{"kind": "affine", "a": [0, 1], "b": [2, 3], "hidden": [1000000000], "activation": "tanh", "scale": "exp"}]}`)
	f.Add(`{"dim": 1048576, "layers": [{"kind": "shuffle"}]}`)
	f.Fuzz(func(t *testing.T, arch string) {
		md := map[string]string{}
		for k, v := range file.Metadata {
			md[k] = v
		}
		md["arch"] = arch
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, file.Tensors, md); err != nil {
			return
		}
		if fl, err := Decode[float64](buf.Bytes()); err == nil {
			lp := make([]float64, 2)
			fl.LogProb(lp, randMat[float64](2, fl.Dim(), 1))
		}
	})
}
