#!/usr/bin/env python3
"""Golden outputs of `deepntk run`: every result dataset hashed bit for bit (tests/golden/README.md).

  golden.py make  MPIEXEC DEEPNTK WORKDIR [--manifest FILE] [--only CONFIG...]
      Runs every configuration of tests/golden/configs on 1, 2 and 4 ranks (result files kept in
      WORKDIR) and writes the manifest (default tests/golden/manifest.txt): one hash per
      dataset and numerical attribute and rank count, with a few summary numbers.
  golden.py check MPIEXEC DEEPNTK WORKDIR [--manifest FILE] [--reference DIR] [--set KEY=VALUE]...
      Runs the same and compares with the manifest. Fails (exit 1) on every object of the
      manifest that is missing or whose hash differs, printing how much it differs: exactly
      (max abs / max rel over the entries) when DIR holds the result files of `make` (its
      WORKDIR), else estimated from the manifest's summary numbers. Objects the manifest does
      not list are ignored (new outputs are allowed). --set is passed to every run (used to show
      that the check fails, e.g. --set data.seed=1).

Hashed: every dataset under /depths, /data, /targets, /kernels, /spectrum, /regression and
/diagnostics, read as little-endian float64 or int64 in C order (strings as UTF-8), together
with its shape; every numerical attribute of those objects (log scales, spectrum summaries);
the string attributes under /spectrum and /regression (which solver or eigensolver ran). Not
hashed: /timing, the root attributes (version, git revision, creation time, configuration
text, grid), the provenance strings of /data.
"""
import argparse
import concurrent.futures
import hashlib
import math
import os
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG_DIR = os.path.join(HERE, "configs")
DEFAULT_MANIFEST = os.path.join(HERE, "manifest.txt")

# Rank counts and the BLACS grid each one uses (pinned: the grid decides how K0's sums split).
GRIDS = {1: (1, 1), 2: (1, 2), 4: (2, 2)}

# Forced on every run, whatever the caller's environment: the bits of the analysis depend on
# the OpenBLAS kernels (CORETYPE) and on single-threaded BLAS; the rest is how MPI runs here.
ENVIRONMENT = {
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_mpi_yield_when_idle": "1",
}

HASHED_GROUPS = ("depths", "data", "targets", "kernels", "spectrum", "regression", "diagnostics")
STRING_ATTRIBUTE_GROUPS = ("spectrum", "regression")


def configs():
    return sorted(f[:-5] for f in os.listdir(CONFIG_DIR) if f.endswith(".toml"))


def result_path(workdir, config, ranks):
    return os.path.join(workdir, f"{config}.ranks{ranks}.h5")


# ---- running ---------------------------------------------------------------------------------


def run_one(mpiexec, deepntk, workdir, config, ranks, settings):
    rows, cols = GRIDS[ranks]
    out = result_path(workdir, config, ranks)
    command = [mpiexec, "-n", str(ranks), deepntk, "run", os.path.join(CONFIG_DIR, config + ".toml"),
               "--output", out, "--force", "--quiet", "--set", f"parallel.grid=[{rows}, {cols}]"]
    for s in settings:
        command += ["--set", s]
    env = dict(os.environ)
    env.update(ENVIRONMENT)
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return config, ranks, seconds


def run_all(mpiexec, deepntk, workdir, selected, settings, jobs):
    """Every configuration on every rank count. Up to `jobs` cores are kept busy: two 1-rank
    runs share the machine, runs on more ranks take it alone."""
    os.makedirs(workdir, exist_ok=True)
    tasks = [(c, r) for r in sorted(GRIDS, reverse=True) for c in selected]
    start = time.monotonic()
    seconds = {r: 0.0 for r in GRIDS}
    busy = {}
    free = jobs
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        while tasks or busy:
            while tasks and (not busy or min(tasks[0][1], jobs) <= free):
                c, r = tasks.pop(0)
                cost = min(r, jobs)
                free -= cost
                busy[pool.submit(run_one, mpiexec, deepntk, workdir, c, r, settings)] = cost
            finished, _ = concurrent.futures.wait(busy, return_when=concurrent.futures.FIRST_COMPLETED)
            for f in finished:
                free += busy.pop(f)
                _, r, s = f.result()  # re-raises a failed run
                seconds[r] += s
    per_ranks = ", ".join(f"{r} ranks {s:.1f} s" for r, s in seconds.items())
    print(f"golden: {len(selected) * len(GRIDS)} runs in {time.monotonic() - start:.1f} s ({per_ranks})", flush=True)


