#!/usr/bin/python3
"""Turn a deepntk result file into PNG plots against depth.

    tools/plot_results.py RESULT.h5 [--out-dir DIR]

Writes, for every kernel kind in the file (nngp, ntk), as far as the file holds the data:

    spectrum.png      lambda_min and lambda_max (true units) and the condition number
    offdiagonal.png   min / mean / max of the normalized off-diagonal entries, and 1 - mean;
                      at finite width the mean has Monte-Carlo error bars (from
                      train_se, at the depths whose matrices are stored)
    test_metrics.png  test MSE (and accuracy for one-hot targets) for every ridge value
    weight_sums.png   min / mean / max over test points of the predictor weight row sums
    finite_width.png  finite width only: distance to the infinite-width kernel, z rms and the
                      spread of the normalized entries across networks

The plots go to DIR (default: RESULT without .h5, plus "-plots"); the script prints each path.
A plot whose data is absent from the file (no test points, analysis switched off) is skipped
with a note. Needs h5py, numpy and matplotlib (Debian: python3-h5py python3-numpy
python3-matplotlib); the layout it reads is docs/output-format.md.
"""
import argparse
import os
import sys

import numpy as np

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display (batch nodes, CI)
    import matplotlib.pyplot as plt
except ImportError as missing:
    sys.exit(
        f"plot_results.py: error: {missing}; install python3-h5py, python3-numpy and "
        "python3-matplotlib (Debian) or run with an interpreter that has them (/usr/bin/python3)"
    )

PROGRAM = "plot_results.py"
KINDS = ("nngp", "ntk")


class NotAResult(Exception):
    """The input cannot be plotted; the message says why and what to do."""


def open_result(path):
    if not os.path.exists(path):
        raise NotAResult(f"{path}: no such file")
    if not h5py.is_hdf5(path):
        raise NotAResult(f"{path}: not an HDF5 file; give a result written by `deepntk run`")
    f = h5py.File(path, "r")
    if "depths" not in f or "configuration" not in f.attrs:
        f.close()
        raise NotAResult(
            f"{path}: not a deepntk result (no /depths dataset or configuration attribute); "
            "give a file written by `deepntk run`"
        )
    return f


def kinds_in(f, group):
    return [kind for kind in KINDS if f"{group}/{kind}" in f]


def spectrum_table(f, kind, depths):
    """lambda_min, lambda_max in true units (stored x exp(log_scale)) and the condition number."""
    rows = []
    for depth in depths:
        name = f"spectrum/{kind}/{depth}"
        if name not in f:
            return None
        a = f[name].attrs
        scale = np.exp(a["log_scale"])
        rows.append((a["lambda_min"] * scale, a["lambda_max"] * scale, a["condition_number"]))
    return np.array(rows, dtype=float).reshape(-1, 3)


def positive(values):
    """Values for a log axis: non-positive entries (indefinite spectra) are left out as NaN."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


def depth_axis(ax, depths):
    if len(depths) > 1 and depths.min() > 0 and depths.max() / depths.min() >= 10:
        ax.set_xscale("log")
    ax.set_xlabel("depth L")
    ax.grid(True, which="both", alpha=0.3)


def new_figure(columns, rows=1):
    fig, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 4.0 * rows), squeeze=False)
    return fig, axes


def save(fig, out_dir, name, written):
    path = os.path.join(out_dir, name)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)


def plot_spectrum(f, depths, out_dir, written, notes):
    tables = {kind: spectrum_table(f, kind, depths) for kind in kinds_in(f, "spectrum")}
    tables = {kind: t for kind, t in tables.items() if t is not None}
    if not tables:
        notes.append("spectrum.png skipped: no /spectrum summaries (output.eigenvalues = false?)")
        return
    fig, axes = new_figure(len(tables), 2)
    for column, (kind, table) in enumerate(tables.items()):
        top, bottom = axes[0][column], axes[1][column]
        top.plot(depths, positive(table[:, 1]), "o-", label="lambda_max")
        top.plot(depths, positive(table[:, 0]), "s-", label="lambda_min")
        top.set_yscale("log")
        top.set_title(f"{kind}: extreme eigenvalues (true units)")
        top.legend()
        depth_axis(top, depths)
        condition = np.where(np.isfinite(table[:, 2]), table[:, 2], np.nan)
        bottom.plot(depths, positive(condition), "o-", color="tab:red")
        bottom.set_yscale("log")
        bottom.set_title(f"{kind}: condition number lambda_max / lambda_min")
        depth_axis(bottom, depths)
    save(fig, out_dir, "spectrum.png", written)


def offdiagonal_error(f, kind, depth):
    """The Monte-Carlo error bar of the mean normalized off-diagonal entry at `depth`: the mean
    over pairs i != j of train_se_ij / sqrt(K_ii K_jj). Averaging standard errors (rather than
    adding them in quadrature) is right whatever the correlation of the entries' errors, which
    is strong. It leaves out that an entry and the diagonals it is divided by move together, so
    where networks differ mostly in scale (deep, narrow) it overstates the error; the result
    stores nothing sharper (each network's normalized spread is about the networks, not the
    normalized mean). NaN where the depth's matrices are not stored, or not finite width."""
    g = f.get(f"kernels/{kind}/{depth}")
    if g is None or "train" not in g or "train_se" not in g:
        return np.nan
    diagonal = g["train_diag"][:]
    relative = g["train_se"][:] / np.sqrt(np.outer(diagonal, diagonal))
    n = len(diagonal)
    return (relative.sum() - np.trace(relative)) / (n * (n - 1)) if n > 1 else np.nan


