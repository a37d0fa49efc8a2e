package main

// A kernelCase is one kernel at one precision: how many flops and bytes of
// memory traffic one call of size n costs, how to run ours, and how to run
// each peer that has the same operation. A maker builds the data for size n
// and returns the call to time. The size n is the vector length unless the
// case says otherwise in its name (e.g. "MatVecs/batch=64" with n = m = n).
type kernelCase struct {
	kernel, prec string
	work         func(n int) (flops, bytes int)
	// written is the part of bytes that a call stores (nil: none); the
	// roofline counts only the rest, the loads, against read bandwidth.
	written func(n int) int
	ours    maker
	peers   []peer
	// sizes and quickSizes, when set, replace the -sizes defaults for this
	// case (an explicit -sizes flag still wins, unless side is set).
	sizes, quickSizes []int
	// side marks sizes that are a matrix's side (MatVecs' n, the couplings'
	// columns of 256 rows), not a vector length: -sizes does not replace
	// them (-sizes 1048576 would ask for matrices of 10^12 elements).
	side bool
	// elems marks a case whose work counts elements, not flops: its rate
	// is Gelem/s and it has no place on the FMA roofline.
	elems bool
	// runs names the gen/manifest kernels the case runs (nil: the one named
	// kernel); TestEveryKernelMeasured checks that each kernel has a case.
	runs []string
}

// linear is the work of a kernel doing flops and moving bytes per element.
func linear(flops, bytes int) func(n int) (int, int) {
	return func(n int) (int, int) { return flops * n, bytes * n }
}

// perElem is the bytes a kernel stores per element of n.
func perElem(bytes int) func(n int) int { return func(n int) int { return bytes * n } }

type maker func(n int) func()

type peer struct {
	name string
	make maker
}

// caseSets are the benchmark cases, one function per kernel family, each
// registered by the init of its cases_*.go file.
var caseSets []func() []kernelCase

// extraPeers are added by files built with the openblas or sleef tags (and
// by peers_vek.go where vek builds), keyed
// by caseKey.
var extraPeers = map[string][]peer{}

// missingPeers says which peers this build lacks and why (the report prints
// them): files built where a peer's package does not build add a line.
var missingPeers []string

// cases lists every kernel the report measures, with their extra peers.
func cases() []kernelCase {
	var cs []kernelCase
	for _, set := range caseSets {
		cs = append(cs, set()...)
	}
	for i := range cs {
		cs[i].peers = append(cs[i].peers, extraPeers[caseKey(cs[i].kernel, cs[i].prec)]...)
	}
	return cs
}

func caseKey(kernel, prec string) string { return kernel + "/" + prec }

var (
	sink64 float64
	sink32 float32
)