# ---- hashing ---------------------------------------------------------------------------------


def canonical(value):
    """(type tag, shape, bytes): the value in a fixed dtype and layout."""
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        return "str", (), text.encode("utf-8")
    a = np.asarray(value)
    if a.dtype.kind == "f":
        return "f8", a.shape, np.ascontiguousarray(a, dtype="<f8").tobytes()
    if a.dtype.kind in "iub":
        return "i8", a.shape, np.ascontiguousarray(a, dtype="<i8").tobytes()
    if a.dtype.kind in "OSU":
        items = [x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()]
        return "str", a.shape, "\0".join(items).encode("utf-8")
    raise TypeError(f"cannot hash a value of dtype {a.dtype}")


def digest(tag, shape, data):
    h = hashlib.sha256()
    h.update(f"{tag}|{'x'.join(map(str, shape))}|".encode())
    h.update(data)
    return h.hexdigest()[:12]  # 48 bits: a change slips through with probability 2^-48


def weights(count):
    """Fixed positive weights for the projection summary: 1 + (k*0.618...) mod 1."""
    k = np.arange(count, dtype=np.float64)
    return 1.0 + np.mod(k * 0.6180339887498949, 1.0)


def summary(tag, data):
    """max |x|, the 2-norm and a weighted sum of the finite entries, and the NaN count:
    enough to say roughly how much a changed float dataset moved without storing it."""
    if tag != "f8":
        return None
    a = np.frombuffer(data, dtype="<f8")
    finite = np.isfinite(a)
    v = a[finite]
    absmax = float(np.max(np.abs(v))) if v.size else 0.0
    l2 = math.sqrt(math.fsum((v * v).tolist()))
    proj = math.fsum((weights(a.size)[finite] * v).tolist())
    return (absmax, l2, proj, int(a.size - v.size))


def included_string_attribute(path):
    return path.strip("/").split("/")[0] in STRING_ATTRIBUTE_GROUPS


def hash_file(path):
    """{object: (hash, shape, summary)}; objects are dataset paths and PATH@ATTRIBUTE."""
    out = {}
    with h5py.File(path, "r") as f:
        def add(name, obj):
            top = name.split("/")[0]
            if top not in HASHED_GROUPS:
                return
            key = "/" + name
            if isinstance(obj, h5py.Dataset):
                tag, shape, data = canonical(obj[()])
                out[key] = (digest(tag, shape, data), shape, summary(tag, data))
            for attr, value in obj.attrs.items():
                tag, shape, data = canonical(value)
                if tag == "str" and not included_string_attribute(key):
                    continue
                out[f"{key}@{attr}"] = (digest(tag, shape, data), shape, summary(tag, data))
        f.visititems(add)
    return out


# ---- the manifest ----------------------------------------------------------------------------
#
# Text, one line per object and configuration:
#   CONFIG OBJECT SHAPE 1=HASH 2=HASH 4=HASH [S=MAX|X|,NORM2,WEIGHTED_SUM,NANS]
# SHAPE is "scalar" or e.g. 43x43; *=HASH when every rank count gives the same; S= summarizes a
# float object on the fewest ranks (for estimates of how much a changed object moved).

def fmt_shape(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


def fmt_summary(s):
    return ",".join(repr(x) for x in s)


def write_manifest(path, per_config, header):
    lines = [f"# {line}" if line else "#" for line in header]
    for config in sorted(per_config):
        by_ranks = per_config[config]
        objects = sorted(set().union(*(set(h) for h in by_ranks.values())))
        for obj in objects:
            present = [(r, by_ranks[r][obj]) for r in sorted(GRIDS) if obj in by_ranks[r]]
            shape, first_summary = present[0][1][1], present[0][1][2]
            hashes = {r: (by_ranks[r][obj][0] if obj in by_ranks[r] else "absent") for r in sorted(GRIDS)}
            if len(set(hashes.values())) == 1:
                cells = [f"*={hashes[1]}"]
            else:
                cells = [f"{r}={h}" for r, h in hashes.items()]
            if first_summary is not None:
                cells.append("S=" + fmt_summary(first_summary))
            lines.append(" ".join([config, obj, fmt_shape(shape)] + cells))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines) - len(header)


