#!/usr/bin/python3
"""One `deepntk run` at a time per output and checkpoint directory (issue 10, item 3), at 2 ranks.

Usage: check_run_lock.py MPIEXEC DEEPNTK SCRATCH

Two runs on the same output used to share it: the second resumed the first one's live
checkpoint and deleted its temporaries. Now (app/run_lock.hpp):
  1. while run A runs, run B with the same command is refused within seconds: exit 1, one
     `deepntk: error` line naming this host and the pid of A's rank 0; B writes nothing;
  2. a run C with another --output but A's checkpoint.path is refused the same way, naming
     the checkpoint directory;
  3. A still ends with exit 0, and its kernels are bit-identical to an undisturbed run's;
  4. a run killed with kill -9 (every process) leaves its lock files behind; the same command
     then resumes from the checkpoint and completes (the kernel released the dead run's lock).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np

from integration_support import TIMEOUT, arguments, deepntk_pids, expect_refusal, fail, kernels, run_timed

REFUSAL_SECONDS = 15  # start-up of mpiexec and 2 ranks on a loaded 2-core machine, with room

CONFIG = """
[data]
source = "sphere"
n_train = 48
n_test = 12
dim = 8
seed = 11
[network]
sw2 = 2.0
sb2 = 0.05
[depth]
schedule = "1,10,100,600000"  # long enough that runs B and C overlap run A on an idle machine
[parallel]
block_size = 8
[checkpoint]
every_layers = 5000
every_seconds = 0
"""


def command(mpiexec, deepntk, config, output, extra=()):
    return [mpiexec, "-n", "2", deepntk, "run", config, "--quiet", "--output", output, *extra]


def wait_for(condition, what, process):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        if condition():
            return
        if process.poll() is not None:
            out, err = process.communicate()
            fail(f"{what}: the run ended early (exit {process.returncode})\n{out}{err}")
        time.sleep(0.05)
    fail(f"{what}: not reached within {TIMEOUT} s")


def expect_refused_quickly(done, seconds, needles, what):
    line = expect_refusal(done, needles, what)
    if seconds > REFUSAL_SECONDS:
        fail(f"{what}: refused only after {seconds:.1f} s")
    print(f"ok  {what} [{seconds:.1f} s]: {line}")


def main():
    mpiexec, deepntk, scratch, config = arguments(__doc__, "lock.toml", CONFIG)
    host = socket.gethostname()

    reference = os.path.join(scratch, "reference.h5")
    done, _ = run_timed(command(mpiexec, deepntk, config, reference), "reference")
    if done.returncode != 0:
        fail(f"reference run: exit {done.returncode}\n{done.stderr}")

    # 1-3: a second run while the first one runs.
    output = os.path.join(scratch, "r.h5")
    checkpoint = output + ".checkpoint"
    first = subprocess.Popen(command(mpiexec, deepntk, config, output), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        # The first depth part exists: the run holds its locks and is in its sweep.
        wait_for(lambda: os.path.isdir(checkpoint) and "depth-000000.h5" in os.listdir(checkpoint),
                 "run A's first depth part", first)
        ranks = deepntk_pids(first)
        before = sorted(os.listdir(checkpoint)), sorted(os.listdir(scratch))
        done, seconds = run_timed(command(mpiexec, deepntk, config, output), "run B")
        holder = [f"pid {pid} on host {host}" for pid in ranks]
        expect_refused_quickly(done, seconds, [f"output '{output}' is in use by another deepntk run", f"on host {host}"],
                       "run B on the same output")
        if not any(h in done.stderr for h in holder):
            fail(f"run B's message names none of run A's rank processes {ranks}: {done.stderr}")
        done, seconds = run_timed(command(mpiexec, deepntk, config, os.path.join(scratch, "c.h5"),
                                    ["--set", f"checkpoint.path={checkpoint}"]), "run C")
        expect_refused_quickly(done, seconds, [f"checkpoint directory '{checkpoint}' is in use by another deepntk run",
                                       f"on host {host}"], "run C on run A's checkpoint.path")
        if first.poll() is not None:
            fail("run A ended while B and C were refused: the test did not overlap them")
        after_files = sorted(os.listdir(scratch))
        if [f for f in after_files if f not in before[1] and f != "r.h5"]:
            fail(f"the refused runs left files: {sorted(set(after_files) - set(before[1]))}")
        out, err = first.communicate(timeout=TIMEOUT)
    finally:
        if first.poll() is None:
            first.kill()
    if first.returncode != 0:
        fail(f"run A: exit {first.returncode} after B and C were refused\n{out}{err}")
    a, b = kernels(reference), kernels(output)
    if sorted(a) != sorted(b) or any(not np.array_equal(a[k], b[k]) for k in a):
        fail("run A's kernels differ from the undisturbed run's")
    leftovers = [f for f in os.listdir(scratch) if f.endswith(".lock") or f.endswith(".checkpoint")]
    if leftovers:
        fail(f"run A left {leftovers} behind after success")
    print(f"ok  run A completed (exit 0), {len(a)} kernel datasets bit-identical to an undisturbed run")

    # 4: kill -9, then resume.
    output = os.path.join(scratch, "k.h5")
    checkpoint = output + ".checkpoint"
    victim = subprocess.Popen(command(mpiexec, deepntk, config, output), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    part = os.path.join(checkpoint, "depth-000002.h5")
    state = os.path.join(checkpoint, "state.h5")

    def state_after_depth_100():
        # Parts count only once a saved state counts them: wait for a state newer than the part.
        try:
            return os.stat(state).st_mtime_ns > os.stat(part).st_mtime_ns and deepntk_pids(victim)
        except OSError:
            return False

    wait_for(state_after_depth_100, "the run to be killed: a state saved after depth 100", victim)
    for pid in deepntk_pids(victim) + [victim.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    victim.communicate(timeout=TIMEOUT)
    time.sleep(0.5)  # the ranks are gone once their parent reaped them; allow for the reaping
    locks = [p for p in (os.path.join(scratch, ".k.h5.lock"), os.path.join(checkpoint, "lock")) if os.path.exists(p)]
    if not locks:
        fail("kill -9 left no lock file behind: the test would not show that a dead run's lock is taken over")
    done, _ = run_timed(command(mpiexec, deepntk, config, output), "resume after kill -9")
    if done.returncode != 0 or "resuming from checkpoint" not in done.stdout:
        fail(f"resume after kill -9: exit {done.returncode}\n{done.stdout}{done.stderr}")
    b = kernels(output)
    if sorted(a) != sorted(b) or any(not np.array_equal(a[k], b[k]) for k in a):
        fail("the resumed run's kernels differ from the undisturbed run's")
    print(f"ok  kill -9 left {len(locks)} lock file(s); the same command resumed and completed, bit-identical")
    shutil.rmtree(scratch, ignore_errors=True)
    print("all run lock checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
