package lindiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Bad input gives an error that names the problem, never a panic.
func TestBadInput(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	d := 3
	x := randomData(r, 6, d)
	s := randomSchedule(t, r, 4)
	e, err := FitExact(x, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Dense()
	mean, cov, _ := Moments(x)
	withNaN := mat.DenseCopyOf(x)
	withNaN.Set(4, 2, math.NaN())
	withInf := mat.DenseCopyOf(x)
	withInf.Set(1, 0, math.Inf(-1))
	one := mat.NewDense(1, d, []float64{1, 2, 3})
	indef := mat.NewSymDense(2, []float64{1, 2, 2, 1})
	nanCov := mat.NewSymDense(d, nil)
	nanCov.CopySym(cov)
	nanCov.SetSym(0, 1, math.NaN())
	badW := &Model{D: d, Sched: s, W: append([]float64(nil), m.W...), B: m.B}
	badW.W[d*d+d+1] = math.Inf(1)
	short := &Model{D: d, Sched: s, W: m.W[:5], B: m.B}
	g := Gaussian{Mean: mean, Cov: cov}
	g2 := Gaussian{Mean: []float64{0, 0}, Cov: mat.NewSymDense(2, []float64{1, 0, 0, 1})}
	sgd := TrainOptions{LR: 0.01, Batch: 4, Steps: 3}
	with := func(f func(*TrainOptions)) TrainOptions { o := sgd; f(&o); return o }

	cases := []struct {
		name string
		f    func() error
		want string
	}{
		{"FromRows nil", func() error { _, err := FromRows(nil); return err }, "empty data"},
		{"FromRows empty row", func() error { _, err := FromRows([][]float64{{}}); return err }, "row 0 has no columns"},
		{"FromRows ragged", func() error { _, err := FromRows([][]float64{{1, 2}, {3}}); return err }, "ragged data: row 1 has 1 columns, row 0 has 2"},
		{"FromRows NaN", func() error { _, err := FromRows([][]float64{{1, 2}, {3, math.NaN()}}); return err }, "row 1, column 1 is NaN"},
		{"FitExact nil", func() error { _, err := FitExact(nil, s, 0); return err }, "empty data"},
		{"FitExact empty", func() error { _, err := FitExact(&mat.Dense{}, s, 0); return err }, "empty data"},
		{"FitExact N=1", func() error { _, err := FitExact(one, s, 0); return err }, "N = 1 sample"},
		{"FitExact NaN", func() error { _, err := FitExact(withNaN, s, 0); return err }, "row 4, column 2 is NaN"},
		{"FitExact Inf", func() error { _, err := FitExact(withInf, s, 0); return err }, "row 1, column 0 is -Inf"},
		{"FitExact nil schedule", func() error { _, err := FitExact(x, nil, 0); return err }, "nil schedule"},
		{"FitExact gamma<0", func() error { _, err := FitExact(x, s, -1); return err }, "ridge gamma = -1"},
		{"FitExact gamma NaN", func() error { _, err := FitExact(x, s, math.NaN()); return err }, "ridge gamma = NaN"},
		{"moments mismatch", func() error { _, err := FitExactMoments(mean[:2], cov, s, 0); return err }, "mean has dimension 2, covariance 3"},
		{"moments nil cov", func() error { _, err := FitExactMoments(mean, nil, s, 0); return err }, "empty covariance"},
		{"moments indefinite", func() error { _, err := FitExactMoments([]float64{0, 0}, indef, s, 0); return err }, "not positive semidefinite"},
		{"moments NaN cov", func() error { _, err := FitExactMoments(mean, nanCov, s, 0); return err }, "covariance[0][1] is NaN"},
		{"EarlyStopped eta", func() error { _, err := e.EarlyStopped(0, 3); return err }, "learning rate 0"},
		{"EarlyStopped steps", func() error { _, err := e.EarlyStopped(0.1, -2); return err }, "-2 steps"},
		{"EarlyStopped diverges", func() error { _, err := e.EarlyStopped(1e3, 5); return err }, "learning rate 1000 diverges on the mode of eigenvalue"},
		{"Exact.Loss dims", func() error { _, err := e.Loss(g2.Mean, g2.Cov); return err }, "data dimension 2, model 3"},
		{"Exact.Learned variance", func() error { _, err := e.Learned(SampleOptions{Variance: 9}); return err }, "unknown sampler variance 9"},
		{"Model.Loss dims", func() error { _, err := m.Loss(g2.Mean, g2.Cov); return err }, "data dimension 2, model 3"},
		{"Model.Loss short W", func() error { _, err := short.Loss(mean, cov); return err }, "len(W) = 5, want T d^2 = 36"},
		{"Model.Learned Inf", func() error { _, err := badW.Learned(SampleOptions{}); return err }, "W_2[1][1] is +Inf"},
		{"Sample nil", func() error { _, err := Sample(nil, 3, SampleOptions{}); return err }, "nil model"},
		{"Sample n", func() error { _, err := Sample(m, 0, SampleOptions{}); return err }, "0 samples"},
		{"Sample workers", func() error { _, err := Sample(m, 2, SampleOptions{Workers: -1}); return err }, "workers -1"},
		{"Sample no schedule", func() error { _, err := Sample(&Model{D: 1}, 2, SampleOptions{}); return err }, "no schedule"},
		{"KL dims", func() error { _, err := KL(g, g2); return err }, "p has dimension 3, q 2"},
		{"KL singular", func() error {
			_, err := KL(g2, Gaussian{Mean: []float64{0, 0}, Cov: mat.NewSymDense(2, []float64{1, 1, 1, 1})})
			return err
		}, "covariance of q is not positive definite"},
		{"KL NaN mean", func() error { _, err := KL(Gaussian{Mean: []float64{math.NaN(), 0}, Cov: g2.Cov}, g2); return err }, "mean[0] is NaN"},
		{"Train N=1", func() error { _, err := Train(one, s, sgd); return err }, "N = 1 sample"},
		{"Train NaN", func() error { _, err := Train(withNaN, s, sgd); return err }, "row 4, column 2 is NaN"},
		{"Train nil schedule", func() error { _, err := Train(x, nil, sgd); return err }, "nil schedule"},
		{"Train LR", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.LR = 0 })); return err }, "learning rate 0"},
		{"Train batch", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.Batch = 0 })); return err }, "batch size 0"},
		{"Train steps", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.Steps = -1 })); return err }, "-1 steps"},
		{"Train gamma", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.Gamma = -0.5 })); return err }, "ridge gamma = -0.5"},
		{"Train optimizer", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.Optimizer = 5 })); return err }, "unknown optimizer 5"},
		{"Train Beta1", func() error { _, err := Train(x, s, with(func(o *TrainOptions) { o.Beta1 = 1 })); return err }, "Beta1 = 1"},
		{"Train diverges", func() error {
			_, err := Train(x, s, with(func(o *TrainOptions) { o.LR, o.Steps = 1e3, 2000 }))
			return err
		}, "diverged"},
		{"ExactGD eta", func() error { _, err := ExactGD(mean, cov, s, 0, -1, 3); return err }, "learning rate -1"},
		{"ExactGD steps", func() error { _, err := ExactGD(mean, cov, s, 0, 0.1, -1); return err }, "-1 steps"},
		{"ExactGD mismatch", func() error { _, err := ExactGD(mean, g2.Cov, s, 0, 0.1, 1); return err }, "mean has dimension 3, covariance 2"},
	}
	for _, c := range cases {
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return c.f()
		}()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
