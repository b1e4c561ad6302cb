#!/usr/bin/python3
"""Long file names through `deepntk run` at 2 ranks (issue 10, item 2).

Usage: check_long_paths.py MPIEXEC DEEPNTK SCRATCH

Open MPI 4.1's sharedfp/lockedfile component overflowed a fixed buffer for paths longer than
about 190 characters (`*** buffer overflow detected ***` on every rank, from H5Fcreate), and
cluster scratch paths are that long. Runs, each on an HDF5 input written by h5py:
  * input, output and checkpoint.path each 250 characters long;
  * an output path of 4000 characters (PATH_MAX is 4096 and deepntk's own names next to the
    result, `<output>.checkpoint/...` and `.<name>.partial-<pid>-<n>`, must still fit);
  * a SIGUSR1 to mpiexec during the 250-character run's sweep and the resume from its
    long-named checkpoint;
each must exit 0 with a result whose kernels are bit-identical to the same run on short paths.
The directories live in SCRATCH (recreated), so the test does not depend on where the
project is checked out beyond SCRATCH's own length, which it subtracts.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from integration_support import TIMEOUT, arguments, fail, kernels, run_timed

PATH_MAX = 4096

CONFIG = """
[data]
source = "hdf5"
n_train = 37
n_test = 11
[network]
architecture = "mlp"
activation = "relu"
sw2 = 2.0
sb2 = 0.1
[depth]
schedule = "1,3,50000"
[parallel]
block_size = 8
[checkpoint]
every_seconds = 0
"""


def long_directory(base, length):
    """A directory under `base` whose path is exactly `length` characters (components of at
    most 200 characters: NAME_MAX is 255)."""
    path = base
    index = 0
    while len(path) < length:
        room = length - len(path) - 1  # after the separator
        # Leave at least two characters ("/x") for the next component when this is not the last.
        take = room if room <= 200 else min(200, room - 2)
        path = os.path.join(path, (f"d{index}-" + "x" * 200)[:take])
        index += 1
    if len(path) != length:
        fail(f"internal: made a path of {len(path)} characters, wanted {length}")
    os.makedirs(path, exist_ok=True)
    return path


def make_input(path):
    rng = np.random.default_rng(5)
    x, x_test = rng.standard_normal((37, 6)), rng.standard_normal((11, 6))
    with h5py.File(path, "w") as f:
        f["x_train"], f["x_test"] = x, x_test
        f["y_train"], f["y_test"] = np.sin(x[:, 0]), np.sin(x_test[:, 0])


def command(mpiexec, deepntk, config, data, output, checkpoint=None):
    argv = [mpiexec, "-n", "2", deepntk, "run", config, "--quiet", "--set", f"data.path={data}",
            "--output", output]
    if checkpoint:
        argv += ["--set", f"checkpoint.path={checkpoint}"]
    return argv


def run(argv, what):
    done, _ = run_timed(argv, what)
    if done.returncode != 0:
        fail(f"{what}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done


def same_kernels(reference, path, what):
    a, b = kernels(reference), kernels(path)
    if sorted(a) != sorted(b) or not a:
        fail(f"{what}: kernel datasets {sorted(b)} != reference {sorted(a)}")
    for name in a:
        if not np.array_equal(a[name], b[name]):
            fail(f"{what}: /kernels/{name} differs from the short-path run")
    print(f"ok  {what}: exit 0, {len(a)} kernel datasets bit-identical to the short-path run")


def interrupted_then_resumed(argv, output, checkpoint, what):
    """SIGUSR1 to mpiexec once the first depth part exists, then the same command resumes."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and process.poll() is None:
        if os.path.isdir(checkpoint) and any(name.startswith("depth-") for name in os.listdir(checkpoint)):
            break
        time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGUSR1)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        fail(f"{what}: no exit within {TIMEOUT} s of SIGUSR1")
    if process.returncode == 0:
        # The run was quicker than the signal (a fast machine): still a valid long-path run.
        print(f"note {what}: finished before SIGUSR1 arrived; resume not exercised")
        return
    if process.returncode != 3 or "checkpoint written" not in err:
        fail(f"{what}: SIGUSR1 gave exit {process.returncode}, expected 3 with a checkpoint\n{out}{err}")
    if os.path.exists(output):
        fail(f"{what}: a result exists after the interruption")
    done = run(argv, what + " (resume)")
    if "resuming from checkpoint" not in done.stdout:
        fail(f"{what}: the rerun did not resume\n{done.stdout}{done.stderr}")
    print(f"ok  {what}: interrupted (exit 3), resumed from the long-named checkpoint")


def main():
    mpiexec, deepntk, scratch, config = arguments(__doc__, "long_paths.toml", CONFIG)

    short_data = os.path.join(scratch, "in.h5")
    make_input(short_data)
    reference = os.path.join(scratch, "reference.h5")
    run(command(mpiexec, deepntk, config, short_data, reference), "short paths")

    # 250 characters each (the names in the files included); where the checkout itself is
    # already deep (the clone of location.clone_anywhere), 64 characters past the scratch folder.
    base = os.path.join(scratch, "l")
    length = max(250, len(base) + 64)
    what = f"{length}-character input, output and checkpoint paths"
    data = os.path.join(long_directory(base + "in", length - len("/in.h5")), "in.h5")
    output = os.path.join(long_directory(base + "out", length - len("/r.h5")), "r.h5")
    checkpoint = long_directory(base + "ck", length)
    os.rmdir(checkpoint)  # deepntk creates it
    for path in (data, output, checkpoint):
        if len(path) != length:
            fail(f"internal: {path!r} is {len(path)} characters")
    make_input(data)
    argv = command(mpiexec, deepntk, config, data, output, checkpoint)
    interrupted_then_resumed(argv, output, checkpoint, what)
    if not os.path.exists(output):
        run(argv, what)
    same_kernels(reference, output, what)

    # Near the system limit: the default checkpoint directory and the temporaries add ~40.
    longest = PATH_MAX - 96
    output = os.path.join(long_directory(base + "max", longest - len("/r.h5")), "r.h5")
    run(command(mpiexec, deepntk, config, data, output), f"{len(output)}-character output path")
    same_kernels(reference, output, f"{len(output)}-character output path")
    shutil.rmtree(scratch, ignore_errors=True)
    print("all long-path checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
