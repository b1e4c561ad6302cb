"""End-to-end checks of the [analysis] results of `deepntk run`, recomputed serially with numpy
from the kernels stored in the same file (the distributed code never sees these references).

  check_analysis_h5py.py agree FILE...
      The regression, spectrum summary and diagnostics of every file (same problem, different
      rank counts) agree with the first to 1e-10, and the first agrees with numpy.
  check_analysis_h5py.py spectra MPIEXEC DEEPNTK SCRATCH
      analysis.spectrum = values / top / all on 2 ranks: eigenvalues-only (PDSYEVR) and top-k
      spectra against numpy, their recorded method and residual; a single-lambda Cholesky run
      whose predictor weights come from the same solve as the predictions, against numpy; and the
      per-phase timing table under /timing.
  check_analysis_h5py.py fallback MPIEXEC DEEPNTK SCRATCH
      Writes an HDF5 input with duplicated training points and 3-class integer labels, runs
      deepntk on 2 ranks with one ridge value 0 (the Cholesky path), and checks that the
      fallback is warned about and recorded, and that the one-hot predictions and accuracy
      match a pseudo-inverse reference; then real 2-output targets on 4 ranks (Cholesky); then
      fallback = "none" on a non-positive-definite kernel ends the run with one collective error.
Exits non-zero on any mismatch."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np


def spectral_filter_solve(k, y, g_of_w):
    """V diag(g(w)) V^T Y with the library's floor: directions with w <= n eps w_max get 0."""
    w, v = np.linalg.eigh(k)
    floor = k.shape[0] * np.finfo(float).eps * max(w[-1], 0.0)
    g = np.where(np.maximum(w, 0.0) > floor, g_of_w(np.maximum(w, 0.0)), 0.0)
    return v @ (g[:, None] * (v.T @ y))


def ridge_reference(k, kt, y, lam):
    if lam > 0:
        return kt @ np.linalg.solve(k + lam * np.eye(k.shape[0]), y)
    return kt @ spectral_filter_solve(k, y, lambda w: 1.0 / np.where(w > 0, w, 1.0))


def flow_reference(k, kt, y, t):
    return kt @ spectral_filter_solve(k, y, lambda w: np.where(w > 0, -np.expm1(-w * t) / np.where(w > 0, w, 1.0), t))


def close(a, b, tol, what):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    scale = max(np.max(np.abs(b)), 1e-300) if b.size else 1.0
    err = np.max(np.abs(a - b)) / scale if a.size else 0.0
    assert a.shape == b.shape and err <= tol, f"{what}: shapes {a.shape} {b.shape}, relative error {err:.3g} > {tol}"


def diagnostics_reference(k, kt, lam):
    d = np.diag(k)
    n = k.shape[0]
    nrm = k / np.sqrt(np.outer(d, d))
    off = nrm[~np.eye(n, dtype=bool)]
    c = off.mean()
    weights = kt @ spectral_filter_solve(k, np.ones((n, 1)), lambda w: 1.0 / (w + lam)) if lam == 0 else \
        kt @ np.linalg.solve(k + lam * np.eye(n), np.ones((n, 1)))
    return {
        "offdiag_min": off.min(), "offdiag_mean": c, "offdiag_max": off.max(),
        "distance_to_ones": np.sqrt(np.sum((1 - off) ** 2)),
        "relative_distance_to_ones": np.sqrt(np.sum((1 - off) ** 2)) / n,
        "best_c": c, "distance_to_best": np.sqrt(np.sum((off - c) ** 2)),
        "relative_distance_to_best": np.sqrt(np.sum((off - c) ** 2)) / np.sqrt(n + n * (n - 1) * c * c),
        "weight_sum_min": weights.min(), "weight_sum_mean": weights.mean(), "weight_sum_max": weights.max(),
    }


