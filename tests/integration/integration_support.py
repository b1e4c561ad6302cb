"""What the tests/integration Python checks share: the command line of a check, failing,
running deepntk under a timeout, its refusals, its rank processes, and kernels read back.

The checks import it from their own directory (Python puts a script's directory first on
sys.path), so they still run as `python3 check_x.py ...` from anywhere.
"""
import os
import shutil
import subprocess
import sys
import time

TIMEOUT = 120  # seconds for one deepntk run of a check; a hang is what it catches


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def arguments(doc, config_name=None, config_text=None):
    """The common command line MPIEXEC DEEPNTK SCRATCH: prints `doc` and exits 2 otherwise.
    SCRATCH is made absolute and recreated empty; with `config_name`, `config_text` is written
    there. Returns (mpiexec, deepntk, scratch, config path or None)."""
    if len(sys.argv) != 4:
        print(doc)
        sys.exit(2)
    mpiexec, deepntk, scratch = sys.argv[1:]
    scratch = os.path.abspath(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    config = None
    if config_name:
        config = os.path.join(scratch, config_name)
        with open(config, "w") as f:
            f.write(config_text)
    return mpiexec, deepntk, scratch, config


def run_timed(argv, what, timeout=TIMEOUT, **kwargs):
    """subprocess.run with captured text output; fails on a timeout. Returns (done, seconds)."""
    start = time.monotonic()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired:
        fail(f"{what}: no exit within {timeout} s (hang): {' '.join(argv)}")
    return done, time.monotonic() - start


def error_lines(done):
    return [line for line in done.stderr.splitlines() if line.startswith("deepntk: error")]


def expect_refusal(done, needles, what, returncode=1):
    """Exactly one `deepntk: error` line holding every needle, and the exit status `returncode`
    (None: any non-zero status). Returns that line."""
    errors = error_lines(done)
    status_ok = done.returncode != 0 if returncode is None else done.returncode == returncode
    if not status_ok or len(errors) != 1 or not all(needle in errors[0] for needle in needles):
        expected = "non-zero" if returncode is None else returncode
        fail(f"{what}: expected exit {expected} and one 'deepntk: error' line containing {needles}; got exit "
             f"{done.returncode}, errors {errors}\n{done.stdout}{done.stderr}")
    return errors[0]


def descendants(pid):
    """Process ids of every descendant of `pid` (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def deepntk_pids(process):
    """The deepntk processes below `process` (mpiexec) now, sorted."""
    pids = []
    for pid in descendants(process.pid):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "deepntk":
                    pids.append(pid)
        except OSError:
            continue
    return sorted(pids)


def kernels(path):
    """Every dataset under /kernels of a result: {name: array}."""
    import h5py  # here: the checks that do not read results run without it
    with h5py.File(path, "r") as f:
        found = {}
        f["kernels"].visititems(
            lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return found
