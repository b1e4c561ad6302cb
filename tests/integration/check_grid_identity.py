"""The kernels do not depend on the grid, bit for bit, when the input dimension spans several
blocks (docs/architecture.md, "Determinism"): `deepntk run` on 1, 2 and 4 ranks (grids 1x1,
1x2, 2x2) and on a 2x1 grid, d = 300 in blocks of 16 (19 blocks of features over the process
columns), train and test points, gaps written; every dataset under /kernels must be equal to
the one-rank run's bit for bit. The input Gram K0 by PDSYRK/PDGEMM over the distributed
points split its sums over d by the grid and failed this by an ulp or so.

usage: check_grid_identity.py MPIEXEC DEEPNTK SCRATCH
"""
import os

import numpy as np

from integration_support import arguments, fail, kernels, run_timed

CONFIG = """
[data]
source = "sphere"
n_train = 40
n_test = 10
dim = 300
seed = 11
[network]
architecture = "mlp"
activation = "erf"
sw2 = 1.7
sb2 = 0.2
[depth]
schedule = [1, 4, 20]
kinds = ["nngp", "ntk"]
[parallel]
block_size = 16
[output]
kernels = true
gaps = true
"""


def main():
    mpiexec, deepntk, scratch, config = arguments(__doc__, "wide_inputs.toml", CONFIG)
    results = {}
    for label, ranks, extra in (("1x1", 1, ()), ("1x2", 2, ()), ("2x2", 4, ()),
                                ("2x1", 2, ("--set", "parallel.grid=[2,1]"))):
        out = os.path.join(scratch, f"grid{label}.h5")
        argv = [mpiexec, "-n", str(ranks), deepntk, "run", config, "--output", out, "--force", "--quiet", *extra]
        done, _ = run_timed(argv, f"run on a {label} grid")
        if done.returncode != 0:
            fail(f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        results[label] = kernels(out)
    names = sorted(results["1x1"])
    for needed in ("nngp/1/train", "nngp/20/test", "ntk/4/train", "ntk/20/test_diag", "nngp/4/train_gap",
                   "nngp/1/test_gap"):
        if needed not in names:
            fail(f"no /kernels/{needed} in the result; it has {names}")
    differing = []
    for label, got in results.items():
        if sorted(got) != names:
            fail(f"the {label} grid wrote other datasets than 1x1: {sorted(got)}")
        for name in names:
            a, b = results["1x1"][name], got[name]
            if not np.array_equal(a, b, equal_nan=True):
                a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
                scale = np.maximum(np.abs(a), np.finfo(float).tiny)
                differing.append(f"/kernels/{name} on {label}: {np.count_nonzero(a != b)} of {a.size} entries "
                                 f"differ, max relative {np.max(np.abs(a - b) / scale):.3g}")
    if differing:
        fail("kernels differ from the 1x1 grid's:\n  " + "\n  ".join(differing))
    print(f"grids 1x1, 1x2, 2x2, 2x1 (d = 300, block 16): {len(names)} datasets under /kernels bit-identical")


if __name__ == "__main__":
    main()
