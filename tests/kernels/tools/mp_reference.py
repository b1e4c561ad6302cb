#!/usr/bin/env python3
"""Plain mlp recursion of docs/kernels.md §Architecture mlp at 400 significant digits (mpmath), for the depths
where the gap 1 - rho drops below what a binary128 recursion resolves (~1e-24). Prints the
gaps used as constants in high_precision_test.cpp:

    tools/mp_reference.py relu 0.5 1.0 0.5 1.25 10,30,60 [digits]
    (activation, sw2, sb2, input gap, K0 of the row point (the column point has K0 = 1), depths,
    optionally the working precision, default 400; 45 digits run 10^7 layers in ~5 minutes)

Inputs are read as Python floats, i.e. exactly the doubles the sweep starts from.
"""
import sys

from mpmath import acos, asin, mp, mpf, pi, sqrt

mp.dps = 400


def dual(act, q1, q2, c):
    if act == "relu":
        s = sqrt(q1 * q2)
        r = c / s
        if r >= 1:
            return s / 2
        t = acos(r)
        return s * (sqrt((1 - r) * (1 + r)) + (pi - t) * r) / (2 * pi)
    return 2 / pi * asin(2 * c / sqrt((1 + 2 * q1) * (1 + 2 * q2)))


def main():
    if len(sys.argv) > 7:
        mp.dps = int(sys.argv[7])
    act = sys.argv[1]
    sw2, sb2, gap0, k1 = (mpf(float(x)) for x in sys.argv[2:6])
    depths = [int(float(x)) for x in sys.argv[6].split(",")]
    ki, kj = k1, mpf(1)
    qi, qj, c = sw2 * ki + sb2, sw2 * kj + sb2, sw2 * (1 - gap0) * sqrt(ki * kj) + sb2
    for m in range(1, max(depths) + 1):
        qi, qj, c = sw2 * dual(act, qi, qi, qi) + sb2, sw2 * dual(act, qj, qj, qj) + sb2, sw2 * dual(act, qi, qj, c) + sb2
        if m in depths:
            print(m, mp.nstr(1 - c / sqrt(qi * qj), 20))


if __name__ == "__main__":
    main()
