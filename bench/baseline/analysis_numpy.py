#!/usr/bin/python3
"""The analysis deepntk does per depth and kernel, done the NumPy/SciPy way on the kernels a
deepntk result file holds: all eigenpairs (scipy.linalg.eigh, driver "evd" = LAPACK DSYEVD, the
serial counterpart of PDSYEVD), the residual ||K V - V L|| / ||K||, and the ridge path
Kt V diag(1 / (w + lambda)) V^T Y for every lambda of the file. Run with the BLAS threads you
want to compare with (OPENBLAS_NUM_THREADS=2 for the 2 ranks of the deepntk run).

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/baseline/analysis_numpy.py RESULT.h5 [--kind ntk]

CSV on stdout: kind, depth, eigh_seconds, residual_seconds, ridge_seconds, total_seconds.
"""

import argparse
import time

import h5py
import numpy as np
import scipy.linalg


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("result")
    p.add_argument("--kind", default="ntk")
    args = p.parse_args()
    print("kind,depth,eigh_seconds,residual_seconds,ridge_seconds,total_seconds")
    with h5py.File(args.result, "r") as f:
        y = f["targets/y_train"][:]
        for depth in f["depths"][:]:
            g = f[f"kernels/{args.kind}/{depth}"]
            k, kt = g["train"][:], g["test"][:]
            lambdas = f[f"regression/{args.kind}/{depth}/lambdas_stored"][:]
            t0 = time.perf_counter()
            w, v = scipy.linalg.eigh(k, driver="evd", check_finite=False)
            t1 = time.perf_counter()
            residual = np.linalg.norm(k @ v - v * w) / np.linalg.norm(k)
            t2 = time.perf_counter()
            z = v.T @ y
            floor = k.shape[0] * np.finfo(float).eps * max(w[-1], 0.0)
            for lam in lambdas:
                g_of_w = np.where(w > floor, 1.0 / (np.maximum(w, 0.0) + lam), 0.0)
                _ = kt @ (v @ (g_of_w[:, None] * z))
            t3 = time.perf_counter()
            assert residual < 1e-12, residual
            print(f"{args.kind},{depth},{t1 - t0:.3f},{t2 - t1:.3f},{t3 - t2:.3f},{t3 - t0:.3f}", flush=True)


if __name__ == "__main__":
    main()
