package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// table is a data set of rows x cols values, row-major, in float64 (which
// holds float32 data exactly).
type table struct {
	rows, cols int
	data       []float64
}

func (t table) row(i int) []float64 { return t.data[i*t.cols : (i+1)*t.cols] }

// readData reads a data file: NumPy .npy (recognised by its magic string,
// whatever the name) or CSV.
func readData(path string) (table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return table{}, err
	}
	var t table
	if bytes.HasPrefix(b, []byte(npyMagic)) {
		t, err = decodeNPY(b)
	} else {
		t, err = decodeCSV(bytes.NewReader(b))
	}
	if err != nil {
		return table{}, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// decodeCSV reads comma-separated numbers, one sample per line. The first
// line is a header, and skipped, when none of its fields is a number; blank
// lines and lines starting with # are skipped. Rows of different lengths,
// fields that are not numbers and non-finite values are errors naming the
// line.
func decodeCSV(r io.Reader) (table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	cr.ReuseRecord = true
	var t table
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return table{}, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
			}
			return table{}, err
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if isHeader(rec) {
				continue
			}
		}
		if t.rows == 0 {
			t.cols = len(rec)
		}
		if len(rec) != t.cols {
			return table{}, fmt.Errorf("line %d: %d fields, the rows before have %d", line, len(rec), t.cols)
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return table{}, fmt.Errorf("line %d, column %d: %q is not a number", line, j+1, f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return table{}, fmt.Errorf("line %d, column %d: %q is not a finite number", line, j+1, f)
			}
			t.data = append(t.data, v)
		}
		t.rows++
	}
	if t.rows == 0 {
		return table{}, errors.New("no data rows")
	}
	return t, nil
}

// isHeader reports whether no field of rec is a number.
func isHeader(rec []string) bool {
	for _, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// The .npy format (numpy.lib.format): the magic string "\x93NUMPY", a major
// and a minor version byte, the header length (little-endian uint16 in
// version 1, uint32 in versions 2 and 3), then the header, a Python dict
// literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (100, 2), }
// padded with spaces and a newline, then the raw array.
const npyMagic = "\x93NUMPY"

// decodeNPY reads a 2-D little-endian float32 or float64 array in C order.
func decodeNPY(b []byte) (table, error) {
	if len(b) < 10 || string(b[:6]) != npyMagic {
		return table{}, errors.New("not a .npy file")
	}
	var start, hlen int
	switch b[6] {
	case 1:
		start, hlen = 10, int(binary.LittleEndian.Uint16(b[8:10]))
	case 2, 3:
		if len(b) < 12 {
			return table{}, errors.New(".npy header truncated")
		}
		start, hlen = 12, int(binary.LittleEndian.Uint32(b[8:12]))
	default:
		return table{}, fmt.Errorf(".npy format version %d.%d is not supported (1, 2 or 3)", b[6], b[7])
	}
	if hlen > len(b)-start {
		return table{}, fmt.Errorf(".npy header of %d bytes is longer than the file", hlen)
	}
	hdr, err := parseNPYHeader(string(b[start : start+hlen]))
	if err != nil {
		return table{}, fmt.Errorf(".npy header: %w", err)
	}
	var size int
	switch hdr.descr {
	case "<f4":
		size = 4
	case "<f8":
		size = 8
	case ">f4", ">f8":
		return table{}, fmt.Errorf(".npy dtype %q is big-endian; save the array as little-endian (arr.astype('<f8'))", hdr.descr)
	default:
		return table{}, fmt.Errorf(".npy dtype %q is not supported: want float32 or float64 ('<f4' or '<f8')", hdr.descr)
	}
	if hdr.fortran {
		return table{}, errors.New(".npy array is in Fortran order; save it in C order (numpy.ascontiguousarray)")
	}
	if len(hdr.shape) != 2 {
		return table{}, fmt.Errorf(".npy array has shape %v; want 2-D (rows, features)", hdr.shape)
	}
	n, d := hdr.shape[0], hdr.shape[1]
	raw := b[start+hlen:]
	if n == 0 || d == 0 {
		return table{}, fmt.Errorf(".npy array has shape %v: no data", hdr.shape)
	}
	if n > len(raw)/size/d || n*d*size != len(raw) {
		return table{}, fmt.Errorf(".npy shape %v needs %d-byte values, the file has %d bytes of data", hdr.shape, size, len(raw))
	}
	t := table{rows: n, cols: d, data: make([]float64, n*d)}
	for i := range t.data {
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		} else {
			v = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return table{}, fmt.Errorf("row %d, column %d is %v: data must be finite", i/d+1, i%d+1, v)
		}
		t.data[i] = v
	}
	return t, nil
}