def check_against_numpy(f, tol):
    y = f["targets/y_train"][:]
    y_test = f["targets/y_test"][:]
    kinds = [k for k in f["regression"]]
    for kind in kinds:
        for row, depth in enumerate(f[f"diagnostics/{kind}/depth"][:]):
            g = f[f"kernels/{kind}/{depth}"]
            k, kt = g["train"][:], g["test"][:]
            r = f[f"regression/{kind}/{depth}"]
            lambdas = r["lambdas_stored"][:]
            pred = r["predictions"][:]
            for i, lam in enumerate(lambdas):
                ref = ridge_reference(k, kt, y, lam)
                close(pred[i], ref, tol, f"{kind} L={depth} ridge lambda={lam}")
                close(r["mse"][i], np.mean((ref - y_test) ** 2), tol, f"{kind} L={depth} mse")
            if "flow" in r:
                scale = np.exp(g.attrs["log_scale"])
                for i, t in enumerate(r["flow/times"][:]):
                    close(r["flow/predictions"][i], flow_reference(k, kt, y, t * scale), tol,
                          f"{kind} L={depth} flow t={t}")
            s = f[f"spectrum/{kind}/{depth}"]
            w = np.linalg.eigvalsh(k)
            close([s.attrs["lambda_min"], s.attrs["lambda_max"]], [w[0], w[-1]], 1e-10, f"{kind} L={depth} spectrum")
            if "eigenvectors" in s:
                v = s["eigenvectors"][:]
                lam = s["eigenvalues"][:]
                assert np.linalg.norm(k @ v - v * lam) / np.linalg.norm(k) < 1e-12, "eigenvector residual"
                _, v_ref = np.linalg.eigh(k)
                gap = np.minimum(np.diff(lam, prepend=-np.inf), np.diff(lam, append=np.inf))
                separated = gap > 1e-6 * abs(lam[-1])
                dots = np.abs(np.sum(v[:, separated] * v_ref[:, separated], axis=0))
                close(dots, np.ones_like(dots), 1e-8, f"{kind} L={depth} eigenvectors up to sign")
            wp = np.maximum(w, 0)
            close(s.attrs["effective_rank"], wp.sum() ** 2 / np.sum(wp ** 2), 1e-10, "effective rank")
            ref = diagnostics_reference(k, kt, f[f"diagnostics/{kind}/weight_lambda"][row])
            for name, value in ref.items():
                close(f[f"diagnostics/{kind}/{name}"][row], value, tol, f"{kind} L={depth} {name}")


def agree(paths):
    files = [h5py.File(p, "r") for p in paths]
    first = files[0]
    check_against_numpy(first, 1e-8)
    names = []
    first.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and
                     n.split("/")[0] in ("regression", "diagnostics", "targets") else None)
    assert any(n.endswith("predictions") for n in names), names
    for other in files[1:]:
        for n in names:
            close(other[n][:], first[n][:], 1e-10, f"{other.filename}:{n}")
    print("analysis agrees across", len(files), "files and with numpy")


