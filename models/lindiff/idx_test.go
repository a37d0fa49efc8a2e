package lindiff

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an unsigned-byte IDX file.
func idxBytes(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gz(t *testing.T, p []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLoadIDXImages(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 3*2*2)
	for i := range data {
		data[i] = byte(i * 20)
	}
	for _, compress := range []bool{false, true} {
		raw := idxBytes([]int{3, 2, 2}, data)
		if compress {
			raw = gz(t, raw)
		}
		path := filepath.Join(dir, "img.idx")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		x, err := LoadIDXImages(path)
		if err != nil {
			t.Fatal(err)
		}
		if r, c := x.Dims(); r != 3 || c != 4 {
			t.Fatalf("dims %dx%d, want 3x4", r, c)
		}
		if got, want := x.At(2, 1), float64(9*20)/255; got != want {
			t.Fatalf("x[2,1] = %v, want %v", got, want)
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes([]int{2, 2, 2}, make([]byte, 8))
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "reading the header"},
		{"magic", append([]byte{1}, good[1:]...), "not an IDX file"},
		{"type", append([]byte{0, 0, 0x0d}, good[3:]...), "not unsigned byte"},
		{"zero dims", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"short dims", good[:9], "reading dimension"},
		{"short data", good[:len(good)-1], "need 8 bytes"},
		{"long data", append(append([]byte(nil), good...), 7), "longer than"},
		{"huge", idxBytes([]int{1 << 20, 1 << 20, 8}, nil), "exceed"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "bad gzip"},
	}
	for _, c := range cases {
		_, _, err := ReadIDX(bytes.NewReader(c.raw))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "labels"), idxBytes([]int{4}, make([]byte, 4)), 0o644)
	if _, err := LoadIDXImages(filepath.Join(dir, "labels")); err == nil || !strings.Contains(err.Error(), "not n x rows x cols") {
		t.Errorf("labels as images: %v", err)
	}
}

func TestFashionMNISTMissing(t *testing.T) {
	_, err := FashionMNIST(t.TempDir(), true)
	if err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Fatalf("missing dataset: %v, want the package name", err)
	}
}

// TestFashionMNISTInstalled reads the real files where the Debian package is
// installed (CI installs it); elsewhere it is skipped with the reason.
func TestFashionMNISTInstalled(t *testing.T) {
	if _, err := os.Stat(DefaultFashionMNISTDir); err != nil {
		t.Skipf("dataset-fashion-mnist not installed: %v", err)
	}
	x, err := FashionMNIST("", false)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := x.Dims(); r != 10000 || c != 784 {
		t.Fatalf("test images %dx%d, want 10000x784", r, c)
	}
}
