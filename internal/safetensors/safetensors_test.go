package safetensors

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// raw builds a file from a header and a data section exactly as given: no
// padding, no checks. The tests build their inputs with it, not with Encode.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// sameFile reports how two decoded files differ, or nil. The checksums are
// not compared: Encode always writes lowercase hex, a foreign file may not.
func sameFile(got, want *File) error {
	if !maps.Equal(got.Metadata, want.Metadata) {
		return fmt.Errorf("metadata %q, want %q", got.Metadata, want.Metadata)
	}
	if len(got.Tensors) != len(want.Tensors) {
		return fmt.Errorf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for i, g := range got.Tensors {
		w := want.Tensors[i]
		if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
			return fmt.Errorf("tensor %d is %q %s %v % x, want %q %s %v % x",
				i, g.Name, g.DType, g.Shape, g.Data, w.Name, w.DType, w.Shape, w.Data)
		}
	}
	return nil
}

func encode(t testing.TB, tensors []Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// specials are float32 and float64 values whose bits a careless round trip
// would change: NaNs with payloads and signs, -0, infinities, subnormals.
var (
	specials32 = []float32{
		math.Float32frombits(0x7fc00000), math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc12345),
		math.Float32frombits(0x7f800001), // signalling NaN
		float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(1), -math.MaxFloat32, math.SmallestNonzeroFloat32, 1.5,
	}
	specials64 = []float64{
		math.Float64frombits(0x7ff8000000000000), math.Float64frombits(0x7ff8000000000abc),
		math.Float64frombits(0xfff0000000000001), // signalling NaN, sign set
		math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1),
		math.Float64frombits(1), math.MaxFloat64, -math.SmallestNonzeroFloat64, 1.0 / 3,
	}
)

func sampleTensors() []Tensor {
	return []Tensor{
		F32("layers.0.net.0.weight", []int{3, 4}, specials32),
		F64("layers.0.net.0.bias", []int{11}, specials64),
		I64("step", []int{}, []int64{-7}),
		I64("ints", []int{2, 2}, []int64{math.MinInt64, math.MaxInt64, 0, -1}),
		F32("empty.a", []int{0, 3}, nil),
		F64("empty.b", []int{5, 0, 2}, []float64{}),
		{Name: "bytes", DType: DTypeU8, Shape: []int{3}, Data: []byte{0, 1, 255}},
		{Name: "halfs", DType: DTypeBF16, Shape: []int{1, 2}, Data: []byte{0x80, 0x3f, 0xc0, 0x7f}},
		F32("scalar", nil, []float32{math.Float32frombits(0xff800001)}),
	}
}

var sampleMeta = map[string]string{
	"format":  "flowkern.flow",
	"version": "1",
	"arch":    `{"layers":[{"kind":"coupling","hidden":[64,64]}],"note":"` + "tab\there \"quoted\" \\ <&> \u00e9 \u2028 \x01 \n\x7f" + `"}`,
	"":        "empty key",
}

