package safetensors

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// DefaultMaxHeader is the header length limit when Options.MaxHeader is 0.
const DefaultMaxHeader = 100 << 20

// Options tune Decode and ReadFile.
type Options struct {
	// RequireChecksum makes a file without the "sha256" metadata key an error.
	RequireChecksum bool
	// MaxHeader bounds the header length in bytes; 0 or less means
	// DefaultMaxHeader.
	MaxHeader int
}

// File is a decoded safetensors file.
type File struct {
	// Metadata is the header's "__metadata__" object without the "sha256" key
	// (never nil), ready to be passed back to Encode.
	Metadata map[string]string
	// Checksum is the file's "sha256" metadata value, verified against the data
	// section, or "" when the file has none.
	Checksum string
	// Tensors are in file order: by data offset, and tensors of zero bytes at
	// the same offset by name. Encode of these tensors lays the data out the
	// same way.
	Tensors []Tensor
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Decode parses and checks a whole safetensors file held in data (the checks
// are listed in the package doc). The tensors' Data alias data: they are
// sub-slices of it, not copies, so data must not be modified while the File is
// in use. Shapes and metadata are fresh.
func Decode(data []byte, opts Options) (*File, error) {
	f, err := decode(data, opts)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

// ReadFile reads the file at path whole and decodes it with Decode. It stats
// the file first and refuses anything but a regular file, so the only
// allocation before the checks is the file's actual size.
func ReadFile(path string, opts Options) (*File, error) {
	data, err := readWhole(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := decode(data, opts)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return f, nil
}

func readWhole(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, st.Mode().Type())
	}
	if st.Size() > math.MaxInt {
		return nil, fmt.Errorf("%s: %d bytes do not fit in memory on this platform", path, st.Size())
	}
	data := make([]byte, int(st.Size()))
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, fmt.Errorf("%s: %w (file shrank while being read?)", path, err)
	}
	var one [1]byte
	if n, _ := fh.Read(one[:]); n != 0 {
		return nil, fmt.Errorf("%s: file grew while being read", path)
	}
	return data, nil
}

// entry is one tensor's header record before the data is attached.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

func decode(data []byte, opts Options) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if avail := uint64(len(data) - 8); n > avail {
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after the length field", n, avail)
	}
	maxHeader := opts.MaxHeader
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeader
	}
	if n > uint64(maxHeader) {
		return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes", n, maxHeader)
	}
	header, body := data[8:8+int(n)], data[8+int(n):]

	meta, entries, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if err := entries[i].check(uint64(len(body))); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	var pos uint64
	for i, e := range entries {
		switch {
		case e.begin < pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q at [%d, %d]",
				e.name, e.begin, e.end, entries[i-1].name, entries[i-1].begin, entries[i-1].end)
		case e.begin > pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] leave bytes [%d, %d) of the data section unused",
				e.name, e.begin, e.end, pos, e.begin)
		}
		pos = e.end
	}
	if pos != uint64(len(body)) {
		return nil, fmt.Errorf("bytes [%d, %d) at the end of the data section belong to no tensor", pos, len(body))
	}

	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	if sum, ok := meta[checksumKey]; ok {
		want, err := hex.DecodeString(sum)
		if err != nil || len(want) != sha256.Size {
			return nil, fmt.Errorf("__metadata__[%q] = %q is not 64 hex digits", checksumKey, sum)
		}
		if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
			return nil, fmt.Errorf("__metadata__[%q]: data section has sha256 %x, the header says %s",
				checksumKey, got, sum)
		}
		f.Checksum = sum
		delete(meta, checksumKey)
	} else if opts.RequireChecksum {
		return nil, fmt.Errorf("__metadata__ has no %q key and a checksum is required", checksumKey)
	}
	for i, e := range entries {
		f.Tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: body[e.begin:e.end:e.end]}
	}
	return f, nil
}

// check validates e's shape and offsets against its dtype and a data section
// of size bytes.
func (e *entry) check(size uint64) error {
	if e.begin > e.end || e.end > size {
		return fmt.Errorf("tensor %q: data_offsets [%d, %d] are not within the %d-byte data section",
			e.name, e.begin, e.end, size)
	}
	dims := make([]uint64, len(e.shape))
	for i, d := range e.shape {
		dims[i] = uint64(d)
	}
	count, err := product(dims)
	var hi, nbytes uint64
	if err == nil {
		hi, nbytes = bits.Mul64(count, uint64(e.dtype.Size()))
	}
	if err != nil || hi != 0 {
		return fmt.Errorf("tensor %q: shape %v of %s: byte count overflows", e.name, e.shape, e.dtype)
	}
	if nbytes != e.end-e.begin {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d",
			e.name, e.shape, e.dtype, nbytes, e.begin, e.end, e.end-e.begin)
	}
	return nil
}

