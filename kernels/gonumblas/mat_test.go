package gonumblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	tk "github.com/flowkern/flowkern/internal/testkit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// The gonum/mat tests run each operation twice, under blas64.Use(gonum's)
// and blas64.Use(ours), and compare. Products are compared element by
// element within the rounding bounds of the routines (helpers_test.go).
// Factorizations (LU, Cholesky, QR, SVD, symmetric eigen) go through
// gonum/lapack, whose own results depend on rounding through pivots and
// reflections; for them each result must pass LAPACK's own acceptance test
// (a residual ratio, normalized by a dimension and eps, below 30, the
// threshold of LAPACK's test suite), and the two results must agree within
// what two backward-stable results can differ by: perturbation theory
// applied to two backward errors within that threshold.

// lapackThresh is LAPACK's test-suite threshold on normalized residuals.
const lapackThresh = 30

const eps = 0x1p-52 // LAPACK's eps is the spacing at 1 (dlamch('P'))

// both64 returns f's result under our BLAS and under gonum's; it restores
// the BLAS in use before.
func both64[R any](f func() R) (o, g R) {
	prev := blas64.Implementation()
	defer blas64.Use(prev)
	blas64.Use(ref)
	g = f()
	blas64.Use(ours)
	o = f()
	return o, g
}

func randDense(r *rand.Rand, rows, cols int) *mat.Dense {
	d := make([]float64, rows*cols)
	tk.Fill(r, d)
	return mat.NewDense(rows, cols, d)
}

// operand returns a rows×cols matrix that is a view: transposed when trans,
// and a slice of a larger matrix when sub (Stride > Cols).
func operand(r *rand.Rand, rows, cols int, trans, sub bool) mat.Matrix {
	sr, sc := rows, cols
	if trans {
		sr, sc = cols, rows
	}
	var m *mat.Dense
	if sub {
		m = randDense(r, sr+2, sc+3).Slice(1, sr+1, 2, sc+2).(*mat.Dense)
	} else {
		m = randDense(r, sr, sc)
	}
	if trans {
		return m.T()
	}
	return m
}

// absProduct returns |A| |B| in float64.
func absProduct(a, b mat.Matrix) *mat.Dense {
	abs := func(m mat.Matrix) *mat.Dense {
		var d mat.Dense
		d.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, m)
		return &d
	}
	var p mat.Dense
	withGonum(func() { p.Mul(abs(a), abs(b)) })
	return &p
}

// withGonum runs f under gonum's BLAS (for reference quantities).
func withGonum(f func()) {
	prev := blas64.Implementation()
	defer blas64.Use(prev)
	blas64.Use(ref)
	f()
}

func transOf(m mat.Matrix) blas.Transpose {
	if _, ok := m.(mat.Transpose); ok {
		return blas.Trans
	}
	return blas.NoTrans
}

func TestMatMul(t *testing.T) {
	r := tk.NewRand(11)
	for _, sh := range [][3]int{{1, 1, 1}, {3, 1, 4}, {1, 7, 1}, {17, 33, 9}, {64, 64, 64}, {100, 70, 130}} {
		m, k, n := sh[0], sh[1], sh[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, sub := range []bool{false, true} {
					a, b := operand(r, m, k, ta, sub), operand(r, k, n, tb, sub)
					o, g := both64(func() *mat.Dense {
						var c mat.Dense
						c.Mul(a, b)
						return &c
					})
					s := absProduct(a, b)
					name := fmt.Sprintf("Mul %dx%d (trans %v) by %dx%d (trans %v), sliced %v", m, k, ta, k, n, tb, sub)
					compareDense(t, name, o, g, s, gemmDepth[float64](transOf(a), transOf(b), k), k+2, k)
				}
			}
		}
	}
}

// compareDense requires o and g to agree element by element within the sum
// of the two rounding bounds for term sums s.
func compareDense(t *testing.T, name string, o, g, s *mat.Dense, dOurs, dGonum, k int) {
	t.Helper()
	rows, cols := g.Dims()
	for i := range rows {
		for j := range cols {
			if !within(o.At(i, j), g.At(i, j), dOurs, dGonum, k, s.At(i, j)) {
				t.Errorf("%s: (%d, %d): ours %v, gonum's %v: differ by more than the bound for S=%g", name, i, j, o.At(i, j), g.At(i, j), s.At(i, j))
				return
			}
		}
	}
}

