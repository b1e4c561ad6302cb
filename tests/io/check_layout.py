#!/usr/bin/env python3
"""Checks that a file written by deepntk reads in h5py the way users expect.

Usage: check_layout.py FILE   (the fixture written by io.cross_rank's write_fixture)

A ScaLAPACK local array is column-major; written naively, h5py would see the transpose.
Every entry (i, j) of the test matrices is i * 1000 + j + 0.5, so one comparison of the whole
array catches a transposed or shuffled layout. Attributes must come back as native Python /
NumPy types (str, not bytes).
"""
import sys

import h5py
import numpy as np


def expected(rows, cols):
    i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    return i * 1000.0 + j + 0.5


def main(path):
    failures = []

    def check(condition, what):
        if not condition:
            failures.append(what)

    with h5py.File(path, "r") as f:
        for name, shape in (("/kernels/ntk/10/train", (13, 10)), ("/square", (12, 12))):
            k = f[name]
            check(k.shape == shape, f"{name}: shape {k.shape}, expected {shape}")
            check(k.dtype == np.float64, f"{name}: dtype {k.dtype}, expected float64")
            if k.shape == shape:
                data = k[...]
                bad = np.argwhere(data != expected(*shape))
                check(bad.size == 0,
                      f"{name}: {len(bad)} entries differ from i*1000+j+0.5, first at {bad[:1].tolist()}"
                      f" = {data[tuple(bad[0])] if bad.size else None}")
                check(data[3, 7] == 3007.5, f"{name}: K[3, 7] = {data[3, 7]}, expected 3007.5 (transposed?)")
        check(list(f["/depths"][...]) == [1, 2, 5, 10], f"/depths: {f['/depths'][...]}")
        check(f["/depths"].dtype == np.int64, f"/depths dtype {f['/depths'].dtype}")
        a = f.attrs
        check(isinstance(a["version"], str) and a["version"] == "0.1.0", f"version attribute {a['version']!r}")
        check(int(a["ranks"]) == 4 and a["ranks"].dtype == np.int64, f"ranks attribute {a['ranks']!r}")
        check(float(a["sigma_w"]) == 1.5, f"sigma_w attribute {a['sigma_w']!r}")
        check(list(a["grid"]) == [2, 2], f"grid attribute {a['grid']!r}")
        check(list(a["weights"]) == [0.25, -4.0], f"weights attribute {a['weights']!r}")

    for failure in failures:
        print("FAIL:", failure)
    if failures:
        return 1
    print(f"{path}: layout OK (K[i, j] = i*1000 + j + 0.5, attributes native)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
