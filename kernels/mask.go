package kernels

import "fmt"

// Masks without copies of the whole batch: a coupling layer of a
// normalizing flow splits the d features of every row into two ordered
// column sets A and B (halves, alternating columns, a checkerboard over an
// image, any permutation). Gather packs a column set of a batch into a
// dense matrix, Scatter writes it back; both are exact copies (every bit
// kept, NaN payloads and -0 included) done on the calling goroutine, with
// no allocation.
//
// The copies follow a plan made once per column set: the set is cut into
// segments, each a contiguous run (one copy per row), a run of single
// columns at a fixed step (alternating columns: a tight strided loop),
// equal blocks at a fixed step (a checkerboard with c channels: blocks of c
// columns every 2c), or, where no pattern pays, a list of indices. A Split
// keeps the plans of its two sets; Gather and Scatter given a bare []int
// make the plan on the stack at each call, in one pass over the indices.

// Split is a partition of the d feature columns 0..d-1 into two ordered
// column sets A and B, with the copy plan of each. The zero Split has d = 0.
// A Split is immutable: the constructors copy their inputs, and A and B
// return copies.
type Split struct {
	d    int
	a, b colSet
}

// colSet is an ordered column set and its copy plan.
type colSet struct {
	idx  []int
	plan []colSeg
}

// Segment kinds of a copy plan.
const (
	segRun    = iota // n columns c, c+1, ..., c+n-1
	segStep          // n columns c, c+step, ..., c+(n-1)*step
	segBlocks        // n blocks of blk columns, block j starting at c+j*step
	segList          // n columns idx[k], ..., idx[k+n-1]
)

// colSeg is one segment of a copy plan: the packed columns k, k+1, ...
// (n*blk of them for segBlocks, n otherwise) against the columns of the
// full matrix described by kind, c, step and blk.
type colSeg struct {
	kind, k, n, c, step, blk int
}

// Thresholds of the planner, from the thread CPU time of gathers of 256
// rows of float64 on amd64. A column copied by index costs about 0.37 ns,
// and a segment about 3 ns per row before its first column; then a column
// of a step-2 loop costs 0.3 ns, of blocks of 3 or 4 columns 0.3-0.35 ns,
// of a row copy (memmove) 0.2-0.3 ns. Blocks of 2 and of 5 to 31 columns do
// not pay, nor steps other than 2 (their loop is the indexed loop without
// the index load). So single columns at a fixed step become a segment from
// minStep of them on, blocks of 3, 4 or minRun or more columns at a fixed
// step from minRepeat blocks and minBlocked columns on, and contiguous runs
// from minRun columns on; the rest is copied by index.
const (
	minStep    = 64
	minRepeat  = 4
	minBlocked = 64
	minRun     = 32
)

// planBuf is the number of segments Gather and Scatter plan on the stack
// for a bare []int; the columns past it are copied by index.
const planBuf = 64

// plan appends the copy plan of cols to dst (empty) and returns it. When dst
// would grow past its capacity, the remaining columns go into one list
// segment, so a plan made in a fixed buffer never allocates; cap(dst) =
// len(cols)+2 always suffices. Any ints are accepted: the caller checks
// their range.
func plan(dst []colSeg, cols []int) []colSeg {
	L := len(cols)
	list := -1 // start of a pending list segment
	flush := func(k int) {
		if list >= 0 {
			dst = append(dst, colSeg{kind: segList, k: list, n: k - list})
			list = -1
		}
	}
	// runEnd returns the end of the maximal contiguous run starting at k.
	runEnd := func(k int) int {
		e := k + 1
		for e < L && cols[e] == cols[k]+(e-k) {
			e++
		}
		return e
	}
	for k := 0; k < L; {
		if len(dst) >= cap(dst)-2 {
			// Room for the pending list and one more segment only: the
			// rest is copied by index.
			if list < 0 {
				list = k
			}
			break
		}
		r := runEnd(k) - k
		// Blocks of exactly r contiguous columns at a fixed step.
		n := 1
		step := 0
		if k+r < L {
			step = cols[k+r] - cols[k]
			for k+(n+1)*r <= L {
				j := k + n*r
				ok := true
				for i := range r {
					if cols[j+i] != cols[k]+n*step+i {
						ok = false
						break
					}
				}
				if !ok {
					break
				}
				n++
			}
		}
		switch {
		case r == 1 && n >= minStep:
			flush(k)
			dst = append(dst, colSeg{kind: segStep, k: k, n: n, c: cols[k], step: step})
			k += n
		case n >= minRepeat && n*r >= minBlocked && (r == 3 || r == 4 || r >= minRun):
			flush(k)
			dst = append(dst, colSeg{kind: segBlocks, k: k, n: n, c: cols[k], step: step, blk: r})
			k += n * r
		case r >= minRun:
			flush(k)
			dst = append(dst, colSeg{kind: segRun, k: k, n: r, c: cols[k]})
			k += r
		default:
			if list < 0 {
				list = k
			}
			if n >= minRepeat {
				k += n * r // a pattern too short to pay: all of it by index
			} else {
				k += r // the next block may start a better pattern
			}
		}
	}
	flush(L)
	return dst
}