// parseHeader walks the header JSON token by token, so that a key given twice
// is seen (decoding into a map would keep the last) and an unexpected value is
// rejected at its first token.
func parseHeader(header []byte) (map[string]string, []entry, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, errors.New("header does not start with '{'")
	}
	p := &parser{dec: json.NewDecoder(bytes.NewReader(header))}
	p.dec.UseNumber()
	if err := p.delim('{', "header"); err != nil {
		return nil, nil, err
	}
	var meta map[string]string
	var entries []entry
	seen := map[string]bool{}
	for p.dec.More() {
		key, err := p.key("header")
		if err != nil {
			return nil, nil, err
		}
		if seen[key] {
			if key == metadataKey {
				return nil, nil, fmt.Errorf("header has %q twice", key)
			}
			return nil, nil, fmt.Errorf("tensor %q appears twice in the header", key)
		}
		seen[key] = true
		if key == metadataKey {
			if meta, err = p.metadata(); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := p.entry(key)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if err := p.delim('}', "header"); err != nil {
		return nil, nil, err
	}
	for _, c := range header[p.dec.InputOffset():] {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return nil, nil, fmt.Errorf("header has %q after the JSON object (only space padding may follow)", c)
		}
	}
	if meta == nil {
		meta = map[string]string{}
	}
	return meta, entries, nil
}

type parser struct{ dec *json.Decoder }

// token returns the next token; a syntax error or the end of the header is an
// error naming where it happened.
func (p *parser) token(where string) (json.Token, error) {
	tok, err := p.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("%s: malformed JSON at byte %d: %v", where, p.dec.InputOffset(), err)
	}
	return tok, nil
}

func (p *parser) delim(want json.Delim, where string) error {
	tok, err := p.token(where)
	if err != nil {
		return err
	}
	if tok != want {
		if want == '{' {
			return fmt.Errorf("%s is not a JSON object (found %v)", where, describe(tok))
		}
		return fmt.Errorf("%s: expected '%c', found %v", where, rune(want), describe(tok))
	}
	return nil
}

// key reads an object key (the decoder guarantees a string in that position).
func (p *parser) key(where string) (string, error) {
	tok, err := p.token(where)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%s: expected a key, found %v", where, describe(tok))
	}
	return s, nil
}

func (p *parser) metadata() (map[string]string, error) {
	if err := p.delim('{', metadataKey); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for p.dec.More() {
		k, err := p.key(metadataKey)
		if err != nil {
			return nil, err
		}
		where := fmt.Sprintf("%s[%q]", metadataKey, k)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%s appears twice", where)
		}
		tok, err := p.token(where)
		if err != nil {
			return nil, err
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%s is %v, not a string", where, describe(tok))
		}
		m[k] = v
	}
	return m, p.delim('}', metadataKey)
}

func (p *parser) entry(name string) (entry, error) {
	e := entry{name: name}
	where := fmt.Sprintf("tensor %q", name)
	if err := p.delim('{', where); err != nil {
		return e, err
	}
	var haveDType, haveShape, haveOffsets bool
	for p.dec.More() {
		k, err := p.key(where)
		if err != nil {
			return e, err
		}
		switch k {
		case "dtype":
			if haveDType {
				return e, fmt.Errorf("%s: dtype appears twice", where)
			}
			haveDType = true
			tok, err := p.token(where)
			if err != nil {
				return e, err
			}
			s, ok := tok.(string)
			if !ok {
				return e, fmt.Errorf("%s: dtype is %v, not a string", where, describe(tok))
			}
			if e.dtype = DType(s); e.dtype.Size() == 0 {
				return e, fmt.Errorf("%s: unknown dtype %q", where, s)
			}
		case "shape":
			if haveShape {
				return e, fmt.Errorf("%s: shape appears twice", where)
			}
			haveShape = true
			dims, err := p.uints(where + " shape")
			if err != nil {
				return e, err
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				if d > math.MaxInt {
					return e, fmt.Errorf("%s: dimension %d does not fit in an int on this platform", where, d)
				}
				e.shape[i] = int(d)
			}
		case "data_offsets":
			if haveOffsets {
				return e, fmt.Errorf("%s: data_offsets appears twice", where)
			}
			haveOffsets = true
			off, err := p.uints(where + " data_offsets")
			if err != nil {
				return e, err
			}
			if len(off) != 2 {
				return e, fmt.Errorf("%s: data_offsets has %d numbers, not 2", where, len(off))
			}
			e.begin, e.end = off[0], off[1]
		default:
			return e, fmt.Errorf("%s: unknown key %q (an entry has only dtype, shape, data_offsets)", where, k)
		}
	}
	if err := p.delim('}', where); err != nil {
		return e, err
	}
	switch {
	case !haveDType:
		return e, fmt.Errorf("%s: no dtype", where)
	case !haveShape:
		return e, fmt.Errorf("%s: no shape", where)
	case !haveOffsets:
		return e, fmt.Errorf("%s: no data_offsets", where)
	}
	return e, nil
}

// uints reads an array of non-negative integers. Its length is bounded by the
// header's, which is bounded by the file's.
func (p *parser) uints(where string) ([]uint64, error) {
	if err := p.delim('[', where); err != nil {
		return nil, err
	}
	v := []uint64{}
	for p.dec.More() {
		tok, err := p.token(where)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: element %v is not a number", where, describe(tok))
		}
		u, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			switch {
			case len(num) > 0 && num[0] == '-':
				return nil, fmt.Errorf("%s: %s is negative", where, num)
			case errors.Is(err, strconv.ErrRange):
				return nil, fmt.Errorf("%s: %s does not fit in 64 bits", where, num)
			}
			return nil, fmt.Errorf("%s: %s is not an integer", where, num)
		}
		v = append(v, u)
	}
	return v, p.delim(']', where)
}

// describe names a token for an error message.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' || t == '}' {
			return "an object"
		}
		return "an array"
	case string:
		return strconv.Quote(t)
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}
