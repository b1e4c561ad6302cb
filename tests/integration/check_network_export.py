"""montecarlo.export end to end (issue 12, item 6): the exported parameters rebuild the networks.

For every architecture (mlp with relu, resnet with alpha = 1/sqrt(L), shortcut with h = 2, erf
and the `mean` head rule), with and without biases, in both parameterizations, a run of 2
networks exporting both (2 ranks, so rank 0 writes what every rank drew):

  1. examples/rebuild_network.py's functions rebuild networks 0 and 1 at every recorded depth
     from /networks/<L>/<s> alone, form their Jacobians by an explicit backward pass, and the
     mean of their NTKs and feature kernels equals the stored mean kernel to 1e-12 relative
     (train x train, both kinds);
  2. the example's command line prints the same comparison;
  3. network s at depth 2 is the first layers of network s at depth 5 (mlp, shortcut), as the
     counter-based parameters promise;
  4. without montecarlo.export the result has no /networks; a network number the run does not
     draw is refused with one message naming montecarlo.samples.

usage: check_network_export.py MPIEXEC DEEPNTK SCRATCH
"""
import os
import subprocess
import sys

import h5py
import numpy as np

from integration_support import arguments, expect_refusal, fail, run_timed

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
sys.path.insert(0, EXAMPLES)
import rebuild_network  # noqa: E402  (examples/ is not a package)

TOLERANCE = 1e-12
DEPTHS = (2, 5)

NETWORKS = {
    "mlp": 'architecture = "mlp"\nactivation = "relu"\nsw2 = 2.0',
    "resnet": 'architecture = "resnet"\nactivation = "relu"\nsw2 = 1.2\nalpha = "1/sqrt(L)"',
    "shortcut": 'architecture = "shortcut"\nactivation = "erf"\nsw2 = 1.5\nreadout_every = 2\nheads = "mean"',
}


def config_text(network, sb2, parameterization, export="[0, 1]"):
    return f"""
[data]
source = "sphere"
n_train = 9
n_test = 3
dim = 4
[network]
{NETWORKS[network]}
sb2 = {sb2}
width = 6
parameterization = "{parameterization}"
[montecarlo]
samples = 2
seed = 11
export = {export}
[depth]
schedule = [{", ".join(str(L) for L in DEPTHS)}]
[parallel]
block_size = 4
[analysis]
ridge = []
"""


def main():
    mpiexec, deepntk, scratch, _ = arguments(__doc__)

    def run(name, text, expect=0):
        config = os.path.join(scratch, name + ".toml")
        with open(config, "w") as f:
            f.write(text)
        output = os.path.join(scratch, name + ".h5")
        argv = [mpiexec, "-n", "2", deepntk, "run", config, "--output", output, "--force", "--quiet"]
        done, _ = run_timed(argv, name)
        if expect is not None and done.returncode != expect:
            fail(f"{name}: exit {done.returncode}, expected {expect}\n{done.stdout}{done.stderr}")
        return output, done

    for network in NETWORKS:
        for sb2 in (0.0, 0.1):
            for parameterization in ("ntk", "standard"):
                name = f"{network}-sb2_{sb2}-{parameterization}"
                output, _ = run(name, config_text(network, sb2, parameterization))
                with h5py.File(output, "r") as f:
                    x = f["data/x_train"][()]
                    for depth in DEPTHS:
                        rebuilt = [rebuild_network.empirical_kernels(rebuild_network.load_network(f, depth, s), x)
                                   for s in (0, 1)]
                        for kind in ("nngp", "ntk"):
                            stored = f[f"kernels/{kind}/{depth}/train"][()]
                            mean = (rebuilt[0][kind] + rebuilt[1][kind]) / 2
                            difference = rebuild_network.relative_difference(mean, stored)
                            if not difference <= TOLERANCE:
                                fail(f"{name}, depth {depth}, {kind}: the rebuilt networks' mean differs from the "
                                     f"stored mean by {difference:.3g} relative (tolerance {TOLERANCE})")
                    if network != "resnet":
                        for s in (0, 1):
                            short, deep = f[f"networks/2/{s}"], f[f"networks/5/{s}"]
                            for layer in short:
                                if layer.startswith("layer_") and not np.array_equal(
                                        short[layer]["weights"][()], deep[layer]["weights"][()]):
                                    fail(f"{name}: network {s}'s {layer} differs between depths 2 and 5")
                cli = subprocess.run([sys.executable, os.path.join(EXAMPLES, "rebuild_network.py"), output],
                                     capture_output=True, text=True, timeout=120)
                lines = [line for line in cli.stdout.splitlines() if "max relative difference" in line]
                if cli.returncode != 0 or len(lines) != 2 * len(DEPTHS) or not all(
                        float(line.split()[-1]) <= TOLERANCE for line in lines):
                    fail(f"{name}: examples/rebuild_network.py printed\n{cli.stdout}{cli.stderr}")
                print(f"ok {name}")

    output, _ = run("no-export", config_text("mlp", 0.1, "ntk", export="[]"))
    with h5py.File(output, "r") as f:
        if "networks" in f:
            fail("montecarlo.export = [] wrote /networks")
    _, done = run("too-far", config_text("mlp", 0.1, "ntk", export="[0, 2]"), expect=None)
    expect_refusal(done, ["montecarlo.export", "montecarlo.samples = 2"], "export of network 2 of 2")
    print("ok: no export, and a network that is not drawn refused")


if __name__ == "__main__":
    main()
