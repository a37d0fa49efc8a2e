package safetensors

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// metadataKey is the header key of the metadata object; checksumKey is the
// metadata key Encode owns.
const (
	metadataKey = "__metadata__"
	checksumKey = "sha256"
)

// Encode writes a safetensors file holding tensors and metadata to w.
//
// The tensors' data lie in the data section in the order given. The header is
// deterministic: the same inputs give the same bytes. It is compact JSON:
// "__metadata__" first with its keys sorted, then the tensors sorted by name,
// each with its keys sorted (data_offsets, dtype, shape); then spaces up to a
// multiple of 8, so that the data section starts 8-aligned. Encode adds the metadata key "sha256" (see the package doc);
// a metadata map that already has it is an error. Names must be unique, valid
// UTF-8 and not "__metadata__"; metadata keys and values valid UTF-8. Every
// check runs before the first byte is written, so an error from a check leaves
// w untouched; an error from w itself is returned as is (wrapped).
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: writing header: %w", err)
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("safetensors: writing tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

// encodeHeader checks the inputs and returns the length field followed by the
// padded header JSON.
func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	if _, ok := metadata[checksumKey]; ok {
		return nil, fmt.Errorf("metadata key %q is reserved: Encode computes it", checksumKey)
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("metadata key %q: key or value is not valid UTF-8", k)
		}
	}
	type span struct{ begin, end uint64 }
	spans := make(map[string]span, len(tensors))
	sum := sha256.New()
	var offset uint64
	for _, t := range tensors {
		if !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
		}
		if t.Name == metadataKey {
			return nil, fmt.Errorf("tensor name %q is reserved for the metadata", t.Name)
		}
		if _, dup := spans[t.Name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		if err := t.check(); err != nil {
			return nil, err
		}
		spans[t.Name] = span{offset, offset + uint64(len(t.Data))}
		offset += uint64(len(t.Data))
		sum.Write(t.Data)
	}

	meta := maps.Clone(metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	meta[checksumKey] = hex.EncodeToString(sum.Sum(nil))

	b := make([]byte, 8, 256)
	b = append(b, `{"`+metadataKey+`":{`...)
	for i, k := range slices.Sorted(maps.Keys(meta)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, meta[k])
	}
	b = append(b, '}')
	byName := slices.Clone(tensors)
	slices.SortFunc(byName, func(x, y Tensor) int { return strings.Compare(x.Name, y.Name) })
	for _, t := range byName {
		s := spans[t.Name]
		b = append(b, ',')
		b = appendString(b, t.Name)
		b = append(b, `:{"data_offsets":[`...)
		b = strconv.AppendUint(b, s.begin, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, s.end, 10)
		b = append(b, `],"dtype":`...)
		b = appendString(b, string(t.DType))
		b = append(b, `,"shape":[`...)
		for i, d := range t.Shape {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	binary.LittleEndian.PutUint64(b, uint64(len(b)-8))
	return b, nil
}

// appendString appends s, valid UTF-8, as a JSON string: quote, backslash and
// control characters escaped, everything else as is.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// WriteFile writes the file Encode(tensors, metadata) describes to path,
// atomically: the bytes go to a temporary file in the same directory, which is
// synced and then renamed over path. On any error the temporary file is
// removed and path is left as it was (absent, or the old file untouched). The
// new file has mode 0644. The directory is synced after the rename where the
// system allows it; a failure there is not reported, the file being complete
// and in place by then.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	return writeAtomic(path, func(w io.Writer) error { return Encode(w, tensors, metadata) })
}

// writeAtomic runs write on a temporary file next to path and renames it to
// path once write, the flush and the sync have succeeded.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // may already be closed; the write error is the one to report
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", tmp, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
