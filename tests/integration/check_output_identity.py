#!/usr/bin/python3
"""The result never replaces a file the run reads, nor lands in a checkpoint directory
(issue 10, item 1), through `deepntk run` at 2 ranks.

Usage: check_output_identity.py MPIEXEC DEEPNTK SCRATCH

`--output` equal to data.path with --force used to replace the user's input with the result,
exit 0. Each case below must exit 1 with one `deepntk: error` line naming the clash, with and
without --force, leave every input byte-for-byte as it was and write nothing (no temporary, no
checkpoint directory):
  * data.source = hdf5: --output is data.path, spelled the same, as `./sub/../in.h5`, through a
    symlink, through a hard link;
  * data.source = idx (a directory of MNIST-format files): --output is its images file by name
    (the standard train-images-idx3-ubyte), a symlink to its labels file, a hard link of its
    gzipped test images file, and a file named by data.x_train;
  * data.source = cifar10: --output is data_batch_1.bin, a symlink to test_batch.bin, a hard
    link of data_batch_2.bin, and a batch named in data.x_train;
  * --output is the configuration file, a symlink to it, a hard link of it;
  * --output is inside another run's checkpoint directory (one holding state.h5), and is this
    run's checkpoint.path;
and a run of each source with an ordinary --output next to its input still succeeds.
"""
import gzip
import hashlib
import os
import shutil
import struct
import sys

import h5py
import numpy as np

from integration_support import arguments, expect_refusal, fail, run_timed

CONFIG = """
[data]
source = "hdf5"
n_train = 20
n_test = 6
[depth]
schedule = "1,3"
[parallel]
block_size = 4
"""


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(mpiexec, deepntk, config, data, output, extra=()):
    argv = [mpiexec, "-n", "2", deepntk, "run", config, "--quiet", "--set", f"data.path={data}",
            "--output", output, *extra]
    return run_timed(argv, "run")[0]


def make_idx(directory):
    """12 training images of 2 x 3 pixels (plain IDX), their labels 0, 1, 2 (plain), 6 test
    images and labels (gzipped), and a copy of the training images under another name."""
    os.makedirs(directory)
    for prefix, n, opener, suffix in (("train", 12, open, ""), ("t10k", 6, gzip.open, ".gz")):
        pixels = bytes((17 * i + 5 * k + 3) % 256 for i in range(n) for k in range(6))
        with opener(os.path.join(directory, f"{prefix}-images-idx3-ubyte{suffix}"), "wb") as f:
            f.write(struct.pack(">IIII", 0x00000803, n, 2, 3) + pixels)
        with opener(os.path.join(directory, f"{prefix}-labels-idx1-ubyte{suffix}"), "wb") as f:
            f.write(struct.pack(">II", 0x00000801, n) + bytes(i % 3 for i in range(n)))
    shutil.copy(os.path.join(directory, "train-images-idx3-ubyte"), os.path.join(directory, "my-images"))
    return directory


def make_cifar(directory):
    """CIFAR-10 binary batches: data_batch_1, data_batch_2 and mine.bin of 4 records each,
    test_batch of 4 (a label byte and 3072 pixel bytes per record)."""
    os.makedirs(directory)
    for index, name in enumerate(("data_batch_1.bin", "data_batch_2.bin", "mine.bin", "test_batch.bin")):
        records = b"".join(bytes([(index + i) % 10]) + bytes((31 * index + 7 * i + k) % 256 for k in range(3072))
                           for i in range(4))
        with open(os.path.join(directory, name), "wb") as f:
            f.write(records)
    return directory


def nothing_written(directory, before, what):
    after = set(os.listdir(directory))
    if after != before:
        fail(f"{what}: the run left {sorted(after - before)} in {directory} (and removed {sorted(before - after)})")


