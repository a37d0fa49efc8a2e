package lindiff

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
)

// randomData returns n rows of a correlated, non-centred Gaussian in d
// dimensions (a random mixing matrix with uneven scales).
func randomData(r *rand.Rand, n, d int) *mat.Dense {
	mix := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			mix.Set(i, j, r.NormFloat64()*math.Pow(2, float64(j-d/2)))
		}
	}
	z := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			z.Set(i, j, r.NormFloat64()+float64(j)-1)
		}
	}
	var x mat.Dense
	x.Mul(z, mix.T())
	return &x
}

// randomSchedule returns a schedule of T steps with betas in [0.01, 0.3]:
// few steps that still move abar far from 1.
func randomSchedule(t *testing.T, r *rand.Rand, T int) *Schedule {
	beta := make([]float64, T)
	for i := range beta {
		beta[i] = 0.01 + 0.29*r.Float64()
	}
	s, err := NewSchedule(beta)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// relDiff is ||a - b||_F / max(||b||_F, tiny).
func relDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / math.Max(mat.Norm(b, 2), 1e-300)
}

func relVec(a, b []float64) float64 {
	return relDiff(mat.NewVecDense(len(a), a), mat.NewVecDense(len(b), b))
}

func wDense(m *Model, t int) *mat.Dense {
	w := m.Wt(t)
	return mat.NewDense(w.Rows, w.Cols, append([]float64(nil), w.Data...))
}

