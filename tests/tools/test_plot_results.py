"""tools/plot_results.py on real results: every PNG is a valid, non-blank image of a readable
size; plots without data are skipped with a note (finite_width.png for infinite-width results);
a finite-width result gets finite_width.png and Monte-Carlo error bars at the depths whose
matrices are stored; non-results are refused with one line.

    test_plot_results.py PLOT_SCRIPT RESULT NO_TEST_RESULT FINITE_RESULT SCRATCH_DIR
"""
import importlib.util
import os
import shutil
import struct
import subprocess
import sys

import h5py
import matplotlib.image
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALL_PLOTS = ["spectrum.png", "offdiagonal.png", "test_metrics.png", "weight_sums.png"]


def run(script, *arguments):
    return subprocess.run([sys.executable, script, *arguments], capture_output=True, text=True, timeout=100)


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    assert header[:8] == PNG_SIGNATURE, f"{path}: not a PNG"
    assert header[12:16] == b"IHDR", f"{path}: no IHDR chunk first"
    return struct.unpack(">II", header[16:24])


def check_plots(script, result, out_dir, expected):
    shutil.rmtree(out_dir, ignore_errors=True)
    done = run(script, result, "--out-dir", out_dir)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    written = done.stdout.split()
    assert sorted(os.path.basename(p) for p in written) == sorted(expected), (written, done.stderr)
    assert sorted(os.listdir(out_dir)) == sorted(expected), os.listdir(out_dir)
    for path in written:
        width, height = png_size(path)
        # one 5.5 x 4 inch panel per kernel at 110 dpi, two kernels: ~1200 x 440..880 pixels
        assert 800 <= width <= 3000 and 300 <= height <= 2000, (path, width, height)
        assert os.path.getsize(path) > 20_000, (path, os.path.getsize(path))
        pixels = matplotlib.image.imread(path)
        assert pixels.shape[:2] == (height, width)
        # Something was drawn: plenty of pixels differ from the white background.
        drawn = np.any(pixels[:, :, :3] < 0.9, axis=2).mean()
        assert drawn > 0.02, (path, drawn)
    return done


def check_refused(script, path, expected_words):
    done = run(script, path, "--out-dir", path + "-plots")
    assert done.returncode == 1, (path, done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plot_results.py: error: "), done.stderr
    assert expected_words in lines[0], (expected_words, lines[0])
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not os.path.exists(path + "-plots"), "plots directory created for a refused input"


def check_finite_width(script, finite_result, scratch):
    check_plots(script, finite_result, os.path.join(scratch, "finite"), ALL_PLOTS + ["finite_width.png"])
    spec = importlib.util.spec_from_file_location("plot_results", script)
    plot_results = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plot_results)
    with h5py.File(finite_result, "r") as f:
        for kind in ("nngp", "ntk"):
            errors = {int(L): plot_results.offdiagonal_error(f, kind, L) for L in f["depths"][:]}
            with_matrices = {L for L, e in errors.items() if np.isfinite(e)}
            assert with_matrices == {1, 10, 100}, (kind, errors)
            assert all(errors[L] > 0 for L in with_matrices), (kind, errors)
            table = plot_results.finite_width_table(f, kind, f["depths"][:])
            assert table is not None and np.all(np.isfinite(table["z_rms"])), (kind, table)


def main(script, result, no_test_result, finite_result, scratch):
    done = check_plots(script, result, os.path.join(scratch, "all"), ALL_PLOTS)
    assert "finite_width.png skipped: not a finite-width result" in done.stderr, done.stderr
    check_finite_width(script, finite_result, scratch)
    # The default output directory sits next to the result.
    default_dir = os.path.splitext(result)[0] + "-plots"
    shutil.rmtree(default_dir, ignore_errors=True)
    assert run(script, result).returncode == 0 and sorted(os.listdir(default_dir)) == sorted(ALL_PLOTS)

    # Without test points there are no metrics or predictor weights: those plots are skipped.
    done = check_plots(script, no_test_result, os.path.join(scratch, "no-test"),
                       ["spectrum.png", "offdiagonal.png"])
    assert "test_metrics.png skipped" in done.stderr and "weight_sums.png skipped" in done.stderr, done.stderr

    text_file = os.path.join(scratch, "notes.txt")
    with open(text_file, "w") as f:
        f.write("not a result\n")
    check_refused(script, text_file, "not an HDF5 file")
    other_hdf5 = os.path.join(scratch, "other.h5")
    with h5py.File(other_hdf5, "w") as f:
        f["x"] = np.arange(3.0)
    check_refused(script, other_hdf5, "not a deepntk result")
    check_refused(script, os.path.join(scratch, "missing.h5"), "no such file")
    print("plot_results.py checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:])
