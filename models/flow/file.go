package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"

	"github.com/flowkern/flowkern/internal/safetensors"
	"github.com/flowkern/flowkern/kernels"
)

// The model file is a safetensors container: an 8-byte little-endian header
// length, a JSON header, then the raw little-endian tensors. Its
// __metadata__ holds
//
//	"format":  "flowkern.flow"
//	"version": "1"
//	"dtype":   "float32" or "float64"
//	"arch":    the Spec as JSON
//	"sha256":  hex SHA-256 of the data section (checked on load)
//
// and its tensors are named as the equivalent PyTorch module's state_dict:
// "layers.<i>.<name>" with the names of each layer kind (actnorm: bias,
// logs; scale: logs; lu: lu (L strictly below the diagonal, U strictly
// above), logs, and the buffers perm (int64) and sign; reverse and
// shuffle: perm; couplings: net.<k>.weight [out, in] and net.<k>.bias as
// torch.nn.Sequential(Linear, act, Linear, ...)), in the flow's dtype.
// Nothing in it executes code when read.
const (
	fileFormat  = "flowkern.flow"
	fileVersion = "1"
)

func dtypeName[T kernels.Float]() string {
	var z T
	if _, ok := any(z).(float32); ok {
		return "float32"
	}
	return "float64"
}

// Encode writes the flow in the model file format.
func (f *Flow[T]) Encode(w io.Writer) error {
	meta, err := f.metadata()
	if err != nil {
		return err
	}
	return safetensors.Encode(w, f.fileTensors(), meta)
}

func (f *Flow[T]) metadata() (map[string]string, error) {
	arch, err := json.Marshal(f.Spec())
	if err != nil {
		return nil, err
	}
	return map[string]string{"format": fileFormat, "version": fileVersion, "dtype": dtypeName[T](), "arch": string(arch)}, nil
}

// Save writes the flow to path atomically: a temporary file renamed into
// place, so a failure leaves no partial model behind.
func (f *Flow[T]) Save(path string) error {
	meta, err := f.metadata()
	if err != nil {
		return err
	}
	return safetensors.WriteFile(path, f.fileTensors(), meta)
}

// fileTensors lists every tensor of the file, layer by layer.
func (f *Flow[T]) fileTensors() []safetensors.Tensor {
	var ts []safetensors.Tensor
	for i, l := range f.layers {
		pre := "layers." + strconv.Itoa(i) + "."
		p := f.LayerParams(i)
		for _, t := range l.tensors() {
			n := 1
			for _, s := range t.shape {
				n *= s
			}
			ts = append(ts, floatTensor(pre+t.name, t.shape, p[t.offset:t.offset+n]))
		}
		for _, b := range l.buffers() {
			if b.ints != nil {
				v := make([]int64, len(b.ints))
				for k, x := range b.ints {
					v[k] = int64(x)
				}
				ts = append(ts, safetensors.I64(pre+b.name, []int{len(v)}, v))
				continue
			}
			v := make([]T, len(b.float))
			for k, x := range b.float {
				v[k] = T(x)
			}
			ts = append(ts, floatTensor(pre+b.name, []int{len(v)}, v))
		}
	}
	return ts
}

func floatTensor[T kernels.Float](name string, shape []int, v []T) safetensors.Tensor {
	switch v := any(v).(type) {
	case []float32:
		return safetensors.F32(name, shape, v)
	case []float64:
		return safetensors.F64(name, shape, v)
	}
	panic("unreachable")
}

// Load reads a model file written by Save (or by any program following the
// format), in the precision T it was saved in.
func Load[T kernels.Float](path string) (*Flow[T], error) {
	file, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := fromFile[T](file)
	if err != nil {
		return nil, fmt.Errorf("flow: %s: %w", path, err)
	}
	return f, nil
}

// Decode reads a flow from the bytes of a model file. It checks the
// container (offsets, sizes, checksum), the metadata and every tensor's
// name, dtype and shape against the architecture before it allocates the
// parameters.
func Decode[T kernels.Float](data []byte) (*Flow[T], error) {
	file, err := safetensors.Decode(data, safetensors.Options{RequireChecksum: true})
	if err != nil {
		return nil, err
	}
	return fromFile[T](file)
}

// FileInfo returns the architecture and dtype ("float32" or "float64") of
// a model file, so that a program can pick the precision to Load it in.
func FileInfo(path string) (Spec, string, error) {
	file, err := readFile(path)
	if err != nil {
		return Spec{}, "", err
	}
	sp, dt, err := fileSpec(file)
	if err != nil {
		return Spec{}, "", fmt.Errorf("flow: %s: %w", path, err)
	}
	return sp, dt, nil
}

// readFile reads a model file; its errors name the path once.
func readFile(path string) (*safetensors.File, error) {
	file, err := safetensors.ReadFile(path, safetensors.Options{RequireChecksum: true})
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("flow: %w", pe) // it names the path itself
	}
	if err != nil {
		return nil, fmt.Errorf("flow: %s: %w", path, err)
	}
	return file, nil
}