func TestMatMulVec(t *testing.T) {
	r := tk.NewRand(12)
	for _, sh := range [][2]int{{1, 1}, {1, 9}, {9, 1}, {33, 17}, {130, 70}} {
		m, n := sh[0], sh[1]
		for _, ta := range []bool{false, true} {
			for _, strided := range []bool{false, true} {
				a := operand(r, m, n, ta, strided)
				var x mat.Vector
				if strided {
					// A column of a matrix: increment 5.
					x = randDense(r, n, 5).ColView(2)
				} else {
					x = mat.NewVecDense(n, randDense(r, n, 1).RawMatrix().Data)
				}
				o, g := both64(func() *mat.VecDense {
					var y mat.VecDense
					y.MulVec(a, x)
					return &y
				})
				s := absProduct(a, x)
				tA := transOf(a)
				name := fmt.Sprintf("MulVec %dx%d (trans %v), strided %v", m, n, ta, strided)
				// mat calls Gemv on the stored matrix: n×m when transposed.
				sm, sn := m, n
				if ta {
					sm, sn = n, m
				}
				for i := range m {
					if !within(o.AtVec(i), g.AtVec(i), gemvDepth[float64](tA, sm, sn), n+2, n, s.At(i, 0)) {
						t.Errorf("%s: %d: ours %v, gonum's %v: differ by more than the bound", name, i, o.AtVec(i), g.AtVec(i))
						break
					}
				}
			}
		}
	}
}

func TestMatProduct(t *testing.T) {
	r := tk.NewRand(13)
	for _, d := range [][4]int{{5, 40, 3, 60}, {60, 3, 40, 5}, {30, 31, 32, 33}} {
		a, b, c := randDense(r, d[0], d[1]), randDense(r, d[1], d[2]), randDense(r, d[2], d[3])
		o, g := both64(func() *mat.Dense {
			var p mat.Dense
			p.Product(a, b, c)
			return &p
		})
		s := absProduct(absProduct(a, b), c)
		// Either order: an error of gamma(d1) |A||B| in the first product
		// and gamma(d2) of |fl(AB)||C| <= (1+gamma(d1)) |A||B||C| in the
		// second, inner lengths d[1] and d[2]; our chain is at most
		// gemmDepth, gonum's k+2.
		u := 0x1p-53
		bound := func(d1, d2 int) float64 { return gamma(d1, u) + gamma(d2, u) + gamma(d1, u)*gamma(d2, u) }
		ob := max(bound(maxGemmDepth(d[1]), maxGemmDepth(d[2])), bound(maxGemmDepth(d[2]), maxGemmDepth(d[1])))
		gb := bound(d[1]+2, d[2]+2)
		rows, cols := g.Dims()
		for i := range rows {
			for j := range cols {
				tol := (ob + gb) * s.At(i, j) * (1 + gamma(d[1]+d[2]+4, u))
				if diff := math.Abs(o.At(i, j) - g.At(i, j)); !(diff <= tol) {
					t.Fatalf("Product %v: (%d, %d): ours %v, gonum's %v: differ by %g > %g", d, i, j, o.At(i, j), g.At(i, j), diff, tol)
				}
			}
		}
	}
}

// maxGemmDepth is our longest chain over the transposes, for inner length k.
func maxGemmDepth(k int) int {
	d := 0
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			d = max(d, gemmDepth[float64](tA, tB, k))
		}
	}
	return d
}

