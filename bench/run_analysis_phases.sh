#!/usr/bin/env bash
# Per-phase times of a full `deepntk run` at scale (n = 4000 train + 1000 test points, eigen +
# ridge path at five depths, both kernels, 2 ranks) beside the machine's DGEMM rate and the
# NumPy/SciPy way of doing the same analysis, all measured in one go so that their ratios are
# comparable on a shared machine. Results and their reading: docs/performance.md.
#
#   bench/run_analysis_phases.sh        # ~4 minutes on the idle 2-core development machine
#
# Settings (environment): BENCH_BUILD_DIR (default <repo>/build-bench), BENCH_OUT (default a new
# temporary directory; the result file is ~1.6 GB), BENCH_RANKS (2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
ranks=${BENCH_RANKS:-2}
out=${BENCH_OUT:-$(mktemp -d /tmp/deepntk-analysis-bench.XXXXXX)}
mkdir -p "$out"
source "$root/scripts/mpi-env.sh"

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(env -u OMP_NUM_THREADS nproc)" --target deepntk bench_dgemm_peak >/dev/null

dgemm() {  # one core, n = 4000, median of 3
  OPENBLAS_NUM_THREADS=1 "$build_dir/bench/bench_dgemm_peak" --n 4000 --reps 3 | awk -F, '$2 == "median" {print $4 "," $6}'
}

echo "deepntk: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
gflops_before=$(dgemm)
mpiexec -n "$ranks" "$build_dir/src/deepntk" run "$root/bench/analysis_n4000.toml" \
  --output "$out/analysis_n4000.h5" --force | tee "$out/run.log"
OPENBLAS_NUM_THREADS=$ranks /usr/bin/python3 "$root/bench/baseline/analysis_numpy.py" "$out/analysis_n4000.h5" \
  --kind ntk | tee "$out/numpy.csv"
gflops_after=$(dgemm)
echo "deepntk: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

/usr/bin/python3 - "$out/analysis_n4000.h5" "$out/numpy.csv" "$gflops_before" "$gflops_after" "$ranks" <<'PY'
import csv, sys
import h5py
path, numpy_csv, before, after, ranks = sys.argv[1:6]
with h5py.File(path, "r") as f:
    t = f["timing/seconds"]
    phases = dict(zip(t.attrs["phases"].split(","), t[:]))
    total = t.attrs["total"]
    depths = len(f["depths"][:])
    kinds = len(f["kernels"])
    n = f["kernels/ntk/1/train"].shape[0]
rows = list(csv.DictReader(open(numpy_csv)))
numpy_total = sum(float(r["total_seconds"]) for r in rows)
# "wall,cpu" GFLOP/s of one core, before and after the run: the wall rate is what the run saw.
before_wall, before_cpu = (float(x) for x in before.split(","))
after_wall, after_cpu = (float(x) for x in after.split(","))
gemm_rate = 0.5 * (before_wall + after_wall) * int(ranks)  # GFLOP/s on all the run's cores
gemm_seconds = 2.0 * n**3 / (gemm_rate * 1e9)
decompositions = depths * kinds
print(f"\nn = {n}, {depths} depths x {kinds} kernels, {ranks} ranks; DGEMM one core {before_wall:.1f} / "
      f"{after_wall:.1f} GFLOP/s wall (before / after; per CPU second {before_cpu:.1f} / {after_cpu:.1f}), so {gemm_rate:.1f} GFLOP/s on {ranks} cores: an n^3 DGEMM (2 n^3 flops) takes "
      f"{gemm_seconds:.2f} s")
print(f"{'phase':<16}{'seconds':>10}{'share':>8}{'per depth+kernel':>18}{'in n^3-DGEMMs':>15}")
for name, seconds in phases.items():
    print(f"{name:<16}{seconds:>10.1f}{100 * seconds / total:>7.1f}%{seconds / decompositions:>18.2f}"
          f"{seconds / decompositions / gemm_seconds:>15.2f}")
print(f"{'total':<16}{total:>10.1f}")
print(f"NumPy/SciPy (eigh evd + residual + ridge path, {ranks} BLAS threads), ntk only: {numpy_total:.1f} s for "
      f"{len(rows)} depths = {numpy_total / len(rows):.2f} s per depth; deepntk spectrum + regression per depth "
      f"and kernel: {(phases.get('spectrum', 0) + phases.get('regression', 0)) / decompositions:.2f} s")
PY