func TestRoundTrip(t *testing.T) {
	tensors := sampleTensors()
	data := encode(t, tensors, sampleMeta)
	f, err := Decode(data, Options{RequireChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	// Decode orders tensors by offset, and the zero-byte ones at the same
	// offset by name: "empty.a" and "empty.b" are both at the same offset and
	// already in name order, so the given order is kept.
	if err := sameFile(f, &File{Metadata: sampleMeta, Tensors: tensors}); err != nil {
		t.Fatal(err)
	}
	if want := sum(data[8+binary.LittleEndian.Uint64(data):]); f.Checksum != want {
		t.Errorf("Checksum %s, want %s", f.Checksum, want)
	}

	get := func(name string) Tensor {
		t.Helper()
		x, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("no tensor %q", name)
		}
		return x
	}
	v32, err := get("layers.0.net.0.weight").Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range v32 {
		if math.Float32bits(v) != math.Float32bits(specials32[i]) {
			t.Errorf("float32 %d: bits %#x, want %#x", i, math.Float32bits(v), math.Float32bits(specials32[i]))
		}
	}
	v64, err := get("layers.0.net.0.bias").Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range v64 {
		if math.Float64bits(v) != math.Float64bits(specials64[i]) {
			t.Errorf("float64 %d: bits %#x, want %#x", i, math.Float64bits(v), math.Float64bits(specials64[i]))
		}
	}
	if v, err := get("ints").Int64s(); err != nil || !slices.Equal(v, []int64{math.MinInt64, math.MaxInt64, 0, -1}) {
		t.Errorf("ints: %v, %v", v, err)
	}
	if v, err := get("step").Int64s(); err != nil || !slices.Equal(v, []int64{-7}) {
		t.Errorf("step: %v, %v", v, err)
	}
	if v, err := get("empty.b").Float64s(); err != nil || len(v) != 0 {
		t.Errorf("empty.b: %v, %v", v, err)
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Error("Tensor(missing) found something")
	}
}

// TestTensorOrder checks the documented order: by offset, zero-byte tensors at
// one offset by name.
func TestTensorOrder(t *testing.T) {
	in := []Tensor{F32("z", []int{0}, nil), F32("b", []int{1}, []float32{1}), F32("y", []int{0}, nil), F32("x", []int{0}, nil), F32("a", []int{1}, []float32{2})}
	f, err := Decode(encode(t, in, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range f.Tensors {
		names = append(names, x.Name)
	}
	if want := []string{"z", "b", "x", "y", "a"}; !slices.Equal(names, want) {
		t.Errorf("order %q, want %q", names, want)
	}
}

func TestDeterministic(t *testing.T) {
	a := encode(t, sampleTensors(), sampleMeta)
	// The same metadata built in another insertion order, the same tensors
	// built again.
	meta := map[string]string{}
	keys := slices.Sorted(maps.Keys(sampleMeta))
	slices.Reverse(keys)
	for _, k := range keys {
		meta[k] = sampleMeta[k]
	}
	for range 5 {
		if b := encode(t, sampleTensors(), meta); !bytes.Equal(a, b) {
			t.Fatal("two encodings of the same inputs differ")
		}
	}
	n := binary.LittleEndian.Uint64(a)
	if (8+n)%8 != 0 {
		t.Errorf("data section starts at %d, not a multiple of 8", 8+n)
	}
	if h := a[8 : 8+n]; !bytes.HasSuffix(bytes.TrimRight(h, " "), []byte("}")) || len(h)-len(bytes.TrimRight(h, " ")) >= 8 {
		t.Errorf("header is not the JSON object and less than 8 spaces: %q", h)
	}
}

// TestGolden decodes bytes written by hand and checks that Encode writes the
// very same bytes.
func TestGolden(t *testing.T) {
	data := []byte{
		0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, // b: float32 1, -2.5
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // a: int64 -1
	}
	header := `{"__metadata__":{"arch":"{\"d\":2}","format":"flowkern.test","sha256":"` + sum(data) + `"},` +
		`"a":{"data_offsets":[8,16],"dtype":"I64","shape":[]},` +
		`"b":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},` +
		`"c":{"data_offsets":[16,16],"dtype":"F64","shape":[1,0]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	golden := raw(header, data)

	meta := map[string]string{"format": "flowkern.test", "arch": `{"d":2}`}
	want := &File{Metadata: meta, Tensors: []Tensor{
		{Name: "b", DType: DTypeF32, Shape: []int{2}, Data: data[:8]},
		{Name: "a", DType: DTypeI64, Shape: []int{}, Data: data[8:]},
		{Name: "c", DType: DTypeF64, Shape: []int{1, 0}, Data: nil},
	}}
	f, err := Decode(golden, Options{RequireChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sameFile(f, want); err != nil {
		t.Fatal(err)
	}
	if f.Checksum != sum(data) {
		t.Errorf("Checksum %q", f.Checksum)
	}
	if v, _ := f.Tensors[0].Float32s(); !slices.Equal(v, []float32{1, -2.5}) {
		t.Errorf("b = %v", v)
	}

	got := encode(t, []Tensor{F32("b", []int{2}, []float32{1, -2.5}), I64("a", []int{}, []int64{-1}), F64("c", []int{1, 0}, nil)}, meta)
	if !bytes.Equal(got, golden) {
		t.Errorf("Encode wrote\n%q\nwant\n%q", got, golden)
	}
}

// TestForeignLayout reads a header laid out the way other writers do it:
// spaces after separators, keys in another order, data in another order than
// the header, no metadata, padding to 8.
func TestForeignLayout(t *testing.T) {
	data := make([]byte, 24)
	for i := range data {
		data[i] = byte(i)
	}
	header := `{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [8, 24]}, "bias": {"shape": [2], "data_offsets": [0, 8], "dtype": "F32"}}`
	for len(header)%8 != 0 {
		header += " "
	}
	f, err := Decode(raw(header, data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &File{Metadata: map[string]string{}, Tensors: []Tensor{
		{Name: "bias", DType: DTypeF32, Shape: []int{2}, Data: data[:8]},
		{Name: "w", DType: DTypeF32, Shape: []int{2, 2}, Data: data[8:]},
	}}
	if err := sameFile(f, want); err != nil {
		t.Fatal(err)
	}
	if f.Checksum != "" {
		t.Errorf("Checksum %q for a file without one", f.Checksum)
	}
	if _, err := Decode(raw(header, data), Options{RequireChecksum: true}); err == nil {
		t.Error("RequireChecksum accepted a file without a checksum")
	}
}

type corruptCase struct {
	name string
	file []byte
	opts Options
	want string // a substring of the error
}

// corruptCases are files that Decode must reject. FuzzDecode seeds from them.
func corruptCases() []corruptCase {
	d16 := make([]byte, 16)
	x := func(entry string) string { return `{"x":` + entry + `}` }
	ok := `{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`
	cs := []corruptCase{
		{"empty file", nil, Options{}, "too short"},
		{"7 bytes", []byte{2, 0, 0, 0, 0, 0, 0}, Options{}, "too short"},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), Options{}, "header length 100 exceeds"},
		{"header length 2^64-1", append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "{}"...), Options{}, "exceeds"},
		{"header length 2^63", binary.LittleEndian.AppendUint64(nil, 1<<63), Options{}, "exceeds"},
		{"over MaxHeader", raw(x(ok), d16), Options{MaxHeader: 16}, "limit of 16"},
		{"zero header", raw("", nil), Options{}, "start with '{'"},
		{"array header", raw("[1]", nil), Options{}, "start with '{'"},
		{"leading space", raw(" {}", nil), Options{}, "start with '{'"},
		{"malformed", raw(`{"x":`, nil), Options{}, "malformed"},
		{"unterminated", raw(`{"x`, nil), Options{}, "malformed"},
		{"missing comma", raw(`{"x":`+ok+` "y":`+ok+`}`, d16), Options{}, "malformed"},
		{"trailing garbage", raw(`{} x`, nil), Options{}, "after the JSON object"},
		{"two objects", raw(`{}{}`, nil), Options{}, "after the JSON object"},
		{"NUL padding", raw("{}\x00", nil), Options{}, "after the JSON object"},
		{"invalid UTF-8", raw("{\"x\xff\":"+ok+"}", d16), Options{}, "UTF-8"},
		{"metadata array", raw(`{"__metadata__":[]}`, nil), Options{}, "__metadata__ is not a JSON object"},
		{"metadata null", raw(`{"__metadata__":null}`, nil), Options{}, "__metadata__ is not a JSON object"},
		{"metadata number", raw(`{"__metadata__":{"k":1}}`, nil), Options{}, `__metadata__["k"] is 1, not a string`},
		{"metadata nested", raw(`{"__metadata__":{"k":{"a":"b"}}}`, nil), Options{}, `__metadata__["k"] is an object`},
		{"metadata duplicate key", raw(`{"__metadata__":{"k":"a","k":"b"}}`, nil), Options{}, `__metadata__["k"] appears twice`},
		{"metadata twice", raw(`{"__metadata__":{},"__metadata__":{}}`, nil), Options{}, `"__metadata__" twice`},
		{"entry array", raw(x(`[1]`), nil), Options{}, `tensor "x" is not a JSON object`},
		{"entry string", raw(x(`"F32"`), nil), Options{}, `tensor "x" is not a JSON object`},
		{"no dtype", raw(x(`{"shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": no dtype`},
		{"no shape", raw(x(`{"dtype":"F32","data_offsets":[0,16]}`), d16), Options{}, `tensor "x": no shape`},
		{"no offsets", raw(x(`{"dtype":"F32","shape":[2,2]}`), d16), Options{}, `tensor "x": no data_offsets`},
		{"unknown key", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,16],"stride":[2,1]}`), d16), Options{}, `tensor "x": unknown key "stride"`},
		{"dtype twice", raw(x(`{"dtype":"F64","dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": dtype appears twice`},
		{"shape twice", raw(x(`{"dtype":"F32","shape":[2],"shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": shape appears twice`},
		{"offsets twice", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,8],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": data_offsets appears twice`},
		{"unknown dtype", raw(x(`{"dtype":"F17","shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": unknown dtype "F17"`},
		{"lowercase dtype", raw(x(`{"dtype":"f32","shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `unknown dtype "f32"`},
		{"sub-byte dtype", raw(x(`{"dtype":"F4","shape":[32],"data_offsets":[0,16]}`), d16), Options{}, `unknown dtype "F4"`},
		{"dtype number", raw(x(`{"dtype":4,"shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": dtype is 4, not a string`},
		{"negative dim", raw(x(`{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape: -2 is negative`},
		{"fractional dim", raw(x(`{"dtype":"F32","shape":[2.0,2],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape: 2.0 is not an integer`},
		{"exponent dim", raw(x(`{"dtype":"F32","shape":[4e0],"data_offsets":[0,16]}`), d16), Options{}, `4e0 is not an integer`},
		{"dim 2^64", raw(x(`{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,16]}`), d16), Options{}, `does not fit in 64 bits`},
		{"dim 2^64-1", raw(x(`{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x"`},
		{"shape number", raw(x(`{"dtype":"F32","shape":4,"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape: expected '['`},
		{"shape nested", raw(x(`{"dtype":"F32","shape":[[4]],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape: element an array is not a number`},
		{"shape null", raw(x(`{"dtype":"F32","shape":null,"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape`},
		{"shape string dim", raw(x(`{"dtype":"F32","shape":["4"],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x" shape`},
		{"one offset", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[16]}`), d16), Options{}, `tensor "x": data_offsets has 1 numbers, not 2`},
		{"three offsets", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,16,16]}`), d16), Options{}, `data_offsets has 3 numbers`},
		{"negative offset", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[-16,0]}`), d16), Options{}, `tensor "x" data_offsets: -16 is negative`},
		{"begin after end", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}`), d16), Options{}, `tensor "x": data_offsets [16, 0] are not within`},
		{"end past data", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,32]}`), d16), Options{}, `tensor "x": data_offsets [0, 32] are not within the 16-byte data section`},
		{"huge end", raw(x(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,18446744073709551615]}`), d16), Options{}, `not within`},
		{"count mismatch", raw(x(`{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": shape [2 3] of F32 needs 24 bytes, data_offsets [0, 16] hold 16`},
		{"dtype size mismatch", raw(x(`{"dtype":"F64","shape":[2,2],"data_offsets":[0,16]}`), d16), Options{}, `needs 32 bytes`},
		// Dimensions below 2^31, so that the same check fires on 32-bit platforms.
		{"count overflow", raw(x(`{"dtype":"F32","shape":[2147483647,2147483647,2147483647,8],"data_offsets":[0,16]}`), d16), Options{}, `tensor "x": shape [2147483647 2147483647 2147483647 8] of F32: byte count overflows`},
		{"bytes overflow", raw(x(`{"dtype":"F64","shape":[2147483647,2147483647,2],"data_offsets":[0,16]}`), d16), Options{}, `byte count overflows`},
		{"huge shape", raw(x(`{"dtype":"F64","shape":[1000000,1000000],"data_offsets":[0,16]}`), d16), Options{}, `needs 8000000000000 bytes`},
		{"overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, d16[:12]), Options{}, `tensor "b": data_offsets [4, 12] overlap tensor "a"`},
		{"same offsets", raw(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"I32","shape":[4],"data_offsets":[0,16]}}`, d16), Options{}, `overlap`},
		{"empty inside another", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, d16[:8]), Options{}, `tensor "e": data_offsets [4, 4] overlap tensor "a"`},
		{"hole", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, d16), Options{}, `tensor "b": data_offsets [8, 16] leave bytes [4, 8) of the data section unused`},
		{"leading hole", raw(x(`{"dtype":"F32","shape":[2],"data_offsets":[8,16]}`), d16), Options{}, `leave bytes [0, 8)`},
		{"trailing bytes", raw(x(`{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`), d16), Options{}, `bytes [8, 16) at the end`},
		{"data without tensors", raw(`{}`, d16[:4]), Options{}, `bytes [0, 4) at the end`},
		{"duplicate tensor", raw(`{"x":`+ok+`,"x":`+ok+`}`, d16), Options{}, `tensor "x" appears twice`},
		{"checksum mismatch", raw(`{"__metadata__":{"sha256":"`+sum(d16[:15])+`"},"x":`+ok+`}`, d16), Options{}, `__metadata__["sha256"]: data section has sha256`},
		{"checksum one bit off", raw(`{"__metadata__":{"sha256":"`+sum(d16)+`"},"x":`+ok+`}`, append(make([]byte, 15), 1)), Options{}, `data section has sha256`},
		{"checksum not hex", raw(`{"__metadata__":{"sha256":"zz"},"x":`+ok+`}`, d16), Options{}, `is not 64 hex digits`},
		{"checksum short", raw(`{"__metadata__":{"sha256":"`+sum(d16)[:62]+`"},"x":`+ok+`}`, d16), Options{}, `is not 64 hex digits`},
		{"checksum required", raw(x(ok), d16), Options{RequireChecksum: true}, `no "sha256" key`},
	}
	return cs
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range corruptCases() {
		t.Run(c.name, func(t *testing.T) {
			f, err := Decode(c.file, c.opts)
			if err == nil {
				t.Fatalf("no error; decoded %+v", f)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestDecodeAccepts lists the leniencies: what the format allows and other
// writers do.
func TestDecodeAccepts(t *testing.T) {
	d16 := make([]byte, 16)
	for _, c := range []struct{ name, header string }{
		{"newline padding", `{"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}` + "\n\t\r "},
		{"pretty printed", "{\n  \"x\": {\n    \"dtype\": \"F32\",\n    \"shape\": [\n      2,\n      2\n    ],\n    \"data_offsets\": [0, 16]\n  }\n}"},
		{"uppercase checksum", `{"__metadata__":{"sha256":"` + strings.ToUpper(sum(d16)) + `"},"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`},
		{"escaped name", `{"\u0078":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`},
		{"empty metadata", `{"__metadata__":{},"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`},
	} {
		f, err := Decode(raw(c.header, d16), Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if x, ok := f.Tensor("x"); !ok || !slices.Equal(x.Shape, []int{2, 2}) {
			t.Errorf("%s: tensors %+v", c.name, f.Tensors)
		}
	}
	f, err := Decode(raw("{}", nil), Options{})
	if err != nil || len(f.Tensors) != 0 || f.Metadata == nil {
		t.Errorf("empty file: %+v, %v", f, err)
	}
}

// TestDimPastInt: an empty tensor may have a dimension of 2^32; it decodes
// where int has 64 bits and is an error naming it where int has 32.
func TestDimPastInt(t *testing.T) {
	f, err := Decode(raw(`{"x":{"dtype":"F64","shape":[0,4294967296],"data_offsets":[0,0]}}`, nil), Options{})
	if math.MaxInt == math.MaxInt32 {
		if err == nil || !strings.Contains(err.Error(), `tensor "x": dimension 4294967296 does not fit in an int`) {
			t.Errorf("32-bit: error %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if x := f.Tensors[0]; int64(x.Shape[1]) != 1<<32 || len(x.Data) != 0 {
		t.Errorf("decoded %+v", x)
	}
}

// TestTruncate cuts a valid file at every length: each prefix is an error.
// A byte appended is an error too.
func TestTruncate(t *testing.T) {
	data := encode(t, sampleTensors()[:4], map[string]string{"k": "v"})
	for n := range len(data) {
		if _, err := Decode(data[:n:n], Options{}); err == nil {
			t.Errorf("a prefix of %d of %d bytes decoded", n, len(data))
		}
	}
	if _, err := Decode(append(slices.Clip(data), 0), Options{}); err == nil {
		t.Error("a file with one byte appended decoded")
	}
}

// inStrings marks the header bytes that lie inside JSON string literals
// (quotes excluded). Changing such a byte may give another valid file: a
// different name, dtype or metadata value.
func inStrings(h []byte) []bool {
	in := make([]bool, len(h))
	inside, escaped := false, false
	for i, c := range h {
		switch {
		case !inside:
			inside = c == '"'
		case escaped:
			escaped = false
			in[i] = true
		case c == '\\':
			escaped = true
			in[i] = true
		case c == '"':
			inside = false
		default:
			in[i] = true
		}
	}
	return in
}

// TestCorruptHeaderBytes sets each byte of the length field and of the
// header to every other value. Decode must not panic; when it succeeds, the
// change was inside a string literal or left the file decoding to the same
// result; and whatever it accepts passes the fuzz round trip.
func TestCorruptHeaderBytes(t *testing.T) {
	tensors := []Tensor{F32("w", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}), I64("n", []int{}, []int64{9}), F64("e", []int{0}, nil)}
	data := encode(t, tensors, map[string]string{"v": "1"})
	orig, err := Decode(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := int(binary.LittleEndian.Uint64(data))
	str := inStrings(data[8 : 8+n])
	accepted := 0
	buf := slices.Clone(data)
	for i := range 8 + n {
		for v := range 256 {
			if byte(v) == data[i] {
				continue
			}
			buf[i] = byte(v)
			f, err := Decode(buf, Options{})
			if err == nil {
				accepted++
				if same := sameFile(f, orig); same != nil && (i < 8 || !str[i-8]) {
					t.Errorf("byte %d set to %#02x (outside strings) decodes to another file: %v", i, v, same)
				}
				if err := reencode(f); err != nil {
					t.Errorf("byte %d set to %#02x: %v", i, v, err)
				}
			}
		}
		buf[i] = data[i]
	}
	t.Logf("%d of %d one-byte changes decoded", accepted, (8+n)*255)
}

// reencode checks the fuzz property: a decoded file encodes, and decodes back
// to the same tensors and metadata.
func reencode(f *File) error {
	var buf bytes.Buffer
	if err := Encode(&buf, f.Tensors, f.Metadata); err != nil {
		return fmt.Errorf("Encode of a decoded file: %v", err)
	}
	g, err := Decode(buf.Bytes(), Options{RequireChecksum: true})
	if err != nil {
		return fmt.Errorf("Decode of a re-encoded file: %v", err)
	}
	if err := sameFile(g, f); err != nil {
		return fmt.Errorf("re-encoded file differs: %v", err)
	}
	return nil
}

// TestNoLargeAllocation decodes files whose header claims huge sizes and
// checks that Decode allocates nothing near them.
func TestNoLargeAllocation(t *testing.T) {
	files := [][]byte{
		binary.LittleEndian.AppendUint64(nil, 1<<62),
		raw(`{"x":{"dtype":"F64","shape":[1152921504606846975],"data_offsets":[0,16]}}`, make([]byte, 16)),
		raw(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,1152921504606846975]}}`, make([]byte, 16)),
		raw(`{"x":{"dtype":"U8","shape":[0,4294967295,4294967295],"data_offsets":[0,0]}}`, nil),
	}
	for i, file := range files {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decode(file, Options{})
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
			t.Errorf("file %d: Decode allocated %d bytes (err %v)", i, d, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	good := F32("w", []int{2}, []float32{1, 2})
	for _, c := range []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"sha256 supplied", []Tensor{good}, map[string]string{"sha256": "x"}, `metadata key "sha256" is reserved`},
		{"duplicate name", []Tensor{good, good}, nil, `tensor "w" appears twice`},
		{"metadata name", []Tensor{F32("__metadata__", []int{1}, []float32{1})}, nil, `reserved`},
		{"unknown dtype", []Tensor{{Name: "u", DType: "F17", Shape: []int{1}, Data: []byte{1}}}, nil, `tensor "u": unknown dtype "F17"`},
		{"no dtype", []Tensor{{Name: "u", Shape: []int{1}, Data: []byte{1}}}, nil, `tensor "u": unknown dtype ""`},
		{"negative dim", []Tensor{F32("n", []int{-1}, nil)}, nil, `tensor "n": shape [-1] has a negative dimension`},
		{"short data", []Tensor{F32("s", []int{3}, []float32{1, 2})}, nil, `tensor "s": shape [3] of F32 needs 3 elements of 4 bytes, data has 8 bytes`},
		{"long data", []Tensor{F32("s", []int{}, []float32{1, 2})}, nil, `data has 8 bytes`},
		{"overflowing shape", []Tensor{F32("o", []int{math.MaxInt, 3}, nil)}, nil, `tensor "o": shape`},
		{"bad UTF-8 name", []Tensor{F32("a\xff", []int{1}, []float32{1})}, nil, `not valid UTF-8`},
		{"bad UTF-8 metadata", []Tensor{good}, map[string]string{"k": "\xc3"}, `not valid UTF-8`},
	} {
		var buf bytes.Buffer
		err := Encode(&buf, c.tensors, c.meta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the error", c.name, buf.Len())
		}
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, errDiskFull
}

func TestEncodeFailingWriter(t *testing.T) {
	tensors := sampleTensors()
	full := encode(t, tensors, nil)
	for n := range len(full) {
		if err := Encode(&failingWriter{n}, tensors, nil); !errors.Is(err, errDiskFull) {
			t.Fatalf("writer failing after %d of %d bytes: error %v", n, len(full), err)
		}
	}
	if err := Encode(&failingWriter{len(full)}, tensors, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAccessors(t *testing.T) {
	f := F64("d", []int{2}, []float64{1, 2})
	if _, err := f.Float32s(); err == nil || !strings.Contains(err.Error(), `tensor "d": dtype is F64, not F32`) {
		t.Errorf("Float32s of F64: %v", err)
	}
	if _, err := f.Int64s(); err == nil {
		t.Error("Int64s of F64: no error")
	}
	if _, err := F32("f", []int{2}, []float32{1}).Float32s(); err == nil {
		t.Error("Float32s with data short of the shape: no error")
	}
	if _, err := I64("i", []int{2}, []int64{1, 2, 3}).Int64s(); err == nil {
		t.Error("Int64s with data past the shape: no error")
	}
	if n, err := F32("e", []int{4, 0, math.MaxInt}, nil).Len(); n != 0 || err != nil {
		t.Errorf("Len of an empty tensor: %d, %v", n, err)
	}
	shape := []int{2}
	v := []float32{1, 2}
	x := F32("c", shape, v)
	shape[0], v[0] = 7, 7
	if got, _ := x.Float32s(); x.Shape[0] != 2 || got[0] != 1 {
		t.Error("F32 did not copy its arguments")
	}
	for _, d := range []DType{DTypeF32, DTypeF64, DTypeI64, DTypeI32, DTypeU8} {
		if d.Size() == 0 {
			t.Errorf("%s has no size", d)
		}
	}
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	tensors := sampleTensors()
	if err := WriteFile(path, tensors, sampleMeta); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path, Options{RequireChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sameFile(f, &File{Metadata: sampleMeta, Tensors: tensors}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", st.Mode(), err)
	}
	old, _ := os.ReadFile(path)

	untouched := func(what string) {
		t.Helper()
		if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, old) {
			t.Errorf("%s: the old file changed (%v)", what, err)
		}
		if names := listDir(t, dir); !slices.Equal(names, []string{"model.safetensors"}) {
			t.Errorf("%s: directory holds %q", what, names)
		}
	}

	err = WriteFile(path, []Tensor{F32("bad", []int{3}, nil)}, nil)
	if err == nil {
		t.Error("WriteFile of an invalid tensor: no error")
	}
	untouched("invalid tensor")

	err = writeAtomic(path, func(w io.Writer) error {
		w.Write(make([]byte, 100000)) // past the buffer: some bytes reach the file
		return errDiskFull
	})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("failing writer: error %v", err)
	}
	untouched("failing writer")

	// A parent that is a file: no temporary file can be made, even by root.
	if err := WriteFile(filepath.Join(path, "m.safetensors"), tensors, nil); err == nil {
		t.Error("WriteFile under a regular file: no error")
	}
	untouched("parent is a file")

	// A directory where the file should go: the rename fails.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(sub, tensors[:1], nil); err == nil {
		t.Error("WriteFile over a non-empty directory: no error")
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"model.safetensors", "sub"}) {
		t.Errorf("rename failure left %q", names)
	}

	if err := WriteFile(filepath.Join(dir, "missing", "m.safetensors"), tensors, nil); err == nil {
		t.Error("WriteFile into a missing directory: no error")
	}

	// Overwrite: the new content replaces the old.
	if err := WriteFile(path, tensors[:2], nil); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(path, Options{}); err != nil || len(f.Tensors) != 2 {
		t.Errorf("after overwrite: %v", err)
	}
}

func TestWriteFileUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not stop writes")
	}
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(ro, 0o755)
	if err := WriteFile(filepath.Join(ro, "m.safetensors"), sampleTensors(), nil); err == nil {
		t.Fatal("WriteFile into a read-only directory: no error")
	}
	if names := listDir(t, ro); len(names) != 0 {
		t.Errorf("read-only directory holds %q", names)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, "absent"), Options{}); err == nil {
		t.Error("ReadFile of a missing file: no error")
	}
	if _, err := ReadFile(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadFile of a directory: %v", err)
	}
	path := filepath.Join(dir, "bad.safetensors")
	if err := os.WriteFile(path, raw(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, Options{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `tensor "x"`) {
		t.Errorf("ReadFile of a corrupt file: %v", err)
	}
}