func newColSet(cols []int) colSet {
	idx := append([]int(nil), cols...)
	p := plan(make([]colSeg, 0, len(idx)+2), idx)
	return colSet{idx: idx, plan: p[:len(p):len(p)]}
}

// gatherRow sets d[k] = s[cols[k]] segment by segment. The loops live in
// small functions of their own: in one large function the compiler spills
// their counters to the stack.
func gatherRow[T Float](d, s []T, p []colSeg, cols []int) {
	for i := range p {
		g := &p[i]
		switch g.kind {
		case segRun:
			copy(d[g.k:g.k+g.n], s[g.c:g.c+g.n])
		case segStep:
			lo, hi := stepSpan(g)
			stepGather(d[g.k:g.k+g.n], s[lo:hi], g.c-lo, g.step)
		case segBlocks:
			blocksGather(d[g.k:g.k+g.n*g.blk], s[g.c:g.c+(g.n-1)*g.step+g.blk], g.step, g.blk)
		default:
			listGather(d[g.k:g.k+g.n], s, cols[g.k:g.k+g.n])
		}
	}
}

// scatterRow sets d[cols[k]] = s[k] segment by segment, in increasing k.
func scatterRow[T Float](d, s []T, p []colSeg, cols []int) {
	for i := range p {
		g := &p[i]
		switch g.kind {
		case segRun:
			copy(d[g.c:g.c+g.n], s[g.k:g.k+g.n])
		case segStep:
			lo, hi := stepSpan(g)
			stepScatter(d[lo:hi], s[g.k:g.k+g.n], g.c-lo, g.step)
		case segBlocks:
			blocksScatter(d[g.c:g.c+(g.n-1)*g.step+g.blk], s[g.k:g.k+g.n*g.blk], g.step, g.blk)
		default:
			listScatter(d, s[g.k:g.k+g.n], cols[g.k:g.k+g.n])
		}
	}
}

// stepSpan returns the columns lo..hi-1 of the full row a step segment
// touches (its step may be negative or, with repeated columns, zero).
func stepSpan(g *colSeg) (lo, hi int) {
	last := g.c + (g.n-1)*g.step
	return min(g.c, last), max(g.c, last) + 1
}

// stepGather sets d[i] = s[c+i*step].
func stepGather[T Float](d, s []T, c, step int) {
	if step == 2 && c == 0 {
		i := 0
		for ; i+4 <= len(d); i += 4 {
			s7, d4 := s[2*i:2*i+7], d[i:i+4]
			d4[0], d4[1], d4[2], d4[3] = s7[0], s7[2], s7[4], s7[6]
		}
		for ; i < len(d); i++ {
			d[i] = s[2*i]
		}
		return
	}
	for i := range d {
		d[i] = s[c]
		c += step
	}
}

// stepScatter sets d[c+i*step] = s[i].
func stepScatter[T Float](d, s []T, c, step int) {
	if step == 2 && c == 0 {
		i := 0
		for ; i+4 <= len(s); i += 4 {
			d7, s4 := d[2*i:2*i+7], s[i:i+4]
			d7[0], d7[2], d7[4], d7[6] = s4[0], s4[1], s4[2], s4[3]
		}
		for ; i < len(s); i++ {
			d[2*i] = s[i]
		}
		return
	}
	for _, v := range s {
		d[c] = v
		c += step
	}
}