def plot_offdiagonal(f, out_dir, written, notes):
    kinds = kinds_in(f, "diagnostics")
    if not kinds:
        notes.append("offdiagonal.png skipped: no /diagnostics (analysis.diagnostics = false?)")
        return
    fig, axes = new_figure(len(kinds), 2)
    for column, kind in enumerate(kinds):
        g = f[f"diagnostics/{kind}"]
        depths = g["depth"][:]
        low, mean, high = g["offdiag_min"][:], g["offdiag_mean"][:], g["offdiag_max"][:]
        top, bottom = axes[0][column], axes[1][column]
        top.fill_between(depths, low, high, alpha=0.25, label="min .. max")
        errors = np.array([offdiagonal_error(f, kind, depth) for depth in depths])
        if np.any(np.isfinite(errors)):
            top.errorbar(depths, mean, yerr=np.where(np.isfinite(errors), errors, 0.0), fmt="o-", capsize=3,
                         label="mean (Monte-Carlo error bars)")
        else:
            top.plot(depths, mean, "o-", label="mean")
        top.set_title(f"{kind}: normalized off-diagonal K_ij / sqrt(K_ii K_jj)")
        top.legend()
        depth_axis(top, depths)
        # Deep kernels approach the all-ones matrix: the distance to 1 shows how fast.
        bottom.plot(depths, positive(1 - low), "s-", label="1 - min")
        bottom.plot(depths, positive(1 - mean), "o-", label="1 - mean")
        bottom.plot(depths, positive(1 - high), "^-", label="1 - max")
        bottom.set_yscale("log")
        bottom.set_title(f"{kind}: distance of the off-diagonal entries from 1")
        bottom.legend()
        depth_axis(bottom, depths)
    save(fig, out_dir, "offdiagonal.png", written)


def metric_table(f, kind, depths, metric):
    """(D, R) array of a per-lambda metric, and the lambdas; None when any depth lacks it."""
    rows, lambdas = [], None
    for depth in depths:
        name = f"regression/{kind}/{depth}"
        if name not in f or metric not in f[name]:
            return None, None
        rows.append(f[name][metric][:])
        lambdas = f[name]["lambdas"][:]
    return np.array(rows, dtype=float), lambdas


def plot_test_metrics(f, depths, out_dir, written, notes):
    metrics = [m for m in ("mse", "accuracy")
               if any(metric_table(f, kind, depths, m)[0] is not None for kind in KINDS)]
    if not metrics:
        notes.append("test_metrics.png skipped: no /regression results (no targets or no test points)")
        return
    kinds = kinds_in(f, "regression")
    fig, axes = new_figure(len(kinds), len(metrics))
    for column, kind in enumerate(kinds):
        scale = f[f"regression/{kind}/{depths[0]}"].attrs.get("ridge_scale", "")
        scale = scale.decode() if isinstance(scale, bytes) else str(scale)
        for row, metric in enumerate(metrics):
            ax = axes[row][column]
            table, lambdas = metric_table(f, kind, depths, metric)
            if table is None:
                ax.set_axis_off()
                continue
            for r, lam in enumerate(lambdas):
                ax.plot(depths, table[:, r], "o-", label=f"ridge {lam:g} ({scale})" if scale else f"ridge {lam:g}")
            if metric == "mse":
                ax.set_yscale("log")
                ax.set_title(f"{kind}: test MSE")
            else:
                ax.set_ylim(-0.02, 1.02)
                ax.set_title(f"{kind}: test accuracy")
            ax.legend(fontsize="small")
            depth_axis(ax, depths)
    save(fig, out_dir, "test_metrics.png", written)