func TestMatRankOneDotNorm(t *testing.T) {
	r := tk.NewRand(14)
	for _, sh := range [][2]int{{1, 1}, {7, 33}, {100, 65}} {
		m, n := sh[0], sh[1]
		for _, strided := range []bool{false, true} {
			a := operand(r, m, n, false, strided)
			var x, y mat.Vector
			if strided {
				x, y = randDense(r, m, 3).ColView(1), randDense(r, n, 4).ColView(3)
			} else {
				x, y = mat.NewVecDense(m, randDense(r, m, 1).RawMatrix().Data), mat.NewVecDense(n, randDense(r, n, 1).RawMatrix().Data)
			}
			alpha := 0.5 + r.Float64()
			o, g := both64(func() *mat.Dense {
				var d mat.Dense
				d.RankOne(a, alpha, x, y)
				return &d
			})
			for i := range m {
				for j := range n {
					s := math.Abs(a.At(i, j)) + math.Abs(alpha*x.AtVec(i)*y.AtVec(j))
					if !within(o.At(i, j), g.At(i, j), 2, 3, 2, s) {
						t.Fatalf("RankOne %dx%d strided %v: (%d, %d): ours %v, gonum's %v", m, n, strided, i, j, o.At(i, j), g.At(i, j))
					}
				}
			}

			od, gd := both64(func() float64 { return mat.Dot(x, x) })
			var s float64
			for i := range m {
				s += x.AtVec(i) * x.AtVec(i)
			}
			dOurs := dotDepth[float64](m)
			if strided {
				dOurs = m // gonum's path
			}
			if !within(od, gd, dOurs, m, m, s) {
				t.Errorf("Dot %d strided %v: ours %v, gonum's %v", m, strided, od, gd)
			}
			on, gn := both64(func() float64 { return blas64.Nrm2(x.(mat.RawVectorer).RawVector()) })
			oRel, gRel := nrm2Bound[float64](m)
			if math.Abs(on-gn) > (oRel+gRel)*math.Sqrt(s)*(1+gamma(m+2, 0x1p-53)) {
				t.Errorf("Nrm2 %d strided %v: ours %v, gonum's %v", m, strided, on, gn)
			}
		}
	}
}

// wellConditioned returns a random n×n matrix plus n on the diagonal.
func wellConditioned(r *rand.Rand, n int) *mat.Dense {
	a := randDense(r, n, n)
	for i := range n {
		a.Set(i, i, a.At(i, i)+float64(n))
	}
	return a
}

// solveRatio is LAPACK's dget02 ratio ||B - A X||_1 / (n ||A||_1 ||X||_1 eps).
func solveRatio(a, x, b mat.Matrix) float64 {
	var res mat.Dense
	withGonum(func() { res.Mul(a, x) })
	res.Sub(b, &res)
	n, _ := a.Dims()
	return mat.Norm(&res, 1) / (float64(n) * mat.Norm(a, 1) * mat.Norm(x, 1) * eps)
}

// compareSolutions requires two solutions of A X = B, each passing LAPACK's
// ratio test, to agree within twice the forward error bound kappa eta /
// (1 - kappa eta) for a normwise backward error eta within the threshold.
func compareSolutions(t *testing.T, name string, a, o, g, b mat.Matrix) {
	t.Helper()
	for _, s := range []struct {
		who string
		x   mat.Matrix
	}{{"ours", o}, {"gonum's", g}} {
		if ratio := solveRatio(a, s.x, b); ratio > lapackThresh {
			t.Errorf("%s: %s solution: residual ratio %g > %d", name, s.who, ratio, lapackThresh)
		}
	}
	n, _ := a.Dims()
	var kappa float64
	withGonum(func() { kappa = mat.Cond(a, 1) })
	ke := kappa * lapackThresh * float64(n) * eps
	var d mat.Dense
	d.Sub(o, g)
	if rel := mat.Norm(&d, 1) / mat.Norm(g, 1); rel > 2*ke/(1-ke) {
		t.Errorf("%s: solutions differ by %g (relative, 1-norm) > %g", name, rel, 2*ke/(1-ke))
	}
}

func TestMatSolve(t *testing.T) {
	r := tk.NewRand(15)
	for _, n := range []int{3, 40, 150} {
		a, b := wellConditioned(r, n), randDense(r, n, 3)
		o, g := both64(func() *mat.Dense {
			var x mat.Dense
			if err := x.Solve(a, b); err != nil {
				t.Fatal(err)
			}
			return &x
		})
		compareSolutions(t, fmt.Sprintf("Solve n=%d", n), a, o, g, b)
	}
}

