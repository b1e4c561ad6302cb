#!/usr/bin/python3
"""Depth-sweep throughput written the way a NumPy user would write it: the recursion of
docs/kernels.md carrying the covariance, vectorized over all pairs, with arccos (ReLU) and
arcsin (erf) as existing NTK libraries do. The baseline for bench_sweep_throughput.

Same cases, same block (the n(n+1)/2 pairs of the lower triangle of the train Gram of n points
uniform on S^(dim-1)), same CSV on stdout, medians over the repetitions:
    case,n,depth,pairs,seconds,pair_layer_updates_per_second,cpu_seconds,pair_layer_updates_per_cpu_second
(wall-clock and process CPU time; they differ when other processes hold the cores).
A pair-layer update is one evaluation of the dual activation (A and A') for one pair, so a
depth-L network costs L per pair in every architecture, as in the C++ benchmark.

This is deliberately the plain formulation: it carries rho implicitly (c / sqrt(q q')) and so
loses the digits of 1 - rho that the C++ sweep keeps (docs/kernels.md, "Accuracy
requirements"); it is a speed reference, not a correctness reference. No overflow handling
either, which is fine for the depths it is run at (ReLU resnet with constant alpha = 0.5 grows
like 1.25^L and overflows past L ~ 3000).

Run with Debian's interpreter (the pyenv python3 on PATH has no NumPy) and one BLAS thread:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/baseline/sweep_numpy.py --depth 20
"""

import argparse
import math
import sys
import time

import numpy as np

CASES = {
    # name: (architecture, activation, residual rule)
    "mlp-relu": ("mlp", "relu", None),
    "mlp-erf": ("mlp", "erf", None),
    "resnet-const-relu": ("resnet", "relu", "constant"),
    "resnet-const-erf": ("resnet", "erf", "constant"),
    "resnet-invsqrt-relu": ("resnet", "relu", "invsqrt"),
    "resnet-invsqrt-erf": ("resnet", "erf", "invsqrt"),
    "shortcut1-relu": ("shortcut", "relu", None),
    "shortcut1-erf": ("shortcut", "erf", None),
}


def relu_dual(q, c, rows, cols):
    """A and A' of ReLU for pairs (c) and points (q), as in the arc-cosine kernel."""
    s = np.sqrt(q)
    prod = s[rows] * s[cols]
    cos = np.clip(c / prod, -1.0, 1.0)
    theta = np.arccos(cos)
    a = prod * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
    ad = (np.pi - theta) / (2 * np.pi)
    # Diagonal: theta = 0.
    return a, ad, q / 2, np.full_like(q, 0.5)


def erf_dual(q, c, rows, cols):
    """A and A' of erf (Williams 1997)."""
    s = np.sqrt(1 + 2 * q)
    prod = s[rows] * s[cols]
    a = (2 / np.pi) * np.arcsin(2 * c / prod)
    ad = (4 / np.pi) / np.sqrt(prod * prod - 4 * c * c)
    return a, ad, (2 / np.pi) * np.arcsin(2 * q / (1 + 2 * q)), (4 / np.pi) / np.sqrt(1 + 4 * q)


def sweep(arch, dual, alpha2, depth, k0_pairs, k0_diag, rows, cols, sw2=2.0, sb2=0.0):
    """NNGP and NTK of every pair (and point) at depth `depth`."""
    sig, q = sw2 * k0_pairs + sb2, sw2 * k0_diag + sb2
    theta, tq = sig.copy(), q.copy()
    if arch == "resnet":
        for _ in range(depth):
            a, ad, aq, adq = dual(q, sig, rows, cols)
            b, bq = sw2 * a + sb2, sw2 * aq + sb2
            theta = theta * (1 + alpha2 * sw2 * ad) + alpha2 * b
            tq = tq * (1 + alpha2 * sw2 * adq) + alpha2 * bq
            sig, q = sig + alpha2 * b, q + alpha2 * bq
        nngp, nngp_q = sw2 * sig + sb2, sw2 * q + sb2
        return nngp, nngp + sw2 * theta, nngp_q, nngp_q + sw2 * tq
    # mlp, and shortcut h = 1 (a head on every layer of an mlp trunk): layer l's dual gives
    # both Sigma_{l+1} and the read-out of layer l, so depth L costs L dual evaluations.
    head_nngp = head_ntk = head_q = head_tq = 0.0
    for _ in range(depth):
        a, ad, aq, adq = dual(q, sig, rows, cols)
        new_sig, new_q = sw2 * a + sb2, sw2 * aq + sb2
        theta, tq = new_sig + sw2 * ad * theta, new_q + sw2 * adq * tq
        sig, q = new_sig, new_q
        if arch == "shortcut":
            head_nngp, head_ntk = head_nngp + sig, head_ntk + theta
            head_q, head_tq = head_q + q, head_tq + tq
    if arch == "shortcut":
        return head_nngp / depth, head_ntk / depth, head_q / depth, head_tq / depth
    return sig, theta, q, tq


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=4096)
    p.add_argument("--depth", type=lambda s: int(float(s)), default=1000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--cases", default="all", help="all or a comma-separated list of " + " ".join(CASES))
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--alpha", type=float, default=0.5, help="constant resnet branch scale")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    names = list(CASES) if args.cases == "all" else args.cases.split(",")
    for name in names:
        if name not in CASES:
            p.error(f"unknown case {name!r}; cases: {' '.join(CASES)}")

    n = args.n
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((n, args.dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    gram = x @ x.T / args.dim
    rows, cols = np.tril_indices(n)  # row >= col, the pairs the C++ sweep computes
    k0_pairs, k0_diag = gram[rows, cols], np.diag(gram).copy()
    del gram
    pairs = rows.size

    print("case,n,depth,pairs,seconds,pair_layer_updates_per_second,cpu_seconds,pair_layer_updates_per_cpu_second",
          flush=True)
    for name in names:
        arch, act, rule = CASES[name]
        dual = relu_dual if act == "relu" else erf_dual
        alpha2 = 1.0 / args.depth if rule == "invsqrt" else args.alpha**2
        times, cpu_times = [], []
        for r in range(args.reps):
            c0, t0 = time.process_time(), time.perf_counter()
            nngp, ntk, nngp_q, ntk_q = sweep(arch, dual, alpha2, args.depth, k0_pairs, k0_diag, rows, cols)
            t, cpu = time.perf_counter() - t0, time.process_time() - c0
            times.append(t)
            cpu_times.append(cpu)
            # Pair (1, 0) is packed entry 1.
            # CPU time (user + system: page faults of the fresh temporaries count) next to the
            # wall time shows how much of a slow repetition was spent waiting for a core.
            print(f"{name} rep {r + 1}: {t:.3f} s wall, {cpu:.3f} s cpu, pair(1,0): nngp_gap "
                  f"{1 - nngp[1] / math.sqrt(nngp_q[1] * nngp_q[0]):.6e} "
                  f"ntk_norm {ntk[1] / math.sqrt(ntk_q[1] * ntk_q[0]):.12f}", file=sys.stderr)
        t, tc = float(np.median(times)), float(np.median(cpu_times))
        updates = pairs * args.depth
        print(f"{name},{n},{args.depth},{pairs},{t:.4f},{updates / t:.4e},{tc:.4f},{updates / tc:.4e}", flush=True)


if __name__ == "__main__":
    main()