def read_manifest(path):
    """{config: {object: {"shape": str, "hash": {ranks: hash}, "summary": tuple or None}}}"""
    table = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split()
        config, obj, shape = cells[:3]
        entry = {"shape": shape, "hash": {}, "summary": None}
        for cell in cells[3:]:
            key, value = cell.split("=")
            if key == "S":
                a, b, c, d = value.split(",")
                entry["summary"] = (float(a), float(b), float(c), int(d))
            else:
                for ranks in (GRIDS if key == "*" else [int(key)]):
                    entry["hash"][ranks] = value
        table.setdefault(config, {})[obj] = entry
    return table


# ---- comparing -------------------------------------------------------------------------------


def read_object(path, obj):
    with h5py.File(path, "r") as f:
        name, _, attr = obj.partition("@")
        node = f[name]
        value = node.attrs[attr] if attr else node[()]
        return canonical(value)


def exact_difference(reference_file, new_file, obj):
    try:
        tag_a, shape_a, a = read_object(reference_file, obj)
    except (OSError, KeyError):
        return None
    tag_b, shape_b, b = read_object(new_file, obj)
    if (tag_a, shape_a) != (tag_b, shape_b):
        return f"reference {tag_a} {fmt_shape(shape_a)}, now {tag_b} {fmt_shape(shape_b)}"
    if tag_a == "str":
        return f"reference {a.decode()!r}, now {b.decode()!r}"
    dtype = "<f8" if tag_a == "f8" else "<i8"
    raw_x = np.frombuffer(a, dtype=dtype)
    raw_y = np.frombuffer(b, dtype=dtype)
    x = raw_x.astype(np.float64)
    y = raw_y.astype(np.float64)
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    differing = int(np.sum(~same))
    nan_moved = int(np.sum(np.isnan(x) != np.isnan(y)))
    both = np.isfinite(x) & np.isfinite(y)
    if not np.any(both & ~same):
        return f"exact: {differing} of {x.size} entries differ, none of them between finite values; NaN placement changed at {nan_moved}"
    diff = np.where(both, np.abs(x - y), 0.0)
    k = int(np.argmax(diff))
    denominator = np.maximum(np.abs(x), np.abs(y))
    rel = np.where(both & (denominator > 0), diff / np.where(denominator > 0, denominator, 1.0), 0.0)
    where = ", ".join(map(str, np.unravel_index(k, shape_a))) if shape_a else ""
    text = (f"exact: {differing} of {x.size} entries differ, max abs {diff[k]:.3e} at [{where}] "
            f"(reference {x[k]!r}, now {y[k]!r}), max rel {np.max(rel):.3e}")
    if tag_a == "f8":
        # distance in units in the last place, for entries of the same sign
        bits_x = raw_x.view(np.int64)
        bits_y = raw_y.view(np.int64)
        same_sign = both & (np.signbit(x) == np.signbit(y))
        if np.any(same_sign & ~same):
            ulps = np.abs(bits_x[same_sign] - bits_y[same_sign])
            text += f", up to {int(np.max(ulps))} ulp"
        flipped = int(np.sum(both & (np.signbit(x) != np.signbit(y)) & ~same))
        if flipped:
            text += f", {flipped} entries changed sign"
    if nan_moved:
        text += f", NaN placement changed at {nan_moved}"
    return text


def estimated_difference(old, new, ranks):
    if old is None or new is None:
        return "an integer or string value changed"
    absmax0, l20, p0, nan0 = old
    absmax1, l21, p1, nan1 = new
    scale = max(l20, np.finfo(float).tiny)
    against = "" if ranks == 1 else " (against 1 rank, which may differ in the last bits)"
    parts = [f"estimated from the manifest's summary{against}: |Δ weighted sum| / ‖x‖ = {abs(p1 - p0) / scale:.3e}",
             f"‖x‖ {l20!r} -> {l21!r}", f"max|x| {absmax0!r} -> {absmax1!r}"]
    if nan0 != nan1:
        parts.append(f"NaNs {nan0} -> {nan1}")
    return "; ".join(parts)


GROUP_ORDER = {g: k for k, g in enumerate(("depths", "data", "targets", "kernels", "spectrum", "regression",
                                          "diagnostics"))}
LINES_PER_RUN = 30


def report_order(obj):
    """Inputs first, then kernels (usually the cause), then what is computed from them."""
    return GROUP_ORDER.get(obj.strip("/").split("/")[0], len(GROUP_ORDER)), obj