func TestMatCholesky(t *testing.T) {
	r := tk.NewRand(16)
	for _, n := range []int{3, 40, 150} {
		m := randDense(r, n, n)
		var spd mat.SymDense
		withGonum(func() { spd.SymOuterK(1, m) })
		for i := range n {
			spd.SetSym(i, i, spd.At(i, i)+float64(n))
		}
		b := randDense(r, n, 2)
		type result struct {
			l *mat.TriDense
			x *mat.Dense
		}
		o, g := both64(func() result {
			var c mat.Cholesky
			if !c.Factorize(&spd) {
				t.Fatal("not positive definite")
			}
			var l mat.TriDense
			c.LTo(&l)
			var x mat.Dense
			if err := c.SolveTo(&x, b); err != nil {
				t.Fatal(err)
			}
			return result{&l, &x}
		})
		name := fmt.Sprintf("Cholesky n=%d", n)
		for _, s := range []struct {
			who string
			l   *mat.TriDense
		}{{"ours", o.l}, {"gonum's", g.l}} {
			// dpot01: ||L Lᵀ - A||_1 / (n ||A||_1 eps).
			var llt mat.Dense
			withGonum(func() { llt.Mul(s.l, s.l.T()) })
			llt.Sub(&llt, &spd)
			if ratio := mat.Norm(&llt, 1) / (float64(n) * mat.Norm(&spd, 1) * eps); ratio > lapackThresh {
				t.Errorf("%s: %s factor: residual ratio %g > %d", name, s.who, ratio, lapackThresh)
			}
		}
		compareSolutions(t, name, &spd, o.x, g.x, b)
	}
}

// orthoRatio is LAPACK's dort01 ratio ||I - Qᵀ Q||_1 / (n eps) for the n
// columns of q.
func orthoRatio(q mat.Matrix) float64 {
	_, n := q.Dims()
	var qtq mat.Dense
	withGonum(func() { qtq.Mul(q.T(), q) })
	for i := range n {
		qtq.Set(i, i, qtq.At(i, i)-1)
	}
	return mat.Norm(&qtq, 1) / (float64(n) * eps)
}

func TestMatQR(t *testing.T) {
	r := tk.NewRand(17)
	for _, sh := range [][2]int{{5, 3}, {150, 100}} {
		m, n := sh[0], sh[1]
		a := randDense(r, m, n)
		type result struct{ q, r *mat.Dense }
		o, g := both64(func() result {
			var qr mat.QR
			qr.Factorize(a)
			var q, rr mat.Dense
			qr.QTo(&q)
			qr.RTo(&rr)
			return result{&q, &rr}
		})
		for _, s := range []struct {
			who string
			res result
		}{{"ours", o}, {"gonum's", g}} {
			// dqrt01: ||A - Q R||_1 / (m ||A||_1 eps) and ||I - QᵀQ|| / (m eps).
			var qr mat.Dense
			withGonum(func() { qr.Mul(s.res.q, s.res.r) })
			qr.Sub(a, &qr)
			if ratio := mat.Norm(&qr, 1) / (float64(m) * mat.Norm(a, 1) * eps); ratio > lapackThresh {
				t.Errorf("QR %dx%d: %s residual ratio %g > %d", m, n, s.who, ratio, lapackThresh)
			}
			if ratio := orthoRatio(s.res.q); ratio > lapackThresh {
				t.Errorf("QR %dx%d: %s orthogonality ratio %g > %d", m, n, s.who, ratio, lapackThresh)
			}
		}
	}
}

// compareSpectra requires two computed spectra of A, each from a
// factorization with backward error at most lapackThresh*dim*eps*||A||_F,
// to agree within twice that (Weyl's inequality).
func compareSpectra(t *testing.T, name string, o, g []float64, dim int, normF float64) {
	t.Helper()
	tol := 2 * lapackThresh * float64(dim) * eps * normF
	for i := range g {
		if d := math.Abs(o[i] - g[i]); d > tol {
			t.Errorf("%s: value %d: ours %v, gonum's %v: differ by %g > %g", name, i, o[i], g[i], d, tol)
			return
		}
	}
}

func TestMatSVD(t *testing.T) {
	r := tk.NewRand(18)
	for _, sh := range [][2]int{{4, 3}, {120, 90}} {
		m, n := sh[0], sh[1]
		a := randDense(r, m, n)
		type result struct {
			s    []float64
			u, v *mat.Dense
		}
		o, g := both64(func() result {
			var svd mat.SVD
			if !svd.Factorize(a, mat.SVDThin) {
				t.Fatal("SVD failed")
			}
			var u, v mat.Dense
			svd.UTo(&u)
			svd.VTo(&v)
			return result{svd.Values(nil), &u, &v}
		})
		name := fmt.Sprintf("SVD %dx%d", m, n)
		for _, s := range []struct {
			who string
			res result
		}{{"ours", o}, {"gonum's", g}} {
			// dbdt01-style: ||A - U S Vᵀ||_F / (max(m, n) ||A||_F eps).
			var usv mat.Dense
			withGonum(func() { usv.Product(s.res.u, mat.NewDiagDense(len(s.res.s), s.res.s), s.res.v.T()) })
			usv.Sub(a, &usv)
			if ratio := mat.Norm(&usv, 2) / (float64(max(m, n)) * mat.Norm(a, 2) * eps); ratio > lapackThresh {
				t.Errorf("%s: %s residual ratio %g > %d", name, s.who, ratio, lapackThresh)
			}
			if ratio := orthoRatio(s.res.u); ratio > lapackThresh {
				t.Errorf("%s: %s U orthogonality ratio %g > %d", name, s.who, ratio, lapackThresh)
			}
		}
		compareSpectra(t, name, o.s, g.s, max(m, n), mat.Norm(a, 2))
	}
}

