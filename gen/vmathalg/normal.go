package vmathalg

import "github.com/flowkern/flowkern/internal/ref"

// BoxMuller is ref.BoxMuller: uniforms v1, v2 in [0, 1) to the normals
// z0 = r cos(2 pi v2), z1 = r sin(2 pi v2), r = sqrt(-2 log(1 - v1)), with
// ref.SinCos2Pi's reduction, polynomials and quadrant rotation. Float64
// only (kernels.Normal draws float64).
var BoxMuller = Kernel{
	Name: "BoxMuller", Ins: []string{"v1", "v2"}, Outs: []string{"z0", "z1"}, Heavy: true,
	Doc: "z0, z1 = ref.BoxMuller(v1, v2)",
	Build: func(b Builder) []V {
		r := b.Sqrt(b.Mul(b.Const(-2), b.Log(b.Sub(b.Const(1), b.In(0)))))
		t := b.Mul(b.Const(4), b.In(1))
		q := b.RoundEven(t)
		f := b.Sub(t, q)
		f2 := b.Mul(f, f)
		sn := b.Mul(f, horner(b, ref.SinP[:], f2))
		cs := horner(b, ref.CosQ[:], f2)
		nsn, ncs := b.Neg(sn), b.Neg(cs)
		// Quadrant q mod 4 (q = 4 is quadrant 0): later selects win.
		c, s := cs, sn
		for k, rot := range [][2]V{{nsn, cs}, {ncs, nsn}, {sn, ncs}} {
			m := b.Eq(q, b.Const(float64(k+1)))
			c, s = b.Select(m, rot[0], c), b.Select(m, rot[1], s)
		}
		return []V{b.Mul(r, c), b.Mul(r, s)}
	},
}
