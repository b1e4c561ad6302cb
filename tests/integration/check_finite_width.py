"""deepntk run at finite width (network.width a number), end to end (issue 12):

  1. the Monte-Carlo kernels, their standard errors and normalized spreads are bit-identical
     on 1, 2 and 4 ranks;
  2. killed with -9 in the middle of a depth's networks (DEEPNTK_TEST_KILL_AT=state-write:4
     with a checkpoint after every network) and resumed on another rank count, the result
     equals the uninterrupted one bit for bit;
  3. wide networks (width 512) agree with the analytic kernels by their own standard errors:
     z_rms below 1.6, max |z| below 5, few |z| > 3, both kernels, at depths 1 and 3;
  4. the standard parameterization has no analytic NTK to compare with (no z attributes for
     the NTK, the feature kernel still compared);
  4b. training: the same losses, kernel changes and predictions on 1 and 2 ranks, the loss
     falls, a diverging learning rate ends the run with one message naming the step;
  5. bad values (width 0, one network, the standard parameterization at infinite width) are
     refused with one message, exit 1, nothing written.

usage: check_finite_width.py MPIEXEC DEEPNTK SCRATCH
"""
import os

import numpy as np

from integration_support import arguments, expect_refusal, fail, kernels, run_timed

CONFIG = """
[data]
source = "sphere"
n_train = 30
n_test = 9
dim = 6
[network]
architecture = "shortcut"
activation = "erf"
sw2 = 1.5
sb2 = 0.1
readout_every = 2
width = 16
[montecarlo]
samples = 6
seed = 7
[depth]
schedule = [2, 6, 10]
[parallel]
block_size = 8
[analysis]
ridge = [1e-3]
"""


