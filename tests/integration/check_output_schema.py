"""docs/output-format.md against real result files, and examples/read_result.py against h5py.

  check_output_schema.py MPIEXEC DEEPNTK SCRATCH DOC EXAMPLE

Runs deepntk (2 ranks) on small configurations that together cover every optional part of a
result: NNGP gaps, eigenvectors, gradient-flow times, kernel matrices for a subset of depths, a
one-hot HDF5 input (labels, indices, accuracy), a top-k spectrum, eigenvalues only, no test
points, no kernel matrices, finite width with and without exported networks. For every file:
  - every dataset, group and attribute in it is documented in DOC's tables;
  - every documented object exists exactly when its "present" conditions hold (`always` ones
    in every file), with the documented shape and type.
Then runs EXAMPLE on two of the files and checks every number it prints against h5py reads.
Exits non-zero on any mismatch.
"""
import os
import re
import subprocess
import sys
import tomllib

import h5py
import numpy as np

# ---- the document ----------------------------------------------------------------------------


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def code(cell):
    """The text of the first `...` span of a table cell."""
    found = re.search(r"`([^`]*)`", cell)
    assert found, f"no `path` in table cell {cell!r}"
    return found.group(1)


def parse_doc(path):
    """Rows of the dataset table and of every attribute table:
    (object path pattern, attribute name or None, shape text or None, type, conditions)."""
    rows = []
    owner = None  # the object whose attributes the current table lists
    header = None
    for line in open(path, encoding="utf-8"):
        heading = re.match(r"#+ Attributes of `([^`]+)`", line)
        if heading:
            owner = heading.group(1)
            continue
        if line.startswith("#"):
            owner = None
        if not line.startswith("|"):
            header = None
            continue
        row = cells(line)
        if header is None:
            header = row
            continue
        if set(row[0]) <= set("-: "):
            continue
        entry = dict(zip(header, row))
        if header[:4] == ["path", "shape", "type", "present"]:
            rows.append((code(entry["path"]), None, code(entry["shape"]), entry["type"], conditions(entry["present"])))
        elif header[:3] == ["attribute", "type", "present"]:
            assert owner, f"attribute table without an 'Attributes of `PATH`' heading: {line!r}"
            rows.append((owner, code(entry["attribute"]), None, entry["type"], conditions(entry["present"])))
    assert len(rows) > 40, f"only {len(rows)} rows parsed from {path}"
    return rows


def conditions(text):
    return [] if text == "always" else [c.strip() for c in text.split(",")]


# ---- what a run's configuration implies ------------------------------------------------------


