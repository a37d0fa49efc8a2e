package safetensors

import (
	"testing"
)

// FuzzDecode checks that Decode never panics and that whatever it accepts
// encodes, and decodes back to the same tensors and metadata.
func FuzzDecode(f *testing.F) {
	f.Add(encode(f, sampleTensors(), sampleMeta), false)
	f.Add(encode(f, sampleTensors()[:3], nil), true)
	f.Add(encode(f, nil, nil), false)
	f.Add(raw(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, make([]byte, 8)), false)
	for _, c := range corruptCases() {
		f.Add(c.file, c.opts.RequireChecksum)
	}
	f.Fuzz(func(t *testing.T, data []byte, requireChecksum bool) {
		file, err := Decode(data, Options{RequireChecksum: requireChecksum})
		if err != nil {
			return
		}
		if requireChecksum && file.Checksum == "" {
			t.Fatal("RequireChecksum accepted a file without a checksum")
		}
		if err := reencode(file); err != nil {
			t.Fatal(err)
		}
	})
}
