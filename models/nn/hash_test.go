package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"testing"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/kernels"
)

// workloadHash is the SHA-256 of hashWorkload's results, the same on every
// tier and architecture (amd64 and, under qemu, arm64 give it); a change
// of it is a change of the package's numbers.
const workloadHash = "b9ab65013c1dbef512a6377a1d14ef487bc9efc0cc2835ced49dc3c7687f86e5"

// hashWorkload runs Forward and Backward of every activation in both
// precisions on parameters from Init and inputs from kernels.Normal (the
// same bits everywhere, unlike math/rand's NormFloat64, which goes through
// math.Exp), and hashes the outputs, input gradients and gradients.
func hashWorkload(h hash.Hash) {
	sizes := []int{13, 37, 29, 5}
	const batch = 19
	for act := range numActivations {
		hashRun[float64](h, sizes, batch, act)
		hashRun[float32](h, sizes, batch, act)
	}
}

func hashRun[T kernels.Float](h hash.Hash, sizes []int, batch int, act Activation) {
	n := ParamCount(sizes)
	p, g := make([]T, n), make([]T, n)
	m, err := NewMLP(sizes, act, p, g)
	if err != nil {
		panic(err)
	}
	r := kernels.NewNormal(21, uint64(act))
	m.Init(&r, false)
	draw := func(rows, cols int) kernels.Matrix[T] {
		z := make([]float64, rows*cols)
		r.Fill(z)
		d := make([]T, len(z))
		for i, v := range z {
			d[i] = T(2 * v)
		}
		return kernels.Matrix[T]{Rows: rows, Cols: cols, Data: d, Stride: cols}
	}
	last := sizes[len(sizes)-1]
	in, dout := draw(batch, sizes[0]), draw(batch, last)
	out, din, grads := pass(testNet[T]{m, p, g}, in, dout, &Work[T]{})
	var buf [8]byte
	for _, s := range [][]T{out, din, grads} {
		for _, v := range s {
			binary.LittleEndian.PutUint64(buf[:], uint64(tkBits(v)))
			h.Write(buf[:])
		}
	}
}

// tkBits returns the bits of v, every NaN as one pattern (payloads differ
// between instruction sets).
func tkBits[T kernels.Float](v T) uint64 {
	if v != v {
		return 0x7ff8000000000000
	}
	if x, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(x))
	}
	return math.Float64bits(float64(v))
}

func TestWorkloadHash(t *testing.T) {
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	got := ""
	for _, tier := range cpu.Tiers {
		if kernels.SetISA(tier.String()) != nil {
			continue
		}
		h := sha256.New()
		hashWorkload(h)
		sum := hex.EncodeToString(h.Sum(nil))
		t.Logf("workload hash on %s: %s", tier, sum)
		if got != "" && sum != got {
			t.Errorf("tier %s gives %s, an earlier tier %s", tier, sum, got)
		}
		got = sum
	}
	if workloadHash != "" && got != workloadHash {
		t.Errorf("workload hash %s, want %s", got, workloadHash)
	}
}