def check(manifest, workdir, reference, selected):
    failures = 0
    compared = 0
    per_run = []
    for config in selected:
        expected = manifest.get(config)
        if not expected:
            print(f"FAIL {config}: not in the manifest (regenerate it with golden.py make)")
            failures += 1
            continue
        for r in sorted(GRIDS):
            new_file = result_path(workdir, config, r)
            got = hash_file(new_file)
            failed_here = 0
            for obj, entry in sorted(expected.items(), key=lambda item: report_order(item[0])):
                want = entry["hash"].get(r)
                if want is None or want == "absent":
                    continue
                compared += 1
                have = got.get(obj)
                if have is not None and have[0] == want:
                    continue
                failures += 1
                failed_here += 1
                if failed_here > LINES_PER_RUN:
                    continue
                if have is None:
                    print(f"FAIL {config} ranks {r}: {obj} missing (expected {entry['shape']}, hash {want})")
                    continue
                detail = None
                if reference:
                    detail = exact_difference(result_path(reference, config, r), new_file, obj)
                if detail is None:
                    detail = estimated_difference(entry["summary"], have[2], r)
                print(f"FAIL {config} ranks {r}: {obj} {fmt_shape(have[1])} hash {have[0]} != {want}; {detail}")
            if failed_here > LINES_PER_RUN:
                print(f"FAIL {config} ranks {r}: ... and {failed_here - LINES_PER_RUN} more objects")
            if failed_here:
                per_run.append(f"{config} ranks {r}: {failed_here} of {len(expected)}")
    if per_run:
        print("golden: differing or missing objects per run:\n  " + "\n  ".join(per_run))
        if not reference:
            print("golden: for exact differences, run `golden.py make` with a build of the manifest's revision "
                  "into a directory and pass it as --reference (ctest: DEEPNTK_GOLDEN_REFERENCE=DIR)")
    print(f"golden: {compared} objects compared, {failures} differ or are missing")
    return failures


def built_revision(workdir, config):
    """The `git describe` the deepntk binary was built from (the root attribute of a result)."""
    with h5py.File(result_path(workdir, config, 1), "r") as f:
        value = f.attrs.get("git_revision", "unknown")
        return value.decode() if isinstance(value, bytes) else str(value)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["make", "check"])
    p.add_argument("mpiexec")
    p.add_argument("deepntk")
    p.add_argument("workdir")
    p.add_argument("--manifest", default=DEFAULT_MANIFEST)
    p.add_argument("--reference", default=os.environ.get("DEEPNTK_GOLDEN_REFERENCE") or None,
                   help="WORKDIR of a `make` run, for exact differences (default: $DEEPNTK_GOLDEN_REFERENCE)")
    p.add_argument("--only", nargs="+", help="configurations to run (default: all)")
    p.add_argument("--set", action="append", default=[], dest="settings", help="KEY=VALUE for every run")
    p.add_argument("--jobs", type=int, default=2, help="cores to keep busy (default 2)")
    p.add_argument("--no-run", action="store_true", help="hash the result files already in WORKDIR")
    args = p.parse_args()
    selected = args.only or configs()
    unknown = set(selected) - set(configs())
    if unknown:
        p.error(f"unknown configurations: {sorted(unknown)}")
    if args.mode == "make" and (args.settings or args.only):
        p.error("make takes no --set or --only: the manifest holds every configuration as committed")
    if not args.no_run:
        run_all(args.mpiexec, args.deepntk, args.workdir, selected, args.settings, args.jobs)
    if args.mode == "make":
        per_config = {c: {r: hash_file(result_path(args.workdir, c, r)) for r in GRIDS} for c in selected}
        header = [
            "Golden outputs of deepntk (tests/golden/README.md): written by tests/golden/golden.py make.",
            f"deepntk built from {built_revision(args.workdir, selected[0])}; environment "
            f"{' '.join(f'{k}={v}' for k, v in ENVIRONMENT.items())}.",
            "CONFIG OBJECT SHAPE RANKS=HASH... (*=HASH: the same on 1, 2 and 4 ranks)",
            "[S=MAX|X|,NORM2,WEIGHTED_SUM,NANS of a float object on 1 rank].",
            "",
        ]
        count = write_manifest(args.manifest, per_config, header)
        print(f"golden: wrote {count} entries to {args.manifest}")
        return 0
    failures = check(read_manifest(args.manifest), args.workdir, args.reference, selected)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