def main():
    mpiexec, deepntk, scratch, config = arguments(__doc__, "identity.toml", CONFIG)
    os.makedirs(os.path.join(scratch, "sub"))
    data = os.path.join(scratch, "in.h5")
    rng = np.random.default_rng(3)
    with h5py.File(data, "w") as f:
        f["x_train"], f["x_test"] = rng.standard_normal((20, 4)), rng.standard_normal((6, 4))
        f["y_train"], f["y_test"] = rng.standard_normal(20), rng.standard_normal(6)
    idx, cifar = make_idx(os.path.join(scratch, "idx")), make_cifar(os.path.join(scratch, "cifar"))
    at = lambda *names: os.path.join(scratch, *names)  # noqa: E731
    os.symlink("in.h5", at("link.h5"))
    os.link(data, at("hard.h5"))
    os.symlink(os.path.join("idx", "train-labels-idx1-ubyte"), at("idx-labels-link"))
    os.link(at("idx", "t10k-images-idx3-ubyte.gz"), at("idx-test-hard"))
    os.symlink(os.path.join("cifar", "test_batch.bin"), at("cifar-test-link"))
    os.link(at("cifar", "data_batch_2.bin"), at("cifar-hard"))
    os.symlink("identity.toml", at("config-link.toml"))
    os.link(config, at("config-hard.toml"))
    other = at("other.h5.checkpoint")  # another run's checkpoint directory
    os.makedirs(other)
    shutil.copy(data, os.path.join(other, "state.h5"))  # any HDF5 file named state.h5 marks one
    inputs = [data, config, os.path.join(other, "state.h5")]
    inputs += [os.path.join(d, name) for d in (idx, cifar) for name in os.listdir(d)]
    original = {path: digest(path) for path in inputs}

    sources = {
        "hdf5": [],
        "idx": ["--set", "data.source=idx", "--set", f"data.path={idx}", "--set", "data.targets=onehot",
                "--set", "data.n_train=12", "--set", "data.n_test=6"],
        "cifar10": ["--set", "data.source=cifar10", "--set", f"data.path={cifar}", "--set", "data.targets=onehot",
                    "--set", "data.n_train=8", "--set", "data.n_test=4"],
    }
    data_path = "is the input file data.path"
    cases = [
        ("--output is data.path", "hdf5", data, [], data_path),
        ("--output is data.path as ./sub/../in.h5", "hdf5", at("sub", "..", "in.h5"), [], data_path),
        ("--output is a symlink to data.path", "hdf5", at("link.h5"), [], data_path),
        ("--output is a hard link of data.path", "hdf5", at("hard.h5"), [], data_path),
        ("--output is the IDX images file", "idx", at("idx", "train-images-idx3-ubyte"), [],
         "is an IDX file in data.path"),
        ("--output is a symlink to the IDX labels file", "idx", at("idx-labels-link"), [],
         "is an IDX file in data.path"),
        ("--output is a hard link of the gzipped IDX test images", "idx", at("idx-test-hard"), [],
         "is an IDX file in data.path"),
        ("--output is the IDX file named by data.x_train", "idx", at("idx", "my-images"),
         ["--set", "data.x_train=my-images"], "is data.x_train (in data.path)"),
        ("--output is a CIFAR-10 training batch", "cifar10", at("cifar", "data_batch_1.bin"), [],
         "is a CIFAR-10 batch in data.path"),
        ("--output is a symlink to the CIFAR-10 test batch", "cifar10", at("cifar-test-link"), [],
         "is a CIFAR-10 batch in data.path"),
        ("--output is a hard link of a CIFAR-10 batch", "cifar10", at("cifar-hard"), [],
         "is a CIFAR-10 batch in data.path"),
        ("--output is a batch named in data.x_train", "cifar10", at("cifar", "mine.bin"),
         ["--set", "data.x_train=data_batch_1.bin,mine.bin"], "is data.x_train (in data.path)"),
        ("--output is the configuration file", "hdf5", config, [], "is the configuration file"),
        ("--output is a symlink to the configuration file", "hdf5", at("config-link.toml"), [],
         "is the configuration file"),
        ("--output is a hard link of the configuration file", "hdf5", at("config-hard.toml"), [],
         "is the configuration file"),
        ("--output is inside another run's checkpoint directory", "hdf5", os.path.join(other, "r.h5"), [],
         "of another run"),
        ("--output is this run's checkpoint.path", "hdf5", at("r.h5"),
         ["--set", f"checkpoint.path={at('r.h5')}"], "checkpoint.path"),
    ]
    for what, source, output, extra, needle in cases:
        for force in ([], ["--force"]):
            label = what + (" with --force" if force else "")
            before = {d: set(os.listdir(d)) for d in (scratch, other, idx, cifar)}
            done = run(mpiexec, deepntk, config, data, output, sources[source] + extra + force)
            error = expect_refusal(done, [needle], label)
            if force and "--force does not override" not in error:
                fail(f"{label}: the message should say that --force does not help: {error}")
            for path, value in original.items():
                if digest(path) != value:
                    fail(f"{label}: {path} was changed")
            for directory, names in before.items():
                nothing_written(directory, names, label)
            print(f"ok  {label}: {error}")

    for source, settings in sources.items():
        result = at(f"result-{source}.h5")
        done = run(mpiexec, deepntk, config, data, result, settings)
        if done.returncode != 0 or not os.path.exists(result):
            fail(f"{source}: an ordinary --output next to the input failed (exit {done.returncode})\n{done.stderr}")
        print(f"ok  {source}: an ordinary --output next to the input: exit 0")
    shutil.rmtree(scratch, ignore_errors=True)
    print("all output identity checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