// blocksGather copies blocks of blk elements of s, step apart, to d one
// after another. Blocks of 3 (RGB pixels) and 4 take unrolled loops, longer
// ones (minRun or more, see the planner) copy.
func blocksGather[T Float](d, s []T, step, blk int) {
	c := 0
	switch blk {
	case 3:
		for j := 0; j+3 <= len(d); j += 3 {
			s3, d3 := s[c:c+3], d[j:j+3]
			d3[0], d3[1], d3[2] = s3[0], s3[1], s3[2]
			c += step
		}
	case 4:
		for j := 0; j+4 <= len(d); j += 4 {
			s4, d4 := s[c:c+4], d[j:j+4]
			d4[0], d4[1], d4[2], d4[3] = s4[0], s4[1], s4[2], s4[3]
			c += step
		}
	default:
		for j := 0; j < len(d); j += blk {
			copy(d[j:j+blk], s[c:c+blk])
			c += step
		}
	}
}

// blocksScatter is the inverse of blocksGather.
func blocksScatter[T Float](d, s []T, step, blk int) {
	c := 0
	switch blk {
	case 3:
		for j := 0; j+3 <= len(s); j += 3 {
			s3, d3 := s[j:j+3], d[c:c+3]
			d3[0], d3[1], d3[2] = s3[0], s3[1], s3[2]
			c += step
		}
	case 4:
		for j := 0; j+4 <= len(s); j += 4 {
			s4, d4 := s[j:j+4], d[c:c+4]
			d4[0], d4[1], d4[2], d4[3] = s4[0], s4[1], s4[2], s4[3]
			c += step
		}
	default:
		for j := 0; j < len(s); j += blk {
			copy(d[c:c+blk], s[j:j+blk])
			c += step
		}
	}
}

// listGather sets d[i] = s[cols[i]]. It is not inlined: inlined into
// gatherRow, its loop ran slower (docs/perf-notes.md).
//
//go:noinline
func listGather[T Float](d, s []T, cols []int) {
	for i, c := range cols {
		d[i] = s[c]
	}
}

// listScatter sets d[cols[i]] = s[i].
//
//go:noinline
func listScatter[T Float](d, s []T, cols []int) {
	for i, c := range cols {
		d[c] = s[i]
	}
}

// rows returns row b of m, Cols long.
func (m Matrix[T]) row(b int) []T {
	return m.Data[b*m.Stride : b*m.Stride+m.Cols]
}

func gatherPlanned[T Float](dst, src Matrix[T], p []colSeg, cols []int) {
	if len(cols) == 0 {
		return
	}
	if len(p) == 1 && p[0].kind == segList {
		listGatherRows(dst, src, cols) // no pattern: skip the per-row dispatch
		return
	}
	for b := range dst.Rows {
		gatherRow(dst.row(b), src.row(b), p, cols)
	}
}

func scatterPlanned[T Float](dst, src Matrix[T], p []colSeg, cols []int) {
	if len(cols) == 0 {
		return
	}
	if len(p) == 1 && p[0].kind == segList {
		listScatterRows(dst, src, cols)
		return
	}
	for b := range dst.Rows {
		scatterRow(dst.row(b), src.row(b), p, cols)
	}
}

// listGatherRows sets dst[b][k] = src[b][cols[k]] for every row.
func listGatherRows[T Float](dst, src Matrix[T], cols []int) {
	if len(cols) == 2 && dst.Rows > 0 {
		// The 2-D flows' permutations: a row's slicing cost more than
		// its two copies.
		c0, c1 := cols[0], cols[1]
		s, d := src.Data, dst.Data[:(dst.Rows-1)*dst.Stride+2]
		_ = s[(dst.Rows-1)*src.Stride+max(c0, c1)]
		for b := range dst.Rows {
			i, o := b*src.Stride, b*dst.Stride
			d[o], d[o+1] = s[i+c0], s[i+c1]
		}
		return
	}
	for b := range dst.Rows {
		d, s := dst.row(b), src.row(b)
		d = d[:len(cols)]
		for k, c := range cols {
			d[k] = s[c]
		}
	}
}

// listScatterRows sets dst[b][cols[k]] = src[b][k] for every row.
func listScatterRows[T Float](dst, src Matrix[T], cols []int) {
	if len(cols) == 2 && src.Rows > 0 {
		c0, c1 := cols[0], cols[1]
		s, d := src.Data[:(src.Rows-1)*src.Stride+2], dst.Data
		_ = d[(src.Rows-1)*dst.Stride+max(c0, c1)]
		for b := range src.Rows {
			i, o := b*src.Stride, b*dst.Stride
			d[o+c0], d[o+c1] = s[i], s[i+1]
		}
		return
	}
	for b := range src.Rows {
		d, s := dst.row(b), src.row(b)
		s = s[:len(cols)]
		for k, c := range cols {
			d[c] = s[k]
		}
	}
}

