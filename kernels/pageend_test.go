//go:build linux

package kernels

import (
	"fmt"
	"syscall"
	"testing"
	"unsafe"

	"github.com/flowkern/flowkern/internal/cpu"
	tk "github.com/flowkern/flowkern/internal/testkit"
)

// guardedPage returns a page of n elements of T between two PROT_NONE
// pages: s holds the page's first n elements (atEnd false) or its last n.
// An unmasked access past either end of s faults.
func guardedPage[T Float](t testing.TB, n int, atEnd bool) []T {
	t.Helper()
	mem, err := syscall.Mmap(-1, 0, 3*pageBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	for _, g := range [][]byte{mem[:pageBytes], mem[2*pageBytes:]} {
		if err := syscall.Mprotect(g, syscall.PROT_NONE); err != nil {
			t.Skipf("mprotect: %v", err)
		}
	}
	var z T
	per := pageBytes / int(unsafe.Sizeof(z))
	page := unsafe.Slice((*T)(unsafe.Pointer(&mem[pageBytes])), per)
	if atEnd {
		return page[per-n:]
	}
	return page[:n:n]
}

func TestNearPageEnd(t *testing.T) {
	page := guardedPage[float32](t, pageBytes/4, false)
	for _, end := range []int{1, 64, 960, 961, 963, 1000, 1023, 1024} { // in elements
		for _, n := range []int{1, 7, 100} {
			if n > end {
				continue
			}
			s := page[end-n : end]
			want := end*4-1 >= pageBytes-tailReach
			if got := nearPageEnd(s); got != want {
				t.Errorf("slice ending at byte %d of its page: nearPageEnd = %v, want %v", end*4, got, want)
			}
		}
	}
	if nearPageEnd(page[:0]) {
		t.Errorf("nearPageEnd of an empty slice = true")
	}
}

// TestPageEnds runs the kernels that split off the tails of slices ending
// near their page's end (pageend.go) on slices at the end and at the start
// of a page between protected ones, at lengths around the tail blocks: the
// results must be the bits of the same calls on slices elsewhere.
func TestPageEnds(t *testing.T) {
	forBoth(t, testPageEnds[float64], testPageEnds[float32])
}

func testPageEnds[T Float](t *testing.T, tier cpu.Tier) {
	defer setTier(tier)()
	blk := tailBlock[T]()
	r := tk.NewRand(7)
	for _, n := range []int{1, 3, blk - 1, blk, blk + 1, 2*blk + 5, 3*blk - 1} {
		for _, atEnd := range []bool{true, false} {
			what := fmt.Sprintf("n=%d atEnd=%v", n, atEnd)
			x, y := guardedPage[T](t, n, atEnd), guardedPage[T](t, n, atEnd)
			tk.Fill(r, x)
			tk.Fill(r, y)
			hx, hy := clone(x), clone(y)

			dst, hdst := guardedPage[T](t, n, atEnd), make([]T, n)
			Exp(dst, x)
			Exp(hdst, hx)
			sameSlice(t, what+" Exp", dst, hdst)
			Add(dst, x, y)
			Add(hdst, hx, hy)
			sameSlice(t, what+" Add", dst, hdst)
			if got, want := Dot(x, y), Dot(hx, hy); tk.Bits(got) != tk.Bits(want) {
				t.Fatalf("%s Dot = %v, elsewhere %v", what, got, want)
			}
			if got, want := Sum(x), Sum(hx); tk.Bits(got) != tk.Bits(want) {
				t.Fatalf("%s Sum = %v, elsewhere %v", what, got, want)
			}
			Axpy(3, x, y)
			Axpy(3, hx, hy)
			sameSlice(t, what+" Axpy", y, hy)
			Scale(-2, x)
			Scale(-2, hx)
			sameSlice(t, what+" Scale", x, hx)

			// MatVecs with its bias (of m = n) at the page's edge, one X
			// row and a batch.
			for _, nb := range []int{1, 7} {
				w, xs := newGMat[T](r, n, 5, 0, 0, 0).m, newGMat[T](r, nb, 5, 0, 0, 0).m
				ys, hys := newGMat[T](r, nb, n, 0, 0, 0).m, newGMat[T](r, nb, n, 0, 0, 0).m
				matVecsOn(tier, 1, ys, w, xs, x)
				matVecsOn(tier, 1, hys, w, xs, hx)
				sameSlice(t, fmt.Sprintf("%s MatVecs batch %d", what, nb), ys.Data, hys.Data)
			}
		}
	}
}

// untouchedPage returns n elements at the end of a page followed by one
// never touched (atEnd), or at the start of a page after one.
func untouchedPage[T Float](b testing.TB, n int, atEnd bool) []T {
	mem, err := syscall.Mmap(-1, 0, 2*pageBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		b.Skipf("mmap: %v", err)
	}
	b.Cleanup(func() { syscall.Munmap(mem) })
	var z T
	per := pageBytes / int(unsafe.Sizeof(z))
	if atEnd {
		return unsafe.Slice((*T)(unsafe.Pointer(&mem[0])), per)[per-n:]
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[pageBytes])), n)
}

// BenchmarkPageEnd times kernels on 100 float32 elements whose slices lie
// mid-heap, end at the end of a page followed by one never touched, or
// start at the start of a page after one (MatVecs: its bias, m = 100 or 2,
// batch 256, n = 64), on every usable tier. A masked access reaching such
// a page costs a microcode assist on Intel (pageend.go).
//
//	go test -run '^$' -bench PageEnd ./kernels/
func BenchmarkPageEnd(b *testing.B) {
	const n = 100
	r := tk.NewRand(3)
	for _, place := range []string{"heap", "end", "start"} {
		mk := func(n int) []float32 {
			s := make([]float32, n)
			if place != "heap" {
				s = untouchedPage[float32](b, n, place == "end")
			}
			tk.Fill(r, s)
			return s
		}
		x, y, dst := mk(n), mk(n), mk(n)
		for _, tier := range usableTiers() {
			run := func(name string, f func()) {
				b.Run(fmt.Sprintf("%s/%s/%s", name, place, tier), func(b *testing.B) {
					defer setTier(tier)()
					defer tk.CPUTime(b)()
					for b.Loop() {
						f()
					}
				})
			}
			run("Exp", func() { Exp(dst, x) })
			run("Add", func() { Add(dst, x, y) })
			run("Dot", func() { Dot(x, y) })
			for _, m := range []int{2, n} {
				w, xs, ys, bias := newGMat[float32](r, m, 64, 0, 0, 0).m, newGMat[float32](r, 256, 64, 0, 0, 0).m, newGMat[float32](r, 256, m, 0, 0, 0).m, mk(m)
				run(fmt.Sprintf("MatVecs-m%d", m), func() { matVecsOn(tier, 1, ys, w, xs, bias) })
			}
		}
	}
}