def plot_weight_sums(f, out_dir, written, notes):
    kinds = [kind for kind in kinds_in(f, "diagnostics")
             if np.any(np.isfinite(f[f"diagnostics/{kind}/weight_sum_mean"][:]))]
    if not kinds:
        notes.append("weight_sums.png skipped: no predictor weights (no test points or no diagnostics)")
        return
    fig, axes = new_figure(len(kinds))
    for column, kind in enumerate(kinds):
        g = f[f"diagnostics/{kind}"]
        depths = g["depth"][:]
        ax = axes[0][column]
        ax.fill_between(depths, g["weight_sum_min"][:], g["weight_sum_max"][:], alpha=0.25, label="min .. max")
        ax.plot(depths, g["weight_sum_mean"][:], "o-", label="mean")
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        lam = g["weight_lambda"][0] if "weight_lambda" in g else float("nan")
        ax.set_title(f"{kind}: row sums of W = Kt (K + lambda I)^-1  (lambda = {lam:g}, stored units)")
        ax.title.set_fontsize("medium")
        ax.legend()
        depth_axis(ax, depths)
    save(fig, out_dir, "weight_sums.png", written)


FINITE_WIDTH_ATTRIBUTES = (
    ("reference_distance", "distance to infinite width ||M - K||_F / ||K||_F", True),
    ("z_rms", "rms of z = (M - K) / SE (about 1 when unbiased)", False),
    ("normalized_spread", "spread across networks of the normalized entries", True),
)


def finite_width_table(f, kind, depths):
    """{attribute: (D,) values} of /kernels/<kind>/<L> (NaN where one is absent: the standard
    parameterization's NTK has no reference); None when the kind is not finite width."""
    groups = [f.get(f"kernels/{kind}/{depth}") for depth in depths]
    if any(g is None or "normalized_spread" not in g.attrs for g in groups):
        return None
    return {name: np.array([g.attrs.get(name, np.nan) for g in groups], dtype=float)
            for name, _, _ in FINITE_WIDTH_ATTRIBUTES}


def plot_finite_width(f, depths, out_dir, written, notes):
    tables = {kind: finite_width_table(f, kind, depths) for kind in kinds_in(f, "kernels")}
    tables = {kind: t for kind, t in tables.items() if t is not None}
    if not tables:
        notes.append("finite_width.png skipped: not a finite-width result (network.width = \"infinite\")")
        return
    fig, axes = new_figure(len(tables), len(FINITE_WIDTH_ATTRIBUTES))
    for column, (kind, table) in enumerate(tables.items()):
        for row, (name, title, log_axis) in enumerate(FINITE_WIDTH_ATTRIBUTES):
            ax = axes[row][column]
            values = table[name]
            if not np.any(np.isfinite(values)):
                ax.set_axis_off()
                ax.set_title(f"{kind}: no {name} (no infinite-width reference)")
                continue
            ax.plot(depths, positive(values) if log_axis else values, "o-")
            if log_axis:
                ax.set_yscale("log")
            else:
                ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
            ax.set_title(f"{kind}: {title}")
            ax.title.set_fontsize("medium")
            depth_axis(ax, depths)
    save(fig, out_dir, "finite_width.png", written)


def plot(path, out_dir):
    with open_result(path) as f:
        depths = f["depths"][:]
        if depths.size == 0:
            raise NotAResult(f"{path}: the result records no depths; nothing to plot")
        os.makedirs(out_dir, exist_ok=True)
        written, notes = [], []
        plot_spectrum(f, depths, out_dir, written, notes)
        plot_offdiagonal(f, out_dir, written, notes)
        plot_test_metrics(f, depths, out_dir, written, notes)
        plot_weight_sums(f, out_dir, written, notes)
        plot_finite_width(f, depths, out_dir, written, notes)
    return written, notes


def main(argv):
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.split("\n\n")[0])
    parser.add_argument("result", help="result file written by `deepntk run`")
    parser.add_argument("--out-dir", help="directory for the PNG files (default: RESULT-plots)")
    args = parser.parse_args(argv)
    out_dir = args.out_dir or os.path.splitext(args.result)[0] + "-plots"
    try:
        written, notes = plot(args.result, out_dir)
    except NotAResult as problem:
        print(f"{PROGRAM}: error: {problem}", file=sys.stderr)
        return 1
    except OSError as problem:
        print(f"{PROGRAM}: error: {problem}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"{PROGRAM}: note: {note}", file=sys.stderr)
    for path in written:
        print(path)
    if not written:
        print(f"{PROGRAM}: error: {args.result} holds none of the data the plots need", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