// Gather sets dst[b][k] = src[b][cols[k]] for every row b and every k: it
// packs the columns cols of src, in that order, into dst. Columns may
// repeat. The values are copied exactly, bit for bit.
//
// dst and src must not share an element (it panics naming them). It does
// not allocate; it plans the
// copy in one pass over cols at each call (contiguous runs become row
// copies, columns at a fixed step a strided loop), so a column set used
// many times is best kept in a Split (GatherSplit).
//
// It panics if a matrix is not a valid view, if dst.Rows != src.Rows, if
// dst.Cols != len(cols), or if an index is outside 0..src.Cols-1; the
// message names the mismatch.
func Gather[T Float](dst, src Matrix[T], cols []int) {
	const fn = "Gather"
	if !dst.valid() || !src.valid() || dst.Rows != src.Rows || dst.Cols != len(cols) {
		shapePanic(fn, dst, src, len(cols), "dst")
	}
	checkCols(fn, cols, src.Cols, "src")
	if !matsApart(&dst, &src) {
		checkMats(fn, "dst", dst, "src", src, false)
	}
	var buf [planBuf]colSeg
	gatherPlanned(dst, src, plan(buf[:0], cols), cols)
}

// Scatter sets dst[b][cols[k]] = src[b][k] for every row b and every k: it
// writes the columns of src into the columns cols of dst, and leaves the
// other columns of dst untouched. If cols repeats a column, the last k
// naming it wins. The values are copied exactly, bit for bit.
//
// dst and src must not share an element (it panics naming them). It does
// not allocate (see Gather).
//
// It panics if a matrix is not a valid view, if dst.Rows != src.Rows, if
// src.Cols != len(cols), or if an index is outside 0..dst.Cols-1; the
// message names the mismatch.
func Scatter[T Float](dst, src Matrix[T], cols []int) {
	const fn = "Scatter"
	if !dst.valid() || !src.valid() || dst.Rows != src.Rows || src.Cols != len(cols) {
		shapePanic(fn, dst, src, len(cols), "src")
	}
	checkCols(fn, cols, dst.Cols, "dst")
	if !matsApart(&dst, &src) {
		checkMats(fn, "dst", dst, "src", src, false)
	}
	var buf [planBuf]colSeg
	scatterPlanned(dst, src, plan(buf[:0], cols), cols)
}

// shapePanic panics with the first problem of a Gather or Scatter call
// whose packed operand (named packed, "dst" or "src") should have ncols
// columns.
func shapePanic[T Float](fn string, dst, src Matrix[T], ncols int, packed string) {
	dst.check(fn, "dst")
	src.check(fn, "src")
	if dst.Rows != src.Rows {
		panic(fmt.Sprintf("kernels: %s: dst has %d rows but src has %d: rows differ", fn, dst.Rows, src.Rows))
	}
	p := dst
	if packed == "src" {
		p = src
	}
	panic(fmt.Sprintf("kernels: %s: %s.Cols = %d != len(cols) = %d", fn, packed, p.Cols, ncols))
}

// checkCols panics unless every index of cols is in 0..n-1.
func checkCols(fn string, cols []int, n int, name string) {
	for k, c := range cols {
		if uint(c) >= uint(n) {
			panic(fmt.Sprintf("kernels: %s: cols[%d] = %d is out of range for %s.Cols = %d", fn, k, c, name, n))
		}
	}
}

// GatherSplit packs the two column sets of s: xa = x[:, A] and
// xb = x[:, B], as Gather with s's precomputed plans. x is batch x D, xa
// batch x len(A), xb batch x len(B). The copies are exact. It does not
// allocate; the outputs must not share an element with x or each other
// (it panics naming the two).
//
// It panics if a matrix is not a valid view or if a shape disagrees with s
// or with the rows of x; the message names the operand.
func GatherSplit[T Float](xa, xb, x Matrix[T], s Split) {
	const fn = "GatherSplit"
	splitCheck(fn, x, xa, xb, s, "x")
	if !matsApart(&xa, &x) {
		checkMats(fn, "xa", xa, "x", x, false)
	}
	if !matsApart(&xb, &x) {
		checkMats(fn, "xb", xb, "x", x, false)
	}
	if !matsApart(&xa, &xb) {
		checkMats(fn, "xa", xa, "xb", xb, false)
	}
	gatherPlanned(xa, x, s.a.plan, s.a.idx)
	gatherPlanned(xb, x, s.b.plan, s.b.idx)
}

