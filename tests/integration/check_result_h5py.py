"""Reads a `deepntk run` result the way users do (h5py) and checks the layout is not
transposed: the test x train kernel at depth 1 is recomputed here from the stored inputs
and compared entry by entry as K[i, j]. Exits non-zero on any mismatch."""
import sys

import h5py
import numpy as np

SW2, SB2 = 2.0, 0.1  # tests/integration/small.toml


def depth_one(x, y):
    d = x.shape[1]
    q1 = SW2 * np.sum(x * x, axis=1) / d + SB2
    q2 = SW2 * np.sum(y * y, axis=1) / d + SB2
    c = SW2 * (x @ y.T) / d + SB2
    norm = np.sqrt(np.outer(q1, q2))
    theta = np.arccos(np.clip(c / norm, -1.0, 1.0))
    a = norm * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    nngp = SW2 * a + SB2
    ntk = nngp + SW2 * (np.pi - theta) / (2 * np.pi) * c
    return nngp, ntk


def main(path):
    with h5py.File(path, "r") as f:
        assert list(f["depths"][:]) == [1, 2, 7, 30], f["depths"][:]
        x_train = f["data/x_train"][:]
        x_test = f["data/x_test"][:]
        assert x_train.shape == (97, 16) and x_test.shape == (23, 16)
        nngp, ntk = depth_one(x_test, x_train)
        for kind, expected in (("nngp", nngp), ("ntk", ntk)):
            k = f[f"kernels/{kind}/1/test"][:]
            assert k.shape == (23, 97), k.shape
            error = np.max(np.abs(k - expected) / np.abs(expected))
            # numpy's arccos in double loses digits near rho = 1; 1e-9 still rejects any transposition
            assert error < 1e-9, (kind, error)
            train = f[f"kernels/{kind}/30/train"][:]
            assert np.array_equal(train, train.T)
            lam = f[f"spectrum/{kind}/30/eigenvalues"][:]
            assert np.all(np.diff(lam) >= 0)
            assert np.allclose(lam, np.linalg.eigvalsh(train), rtol=0, atol=1e-10 * abs(lam[-1]))
        assert f.attrs["ranks"] == 2 and f.attrs["grid"] in ("1x2", b"1x2"), dict(f.attrs)
    print("h5py layout check passed:", path)


if __name__ == "__main__":
    main(sys.argv[1])