// mustSched returns a function that unwraps a schedule or fails t.
func mustSched(t *testing.T) func(*Schedule, error) *Schedule {
	return func(s *Schedule, err error) *Schedule {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestSchedules(t *testing.T) {
	ms := mustSched(t)
	lin := ms(LinearSchedule(1000, 1e-4, 0.02))
	if lin.Beta[0] != 1e-4 || math.Abs(lin.Beta[999]-0.02) > 1e-17 || lin.T != 1000 {
		t.Fatalf("linear: beta_1 = %v, beta_T = %v", lin.Beta[0], lin.Beta[999])
	}
	paper := ms(PaperSchedule(200))
	for _, tt := range []int{1, 77, 200} {
		if want := (1e-2-1e-4)*float64(tt)/200 + 1e-4; math.Abs(paper.Beta[tt-1]-want) > 1e-18 {
			t.Fatalf("paper: beta_%d = %v, want %v", tt, paper.Beta[tt-1], want)
		}
	}
	cos := ms(CosineSchedule(100, 0.008))
	f := func(tt float64) float64 { c := math.Cos((tt/100 + 0.008) / 1.008 * math.Pi / 2); return c * c }
	for tt := 1; tt < 100; tt++ {
		if want := f(float64(tt)) / f(0); math.Abs(cos.AlphaBar[tt-1]/want-1) > 1e-12 {
			t.Fatalf("cosine: abar_%d = %v, want %v", tt, cos.AlphaBar[tt-1], want)
		}
	}
	if cos.Beta[99] != 0.999 {
		t.Fatalf("cosine: beta_T = %v, want the clip 0.999", cos.Beta[99])
	}
	// abar against a product in float64, sqrt(1-abar) against the naive
	// form where it is accurate, and the recursion of the posterior variance.
	for _, s := range []*Schedule{lin, paper, cos} {
		prod := 1.0
		for i := range s.T {
			prod *= 1 - s.Beta[i]
			if math.Abs(s.AlphaBar[i]/prod-1) > 1e-12*float64(i+1) {
				t.Fatalf("abar_%d = %v, product %v", i+1, s.AlphaBar[i], prod)
			}
			if s.Alpha[i] != 1-s.Beta[i] || math.Abs(s.SqrtAlphaBar[i]*s.SqrtAlphaBar[i]/s.AlphaBar[i]-1) > 1e-15 {
				t.Fatalf("alpha_%d or sqrt(abar) wrong", i+1)
			}
			if sn := s.SqrtOneMinusAlphaBar[i]; math.Abs(sn*sn+s.AlphaBar[i]-1) > 1e-15 {
				t.Fatalf("s_%d^2 + abar = %v", i+1, sn*sn+s.AlphaBar[i])
			}
		}
		if s.PosteriorVariance(1) != 0 {
			t.Fatal("posterior variance at t = 1 is not 0")
		}
		for tt := 2; tt <= s.T; tt++ {
			want := s.Beta[tt-1] * (1 - s.AlphaBar[tt-2]) / (1 - s.AlphaBar[tt-1])
			if math.Abs(s.PosteriorVariance(tt)/want-1) > 1e-9 {
				t.Fatalf("posterior variance %d = %v, want %v", tt, s.PosteriorVariance(tt), want)
			}
		}
	}
	// sqrt(1-abar_1) = sqrt(beta_1) to full precision for a tiny beta,
	// where 1 - abar would have lost half the digits.
	tiny := ms(NewSchedule([]float64{1e-12}))
	if math.Abs(tiny.SqrtOneMinusAlphaBar[0]/1e-6-1) > 1e-15 {
		t.Fatalf("sqrt(1 - abar_1) = %v, want 1e-6", tiny.SqrtOneMinusAlphaBar[0])
	}

	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"T=0", second(NewSchedule(nil)), "T = 0"},
		{"NaN", second(NewSchedule([]float64{0.1, math.NaN()})), "beta_2 = NaN"},
		{"zero", second(NewSchedule([]float64{0})), "beta_1 = 0 is not in (0, 1)"},
		{"one", second(NewSchedule([]float64{0.5, 1})), "beta_2 = 1"},
		{"negative", second(NewSchedule([]float64{-0.1})), "beta_1 = -0.1"},
		{"linear T", second(LinearSchedule(0, 1e-4, 0.02)), "T = 0"},
		{"linear hi", second(LinearSchedule(10, 1e-4, 2)), "beta_6 = 1.11"},
		{"paper T", second(PaperSchedule(-1)), "T = -1"},
		{"cosine T", second(CosineSchedule(0, 0.008)), "T = 0"},
		{"cosine s", second(CosineSchedule(10, math.NaN())), "offset s = NaN"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second[A any](_ A, err error) error { return err }

// The exact model against closed forms built with gonum: Sigma_0 from
// the rows, W_t = s (a^2 Sigma_0 + (s^2 + gamma) I)^-1 by a dense solve, and
// b_t = -a mu_0; within 1e-9 relative, on random small cases (N < d
// included, which leaves zero eigenvalues).
func TestExactAgainstGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for c := range 12 {
		d := 2 + c%5
		n := []int{3, 10, 40}[c%3]
		gamma := []float64{0, 0.1, 2.5}[c%3]
		x := randomData(r, n, d)
		s := randomSchedule(t, r, 6)
		e, err := FitExact(x, s, gamma)
		if err != nil {
			t.Fatal(err)
		}
		// Reference moments (1/N), computed directly.
		mu := make([]float64, d)
		for j := range d {
			mu[j] = mat.Sum(x.ColView(j)) / float64(n)
		}
		sig := mat.NewSymDense(d, nil)
		for i := range d {
			for j := i; j < d; j++ {
				v := 0.0
				for k := range n {
					v += (x.At(k, i) - mu[i]) * (x.At(k, j) - mu[j])
				}
				sig.SetSym(i, j, v/float64(n))
			}
		}
		if rd := relVec(e.Mean, mu); rd > 1e-12 {
			t.Fatalf("case %d: mean off by %v", c, rd)
		}
		var back mat.Dense
		back.Mul(e.U, mat.NewDiagDense(d, e.Lambda))
		back.Mul(&back, e.U.T())
		if rd := relDiff(&back, sig); rd > 1e-12 {
			t.Fatalf("case %d: U diag(lambda) U^T differs from Sigma_0 by %v", c, rd)
		}
		m := e.Dense()
		for tt := 1; tt <= s.T; tt++ {
			a, sn := s.SqrtAlphaBar[tt-1], s.SqrtOneMinusAlphaBar[tt-1]
			cm := mat.NewDense(d, d, nil)
			for i := range d {
				for j := range d {
					cm.Set(i, j, a*a*sig.At(i, j))
				}
				cm.Set(i, i, cm.At(i, i)+sn*sn+gamma)
			}
			id := mat.NewDense(d, d, nil)
			for i := range d {
				id.Set(i, i, sn)
			}
			var want mat.Dense
			if err := want.Solve(cm, id); err != nil {
				t.Fatal(err)
			}
			if rd := relDiff(wDense(m, tt), &want); rd > 1e-9 {
				t.Fatalf("case %d (d=%d N=%d gamma=%v), t=%d: W_t off by %v relative", c, d, n, gamma, tt, rd)
			}
			b := make([]float64, d)
			for j := range b {
				b[j] = -a * mu[j]
			}
			if rd := relVec(m.Bt(tt), b); rd > 1e-12 {
				t.Fatalf("case %d, t=%d: b_t off by %v", c, tt, rd)
			}
		}
	}
}

// The closed-form loss: Exact.Loss and Model.Loss agree with each other
// and with the average over the training points of the loss with the
// noise averaged exactly, E_eps ||eps - W(a x + s eps + b)||^2 =
// d - 2 s tr W + s^2 ||W||_F^2 + ||W (a x + b)||^2; the exact model
// minimizes the ridge-penalized loss (perturbations raise it); and a test
// set's moments give the test loss.
func TestLoss(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	d, n := 4, 25
	x := randomData(r, n, d)
	s := randomSchedule(t, r, 5)
	for _, gamma := range []float64{0, 0.3} {
		e, err := FitExact(x, s, gamma)
		if err != nil {
			t.Fatal(err)
		}
		m := e.Dense()
		mean, cov, _ := Moments(x)
		le, err := e.Loss(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		lm, err := m.Loss(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		direct := directLoss(m, x)
		if math.Abs(le/direct-1) > 1e-10 || math.Abs(lm/direct-1) > 1e-10 {
			t.Fatalf("gamma %v: losses %v (exact), %v (model), %v (direct)", gamma, le, lm, direct)
		}
		// Ridge-penalized objective at the optimum vs perturbed models.
		obj := func(m *Model) float64 {
			l, _ := m.Loss(mean, cov)
			return l + gamma*dot(m.W, m.W)/float64(s.T)
		}
		best := obj(m)
		for k := range 20 {
			p := &Model{D: d, Sched: s, W: append([]float64(nil), m.W...), B: append([]float64(nil), m.B...)}
			i := r.IntN(len(p.W))
			if k%2 == 1 {
				p.B[r.IntN(len(p.B))] += 1e-3 * r.NormFloat64()
			} else {
				p.W[i] += 1e-3 * r.NormFloat64()
			}
			if got := obj(p); got < best-1e-12 {
				t.Fatalf("gamma %v: perturbation %d lowers the objective: %v < %v", gamma, k, got, best)
			}
		}
		// Test loss on other data.
		y := randomData(r, 30, d)
		tm, tc, _ := Moments(y)
		lt, _ := e.Loss(tm, tc)
		if want := directLoss(m, y); math.Abs(lt/want-1) > 1e-10 {
			t.Fatalf("test loss %v, direct %v", lt, want)
		}
	}
}

// directLoss averages the exactly noise-averaged loss over the rows of x.
func directLoss(m *Model, x *mat.Dense) float64 {
	n, d := x.Dims()
	total := 0.0
	for tt := 1; tt <= m.Sched.T; tt++ {
		a, sn := m.Sched.SqrtAlphaBar[tt-1], m.Sched.SqrtOneMinusAlphaBar[tt-1]
		w := wDense(m, tt)
		base := float64(d) - 2*sn*mat.Trace(w) + sn*sn*dot(m.Wt(tt).Data, m.Wt(tt).Data)
		for i := range n {
			v := mat.NewVecDense(d, nil)
			for j := range d {
				v.SetVec(j, a*x.At(i, j)+m.Bt(tt)[j])
			}
			var wv mat.VecDense
			wv.MulVec(w, v)
			total += (base + mat.Dot(&wv, &wv)) / float64(n)
		}
	}
	return total / float64(m.Sched.T)
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Full-batch gradient descent on the exact loss (ExactGD, dense matrices)
// follows the closed form of EarlyStopped mode by mode: at several step
// counts, U^T W_t U is diagonal with the closed-form w_k, and W_t agrees
// with the dense form of EarlyStopped. Data are not centred: b_t starts at
// its optimum and stays there.
func TestEarlyStoppedMatchesGD(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	d := 5
	x := randomData(r, 12, d)
	s := randomSchedule(t, r, 4)
	mean, cov, _ := Moments(x)
	for _, gamma := range []float64{0, 0.2} {
		e, err := FitExactMoments(mean, cov, s, gamma)
		if err != nil {
			t.Fatal(err)
		}
		cmax := 0.0
		for tt := range s.T {
			cmax = math.Max(cmax, e.curvature(s.AlphaBar[tt], s.SqrtOneMinusAlphaBar[tt], e.Lambda[d-1]))
		}
		eta := 0.4 / cmax
		for _, steps := range []int{0, 1, 3, 10, 50} {
			gd, err := ExactGD(mean, cov, s, gamma, eta, steps)
			if err != nil {
				t.Fatal(err)
			}
			es, err := e.EarlyStopped(eta, steps)
			if err != nil {
				t.Fatal(err)
			}
			closed := es.Dense()
			for tt := 1; tt <= s.T; tt++ {
				var p mat.Dense
				p.Mul(e.U.T(), wDense(gd, tt))
				p.Mul(&p, e.U)
				w := es.Modes(tt)
				scale := 0.0
				for _, v := range w {
					scale = math.Max(scale, math.Abs(v))
				}
				for i := range d {
					for j := range d {
						want := 0.0
						if i == j {
							want = w[i]
						}
						if math.Abs(p.At(i, j)-want) > 1e-10*math.Max(scale, 1e-300)+1e-300 {
							t.Fatalf("gamma %v, %d steps, t=%d: (U^T W U)[%d][%d] = %v, closed form %v", gamma, steps, tt, i, j, p.At(i, j), want)
						}
					}
				}
				if steps > 0 {
					if rd := relDiff(wDense(gd, tt), wDense(closed, tt)); rd > 1e-10 {
						t.Fatalf("gamma %v, %d steps, t=%d: W off by %v", gamma, steps, tt, rd)
					}
				}
				if rd := relVec(gd.Bt(tt), closed.Bt(tt)); rd > 1e-14 {
					t.Fatalf("b_t off by %v", rd)
				}
			}
		}
		// Many steps reach the exact model.
		es, _ := e.EarlyStopped(eta, 100000)
		if rd := relVec(es.Coef, e.Coef); rd > 1e-12 {
			t.Fatalf("early stopping after 1e5 steps is %v from the exact model", rd)
		}
	}
}

// The learned Gaussian mode by mode (Exact.Learned) equals the dense
// propagation through the reverse chain (Model.Learned) for every variance
// option.
func TestLearnedExactVsDense(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for c, opt := range []SampleOptions{{}, {Variance: PosteriorVariance}, {NoiseAtLast: true}, {Variance: PosteriorVariance, NoiseAtLast: true}} {
		d := 3 + c
		x := randomData(r, 2*d, d)
		s := randomSchedule(t, r, 8)
		e, err := FitExact(x, s, 0.05*float64(c))
		if err != nil {
			t.Fatal(err)
		}
		ge, err := e.Learned(opt)
		if err != nil {
			t.Fatal(err)
		}
		gm, err := e.Dense().Learned(opt)
		if err != nil {
			t.Fatal(err)
		}
		if rd := relVec(ge.Mean, gm.Mean); rd > 1e-10 {
			t.Fatalf("%+v: means differ by %v", opt, rd)
		}
		if rd := relDiff(ge.Cov, gm.Cov); rd > 1e-10 {
			t.Fatalf("%+v: covariances differ by %v", opt, rd)
		}
	}
}

// KL against gonum's distmv, both directions, within 1e-9 relative; KL of
// a distribution with itself is 0.
func TestKLAgainstDistmv(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	randGauss := func(d int) Gaussian {
		a := mat.NewDense(d, d, nil)
		for i := range d {
			for j := range d {
				a.Set(i, j, r.NormFloat64())
			}
		}
		var c mat.SymDense
		c.SymOuterK(1, a)
		for i := range d {
			c.SetSym(i, i, c.At(i, i)+0.1)
		}
		mu := make([]float64, d)
		for i := range mu {
			mu[i] = r.NormFloat64()
		}
		return Gaussian{Mean: mu, Cov: &c}
	}
	for c := range 10 {
		d := 1 + c%6
		p, q := randGauss(d), randGauss(d)
		dp, ok := distmv.NewNormal(p.Mean, p.Cov, nil)
		dq, ok2 := distmv.NewNormal(q.Mean, q.Cov, nil)
		if !ok || !ok2 {
			t.Fatal("distmv.NewNormal failed")
		}
		for _, dir := range []struct {
			a, b   Gaussian
			da, db *distmv.Normal
		}{{p, q, dp, dq}, {q, p, dq, dp}} {
			got, err := KL(dir.a, dir.b)
			if err != nil {
				t.Fatal(err)
			}
			want := distmv.KullbackLeibler{}.DistNormal(dir.da, dir.db)
			if math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Fatalf("d=%d: KL %v, distmv %v", d, got, want)
			}
		}
		if self, _ := KL(p, p); math.Abs(self) > 1e-12*float64(d) {
			t.Fatalf("KL(p, p) = %v", self)
		}
	}
}