// ScatterSplit writes the two column sets of s back: x[:, A] = xa and
// x[:, B] = xb, as Scatter with s's precomputed plans, so every column of
// x is written (the gaps between Cols and Stride are not). Shapes as in
// GatherSplit; ScatterSplit(x, xa, xb, s) after GatherSplit(xa, xb, x, s)
// gives x back bit for bit. x must not share an element with xa or xb (it
// panics naming the two); xa and xb may overlap.
func ScatterSplit[T Float](x, xa, xb Matrix[T], s Split) {
	const fn = "ScatterSplit"
	splitCheck(fn, x, xa, xb, s, "x")
	if !matsApart(&x, &xa) {
		checkMats(fn, "x", x, "xa", xa, false)
	}
	if !matsApart(&x, &xb) {
		checkMats(fn, "x", x, "xb", xb, false)
	}
	scatterPlanned(x, xa, s.a.plan, s.a.idx)
	scatterPlanned(x, xb, s.b.plan, s.b.idx)
}

func splitCheck[T Float](fn string, x, xa, xb Matrix[T], s Split, xname string) {
	if x.valid() && xa.valid() && xb.valid() && x.Cols == s.d && xa.Rows == x.Rows && xb.Rows == x.Rows &&
		xa.Cols == len(s.a.idx) && xb.Cols == len(s.b.idx) {
		return
	}
	x.check(fn, xname)
	xa.check(fn, "xa")
	xb.check(fn, "xb")
	if x.Cols != s.d {
		panic(fmt.Sprintf("kernels: %s: %s is %dx%d but the split has D = %d columns", fn, xname, x.Rows, x.Cols, s.d))
	}
	for _, p := range []struct {
		name string
		m    Matrix[T]
		n    int
		set  string
	}{{"xa", xa, len(s.a.idx), "A"}, {"xb", xb, len(s.b.idx), "B"}} {
		if p.m.Rows != x.Rows || p.m.Cols != p.n {
			panic(fmt.Sprintf("kernels: %s: %s is %dx%d, want %dx%d (rows of %s x len(%s))",
				fn, p.name, p.m.Rows, p.m.Cols, x.Rows, p.n, xname, p.set))
		}
	}
}

// NewSplit returns the split of the d columns 0..d-1 into the ordered sets
// a and b (copied). It returns an error unless a and b together hold every
// column exactly once: a wrong total length, an index out of 0..d-1 or a
// repeated index.
func NewSplit(d int, a, b []int) (Split, error) {
	if err := partition(d, a, b, "a", "b"); err != nil {
		return Split{}, fmt.Errorf("kernels: NewSplit: %w", err)
	}
	return Split{d: d, a: newColSet(a), b: newColSet(b)}, nil
}

// partition returns an error unless a and b (named an and bn) partition
// 0..d-1.
func partition(d int, a, b []int, an, bn string) error {
	if d < 0 {
		return fmt.Errorf("negative number of columns d = %d", d)
	}
	if len(a)+len(b) != d {
		return fmt.Errorf("len(%s) + len(%s) = %d + %d != d = %d", an, bn, len(a), len(b), d)
	}
	seen := make([]bool, d)
	for _, p := range []struct {
		name string
		s    []int
	}{{an, a}, {bn, b}} {
		for k, c := range p.s {
			if c < 0 || c >= d {
				return fmt.Errorf("%s[%d] = %d is out of range 0..%d", p.name, k, c, d-1)
			}
			if seen[c] {
				return fmt.Errorf("column %d appears twice (again at %s[%d])", c, p.name, k)
			}
			seen[c] = true
		}
	}
	return nil
}

// mustSplit is NewSplit for the constructors, whose sets are partitions by
// construction.
func mustSplit(d int, a, b []int) Split {
	s, err := NewSplit(d, a, b)
	if err != nil {
		panic(err)
	}
	return s
}

func checkSizes(fn string, names []string, v ...int) {
	for i, x := range v {
		if x < 0 {
			panic(fmt.Sprintf("kernels: %s: negative %s = %d", fn, names[i], x))
		}
	}
}

