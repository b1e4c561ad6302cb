#!/usr/bin/env bash
# The finite-width benchmark (bench/finite_width.toml: n = 2048 + 512, width 16, depth 1024,
# shortcut h = 1, 16 networks, 2 ranks): seconds of the Monte-Carlo kernels beside their flops
# (deepntk plan's count for the busiest rank), the rate against the machine's one-core DGEMM
# measured before and after in the same go, and the peak memory per rank against the plan.
# Results and their reading: docs/performance.md.
#
#   bench/run_finite_width.sh            # ~3 minutes on the idle 2-core development machine
#
# Settings (environment): BENCH_BUILD_DIR (default <repo>/build-bench), BENCH_OUT (default a new
# temporary directory), BENCH_RANKS (2), BENCH_SET (extra --set assignments, space-separated).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
ranks=${BENCH_RANKS:-2}
out=${BENCH_OUT:-$(mktemp -d /tmp/deepntk-finite-bench.XXXXXX)}
mkdir -p "$out"
source "$root/scripts/mpi-env.sh"
sets=()
for assignment in ${BENCH_SET:-}; do sets+=(--set "$assignment"); done

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(env -u OMP_NUM_THREADS nproc)" --target deepntk bench_dgemm_peak >/dev/null

dgemm() {  # one core, n = 4000, median of 3: GFLOP/s per CPU second and per wall second
  OPENBLAS_NUM_THREADS=1 "$build_dir/bench/bench_dgemm_peak" --n 4000 --reps 3 | awk -F, '$2 == "median" {print $4 "," $6}'
}

config="$root/bench/finite_width.toml"
"$build_dir/src/deepntk" plan "$config" --ranks "$ranks" "${sets[@]}" > "$out/plan.txt"
echo "deepntk: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
gflops_before=$(dgemm)
/usr/bin/time -v -o "$out/time.txt" mpiexec -n "$ranks" "$build_dir/src/deepntk" run "$config" "${sets[@]}" \
  --output "$out/finite.h5" --force --quiet > "$out/run.log"
gflops_after=$(dgemm)
echo "deepntk: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

/usr/bin/python3 - "$out" "$gflops_before" "$gflops_after" "$ranks" <<'PY'
import re, sys
import h5py
out, before, after, ranks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
plan = open(f"{out}/plan.txt").read()
flops = float(re.search(r"Monte-Carlo kernels \(networks' gradient Grams\)\s+(\S+) flop", plan).group(1))
peak_plan = re.search(r"peak (\S+ \S+) per rank", plan).group(1)
timing = open(f"{out}/time.txt").read()
rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
user = float(re.search(r"User time \(seconds\): (\S+)", timing).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", timing).group(1)
with h5py.File(f"{out}/finite.h5", "r") as f:
    t = f["timing/seconds"]
    phases = dict(zip(t.attrs["phases"].split(","), t[:]))
    total = t.attrs["total"]
sweep = phases["sweep"]
cpu_before, wall_before = map(float, before.split(","))
cpu_after, wall_after = map(float, after.split(","))
dgemm = (cpu_before + cpu_after) / 2
rate = flops / sweep / 1e9
print(f"Monte-Carlo kernels: {sweep:.1f} s on rank 0 for {flops:.3g} flop on the busiest rank: {rate:.1f} GFLOP/s per rank")
print(f"DGEMM one core (per CPU second) before / after: {cpu_before:.1f} / {cpu_after:.1f} GFLOP/s "
      f"(per wall second {wall_before:.1f} / {wall_after:.1f})")
print(f"Gram accumulation at {100 * rate / dgemm:.0f} % of the DGEMM rate")
print(f"whole run {total:.1f} s = {total / (flops / (dgemm * 1e9)):.2f} x flops / DGEMM rate "
      f"(phases: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()) + ")")
print(f"wall {wall}, user {user:.1f} s over {ranks} ranks; peak RSS per rank {rss_kib / 1024:.0f} MiB, plan {peak_plan}")
PY
