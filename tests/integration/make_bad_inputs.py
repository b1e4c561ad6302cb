"""Writes one small input per bad-input case of tests/integration/test_bad_inputs.cpp into DIR.

usage: make_bad_inputs.py DIR
"""
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


if __name__ == "__main__":
    main(sys.argv[1])