def fallback(mpiexec, deepntk, scratch):
    # A clean folder: the run that stops on purpose below leaves its checkpoint, which a later
    # build with other configuration keys would refuse to resume ("belongs to another run").
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 6))
    x[1] = x[0]  # duplicate training points: K is exactly singular at every depth
    x[7] = x[3]
    x_test = rng.standard_normal((12, 6))
    labels = (np.abs(x[:, 0]) * 3).astype(np.int64) % 3
    labels_test = (np.abs(x_test[:, 0]) * 3).astype(np.int64) % 3
    source = os.path.join(scratch, "duplicates.h5")
    with h5py.File(source, "w") as f:
        f["x_train"], f["x_test"] = x, x_test
        f["y_train"], f["y_test"] = labels, labels_test
    out = os.path.join(scratch, "fallback.h5")
    run = subprocess.run([mpiexec, "-n", "2", deepntk, "run", "--output", out, "--force", "--quiet",
                          "--set", "data.source=hdf5", "--set", f"data.path={source}", "--set", "data.n_train=40",
                          "--set", "data.n_test=12", "--set", "data.targets=onehot", "--set", "data.center_targets=true",
                          "--set", "depth.schedule=1,3", "--set", "analysis.ridge=[0.0]",
                          "--set", "parallel.block_size=8"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stderr.splitlines() if "warning: depth 1, kernel" in line]
    assert warnings, "no fallback warning on stderr:\n" + run.stderr
    with h5py.File(out, "r") as f:
        y = f["targets/y_train"][:]
        assert y.shape == (40, 3) and np.allclose(y.sum(axis=1), 0.0), "centered one-hot"
        for kind in ("nngp", "ntk"):
            r = f[f"regression/{kind}/1"]
            assert r["solver"].attrs["method"] in ("spectral", b"spectral"), dict(r["solver"].attrs)
            assert r["solver"].attrs["reason"] not in ("none", b"none"), dict(r["solver"].attrs)
            g = f[f"kernels/{kind}/1"]
            pred = r["predictions"][0]
            assert np.all(np.isfinite(pred))
            ref = ridge_reference(g["train"][:], g["test"][:], y, 0.0)
            close(pred, ref, 1e-8, f"{kind} pseudo-inverse predictions")
            expected = np.mean(np.argmax(ref, axis=1) == labels_test)
            close(r["accuracy"][0], expected, 0, f"{kind} accuracy")
            assert any(f"kernel {kind}" in w for w in warnings), warnings
    print("fallback recorded, warned and correct:", warnings[0])

    # Real 2-output targets from the same file, one relative ridge on 4 ranks: the plain
    # Cholesky path (no fallback at lambda = 1e-3 trace/n), checked against numpy.
    with h5py.File(source, "a") as f:
        f["y_real"] = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1)
        f["y_real_test"] = np.stack([np.sin(x_test[:, 0]), x_test[:, 1] * x_test[:, 2]], axis=1)
    out = os.path.join(scratch, "values.h5")
    run = subprocess.run([mpiexec, "-n", "4", deepntk, "run", "--output", out, "--force", "--quiet",
                          "--set", "data.source=hdf5", "--set", f"data.path={source}", "--set", "data.n_train=40",
                          "--set", "data.n_test=12", "--set", "data.y_train=y_real", "--set", "data.y_test=y_real_test",
                          "--set", "depth.schedule=[2]", "--set", "analysis.ridge=[1e-3]",
                          "--set", "parallel.block_size=4"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    with h5py.File(out, "r") as f:
        y = f["targets/y_train"][:]
        assert y.shape == (40, 2)
        for kind in ("nngp", "ntk"):
            r = f[f"regression/{kind}/2"]
            assert r["solver"].attrs["method"] in ("cholesky", b"cholesky"), dict(r["solver"].attrs)
            g = f[f"kernels/{kind}/2"]
            k = g["train"][:]
            lam = 1e-3 * np.trace(k) / k.shape[0]
            close(r["lambdas_stored"][:], [lam], 1e-13, "relative lambda")
            ref = ridge_reference(k, g["test"][:], y, lam)
            close(r["predictions"][0], ref, 1e-9, f"{kind} Cholesky predictions")
            close(r["mse"][0], np.mean((ref - f["targets/y_test"][:]) ** 2), 1e-9, f"{kind} mse")
    print("real 2-output targets on 4 ranks agree with numpy")

    # Ten copies of each of three points: PDPOTRF meets a non-positive-definite minor. With
    # fallback = "none" the run must stop with one collective error naming depth, kernel and
    # minor (no MPI_Abort) and leave no result file.
    many = os.path.join(scratch, "many.h5")
    x_many = np.repeat(np.random.default_rng(1).standard_normal((3, 6)), 10, axis=0)
    with h5py.File(many, "w") as f:
        f["x_train"], f["x_test"] = x_many, x_test[:5]
        f["y_train"], f["y_test"] = x_many[:, 0], x_test[:5, 0]
    out = os.path.join(scratch, "none.h5")
    if os.path.exists(out):
        os.remove(out)
    run = subprocess.run([mpiexec, "-n", "2", deepntk, "run", "--output", out, "--quiet",
                          "--set", "data.source=hdf5", "--set", f"data.path={many}", "--set", "data.n_train=30",
                          "--set", "data.n_test=5", "--set", "depth.schedule=[1]", "--set", "analysis.ridge=[0.0]",
                          "--set", "analysis.fallback=none"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0, run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("deepntk: error: depth 1, kernel")]
    assert len(errors) == 1 and "leading minor" in errors[0], run.stderr
    assert "MPI_ABORT" not in run.stderr.upper(), run.stderr
    assert not os.path.exists(out)
    print("fallback = none stops collectively:", errors[0])


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def spectra(mpiexec, deepntk, scratch, config):
    os.makedirs(scratch, exist_ok=True)

    def run(name, *settings):
        out = os.path.join(scratch, name + ".h5")
        args = [mpiexec, "-n", "2", deepntk, "run", config, "--output", out, "--force", "--quiet",
                "--set", "analysis.times=[]", "--set", "analysis.eigenvectors=false"]
        for s in settings:
            args += ["--set", s]
        result = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return h5py.File(out, "r")

    # One ridge value and no times: no full decomposition is needed for the regression, so the
    # configured method is what runs (several lambdas would reuse a PDSYEVD basis instead).
    with run("values", "analysis.spectrum=values", "analysis.ridge=[1e-4]") as f:
        for kind in ("nngp", "ntk"):
            for depth in f["depths"][:]:
                s = f[f"spectrum/{kind}/{depth}"]
                w = np.linalg.eigvalsh(f[f"kernels/{kind}/{depth}/train"][:])
                assert text(s.attrs["method"]) == "pdsyevr", dict(s.attrs)
                assert "residual" not in s.attrs, "no vectors, so no residual"
                close(s["eigenvalues"][:], w, 1e-12, f"{kind} L={depth} PDSYEVR eigenvalues")
                close(s.attrs["condition_number"], w[-1] / w[0], 1e-9, "condition number")
    with run("top", "analysis.spectrum=top", "analysis.top_k=5", "analysis.ridge=[1e-4]") as f:
        for kind in ("nngp", "ntk"):
            for depth in f["depths"][:]:
                s = f[f"spectrum/{kind}/{depth}"]
                w = np.linalg.eigvalsh(f[f"kernels/{kind}/{depth}/train"][:])
                assert text(s.attrs["method"]) == "pdsyevr-top" and s.attrs["top_k"] == 5, dict(s.attrs)
                assert "lambda_min" not in s.attrs, "a top-k spectrum has no lambda_min"
                close(s["eigenvalues"][:], w[-5:], 1e-12, f"{kind} L={depth} top-5 eigenvalues")
                assert s.attrs["residual"] < 1e-12, s.attrs["residual"]
    # One lambda, no times: the Cholesky path, predictions and weights from one factorization.
    with run("cholesky", "analysis.ridge=[1e-4]") as f:
        check_against_numpy(f, 1e-8)
        for kind in ("nngp", "ntk"):
            r = f[f"regression/{kind}/1"]
            assert text(r["solver"].attrs["method"]) == "cholesky", dict(r["solver"].attrs)
        t = f["timing/seconds"]
        phases = text(t.attrs["phases"]).split(",")
        for needed in ("inputs", "sweep", "kernel output", "spectrum", "regression", "diagnostics"):
            assert needed in phases, phases
        assert len(phases) == len(t[:]) and np.all(t[:] >= 0), (phases, t[:])
        assert t[:].sum() <= t.attrs["total"] * 1.001, (t[:], t.attrs["total"])
    print("spectrum methods, single-solve weights and timing agree with numpy")


if __name__ == "__main__":
    if sys.argv[1] == "agree":
        agree(sys.argv[2:])
    elif sys.argv[1] == "spectra":
        spectra(*sys.argv[2:6])
    else:
        fallback(*sys.argv[2:5])
