package ref

// The batched matrix-vector kernels. Matrices are row-major: element (r, c)
// of a matrix with leading dimension ld is s[r*ld+c].
//
// MatVecs computes each output as a dot product over the input index in
// MatVecLanes lanes (one 512-bit register: 8 float64, 16 float32), so that a
// register-blocked kernel loads a chunk of a W row and of an X row once for
// many outputs, and a single vector (a batch of one) takes the same order:
// Y[b] depends on X[b] and W only, never on the batch size or on which rows
// share a call.
//
// MatTVecs and AddOuters are sums of outer products: the outputs lie along
// a contiguous row (vector lanes in the kernels), and each output is one
// sequential chain of fused multiply-adds over the reduction index; many
// independent outputs hide the FMA latency.

// MatVecLanes is the number of partial sums of each MatVecs output: 8 for
// float64, 16 for float32.
func MatVecLanes[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 16
	}
	return 8
}

// MatVecs sets y[b*ldy+i] = sum_j w[i*ldw+j] * x[b*ldx+j] (+ bias[i]) for
// b < batch, i < m, j < n, in the canonical order:
//
//   - L = MatVecLanes partial sums, each starting at +0; element j goes to
//     lane j%L as lane = fma(w[i][j], x[b][j], lane), j increasing;
//   - the lanes are combined by halving (lane[k] += lane[k+h] for
//     h = L/2, ..., 1), giving s = lane[0];
//   - with a bias (len(bias) > 0), y = s + bias[i], one rounding; without,
//     y = s exactly (so an empty row gives +0).
func MatVecs[T Float](y []T, ldy int, w []T, ldw int, x []T, ldx int, bias []T, m, n, batch int) {
	acc := make([]T, MatVecLanes[T]())
	for b := 0; b < batch; b++ {
		for i := 0; i < m; i++ {
			clear(acc)
			for j := 0; j < n; j++ {
				k := j % len(acc)
				acc[k] = FMA(w[i*ldw+j], x[b*ldx+j], acc[k])
			}
			s := reduce(acc)
			if len(bias) > 0 {
				s += bias[i]
			}
			y[b*ldy+i] = s
		}
	}
}

// MatTVecs sets y[b*ldy+j] = sum_i w[i*ldw+j] * x[b*ldx+i] for b < batch,
// j < n, i < m, in the canonical order: y starts at +0, then
// y = fma(w[i][j], x[b][i], y) for i = 0, 1, ..., m-1.
func MatTVecs[T Float](y []T, ldy int, w []T, ldw int, x []T, ldx int, m, n, batch int) {
	for b := 0; b < batch; b++ {
		for j := 0; j < n; j++ {
			var s T
			for i := 0; i < m; i++ {
				s = FMA(w[i*ldw+j], x[b*ldx+i], s)
			}
			y[b*ldy+j] = s
		}
	}
}

// AddOuters adds sum_b d[b][i] * x[b][j] to g[i*ldg+j] for i < m, j < n and
// sum_b d[b][i] to gb[i] (when len(gb) > 0), in the canonical order: for
// b = 0, 1, ..., batch-1, g[i][j] = fma(d[b*ldd+i], x[b*ldx+j], g[i][j]) and
// gb[i] = gb[i] + d[b*ldd+i].
func AddOuters[T Float](g []T, ldg int, gb []T, d []T, ldd int, x []T, ldx int, m, n, batch int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := g[i*ldg+j]
			for b := 0; b < batch; b++ {
				s = FMA(d[b*ldd+i], x[b*ldx+j], s)
			}
			g[i*ldg+j] = s
		}
		if len(gb) > 0 {
			s := gb[i]
			for b := 0; b < batch; b++ {
				s += d[b*ldd+i]
			}
			gb[i] = s
		}
	}
}