func checkParity(fn string, parity int) {
	if parity != 0 && parity != 1 {
		panic(fmt.Sprintf("kernels: %s: parity = %d, want 0 or 1", fn, parity))
	}
}

// SplitAt returns the split of d columns into A = 0..k-1 and B = k..d-1
// (both contiguous: the copies are row copies). It panics unless
// 0 <= k <= d.
func SplitAt(d, k int) Split {
	if d < 0 || k < 0 || k > d {
		panic(fmt.Sprintf("kernels: SplitAt: k = %d outside 0..d for d = %d", k, d))
	}
	a, b := make([]int, k), make([]int, d-k)
	for i := range a {
		a[i] = i
	}
	for i := range b {
		b[i] = k + i
	}
	return mustSplit(d, a, b)
}

// Halves returns SplitAt(d, (d+1)/2): A is the first ceil(d/2) columns and B
// the last floor(d/2). Swap gives the halves the other way round; SplitAt
// gives floor first.
func Halves(d int) Split {
	checkSizes("Halves", []string{"d"}, d)
	return SplitAt(d, (d+1)/2)
}

// Alternating returns the split of d columns by the parity of the column:
// A holds the columns j with j%2 == parity in increasing order, B the
// others. It panics if d < 0 or parity is not 0 or 1.
func Alternating(d, parity int) Split {
	checkSizes("Alternating", []string{"d"}, d)
	checkParity("Alternating", parity)
	var a, b []int
	for j := range d {
		if j%2 == parity {
			a = append(a, j)
		} else {
			b = append(b, j)
		}
	}
	return mustSplit(d, a, b)
}

// Checkerboard returns the checkerboard split of an h x w image with c
// channels per pixel, its d = h*w*c features laid out (h, w, c) row-major:
// pixel (i, j) has the columns (i*w+j)*c, ..., (i*w+j)*c+c-1. A holds every
// channel of the pixels with (i+j)%2 == parity, B those of the others, each
// in increasing column order. It panics if a size is negative or parity is
// not 0 or 1.
func Checkerboard(h, w, c, parity int) Split {
	checkSizes("Checkerboard", []string{"h", "w", "c"}, h, w, c)
	checkParity("Checkerboard", parity)
	var a, b []int
	for i := range h {
		for j := range w {
			for ch := range c {
				col := (i*w+j)*c + ch
				if (i+j)%2 == parity {
					a = append(a, col)
				} else {
					b = append(b, col)
				}
			}
		}
	}
	return mustSplit(h*w*c, a, b)
}

// PermutationSplit returns the split A = perm[:k], B = perm[k:] of the
// columns 0..len(perm)-1. It returns an error if perm is not a permutation
// of 0..len(perm)-1 or k is outside 0..len(perm).
func PermutationSplit(perm []int, k int) (Split, error) {
	if k < 0 || k > len(perm) {
		return Split{}, fmt.Errorf("kernels: PermutationSplit: k = %d outside 0..len(perm) = %d", k, len(perm))
	}
	for i, c := range perm {
		if c < 0 || c >= len(perm) {
			return Split{}, fmt.Errorf("kernels: PermutationSplit: perm[%d] = %d is out of range 0..%d", i, c, len(perm)-1)
		}
	}
	if err := partition(len(perm), perm[:k], perm[k:], "perm[:k]", "perm[k:]"); err != nil {
		return Split{}, fmt.Errorf("kernels: PermutationSplit: perm is not a permutation: %w", err)
	}
	return Split{d: len(perm), a: newColSet(perm[:k]), b: newColSet(perm[k:])}, nil
}

// Swap returns the complementary split, A and B exchanged: the split of the
// next coupling layer, which transforms the columns this one kept.
func (s Split) Swap() Split { return Split{d: s.d, a: s.b, b: s.a} }

// D returns the number of columns the split partitions.
func (s Split) D() int { return s.d }

// A returns a copy of the first column set, in order.
func (s Split) A() []int { return append([]int(nil), s.a.idx...) }

// B returns a copy of the second column set, in order.
func (s Split) B() []int { return append([]int(nil), s.b.idx...) }

// LenA returns len(A), the columns of the packed matrix of the first set.
func (s Split) LenA() int { return len(s.a.idx) }

// LenB returns len(B).
func (s Split) LenB() int { return len(s.b.idx) }
