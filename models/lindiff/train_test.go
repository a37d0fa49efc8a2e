package lindiff

import (
	"math"
	"math/rand/v2"
	"testing"
)

// effBias returns W_t b_t for every t: the part of eps_theta that does not
// depend on x. It is what the loss determines (b_t alone is poorly
// determined where W_t is small, at small t).
func effBias(m *Model) []float64 {
	out := make([]float64, 0, len(m.B))
	for t := 1; t <= m.Sched.T; t++ {
		w := wDense(m, t)
		for i := range m.D {
			out = append(out, dot(w.RawRowView(i), m.Bt(t)))
		}
	}
	return out
}

// Train converges to the exact model within Monte Carlo error: for two
// seeds the distance of each trained model from the exact one is below
// twice the distance between the two (which it could not be if training
// had a bias larger than its noise) and below 5% relative (10% for the
// effective bias W_t b_t, which is noisier); the excess
// training loss is below 0.1%. SGD at a constant rate is unbiased here (the
// expected gradient is linear in the parameters); it runs with b_t fixed at
// its optimum, since under SGD b_t converges slowly where W_t is small (its
// curvature is 2 W_t^T W_t). Adam trains b_t too and is checked against the
// absolute tolerances only.
func TestTrainConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	d := 4
	x := randomData(r, 30, d)
	s := randomSchedule(t, r, 5)
	gamma := 0.05
	e, err := FitExact(x, s, gamma)
	if err != nil {
		t.Fatal(err)
	}
	ex := e.Dense()
	exW, exB := ex.W, effBias(ex)
	mean, cov, _ := Moments(x)
	best, _ := e.Loss(mean, cov)
	for _, o := range []TrainOptions{
		{Optimizer: Adam, LR: 0.003, Batch: 256, Steps: 15000, Gamma: gamma},
		{Optimizer: SGD, LR: 0.02, Batch: 256, Steps: 15000, Gamma: gamma, FixBias: true},
	} {
		var ms [2]*Model
		for k := range ms {
			o.Seed = uint64(k + 1)
			if ms[k], err = Train(x, s, o); err != nil {
				t.Fatal(err)
			}
		}
		spreadW := relVec(ms[0].W, ms[1].W)
		spreadB := relVec(effBias(ms[0]), effBias(ms[1]))
		for k, m := range ms {
			dw, db := relVec(m.W, exW), relVec(effBias(m), exB)
			loss, _ := m.Loss(mean, cov)
			t.Logf("%+v seed %d: W %.4f (spread %.4f), W b %.4f (spread %.4f), loss %.6f vs %.6f",
				o, k+1, dw, spreadW, db, spreadB, loss, best)
			if dw > 0.05 || db > 0.1 || loss > best*(1+1e-3) {
				t.Fatalf("%+v seed %d: W off by %.4f, W b by %.4f, loss %v vs exact %v", o, k+1, dw, db, loss, best)
			}
			if o.Optimizer == SGD && (dw > 2*spreadW || db > 2*spreadB+1e-3) {
				t.Fatalf("%+v seed %d: distance to the exact model (W %.4f, W b %.4f) beyond the Monte Carlo spread (%.4f, %.4f)",
					o, k+1, dw, db, spreadW, spreadB)
			}
		}
	}
}

// Training is deterministic for a seed, and FixBias keeps b_t at -a_t mu_0.
func TestTrainDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	x := randomData(r, 10, 3)
	s := randomSchedule(t, r, 3)
	o := TrainOptions{Optimizer: Adam, LR: 0.01, Batch: 7, Steps: 50, Seed: 3, FixBias: true}
	a, err := Train(x, s, o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(x, s, o)
	for i := range a.W {
		if math.Float64bits(a.W[i]) != math.Float64bits(b.W[i]) {
			t.Fatal("same seed, different models")
		}
	}
	mean, _, _ := Moments(x)
	for tt := 1; tt <= s.T; tt++ {
		for j, mu := range mean {
			if a.Bt(tt)[j] != -s.SqrtAlphaBar[tt-1]*mu {
				t.Fatalf("FixBias: b_%d[%d] = %v", tt, j, a.Bt(tt)[j])
			}
		}
	}
	o.Seed = 4
	c, _ := Train(x, s, o)
	if relVec(a.W, c.W) == 0 {
		t.Fatal("different seeds, same model")
	}
}
