#!/usr/bin/env python3
"""Read a deepntk result file with h5py and use each part of it (docs/output-format.md).

    python3 examples/read_result.py RESULT.h5 [KIND]

KIND is nngp or ntk (default: the first kind in the file). Prints one `name: value` line per
figure, so that the output is easy to read and to check.
"""
import sys

import h5py
import numpy as np


def text(value):
    """String attributes come back as str (or bytes from older h5py)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def main(path, kind=None):
    with h5py.File(path, "r") as f:
        # Provenance: what was run, on what data.
        print("version:", text(f.attrs["version"]))
        print("data source:", text(f["data"].attrs["source"]))
        print("data preprocessing:", text(f["data"].attrs["preprocessing"]))
        x_train = f["data/x_train"]
        print("n_train:", x_train.shape[0], "dim:", x_train.shape[1])
        n_test = f["data/x_test"].shape[0] if "data/x_test" in f else 0
        print("n_test:", n_test)

        depths = f["depths"][:]
        print("depths:", " ".join(str(L) for L in depths))
        kind = kind or next(iter(f["kernels"]))
        print("kind:", kind)

        for L in depths:
            g = f[f"kernels/{kind}/{L}"]
            scale = np.exp(g.attrs["log_scale"])  # stored value x exp(log_scale) = true value
            diag = g["train_diag"][:]
            print(f"L={L} mean K(x,x): {np.mean(diag * scale):.17g}")
            # The n x n matrices are optional per depth (output.kernels): use them where stored.
            if "train" in g:
                K = g["train"][:] * scale
                normalized = g["train"][:] / np.sqrt(np.outer(diag, diag))  # scale-free
                print(f"L={L} K[0,1]: {K[0, 1]:.17g} normalized K[0,1]: {normalized[0, 1]:.17g}")
            # Spectrum summary: attributes in stored units, like the eigenvalues.
            if f"spectrum/{kind}/{L}" in f:
                s = f[f"spectrum/{kind}/{L}"]
                lam = s["eigenvalues"][:] * np.exp(s["eigenvalues"].attrs["log_scale"])
                print(f"L={L} lambda_max: {s.attrs['lambda_max'] * np.exp(s.attrs['log_scale']):.17g}"
                      f" largest eigenvalue: {lam[-1]:.17g} method: {text(s.attrs['method'])}")
                if "condition_number" in s.attrs:
                    print(f"L={L} condition_number: {s.attrs['condition_number']:.17g}")

        # Kernel regression at the deepest depth: predictions and test metrics per ridge value.
        deepest = depths[-1]
        if f"regression/{kind}/{deepest}/lambdas" in f:
            r = f[f"regression/{kind}/{deepest}"]
            for lam, mse in zip(r["lambdas"][:], r["mse"][:]):
                print(f"ridge {lam:g} ({text(r.attrs['ridge_scale'])}) test MSE: {mse:.17g}")
            predictions = r["predictions"][0]  # (m, k) at the first ridge value
            print(f"prediction[0,0] at the first ridge: {predictions[0, 0]:.17g}")
            if "accuracy" in r:
                print(f"accuracy at the first ridge: {r['accuracy'][0]:.17g}")
            print("solver methods:", text(r["solver"].attrs["method"]))

        # Diagnostics: one row per recorded depth, one column per dataset.
        if f"diagnostics/{kind}" in f:
            table = f[f"diagnostics/{kind}"]
            for row, L in enumerate(table["depth"][:]):
                print(f"L={L} offdiag_mean: {table['offdiag_mean'][row]:.17g}")

        # Where the time went (rank 0).
        t = f["timing/seconds"]
        for name, seconds in zip(text(t.attrs["phases"]).split(","), t[:]):
            print(f"time {name}: {seconds:.6g} s")
        print(f"time total: {t.attrs['total']:.6g} s")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