class Run:
    def __init__(self, f):
        self.config = tomllib.loads(text(f.attrs["configuration"]))
        self.depths = [int(L) for L in f["depths"][:]]
        self.kinds = self.config["depth"]["kinds"]
        self.n = f["data/x_train"].shape[0]
        self.m = f["data/x_test"].shape[0] if "data/x_test" in f else 0
        data, analysis = self.config["data"], self.config["analysis"]
        targets = data["targets"] != "none" and "targets/y_train" in f
        self.has = {
            "test points": self.m > 0,
            "output.gaps": self.config["output"]["gaps"],
            "file source": data["source"] in ("hdf5", "idx", "cifar10"),
            "class labels": data["targets"] == "onehot",
            "targets": targets,
            "regression": targets and self.m > 0 and bool(analysis["ridge"] or analysis["times"]),
            "spectrum": self.config["output"]["eigenvalues"],
            "eigenvectors": analysis["eigenvectors"],
            "diagnostics": analysis["diagnostics"],
            "finite width": self.config["network"]["width"] != "infinite",
        }
        # The feature kernel always has an analytic reference; this test's finite runs use the
        # ntk parameterization, so the NTK has one too.
        self.has["finite reference"] = (self.has["finite width"] and self.config["network"]["parameterization"] == "ntk"
                                        and self.config["montecarlo"]["compare"])
        self.has["training"] = self.has["finite width"] and self.config["training"]["steps"] > 0
        self.has["exported networks"] = self.has["finite width"] and bool(self.config["montecarlo"]["export"])
        self.has["biases"] = self.config["network"]["sb2"] > 0
        self.network = self.config["network"]
        self.exported = self.config["montecarlo"]["export"] if self.has["finite width"] else []
        self.has["ridge"] = self.has["regression"] and bool(analysis["ridge"])
        self.has["times"] = self.has["regression"] and bool(analysis["times"])
        top = analysis["spectrum"] == "top"
        self.has["top-k"] = self.has["spectrum"] and top
        self.has["all eigenvalues"] = self.has["spectrum"] and not top
        self.has["vectors"] = self.has["spectrum"] and (analysis["spectrum"] != "values" or analysis["eigenvectors"])
        k = f["targets/y_train"].shape[1] if targets else 0
        phases = text(f["timing/seconds"].attrs["phases"]).split(",")
        self.sizes = {"n": self.n, "m": self.m, "d": f["data/x_train"].shape[1], "D": len(self.depths), "k": k,
                      "R": len(analysis["ridge"]), "T": len(analysis["times"]),
                      "K": min(analysis["top_k"], self.n), "P": len(phases), "Z": 10,
                      "S": self.config["montecarlo"]["samples"],
                      "W": self.network["width"] if self.has["finite width"] else 0, "1": 1}
        if self.has["training"]:
            self.sizes["Q"] = f[f"training/{self.depths[0]}/steps"].shape[0]
        kernels = self.config["output"]["kernels"]
        self.kernels_at = (lambda L: kernels) if isinstance(kernels, bool) else (lambda L: L in kernels)

    def holds(self, conds, depth):
        for c in conds:
            if c == "kernels at L":
                if not self.kernels_at(depth):
                    return False
            elif c not in self.has:
                raise AssertionError(f"docs: unknown condition {c!r} (add it to this test and the legend)")
            elif not self.has[c]:
                return False
        return True

    def expand(self, pattern):
        """(path, depth) for every kind and recorded depth the pattern names."""
        kinds = self.kinds if "<kind>" in pattern else [None]
        depths = self.depths if "<L>" in pattern else [None]
        for kind in kinds:
            for depth in depths:
                path = pattern.replace("<kind>", kind or "").replace("<L>", str(depth))
                for concrete in self.expand_network(path, depth):
                    yield concrete, depth

    def expand_network(self, path, depth):
        """An exported network's paths: <s> every exported network, <l> its layers after the
        first, <j> the layers its heads read (docs/output-format.md, "Exported networks")."""
        if "<s>" not in path:
            yield path
            return
        arch, h = self.network["architecture"], self.network["readout_every"]
        layers = {"mlp": depth, "shortcut": depth // h * h, "resnet": depth + 1}[arch]
        heads = [k * h for k in range(1, depth // h + 1)] if arch == "shortcut" else [depth]
        for s in self.exported:
            p = path.replace("<s>", str(s))
            numbers = range(1, layers) if "<l>" in p else heads if "<j>" in p else [None]
            for number in numbers:
                yield p.replace("<l>", str(number)).replace("<j>", str(number))

    def shape(self, text_shape):
        names = [s.strip() for s in text_shape.strip("()").split(",") if s.strip()]
        return tuple(self.sizes[s] for s in names)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def type_ok(value, doc_type):
    dtype = np.asarray(value).dtype
    if doc_type == "string":
        return isinstance(value, (str, bytes)) or dtype.kind in "OSU"
    if doc_type == "int64[2]":
        return dtype == np.int64 and np.asarray(value).shape == (2,)
    return dtype == np.dtype(doc_type)


def check_file(path, rows):
    problems = []
    with h5py.File(path, "r") as f:
        run = Run(f)
        actual = {}  # path -> object; attributes as "path@name"
        def visit(name, obj):
            actual["/" + name] = obj
        f.visititems(visit)
        actual_attrs = {}
        for p, obj in list(actual.items()) + [("/", f)]:
            for a in obj.attrs:
                actual_attrs[(p, a)] = obj.attrs[a]

        # Expected objects: per concrete path, which rows apply (a path can have several rows
        # with different conditions, e.g. the eigenvalues of a full or a top-k spectrum).
        documented_paths, documented_attrs = {}, {}
        for pattern, attribute, shape, doc_type, conds in rows:
            for concrete, depth in run.expand(pattern):
                entry = (shape, doc_type, run.holds(conds, depth))
                if attribute is None:
                    documented_paths.setdefault(concrete, []).append(entry)
                else:
                    documented_attrs.setdefault((concrete, attribute), []).append(entry)

        ancestors = {"/".join(p.split("/")[:i]) for p in documented_paths for i in range(2, p.count("/") + 1)}
        for p, obj in actual.items():
            if isinstance(obj, h5py.Dataset):
                if p not in documented_paths:
                    problems.append(f"{p}: dataset not documented")
            elif p not in ancestors:
                problems.append(f"{p}: group not documented")
        for key in actual_attrs:
            if key not in documented_attrs:
                problems.append(f"{key[0]} attribute {key[1]!r}: not documented")

        for p, entries in documented_paths.items():
            wanted = [e for e in entries if e[2]]
            present = p in actual and isinstance(actual[p], h5py.Dataset)
            if present != bool(wanted):
                problems.append(f"{p}: {'present' if present else 'missing'}, but the documented conditions "
                                f"{'do not hold' if present else 'hold'}")
                continue
            if present:
                shape, doc_type, _ = wanted[0]
                ds = actual[p]
                if ds.shape != run.shape(shape):
                    problems.append(f"{p}: shape {ds.shape}, documented {shape} = {run.shape(shape)}")
                if not type_ok(ds[()] if ds.dtype.kind in "OSU" else np.zeros(0, ds.dtype), doc_type):
                    problems.append(f"{p}: type {ds.dtype}, documented {doc_type}")
        for key, entries in documented_attrs.items():
            wanted = [e for e in entries if e[2]]
            if key[0] not in actual and key[0] != "/":
                if wanted:
                    problems.append(f"{key[0]} (holding attribute {key[1]!r}): missing")
                continue
            present = key in actual_attrs
            if present != bool(wanted):
                problems.append(f"{key[0]} attribute {key[1]!r}: {'present' if present else 'missing'}, but the "
                                f"documented conditions {'do not hold' if present else 'hold'}")
            elif present and not type_ok(actual_attrs[key], wanted[0][1]):
                problems.append(f"{key[0]} attribute {key[1]!r}: {actual_attrs[key]!r} is not {wanted[0][1]}")
        summary = (len(actual), len(actual_attrs))
    return problems, summary


# ---- the runs ------------------------------------------------------------------------------


def make_onehot_input(path):
    rng = np.random.default_rng(11)
    x, x_test = rng.standard_normal((40, 5)), rng.standard_normal((15, 5))
    with h5py.File(path, "w") as f:
        f["x_train"], f["x_test"] = x, x_test
        f["y_train"] = (np.abs(x[:, 0]) * 3).astype(np.int64) % 3
        f["y_test"] = (np.abs(x_test[:, 0]) * 3).astype(np.int64) % 3


def deepntk_run(mpiexec, deepntk, out, settings):
    args = [mpiexec, "-n", "2", deepntk, "run", "--output", out, "--force", "--quiet",
            "--set", "parallel.block_size=4", "--set", "checkpoint.every_seconds=0"]
    for s in settings:
        args += ["--set", s]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}{result.stderr}"


def check_example(example, path, kind):
    """Every number EXAMPLE prints for `kind` equals the h5py read it claims to be."""
    result = subprocess.run([sys.executable, example, path, kind], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    checked = 0

    def number(pattern):
        found = re.findall(pattern, out)
        return [float(v) if not isinstance(v, tuple) else tuple(v) for v in found]

    def close(a, b, what, rtol=1e-14):
        nonlocal checked
        assert np.isclose(a, b, rtol=rtol, atol=0) or (np.isnan(a) and np.isnan(b)), f"{what}: printed {a}, h5py {b}"
        checked += 1

    with h5py.File(path, "r") as f:
        depths = f["depths"][:]
        assert re.search(r"^depths: " + " ".join(map(str, depths)) + "$", out, re.M), out
        assert f"data source: {text(f['data'].attrs['source'])}" in out, out
        assert f"n_train: {f['data/x_train'].shape[0]} dim: {f['data/x_train'].shape[1]}" in out, out
        matrices = 0
        for L in depths:
            g = f[f"kernels/{kind}/{L}"]
            scale = np.exp(g.attrs["log_scale"])
            (mean,) = number(rf"(?m)^L={L} mean K\(x,x\): (\S+)$")
            close(mean, np.mean(g["train_diag"][:] * scale), f"L={L} mean diagonal")
            printed = re.findall(rf"(?m)^L={L} K\[0,1\]: (\S+) normalized K\[0,1\]: (\S+)$", out)
            assert bool(printed) == ("train" in g), f"L={L}: matrix line printed {printed} but stored {'train' in g}"
            if printed:
                matrices += 1
                K = g["train"][:]
                close(float(printed[0][0]), K[0, 1] * scale, f"L={L} K[0,1]")
                close(float(printed[0][1]), K[0, 1] / np.sqrt(K[0, 0] * K[1, 1]), f"L={L} normalized K[0,1]")
            s = f[f"spectrum/{kind}/{L}"]
            (line,) = re.findall(rf"(?m)^L={L} lambda_max: (\S+) largest eigenvalue: (\S+) method: (\S+)$", out)
            close(float(line[0]), s.attrs["lambda_max"] * np.exp(s.attrs["log_scale"]), f"L={L} lambda_max")
            close(float(line[1]), s["eigenvalues"][-1] * np.exp(s.attrs["log_scale"]), f"L={L} top eigenvalue")
            assert line[2] == text(s.attrs["method"]), line
        r = f[f"regression/{kind}/{depths[-1]}"]
        mses = number(r"(?m)^ridge \S+ \(\w+\) test MSE: (\S+)$")
        assert len(mses) == len(r["mse"]), out
        for a, b in zip(mses, r["mse"][:]):
            close(a, b, "test MSE")
        close(number(r"(?m)^prediction\[0,0\] at the first ridge: (\S+)$")[0], r["predictions"][0, 0, 0], "prediction")
        if "accuracy" in r:
            close(number(r"(?m)^accuracy at the first ridge: (\S+)$")[0], r["accuracy"][0], "accuracy")
        table = f[f"diagnostics/{kind}"]
        for row, L in enumerate(table["depth"][:]):
            close(number(rf"(?m)^L={L} offdiag_mean: (\S+)$")[0], table["offdiag_mean"][row], f"L={L} offdiag_mean")
        close(number(r"(?m)^time total: (\S+) s$")[0], f["timing/seconds"].attrs["total"], "total time", 1e-5)  # printed to 6 digits
        phases = text(f["timing/seconds"].attrs["phases"]).split(",")
        assert len(re.findall(r"(?m)^time (?!total)", out)) == len(phases), out
    return checked, matrices


def main(mpiexec, deepntk, scratch, doc, example):
    os.makedirs(scratch, exist_ok=True)
    rows = parse_doc(doc)
    onehot_input = os.path.join(scratch, "labels.h5")
    make_onehot_input(onehot_input)
    small = ["data.source=sphere", "data.n_train=24", "data.n_test=9", "data.dim=6", "depth.schedule=1,3,10"]
    cases = {
        # gaps, eigenvectors, flow times, the matrices at depths 1 and 10 only
        "full": small + ["output.gaps=true", "analysis.eigenvectors=true", "analysis.times=[0.5, 20.0]",
                         "output.kernels=[1, 10]"],
        # one-hot labels from HDF5 (indices, labels, accuracy), random subset, preprocessing, top-k
        "onehot_top": ["data.source=hdf5", f"data.path={onehot_input}", "data.n_train=30", "data.n_test=12",
                       "data.targets=onehot", "data.subset=random", "data.preprocessing=center,sphere",
                       "depth.schedule=2,5", "depth.kinds=ntk", "analysis.spectrum=top", "analysis.top_k=4",
                       "analysis.ridge=[1e-3]"],
        # no test points (so no regression), eigenvalues only, no kernel matrices
        "no_test": small + ["data.n_test=0", "analysis.spectrum=values", "output.kernels=false"],
        # finite width: Monte-Carlo kernels with standard errors and the infinite-width comparison
        "finite": small + ["network.width=8", "montecarlo.samples=3", "output.kernels=[1, 10]", "training.steps=5",
                           "training.learning_rate=0.1"],
        # finite width with exported networks (shortcut, h = 2, with biases: every layer, head and bias)
        "finite_export": small + ["network.width=4", "montecarlo.samples=3", "montecarlo.export=[0, 2]",
                                  "montecarlo.compare=false",
                                  "network.architecture=shortcut", "network.readout_every=2", "network.sb2=0.1",
                                  "depth.schedule=2,5", "output.kernels=false"],
    }
    failures = []
    for name, settings in cases.items():
        out = os.path.join(scratch, name + ".h5")
        deepntk_run(mpiexec, deepntk, out, settings)
        problems, (objects, attributes) = check_file(out, rows)
        print(f"{name}: {objects} objects, {attributes} attributes, {len(problems)} problems")
        failures += [f"{name}: {p}" for p in problems]
    # The subset of depths really is a subset: matrices at 1 and 10, none at 3.
    with h5py.File(os.path.join(scratch, "full.h5"), "r") as f:
        for kind in ("nngp", "ntk"):
            stored = [L for L in (1, 3, 10) if f"kernels/{kind}/{L}/train" in f and f"kernels/{kind}/{L}/test" in f]
            if stored != [1, 10]:
                failures.append(f"full: {kind} matrices stored at {stored}, expected [1, 10]")
            if not all(f"spectrum/{kind}/{L}/eigenvalues" in f and f"regression/{kind}/{L}/mse" in f
                       for L in (1, 3, 10)):
                failures.append(f"full: {kind} spectra or regression missing at a depth without matrices")
    if failures:
        sys.exit("docs/output-format.md does not match the files:\n  " + "\n  ".join(failures))
    print(f"every object documented, every documented object where expected ({len(rows)} documented rows)")

    for name, kind in (("full", "ntk"), ("onehot_top", "ntk")):
        checked, matrices = check_example(example, os.path.join(scratch, name + ".h5"), kind)
        print(f"read_result.py on {name}: {checked} printed numbers equal h5py reads ({matrices} depths with matrices)")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
