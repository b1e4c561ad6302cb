#!/usr/bin/python3
"""DGEMM GFLOP/s through NumPy (np.dot on float64, i.e. the BLAS Debian's NumPy links), the
comparison for bench_dgemm_peak (same CSV: per wall-clock and per process-CPU second). Run with
OPENBLAS_NUM_THREADS=1 for one core.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/baseline/dgemm_numpy.py [--n 4000] [--reps 3]
"""

import argparse
import time

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (args.n, args.n))
    b = rng.uniform(-1, 1, (args.n, args.n))
    np.dot(a[:64, :64], b[:64, :64])  # BLAS start-up outside the timing, as in the C++ bench
    flops = 2.0 * args.n**3
    times, cpu = [], []
    print("n,repetition,seconds,gflops,cpu_seconds,cpu_gflops")
    for r in range(args.reps):
        c0, t0 = time.process_time(), time.perf_counter()
        np.dot(a, b)
        t, tc = time.perf_counter() - t0, time.process_time() - c0
        times.append(t)
        cpu.append(tc)
        print(f"{args.n},{r + 1},{t:.4f},{flops / t * 1e-9:.2f},{tc:.4f},{flops / tc * 1e-9:.2f}")
    t, tc = float(np.median(times)), float(np.median(cpu))
    print(f"{args.n},median,{t:.4f},{flops / t * 1e-9:.2f},{tc:.4f},{flops / tc * 1e-9:.2f}")


if __name__ == "__main__":
    main()
