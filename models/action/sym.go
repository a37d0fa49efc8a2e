package action

import (
	"fmt"
	"math"
	"slices"
)

// Sym is a symmetric tensor of order N on D variables in packed storage:
// one value per multiset of N indices, the value of the sorted tuple
// i_1 <= i_2 <= ... <= i_N at Data[SymRank(i)] (colex order), SymLen(D, N)
// = C(D+N-1, N) values in all.
type Sym struct {
	D, N int
	Data []float64
}

// At returns the entry at the indices idx (any order, len(idx) == N).
func (s *Sym) At(idx ...int) float64 {
	if len(idx) != s.N {
		panic(fmt.Sprintf("action: Sym.At: %d indices for a tensor of order %d", len(idx), s.N))
	}
	for _, i := range idx {
		if i < 0 || i >= s.D {
			panic(fmt.Sprintf("action: Sym.At: index %d outside 0..%d", i, s.D-1))
		}
	}
	return s.Data[SymRank(idx)]
}

// Contract returns T[u, ..., u] = sum over all index tuples of
// T_i1..iN u_i1 ... u_iN (each multiset counted with its multiplicity).
func (s *Sym) Contract(u []float64) float64 {
	if len(u) != s.D {
		panic(fmt.Sprintf("action: Sym.Contract: %d values for %d variables", len(u), s.D))
	}
	sum := 0.0
	Multisets(s.D, s.N, func(t []int) {
		p := multinomial(t)
		for _, i := range t {
			p *= u[i]
		}
		sum += float64(s.Data[SymRank(t)] * p)
	})
	return sum
}

// multinomial returns N!/(m_1! m_2! ...) for the multiplicities m of the
// sorted tuple t: the number of orderings of the multiset.
func multinomial(t []int) float64 {
	p := factorial(len(t))
	run := 1
	for r := 1; r <= len(t); r++ {
		if r < len(t) && t[r] == t[r-1] {
			run++
			continue
		}
		p /= factorial(run)
		run = 1
	}
	return p
}

// SymLen returns C(d+n-1, n), the number of distinct entries of a symmetric
// tensor of order n on d variables, or -1 if it overflows an int.
func SymLen(d, n int) int { return binom(d+n-1, n) }

// SymRank returns the packed position of the index multiset idx (any
// order): with i_1 <= ... <= i_n sorted, the colex rank
// sum_r C(i_r + r - 1, r) (r = 1..n) of the strictly increasing tuple
// i_r + r - 1.
func SymRank(idx []int) int {
	t := slices.Clone(idx)
	slices.Sort(t)
	rank := 0
	for r, i := range t {
		rank += binom(i+r, r+1)
	}
	return rank
}

// binom returns C(n, k) (0 when k > n), or -1 on overflow.
func binom(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	c := 1
	for i := 1; i <= k; i++ {
		if c > (math.MaxInt/2+1)/(n-k+i) { // 2^62 on 64-bit platforms, 2^30 on 32-bit
			return -1
		}
		c = c * (n - k + i) / i
	}
	return c
}
