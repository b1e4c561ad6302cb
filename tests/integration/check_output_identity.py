#!/usr/bin/python3
"""The result never replaces a file the run reads, nor lands in a checkpoint directory
(issue 10, item 1), through `deepntk run` at 2 ranks.

Usage: check_output_identity.py MPIEXEC DEEPNTK SCRATCH

`--output` equal to data.path with --force used to replace the user's input with the result,
exit 0. Each case below must exit 1 with one `deepntk: error` line naming the clash, with and
without --force, leave the input byte-for-byte as it was and write nothing (no temporary, no
checkpoint directory):
  * --output is data.path, spelled the same, as `./sub/../in.h5`, through a symlink, through a
    hard link;
  * --output is the configuration file;
  * --output is inside another run's checkpoint directory (one holding state.h5), and is this
    run's checkpoint.path;
and a run with an ordinary --output next to the input still succeeds.
"""
import hashlib
import os
import shutil
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
    os.symlink("in.h5", os.path.join(scratch, "link.h5"))
    os.link(data, os.path.join(scratch, "hard.h5"))
    other = os.path.join(scratch, "other.h5.checkpoint")  # another run's checkpoint directory
    os.makedirs(other)
    shutil.copy(data, os.path.join(other, "state.h5"))  # any HDF5 file named state.h5 marks one
    original = {path: digest(path) for path in (data, config, os.path.join(other, "state.h5"))}

    cases = [
        ("--output is data.path", data, [], "is the input file data.path"),
        ("--output is data.path as ./sub/../in.h5", os.path.join(scratch, "sub", "..", "in.h5"), [],
         "is the input file data.path"),
        ("--output is a symlink to data.path", os.path.join(scratch, "link.h5"), [], "is the input file data.path"),
        ("--output is a hard link of data.path", os.path.join(scratch, "hard.h5"), [], "is the input file data.path"),
        ("--output is the configuration file", config, [], "is the configuration file"),
        ("--output is inside another run's checkpoint directory", os.path.join(other, "r.h5"), [],
         "of another run"),
        ("--output is this run's checkpoint.path", os.path.join(scratch, "r.h5"),
         ["--set", f"checkpoint.path={os.path.join(scratch, 'r.h5')}"], "checkpoint.path"),
    ]
    for what, output, extra, needle in cases:
        for force in ([], ["--force"]):
            label = what + (" with --force" if force else "")
            before = {d: set(os.listdir(d)) for d in (scratch, other)}
            done = run(mpiexec, deepntk, config, data, output, extra + force)
            error = expect_refusal(done, [needle], label)
            if force and "--force does not override" not in error:
                fail(f"{label}: the message should say that --force does not help: {error}")
            for path, value in original.items():
                if digest(path) != value:
                    fail(f"{label}: {path} was changed")
            for directory, names in before.items():
                nothing_written(directory, names, label)
            print(f"ok  {label}: {error}")

    done = run(mpiexec, deepntk, config, data, os.path.join(scratch, "result.h5"))
    if done.returncode != 0 or not os.path.exists(os.path.join(scratch, "result.h5")):
        fail(f"an ordinary --output next to the input failed (exit {done.returncode})\n{done.stderr}")
    print("ok  an ordinary --output next to the input: exit 0")
    shutil.rmtree(scratch, ignore_errors=True)
    print("all output identity checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