type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader reads the header dict: string keys; string, True/False
// and tuple-of-integers values.
func parseNPYHeader(s string) (npyHeader, error) {
	p := &pyParser{s: s}
	var h npyHeader
	seen := map[string]bool{}
	if !p.eat('{') {
		return h, errors.New("does not start with {")
	}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if !p.eat(':') {
			return h, fmt.Errorf("no ':' after key %q", key)
		}
		switch key {
		case "descr":
			h.descr, err = p.str()
		case "fortran_order":
			h.fortran, err = p.boolean()
		case "shape":
			h.shape, err = p.tuple()
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return h, fmt.Errorf("%s: %w", key, err)
		}
		seen[key] = true
		if !p.eat(',') && !p.peek('}') {
			return h, errors.New("expected ',' or '}'")
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("no %q key", k)
		}
	}
	return h, nil
}

// pyParser reads the few Python literals a .npy header uses.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) peek(c byte) bool { p.skip(); return p.i < len(p.s) && p.s[p.i] == c }

func (p *pyParser) eat(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("expected a string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyParser) boolean() (bool, error) {
	p.skip()
	for _, w := range []string{"True", "False"} {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			return w == "True", nil
		}
	}
	return false, errors.New("expected True or False")
}

func (p *pyParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("expected a tuple")
	}
	dims := []int{}
	for !p.eat(')') {
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		v, err := strconv.Atoi(p.s[p.i:j])
		if err != nil || v < 0 || int64(v) > 1<<40 {
			return nil, fmt.Errorf("bad dimension %q", p.s[p.i:j])
		}
		p.i = j
		dims = append(dims, v)
		if !p.eat(',') && !p.peek(')') {
			return nil, errors.New("expected ',' or ')' in the tuple")
		}
	}
	return dims, nil
}

// encodeNPY writes t as a version 1.0 .npy file of little-endian float32
// (bits 32) or float64 values, the header padded so that the data start on
// a 64-byte boundary, as numpy writes it.
func encodeNPY(w io.Writer, t table, bits int) error {
	descr := "<f8"
	if bits == 32 {
		descr = "<f4"
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, t.rows, t.cols)
	pad := 64 - (10+len(h)+1)%64
	if pad == 64 {
		pad = 0
	}
	h += strings.Repeat(" ", pad) + "\n"
	var pre [10]byte
	copy(pre[:], npyMagic)
	pre[6], pre[7] = 1, 0
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(h)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, h); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, v := range t.data {
		if bits == 32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		} else {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		if len(buf) >= 1<<16-8 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

// encodeCSV writes t with a header x0,x1,... and each value in the
// shortest form that reads back to the same float32 (bits 32) or float64.
func encodeCSV(w io.Writer, t table, names []string, bits int) error {
	bw := bufio.NewWriter(w)
	if names == nil {
		for j := range t.cols {
			names = append(names, "x"+strconv.Itoa(j))
		}
	}
	bw.WriteString(strings.Join(names, ",") + "\n")
	var buf []byte
	for i := range t.rows {
		buf = buf[:0]
		for j, v := range t.row(i) {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, v, 'g', -1, bits)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeTable writes t to path as .npy when the name ends in .npy, as CSV
// otherwise.
func writeTable(path string, t table, names []string, bits int) error {
	return writeFile(path, func(w io.Writer) error {
		if strings.EqualFold(filepath.Ext(path), ".npy") {
			return encodeNPY(w, t, bits)
		}
		return encodeCSV(w, t, names, bits)
	})
}

// writeFile writes path atomically: fill writes a temporary file in the
// same directory, renamed to path only when everything succeeded, so a
// failure leaves neither a partial file nor the temporary one.
func writeFile(path string, fill func(w io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// checkWritable returns an error unless a file can be created as path
// (checked before long work, so that it does not fail at the end).
func checkWritable(path string) error {
	if path == "" {
		return errors.New("empty output path")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("cannot write %s: it is a directory", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".flow-check*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// cause returns the reason inside a *os.PathError (whose path, for a
// temporary file, would only confuse), or err itself.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