def main():
    mpiexec, deepntk, scratch, config = arguments(__doc__, "finite.toml", CONFIG)

    def run(ranks, output, *extra, env=None, expect=0):
        argv = [mpiexec, "-n", str(ranks), deepntk, "run", config, "--output", output, "--force", *extra]
        done, _ = run_timed(argv, f"run at {ranks} ranks", env={**os.environ, **(env or {})})
        if expect is not None and done.returncode != expect:
            fail(f"{' '.join(argv)}: exit {done.returncode}, expected {expect}\n{done.stdout}{done.stderr}")
        return done

    # 1. Any rank count, the same bits.
    results = {}
    for ranks in (1, 2, 4):
        out = os.path.join(scratch, f"ranks{ranks}.h5")
        run(ranks, out)
        results[ranks] = kernels(out)
    names = sorted(results[1])
    for needed in ("ntk/10/train", "ntk/10/train_se", "nngp/2/test", "nngp/6/z_histogram", "ntk/6/test_se"):
        if needed not in names:
            fail(f"no /kernels/{needed} in the result; it has {names}")
    for ranks in (2, 4):
        if sorted(results[ranks]) != names:
            fail(f"{ranks} ranks wrote other datasets than 1 rank")
        for name in names:
            if not np.array_equal(results[1][name], results[ranks][name], equal_nan=True):
                fail(f"/kernels/{name} differs between 1 and {ranks} ranks")
    print(f"1, 2, 4 ranks: {len(names)} datasets bit-identical")

    # 2. kill -9 during the 4th checkpoint (after 3 of the 6 networks of depth 2), resume on 4 ranks.
    out = os.path.join(scratch, "resumed.h5")
    killed = run(2, out, "--set", "checkpoint.every_layers=1", env={"DEEPNTK_TEST_KILL_AT": "state-write:4"},
                 expect=None)
    if killed.returncode == 0 or os.path.exists(out):
        fail(f"the killed run finished anyway (exit {killed.returncode})")
    resumed = run(4, out, "--set", "checkpoint.every_layers=1")
    if "resuming from checkpoint" not in resumed.stdout:
        fail("the second run did not resume:\n" + resumed.stdout)
    got = kernels(out)
    for name in names:
        if not np.array_equal(got[name], results[1][name], equal_nan=True):
            fail(f"/kernels/{name} after kill -9 and resume on 4 ranks differs from the uninterrupted run")
    print("kill -9 mid-depth, resumed on 4 ranks: bit-identical")

    # 3. Wide networks: the analytic kernels within their standard errors.
    import h5py
    out = os.path.join(scratch, "wide.h5")
    run(2, out, "--set", "network.architecture=mlp", "--set", "network.activation=relu", "--set", "network.sw2=2",
        "--set", "network.width=512", "--set", "montecarlo.samples=24", "--set", "depth.schedule=[1,3]")
    with h5py.File(out) as f:
        for kind in ("nngp", "ntk"):
            for depth in (1, 3):
                a = f[f"kernels/{kind}/{depth}"].attrs
                # The z of one run are strongly correlated across entries (a network's overall
                # scale moves them together), so their rms is one draw, not an average: only an
                # upper bound is meaningful; the per-entry check is tests/finite (wide_limit).
                if not (a["z_rms"] < 1.6 and a["z_max_abs"] < 5 and a["fraction_z_above_3"] <= 0.05):
                    fail(f"width 512, {kind} at depth {depth}: z_rms {a['z_rms']:.3f}, max |z| {a['z_max_abs']:.2f}, "
                         f"fraction |z| > 3 {a['fraction_z_above_3']:.3f}: not the analytic kernel within its errors")
                if a["samples"] != 24 or a["width"] != 512:
                    fail(f"{kind} {depth}: samples/width attributes {a['samples']}, {a['width']}")
                print(f"width 512 {kind} depth {depth}: z_rms {a['z_rms']:.3f}, distance {a['reference_distance']:.4f}")

    # 4. Standard parameterization: the NTK has no analytic reference, the feature kernel has.
    out = os.path.join(scratch, "standard.h5")
    run(2, out, "--set", "network.parameterization=standard", "--set", "depth.schedule=[2]")
    with h5py.File(out) as f:
        if "z_rms" in f["kernels/ntk/2"].attrs or "z_histogram" in f["kernels/ntk/2"]:
            fail("the standard parameterization's NTK was compared with an infinite-width NTK")
        if "z_rms" not in f["kernels/nngp/2"].attrs:
            fail("the standard parameterization's feature kernel was not compared with the NNGP")

    # 4b. Training: the same numbers on 1 and 2 ranks; a diverging rate ends the run on every rank.
    trained = {}
    for ranks in (1, 2):
        out = os.path.join(scratch, f"trained{ranks}.h5")
        run(ranks, out, "--set", "training.steps=30", "--set", "training.learning_rate=0.2",
            "--set", "depth.schedule=[2,6]")
        with h5py.File(out) as f:
            trained[ranks] = {name: f[f"training/6/{name}"][()] for name in f["training/6"]}
    for name, values in trained[1].items():
        if not np.array_equal(values, trained[2][name]):
            fail(f"/training/6/{name} differs between 1 and 2 ranks")
    if not (trained[1]["train_loss"][:, -1] < trained[1]["train_loss"][:, 0]).all():
        fail("training did not lower the loss of every network")
    out = os.path.join(scratch, "diverged.h5")
    done = run(2, out, "--set", "training.steps=30", "--set", "training.learning_rate=1e4", expect=None)
    expect_refusal(done, ["training diverged at step", "smaller training.learning_rate"], "diverging training")
    if os.path.exists(out) or os.path.exists(out + ".checkpoint"):
        fail("a diverged training left a result or a checkpoint")
    print("training: bit-identical on 1 and 2 ranks, divergence refused")

    # 5. Bad values.
    for setting, needles in (("network.width=0", ["network.width", "got 0"]),
                             ("montecarlo.samples=1", ["montecarlo.samples", "got 1"]),
                             ("network.width=infinite", ["network.parameterization", "standard"])):
        out = os.path.join(scratch, "refused.h5")
        extra = ["--set", setting]
        if setting == "network.width=infinite":
            extra += ["--set", "network.parameterization=standard"]
        done = run(2, out, *extra, expect=None)
        expect_refusal(done, needles, setting)
        if os.path.exists(out) or os.path.exists(out + ".checkpoint"):
            fail(f"{setting}: something was written")
    print("bad values refused")
    print("PASS")


if __name__ == "__main__":
    main()
