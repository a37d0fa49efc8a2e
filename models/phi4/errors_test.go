package phi4

import (
	"math"
	"strings"
	"testing"

	"github.com/flowkern/flowkern/kernels"
)

// Bad parameters and data give an error that names the problem, never a
// panic.
func TestBadInput(t *testing.T) {
	th, _ := New([]int{4}, -1, 0.5)
	hmc := func(f func(*HMCOptions)) func() error {
		return func() error {
			o := HMCOptions{RunOptions: RunOptions{Seed: 1, Chains: 2}, Steps: 5, StepSize: 0.1}
			f(&o)
			_, err := th.HMC(10, o)
			return err
		}
	}
	met := func(f func(*MetropolisOptions)) func() error {
		return func() error {
			o := MetropolisOptions{RunOptions: RunOptions{Seed: 1, Chains: 2}, Delta: 1}
			f(&o)
			_, err := th.Metropolis(10, o)
			return err
		}
	}
	newErr := func(shape []int, m2, lambda float64) func() error {
		return func() error { _, err := New(shape, m2, lambda); return err }
	}
	nan, inf := math.NaN(), math.Inf(1)
	good := batch(2, 4, make([]float64, 8))
	withNaN := batch(4, 4, make([]float64, 16))
	withNaN.Data[9] = nan
	cases := []struct {
		name string
		f    func() error
		want string
	}{
		{"New D=0", newErr(nil, 1, 0), "D = 0 dimensions"},
		{"New D=3", newErr([]int{2, 2, 2}, 1, 0), "D = 3 dimensions"},
		{"New L=0", newErr([]int{4, 0}, 1, 0), "lattice size 0 < 1 in dimension 1"},
		{"New L<0", newErr([]int{-3}, 1, 0), "lattice size -3 < 1"},
		{"New huge", newErr([]int{1 << 11, 1 << 11}, 1, 0), "more than"},
		{"New m2 NaN", newErr([]int{4}, nan, 1), "m2 = NaN is not finite"},
		{"New m2 Inf", newErr([]int{4}, inf, 1), "m2 = +Inf is not finite"},
		{"New lambda NaN", newErr([]int{4}, 1, nan), "lambda = NaN is not finite"},
		{"New lambda<0", newErr([]int{4}, 1, -0.1), "lambda = -0.1 < 0: the action is unbounded below"},
		{"New free m2<=0", newErr([]int{4}, 0, 0), "not normalisable"},
		{"HMC steps 0", hmc(func(o *HMCOptions) { o.Steps = 0 }), "0 leapfrog steps < 1"},
		{"HMC eps 0", hmc(func(o *HMCOptions) { o.StepSize = 0 }), "step size 0 is not positive"},
		{"HMC eps<0", hmc(func(o *HMCOptions) { o.StepSize = -0.1 }), "step size -0.1 is not positive"},
		{"HMC eps NaN", hmc(func(o *HMCOptions) { o.StepSize = nan }), "step size NaN"},
		{"HMC eps Inf", hmc(func(o *HMCOptions) { o.StepSize = inf }), "step size +Inf"},
		{"HMC jitter 1", hmc(func(o *HMCOptions) { o.Jitter = 1 }), "jitter 1 is not in [0, 1)"},
		{"HMC jitter<0", hmc(func(o *HMCOptions) { o.Jitter = -0.5 }), "jitter -0.5"},
		{"HMC diverges", hmc(func(o *HMCOptions) { o.StepSize = 10 }), "all 20 trajectories diverged"},
		{"HMC chains<0", hmc(func(o *HMCOptions) { o.Chains = -1 }), "-1 chains < 0"},
		{"HMC therm<0", hmc(func(o *HMCOptions) { o.Therm = -1 }), "thermalisation -1 < 0"},
		{"HMC thin<0", hmc(func(o *HMCOptions) { o.Thin = -2 }), "thinning -2 < 0"},
		{"HMC start len", hmc(func(o *HMCOptions) { o.Start = []float64{1, 2} }), "len(Start) = 2, want V = 4 or chains x V = 8"},
		{"HMC start NaN", hmc(func(o *HMCOptions) { o.Start = []float64{0, 0, 0, 0, 0, nan, 0, 0} }), "start value 1 of chain 1 is NaN"},
		{"HMC n=0", func() error { _, err := th.HMC(0, HMCOptions{Steps: 1, StepSize: 1}); return err }, "0 samples per chain"},
		{"Metropolis delta 0", met(func(o *MetropolisOptions) { o.Delta = 0 }), "proposal width 0"},
		{"Metropolis delta NaN", met(func(o *MetropolisOptions) { o.Delta = nan }), "proposal width NaN"},
		{"Metropolis delta Inf", met(func(o *MetropolisOptions) { o.Delta = inf }), "proposal width +Inf"},
		{"Metropolis chains<0", met(func(o *MetropolisOptions) { o.Chains = -4 }), "-4 chains"},
		{"Action cols", func() error { return th.Action(make([]float64, 2), batch(2, 3, make([]float64, 6))) }, "phi has 3 columns, the lattice 4 sites"},
		{"Action dst", func() error { return th.Action(make([]float64, 3), good) }, "len(dst) = 3, phi has 2 rows"},
		{"Action short", func() error {
			return th.Action(make([]float64, 2), kernels.Matrix[float64]{Rows: 2, Cols: 4, Stride: 4, Data: make([]float64, 7)})
		}, "len(Data) = 7"},
		{"Force rows", func() error { return th.Force(batch(1, 4, make([]float64, 4)), good) }, "grad has 1 rows, phi 2"},
		{"Force cols", func() error { return th.Force(batch(2, 5, make([]float64, 10)), good) }, "grad has 5 columns"},
		{"Measure chains", func() error { _, err := Measure(batch(4, 4, make([]float64, 16)), 3); return err }, "4 samples do not make 3 chains"},
		{"Measure short chains", func() error { _, err := Measure(good, 2); return err }, "2 samples do not make 2 chains of >= 2"},
		{"Measure NaN", func() error { _, err := Measure(withNaN, 1); return err }, "sample 2, site 1 is NaN"},
		{"TwoPoint cols", func() error { _, err := th.TwoPoint(batch(4, 2, make([]float64, 8)), 1); return err }, "2 columns, the lattice 4 sites"},
		{"TimeSlice NaN", func() error { _, err := th.TimeSlice(withNaN, 2); return err }, "is NaN"},
		{"Gamma empty", func() error { _, err := GammaFunc(nil, 1, nil); return err }, "no observables"},
		{"Gamma ragged", func() error {
			_, err := GammaFunc([][]float64{{1, 2, 3, 4}, {1, 2}}, 1, nil)
			return err
		}, "observable 1 has 2 samples, observable 0 4"},
		{"Gamma Inf", func() error { _, err := Gamma([]float64{1, 2, inf, 4}, 1); return err }, "sample 2 of observable 0 is +Inf"},
		{"Gamma chains 0", func() error { _, err := Gamma([]float64{1, 2, 3, 4}, 0); return err }, "0 chains < 1"},
	}
	for _, c := range cases {
		err := c.f()
		if err == nil {
			t.Errorf("%s: no error, want %q", c.name, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
	}
}

// A partly divergent run is not an error: the divergent trajectories are
// counted and rejected, and the samples stay finite.
func TestPartlyDivergent(t *testing.T) {
	th, _ := New([]int{4, 4}, -2, 2)
	r, err := th.HMC(50, HMCOptions{RunOptions: RunOptions{Seed: 1, Chains: 4}, Steps: 10, StepSize: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("eps = 0.25: %d of %d trajectories divergent, acceptance %.3f", r.Divergent, 200, r.Acceptance())
	if r.Divergent == 0 || r.Divergent == 200 {
		t.Errorf("%d divergent trajectories, want some but not all", r.Divergent)
	}
	for i, x := range r.Samples.Data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("sample value %d is %v", i, x)
		}
	}
}