func fileSpec(file *safetensors.File) (Spec, string, error) {
	md := file.Metadata
	if md["format"] != fileFormat {
		return Spec{}, "", fmt.Errorf("not a flowkern flow file (format %q)", md["format"])
	}
	if md["version"] != fileVersion {
		return Spec{}, "", fmt.Errorf("model file version %q, this build reads version %s", md["version"], fileVersion)
	}
	var sp Spec
	dec := json.NewDecoder(bytes.NewReader([]byte(md["arch"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return Spec{}, "", fmt.Errorf("architecture: %w", err)
	}
	dt := md["dtype"]
	if dt != "float32" && dt != "float64" {
		return Spec{}, "", fmt.Errorf("dtype %q (want float32 or float64)", dt)
	}
	return sp, dt, nil
}

func fromFile[T kernels.Float](file *safetensors.File) (*Flow[T], error) {
	sp, dt, err := fileSpec(file)
	if err != nil {
		return nil, err
	}
	if dt != dtypeName[T]() {
		return nil, fmt.Errorf("the model is %s; load it as %s", dt, dt)
	}
	// What the architecture needs must be in the file (give or take a 16
	// MiB slack, so that a missing tensor is reported by name below) before
	// anything of that size is allocated.
	have := 0
	for _, t := range file.Tensors {
		have += len(t.Data)
	}
	if need, ok := specBytes(sp, sizeOf[T]()); !ok || need > have+1<<24 {
		return nil, fmt.Errorf("the architecture needs more tensor data than the file's %d bytes", have)
	}
	f, err := newUnbound[T](sp)
	if err != nil {
		return nil, err
	}
	used := 0
	for i, l := range f.layers {
		pre := "layers." + strconv.Itoa(i) + "."
		p := f.LayerParams(i)
		for _, t := range l.tensors() {
			v, err := readFloats[T](file, pre+t.name, t.shape)
			if err != nil {
				return nil, err
			}
			copy(p[t.offset:], v)
			used++
		}
		for _, b := range l.buffers() {
			if err := readBuffer(file, l, pre+b.name, b); err != nil {
				return nil, err
			}
			used++
		}
	}
	if used != len(file.Tensors) {
		for _, t := range file.Tensors {
			if !f.knows(t.Name) {
				return nil, fmt.Errorf("tensor %q is not part of the architecture", t.Name)
			}
		}
	}
	return f, nil
}

// specBytes returns the bytes of tensor data the layers of sp need (size
// bytes per parameter, 8 per permutation entry), without allocating, and
// false when it overflows or a size is out of range.
func specBytes(sp Spec, size int) (int, bool) {
	// In int64, so that 32-bit platforms neither overflow nor fail to
	// compile; the limit keeps the result an int there too.
	const limit = math.MaxInt / 2
	d, sz := int64(sp.Dim), int64(size)
	if d < 1 || d > maxDim {
		return 0, false
	}
	total := int64(0)
	for _, ls := range sp.Layers {
		n := int64(0)
		switch ls.Kind {
		case KindActNorm:
			n = 2 * d * sz
		case KindScale:
			n = d * sz
		case KindLU:
			n = (d*d+2*d)*sz + 8*d
		case KindReverse, KindShuffle:
			n = 8 * d
		case KindAffine, KindAdditive:
			out := len(ls.B)
			if ls.Kind == KindAffine {
				out *= 2
			}
			in := int64(len(ls.A))
			for _, h := range append(append([]int(nil), ls.Hidden...), out) {
				if h < 1 || h > maxDim || in > maxDim {
					return 0, false
				}
				n += (in*int64(h) + int64(h)) * sz
				in = int64(h)
			}
		}
		if total += n; total > limit {
			return 0, false
		}
	}
	return int(total), true
}

func sizeOf[T kernels.Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// knows reports whether name is a tensor of the flow.
func (f *Flow[T]) knows(name string) bool {
	for i, l := range f.layers {
		pre := "layers." + strconv.Itoa(i) + "."
		for _, t := range l.tensors() {
			if pre+t.name == name {
				return true
			}
		}
		for _, b := range l.buffers() {
			if pre+b.name == name {
				return true
			}
		}
	}
	return false
}

func shapeEq(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func readFloats[T kernels.Float](file *safetensors.File, name string, shape []int) ([]T, error) {
	t, ok := file.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("tensor %q is missing", name)
	}
	if !shapeEq(t.Shape, shape) {
		return nil, fmt.Errorf("tensor %q has shape %v, the architecture needs %v", name, t.Shape, shape)
	}
	var out any
	var err error
	if dtypeName[T]() == "float32" {
		out, err = t.Float32s()
	} else {
		out, err = t.Float64s()
	}
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return out.([]T), nil
}

// readBuffer reads a fixed buffer of layer l and checks it (a permutation
// must be one; signs must be +1 or -1).
func readBuffer[T kernels.Float](file *safetensors.File, l Layer[T], name string, b buffer) error {
	if b.ints != nil {
		t, ok := file.Tensor(name)
		if !ok {
			return fmt.Errorf("tensor %q is missing", name)
		}
		if !shapeEq(t.Shape, []int{len(b.ints)}) {
			return fmt.Errorf("tensor %q has shape %v, want [%d]", name, t.Shape, len(b.ints))
		}
		v, err := t.Int64s()
		if err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		seen := make([]bool, len(v))
		for k, x := range v {
			if x < 0 || x >= int64(len(v)) || seen[x] {
				return fmt.Errorf("tensor %q is not a permutation of 0..%d (entry %d is %d)", name, len(v)-1, k, x)
			}
			seen[x] = true
			b.ints[k] = int(x)
		}
		return nil
	}
	v, err := readFloats[T](file, name, []int{len(b.float)})
	if err != nil {
		return err
	}
	lu, ok := l.(*LU[T])
	if !ok {
		return fmt.Errorf("tensor %q: unexpected buffer", name)
	}
	for k, x := range v {
		if x != 1 && x != -1 {
			return fmt.Errorf("tensor %q: sign %d is %v, want +1 or -1", name, k, x)
		}
		lu.sign[k] = x
	}
	return nil
}
