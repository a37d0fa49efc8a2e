#!/usr/bin/env python3
"""Independent check of the vector math's worst errors, with mpmath.

Reads the "search FUNC PRECISION x f(x) ulps" lines that
FLOWKERN_VMATH_SEARCH=N go test -v -run TestVmathMaxErrorSearch ./kernels
prints (from a file or stdin), evaluates each function exactly (mpmath, 300
bits), and prints the error of f(x) in ulps of the exact result beside the
Go test's own measure (a double-double reference). The ulp of a result y is
2^(e-52) for float64 (2^(e-23) for float32) with 2^e <= |y| < 2^(e+1),
and the subnormal spacing below the smallest normal.
"""
import sys

import mpmath

mpmath.mp.prec = 300
F = {
    "Exp": mpmath.exp,
    "Log": mpmath.log,
    "Expm1": mpmath.expm1,
    "Log1p": mpmath.log1p,
    "Tanh": mpmath.tanh,
    "Sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "Softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "Atan": mpmath.atan,
}


def ulp(v, single):
    mant, emin = (23, -126) if single else (52, -1022)
    if v == 0:
        return mpmath.ldexp(1, emin - mant)
    e = int(mpmath.floor(mpmath.log(abs(v), 2)))
    # log2 may land one off at powers of two: fix by comparison.
    while mpmath.ldexp(1, e) > abs(v):
        e -= 1
    while mpmath.ldexp(1, e + 1) <= abs(v):
        e += 1
    return mpmath.ldexp(1, max(e, emin) - mant)


def main():
    worst = {}
    for line in (open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin):
        f = line.split()
        if len(f) != 6 or f[0] != "search":
            continue
        # float() first: the decimals are the shortest that round-trip, not exact.
        name, prec, x, y, theirs = f[1], f[2], mpmath.mpf(float(f[3])), mpmath.mpf(float(f[4])), float(f[5])
        exact = F[name](x)
        err = float(abs(y - exact) / ulp(exact, prec == "float32"))
        print(f"{name:8} {prec} x = {f[3]:>24}  mpmath {err:.4f} ulp  (go: {theirs:.4f})")
        key = (name, prec)
        if key not in worst or err > worst[key][0]:
            worst[key] = (err, f[3])
    print()
    for (name, prec), (err, x) in sorted(worst.items()):
        print(f"max {name} {prec}: {err:.4f} ulp at x = {x}")


if __name__ == "__main__":
    main()