func TestMatEigenSym(t *testing.T) {
	r := tk.NewRand(19)
	for _, n := range []int{3, 100} {
		m := randDense(r, n, n)
		var sym mat.SymDense
		withGonum(func() { sym.SymOuterK(1, m) })
		o, g := both64(func() []float64 {
			var e mat.EigenSym
			if !e.Factorize(&sym, false) {
				t.Fatal("EigenSym failed")
			}
			return e.Values(nil)
		})
		compareSpectra(t, fmt.Sprintf("EigenSym n=%d", n), o, g, n, mat.Norm(&sym, 2))
	}
}

// TestBlas32 runs blas32's package functions under blas32.Use(gonum's) and
// blas32.Use(ours): the float32 routines reached the way users reach them.
func TestBlas32(t *testing.T) {
	prev := blas32.Implementation()
	defer blas32.Use(prev)
	r := tk.NewRand(20)
	m, n, k := 37, 29, 70
	mk := func(rows, cols int) blas32.General {
		d := make([]float32, rows*cols)
		tk.Fill(r, d)
		return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: d}
	}
	a, b, c0 := mk(m, k), mk(k, n), mk(m, n)
	x, y := mk(1, k), mk(1, m)
	run := func(impl blas.Float32) (c blas32.General, yv blas32.Vector, dot, nrm float32) {
		blas32.Use(impl)
		c = c0
		c.Data = append([]float32(nil), c0.Data...)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1.5, a, b, -0.5, c)
		xv := blas32.Vector{N: k, Inc: 1, Data: x.Data}
		yv = blas32.Vector{N: m, Inc: 1, Data: append([]float32(nil), y.Data...)}
		blas32.Gemv(blas.NoTrans, 2, a, xv, 0.25, yv)
		return c, yv, blas32.Dot(xv, xv), blas32.Nrm2(xv)
	}
	oc, oy, od, on := run(ours)
	gc, gy, gd, gn := run(ref)
	for i := range m {
		for j := range n {
			s := math.Abs(-0.5 * float64(c0.Data[i*n+j]))
			for l := range k {
				s += math.Abs(1.5 * float64(a.Data[i*k+l]) * float64(b.Data[l*n+j]))
			}
			if !within(oc.Data[i*n+j], gc.Data[i*n+j], gemmDepth[float32](blas.NoTrans, blas.NoTrans, k), k+2, k, s) {
				t.Fatalf("Gemm (%d, %d): ours %v, gonum's %v", i, j, oc.Data[i*n+j], gc.Data[i*n+j])
			}
		}
		s := math.Abs(0.25 * float64(y.Data[i]))
		for l := range k {
			s += math.Abs(2 * float64(a.Data[i*k+l]) * float64(x.Data[l]))
		}
		if !within(oy.Data[i], gy.Data[i], gemvDepth[float32](blas.NoTrans, m, k), k+2, k, s) {
			t.Fatalf("Gemv %d: ours %v, gonum's %v", i, oy.Data[i], gy.Data[i])
		}
	}
	var s float64
	for _, v := range x.Data {
		s += float64(v) * float64(v)
	}
	if !within(od, gd, dotDepth[float32](k), k, k, s) {
		t.Errorf("Dot: ours %v, gonum's %v", od, gd)
	}
	oRel, gRel := nrm2Bound[float32](k)
	if math.Abs(float64(on-gn)) > (oRel+gRel)*math.Sqrt(s)*(1+gamma(k+2, 0x1p-53)) {
		t.Errorf("Nrm2: ours %v, gonum's %v", on, gn)
	}
}
