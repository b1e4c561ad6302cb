"""Inputs for tests/integration/test_bad_inputs.cpp, and the check of the one good run.

usage: make_bad_inputs.py DIR            one small input per bad-input case, plus good_idx/
       make_bad_inputs.py check RESULT   checks the stored inputs of the run on good_idx/
"""
import gzip
import os
import struct
import sys

import h5py
import numpy as np


def good_x(rows, cols=3):
    # Distinct, non-zero, non-parallel rows.
    return np.arange(1, rows * cols + 1, dtype=np.float64).reshape(rows, cols) ** 1.5


def write_h5(path, **datasets):
    with h5py.File(path, "w") as f:
        for name, value in datasets.items():
            f[name] = value


def main(directory):
    os.makedirs(directory, exist_ok=True)
    at = lambda name: os.path.join(directory, name)

    x = good_x(8)
    x[3, 2] = np.nan
    write_h5(at("nan.h5"), x_train=x)

    x = good_x(8)
    x[2, :] = 0.0
    write_h5(at("zero_row.h5"), x_train=x)

    write_h5(at("n_mismatch.h5"), x_train=good_x(8), y_train=np.arange(7, dtype=np.float64))
    write_h5(at("dim_mismatch.h5"), x_train=good_x(8), x_test=good_x(4, cols=5))
    write_h5(at("empty.h5"), x_train=np.zeros((0, 3)))
    write_h5(at("labels.h5"), x_train=good_x(8), y_train=np.array([0, 1, 2, 0, 1, -1, 0, 1], dtype=np.int64))

    write_h5(at("truncated.h5"), x_train=good_x(400, cols=16))
    size = os.path.getsize(at("truncated.h5"))
    with open(at("truncated.h5"), "r+b") as f:
        f.truncate(size // 2)

    os.makedirs(at("idx"), exist_ok=True)
    with open(os.path.join(at("idx"), "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">I", 0x12345678) + bytes(64))
    with open(os.path.join(at("idx"), "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x00000801, 4) + bytes([0, 1, 0, 1]))

    os.makedirs(at("cifar_size"), exist_ok=True)
    with open(os.path.join(at("cifar_size"), "data_batch_1.bin"), "wb") as f:
        f.write(bytes(2 * 3073 + 5))

    os.makedirs(at("cifar_label"), exist_ok=True)
    records = bytearray()
    for i, label in enumerate([0, 1, 12, 3]):
        records += bytes([label]) + bytes((i * 7 + k) % 256 for k in range(3072))
    with open(os.path.join(at("cifar_label"), "data_batch_1.bin"), "wb") as f:
        f.write(records)

    # Issue 10: targets validated like inputs; links, filters, unwritten rows; huge IDX claims.
    y = np.arange(16, dtype=np.float64).reshape(8, 2)
    y[5, 1] = np.nan
    write_h5(at("nan_y.h5"), x_train=good_x(8), y_train=y)
    yt = np.arange(4, dtype=np.float64)
    yt[2] = np.inf
    write_h5(at("inf_y_test.h5"), x_train=good_x(8), y_train=np.arange(8.0), x_test=good_x(4), y_test=yt)
    with h5py.File(at("soft_link.h5"), "w") as f:
        f["x_train"] = h5py.SoftLink("/missing")
    with h5py.File(at("external_link.h5"), "w") as f:
        f["x_train"] = h5py.ExternalLink("no_such_file.h5", "/x")
    with h5py.File(at("lzf.h5"), "w") as f:
        f.create_dataset("x_train", data=good_x(8), compression="lzf")
    with h5py.File(at("sparse.h5"), "w") as f:
        f.create_dataset("x_train", shape=(2**31, 3), dtype="f8")
    write_h5(at("all_rows.h5"), x_train=good_x(12), x_test=good_x(5))
    for name, opener in (("idx_huge", open), ("idx_huge_gz", gzip.open)):
        os.makedirs(at(name), exist_ok=True)
        suffix = ".gz" if name.endswith("gz") else ""
        with opener(os.path.join(at(name), "train-images-idx3-ubyte" + suffix), "wb") as f:
            f.write(struct.pack(">IIII", 0x00000803, 4294967295, 28, 28) + bytes(1000))
        with opener(os.path.join(at(name), "train-labels-idx1-ubyte" + suffix), "wb") as f:
            f.write(struct.pack(">II", 0x00000801, 4294967295) + bytes(1000))
    os.makedirs(at("idx_overflow"), exist_ok=True)
    with open(os.path.join(at("idx_overflow"), "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIIII", 0x00000E04, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(64))
    with open(os.path.join(at("idx_overflow"), "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x00000801, 4) + bytes([0, 1, 0, 1]))

    # A good gzipped IDX set: 12 train images of 2 x 3 pixels (labels 0, 1, 2, four each), 6 test.
    os.makedirs(at("good_idx"), exist_ok=True)
    for prefix, n in (("train", 12), ("t10k", 6)):
        pixels = bytes((17 * i + 5 * k + 3) % 256 for i in range(n) for k in range(6))
        labels = bytes(i % 3 for i in range(n))
        with gzip.open(os.path.join(at("good_idx"), prefix + "-images-idx3-ubyte.gz"), "wb") as f:
            f.write(struct.pack(">IIII", 0x00000803, n, 2, 3) + pixels)
        with gzip.open(os.path.join(at("good_idx"), prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
            f.write(struct.pack(">II", 0x00000801, n) + labels)


def check(result):
    """The run used 6 train (2 per class) and 3 test points, preprocessing center, sphere."""
    with h5py.File(result, "r") as f:
        data = f["data"]
        assert data.attrs["source"] == "idx", dict(data.attrs)
        assert data.attrs["subset"].startswith("class-balanced, seed "), dict(data.attrs)
        assert data.attrs["preprocessing"] == "center,sphere", dict(data.attrs)
        assert data.attrs["classes"] == 3
        train_index = data["train_index"][:]
        assert list(train_index) == sorted(set(train_index)) and len(train_index) == 6, train_index
        assert list(data["train_labels"][:]) == [i % 3 for i in train_index]
        assert sorted(np.bincount(data["train_labels"][:])) == [2, 2, 2]
        assert list(data["test_labels"][:]) == [i % 3 for i in data["test_index"][:]]
        # Reference preprocessing from the raw pixels of the chosen rows.
        raw = np.array([[(17 * i + 5 * k + 3) % 256 for k in range(6)] for i in train_index]) / 255.0
        centered = raw - raw.mean(axis=0)
        expected = centered / np.linalg.norm(centered, axis=1, keepdims=True)
        assert np.abs(data["x_train"][:] - expected).max() < 1e-14
        y = f["targets/y_train"][:]
        assert y.shape == (6, 3) and np.all(np.argmax(y, axis=1) == data["train_labels"][:])
        assert "idx: 6 train + 3 test points (class-balanced" in f.attrs["dataset"], f.attrs["dataset"]


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        main(sys.argv[1])
