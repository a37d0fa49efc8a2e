package lindiff

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
)

// The IDX format (LeCun's MNIST files, also Fashion-MNIST): two zero bytes,
// a type code (0x08: unsigned byte), the number of dimensions, each
// dimension as a big-endian uint32, then the data in row-major order. The
// Debian package dataset-fashion-mnist ships them gzip-compressed.

// DefaultFashionMNISTDir is where Debian's dataset-fashion-mnist installs
// its four files.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// maxIDXElems bounds what ReadIDX accepts (2^31 - 1 bytes, the largest
// that fits int on 32-bit platforms), so a corrupt header cannot ask for an
// absurd allocation.
const maxIDXElems = 1<<31 - 1

// ReadIDX reads one unsigned-byte IDX file, gzip-compressed or not, and
// returns its dimensions and data.
func ReadIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); bytes.Equal(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("idx: bad gzip stream: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("idx: reading the header: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, fmt.Errorf("idx: not an IDX file (first bytes %#x %#x, want 0 0)", magic[0], magic[1])
	}
	if magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("idx: element type %#x is not unsigned byte (0x08)", magic[2])
	}
	n := int(magic[3])
	if n == 0 {
		return nil, nil, errors.New("idx: zero dimensions")
	}
	total := 1
	for i := 0; i < n; i++ {
		var v uint32
		if err := binary.Read(br, binary.BigEndian, &v); err != nil {
			return nil, nil, fmt.Errorf("idx: reading dimension %d: %w", i, err)
		}
		dims = append(dims, int(v))
		// In uint64: a dimension of 2^31 or more is negative as a 32-bit
		// int, and the product of two overflows it.
		if uint64(total)*uint64(v) > maxIDXElems {
			return nil, nil, fmt.Errorf("idx: dimensions %v exceed %d elements", dims, maxIDXElems)
		}
		total *= int(v)
	}
	data = make([]byte, total)
	if _, err := io.ReadFull(br, data); err != nil {
		return nil, nil, fmt.Errorf("idx: dimensions %v need %d bytes of data: %w", dims, total, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, nil, fmt.Errorf("idx: data longer than dimensions %v say", dims)
	}
	return dims, data, nil
}

// LoadIDXImages reads an IDX file of n images of h x w bytes and returns
// them as an n x (h*w) matrix, one flattened image per row, scaled to
// [0, 1].
func LoadIDXImages(path string) (*mat.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dims, data, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(dims) != 3 || dims[0] == 0 || dims[1]*dims[2] == 0 {
		return nil, fmt.Errorf("%s: dimensions %v are not n x rows x cols images", path, dims)
	}
	n, d := dims[0], dims[1]*dims[2]
	x := make([]float64, n*d)
	for i, b := range data {
		x[i] = float64(b) / 255
	}
	return mat.NewDense(n, d, x), nil
}

// FashionMNIST loads the training (60000) or test (10000) images of
// Fashion-MNIST from dir (empty: DefaultFashionMNISTDir) as rows of 784
// values in [0, 1].
func FashionMNIST(dir string, train bool) (*mat.Dense, error) {
	if dir == "" {
		dir = DefaultFashionMNISTDir
	}
	name := "t10k-images-idx3-ubyte.gz"
	if train {
		name = "train-images-idx3-ubyte.gz"
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("Fashion-MNIST: %s not found; install the Debian package dataset-fashion-mnist "+
			"(apt-get install dataset-fashion-mnist) or pass the directory holding its files", path)
	}
	return LoadIDXImages(path)
}
