package kernels

import (
	"fmt"
	"math"

	"github.com/flowkern/flowkern/internal/cpu"
	"github.com/flowkern/flowkern/internal/fma"
	"github.com/flowkern/flowkern/internal/ref"
)

// AdamCoef holds the coefficients of one Adam or AdamW step, in float64;
// Adam rounds each to T once per call. NewAdamCoef fills them from the
// usual hyperparameters.
type AdamCoef struct {
	B1, A1 float64 // beta1 and 1 - beta1
	B2, A2 float64 // beta2 and 1 - beta2
	Step   float64 // lr / (1 - beta1^t)
	IC2    float64 // 1 / (1 - beta2^t)
	Eps    float64 // added to the root of the corrected second moment
	Keep   float64 // 1 - lr*weightDecay (decoupled weight decay; 1 for Adam)
}

// NewAdamCoef returns the coefficients of step t (1-based) of AdamW with
// learning rate lr, moment decays b1 and b2, epsilon eps and decoupled
// weight decay wd (0: plain Adam). beta^t is computed by t rounded float64
// multiplications from 1 (beta, beta*beta, ...: the running product a
// trainer keeps), not by math.Pow, so it costs t multiplications; then
// Step = lr/(1-b1^t), IC2 = 1/(1-b2^t), Keep = 1 - lr*wd, A1 = 1-b1,
// A2 = 1-b2, each operation rounded in float64. It panics if t < 1.
func NewAdamCoef(lr, b1, b2, eps, wd float64, t int) AdamCoef {
	if t < 1 {
		panic(fmt.Sprintf("kernels: NewAdamCoef: step t = %d, want t >= 1", t))
	}
	b1t, b2t := 1.0, 1.0
	for range t {
		b1t = float64(b1t * b1)
		b2t = float64(b2t * b2)
	}
	return AdamCoef{
		B1: b1, A1: 1 - b1, B2: b2, A2: 1 - b2,
		Step: lr / (1 - b1t), IC2: 1 / (1 - b2t), Eps: eps,
		Keep: 1 - float64(lr*wd),
	}
}

// Adam applies one Adam/AdamW step with gradient g to the parameters p and
// the moments m and v, for every i:
//
//	m[i] = fma(a1, g[i], T(b1*m[i]))
//	v[i] = fma(a2, T(g[i]*g[i]), T(b2*v[i]))
//	den  = sqrt(T(v[i]*ic2)) + eps
//	upd  = T(step*m[i]) / den
//	p[i] = fma(p[i], keep, -upd)
//
// where b1, a1, b2, a2, step, ic2, eps, keep are c's fields rounded to T
// once per call. This is the canonical order: all arithmetic in T, each
// operation rounded once (T(x*y) is the rounded product, fma rounds once,
// the square root and the division are correctly rounded), the same bits on
// every tier. NaN and Inf propagate as IEEE arithmetic says (no element is
// skipped or clamped); subnormals are computed, not flushed.
//
// Error: with M = a1 g + b1 m, V = a2 g^2 + b2 v, D = sqrt(V ic2) + eps
// and P = p keep - step M / D evaluated exactly from the same inputs and
// the rounded coefficients, and u = 2^-53 (float64) or 2^-24 (float32),
// for v >= 0, eps >= 0, ic2 > 0 and no overflow or underflow, to first
// order in u:
//
//	|m' - M| <= 2u (|a1 g| + |b1 m|),  |v' - V| <= 2u (a2 g^2 + b2 v),
//	|p' - P| <= u |P| + 8u |step| (|a1 g| + |b1 m|) / D.
//
// It panics if the lengths of p, g, m, v differ, or if any two of them
// share an element (the four are read and written element by element, so
// no overlap is allowed, not even the same slice).
func Adam[T Float](p, g, m, v []T, c AdamCoef) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("kernels: Adam: len(p) = %d, len(g) = %d, len(m) = %d, len(v) = %d differ", len(p), len(g), len(m), len(v)))
	}
	checkVecs("Adam", "p", p, "g", g, false)
	checkVecs("Adam", "p", p, "m", m, false)
	checkVecs("Adam", "p", p, "v", v, false)
	checkVecs("Adam", "m", m, "g", g, false)
	checkVecs("Adam", "m", m, "v", v, false)
	checkVecs("Adam", "v", v, "g", g, false)
	adamOn(active, p, g, m, v, c)
}

// adamCoefs rounds c to T.
func adamCoefs[T Float](c AdamCoef) ref.AdamCoefs[T] {
	return ref.AdamCoefs[T]{B1: T(c.B1), A1: T(c.A1), B2: T(c.B2), A2: T(c.A2),
		Step: T(c.Step), IC2: T(c.IC2), Eps: T(c.Eps), Keep: T(c.Keep)}
}

func adamOn[T Float](t cpu.Tier, p, g, m, v []T, c AdamCoef) {
	k := adamCoefs[T](c)
	for len(p) > 0 {
		n := min(len(p), chunk)
		if is64[T]() {
			adamF64(t, f64(p[:n]), f64(g[:n]), f64(m[:n]), f64(v[:n]),
				float64(k.B1), float64(k.A1), float64(k.B2), float64(k.A2), float64(k.Step), float64(k.IC2), float64(k.Eps), float64(k.Keep))
		} else {
			adamF32(t, f32(p[:n]), f32(g[:n]), f32(m[:n]), f32(v[:n]),
				float32(k.B1), float32(k.A1), float32(k.B2), float32(k.A2), float32(k.Step), float32(k.IC2), float32(k.Eps), float32(k.Keep))
		}
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
	}
}

// adamGo64 and adamGo32 are the pure-Go tier of Adam: internal/ref.Adam
// spelled per precision (a generic fma is not inlined). Every product is
// converted explicitly, so the compiler cannot fuse it into an addition.
func adamGo64(w, g, m, v []float64, b1, a1, b2, a2, step, ic2, eps, keep float64) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := math.FMA(a1, gi, float64(b1*m[i]))
		vi := math.FMA(a2, float64(gi*gi), float64(b2*v[i]))
		m[i], v[i] = mi, vi
		den := float64(math.Sqrt(float64(vi*ic2)) + eps)
		upd := float64(float64(step*mi) / den)
		w[i] = math.FMA(w[i], keep, -upd)
	}
}

func adamGo32(w, g, m, v []float32, b1, a1, b2, a2, step, ic2, eps, keep float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := fma.F32(a1, gi, float32(b1*m[i]))
		vi := fma.F32(a2, float32(gi*gi), float32(b2*v[i]))
		m[i], v[i] = mi, vi
		den := float32(float32(math.Sqrt(float64(float32(vi*ic2)))) + eps)
		upd := float32(float32(step*mi) / den)
		w[i] = fma.F32(w[i], keep, -upd)
	}
}
