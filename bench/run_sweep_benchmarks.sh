#!/usr/bin/env bash
# Depth-sweep throughput: the C++ sweep (bench_sweep_throughput) against the plain NumPy
# recursion (bench/baseline/sweep_numpy.py), both on one core, measured in the same run, and a
# table of both rates and their ratio. Results and their reading: docs/performance.md.
#
#   bench/run_sweep_benchmarks.sh            # ~4-5 minutes on the 2-core development machine
#
# Settings (environment):
#   BENCH_N=1024            points for both programs (the block is the n(n+1)/2 lower-triangle pairs)
#   BENCH_CPP_DEPTH=300     depth of the C++ sweep
#   BENCH_NUMPY_DEPTH=100   depth of the NumPy baseline
#   BENCH_REPS=3            repetitions per case; medians are reported
#   BENCH_CASES=all         or e.g. mlp-relu,resnet-invsqrt-erf
#   BENCH_DGEMM=0           1: also measure DGEMM (C++ serial::gemm and np.dot) at n = 4000, ~1 min
#   BENCH_BUILD_DIR=<repo>/build-bench
#   BENCH_OUT=<dir>         where the CSV files and logs go (default: a new temporary directory)
#
# The benchmark's definition is n = 4096, depth 1000 (bench_sweep_throughput's defaults), but
# at the measured rates that is ~8.4e9 updates, 1.5-10 minutes, per case and repetition. The
# defaults here are scaled down so that a full run stays under ~10 minutes on a shared
# machine. What is compared is the rate per pair-layer update, and for the C++ sweep it does not
# depend on n (the pair loops stream through memory); it does depend on the depth while the
# one-off costs of a sweep (first touch of the pair arrays, the first pass from the inputs, the
# read-out at the recorded depth, together worth ~10-30 ReLU layers) are not yet amortized,
# hence a C++ depth of a few hundred. NumPy's rate does not depend on the depth at all (every
# layer is the same sequence of array operations). docs/performance.md has the numbers.
#   BENCH_N=4096 BENCH_CPP_DEPTH=1000 BENCH_NUMPY_DEPTH=10 bench/run_sweep_benchmarks.sh
# runs the definition itself (more than an hour).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
n=${BENCH_N:-1024}
cpp_depth=${BENCH_CPP_DEPTH:-300}
numpy_depth=${BENCH_NUMPY_DEPTH:-100}
reps=${BENCH_REPS:-3}
cases=${BENCH_CASES:-all}
out=${BENCH_OUT:-$(mktemp -d /tmp/deepntk-bench.XXXXXX)}
mkdir -p "$out"

# Debian's interpreter: the one with NumPy (a pyenv/conda python3 on PATH may have none).
python=/usr/bin/python3
if ! "$python" -c 'import numpy' 2>/dev/null; then
  echo "run_sweep_benchmarks: $python cannot import numpy (apt-get install python3-numpy)" >&2
  exit 1
fi

# One BLAS thread: the sweep does not use BLAS, but NumPy and the DGEMM bench do, and the
# comparison is per core. OPENBLAS_CORETYPE is left as the environment sets it.
export OPENBLAS_NUM_THREADS=1

# Tests off: the benchmarks do not need them, and the build stays short.
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DDEEPNTK_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j 2 --target bench_sweep_throughput bench_dgemm_peak >/dev/null

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
echo "machine: $(nproc) cores, CPU '$cpu', OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset>}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "settings: n=$n, C++ depth $cpp_depth, NumPy depth $numpy_depth, $reps repetitions (medians), cases $cases"
# Which code was measured: the commit, and a fingerprint of the kernel sources (they may carry
# uncommitted changes while they are being worked on).
revision=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$root" status --porcelain -- src/kernels include/deepntk/kernels 2>/dev/null)" ]]; then
  revision+=" + uncommitted kernel changes"
fi
fingerprint=$(cat "$root"/src/kernels/* "$root"/include/deepntk/kernels/*.hpp "$root"/include/deepntk/kernels/detail/* \
  2>/dev/null | sha256sum | cut -c1-12)
echo "code: $revision (kernel sources sha256 $fingerprint)"
echo "output: $out"

# One benchmark process at a time: the machine has 2 cores and is shared.
echo "running C++ sweep ..." >&2
"$build_dir/bench/bench_sweep_throughput" --n "$n" --depth "$cpp_depth" --reps "$reps" --cases "$cases" \
  >"$out/sweep_cpp.csv" 2>"$out/sweep_cpp.log"
echo "running NumPy baseline ..." >&2
"$python" "$root/bench/baseline/sweep_numpy.py" --n "$n" --depth "$numpy_depth" --reps "$reps" --cases "$cases" \
  >"$out/sweep_numpy.csv" 2>"$out/sweep_numpy.log"

echo
# Join on the case name (column 1). Rates: column 6 per wall-clock second, column 8 per CPU
# second of the benchmark process. Both ratios are printed: on a shared machine the wall-clock
# ratio also measures how busy the cores were during each half of the run.
awk -F, '
  FNR == 1 { next }
  NR == FNR { cw[$1] = $6; cc[$1] = $8; order[++k] = $1; next }
  { nw[$1] = $6; nc[$1] = $8 }
  END {
    printf "%-20s %11s %11s %7s   %11s %11s %7s\n", "", "per wall s", "", "", "per CPU s", "", ""
    printf "%-20s %11s %11s %7s   %11s %11s %7s\n", "case", "C++", "NumPy", "ratio", "C++", "NumPy", "ratio"
    for (i = 1; i <= k; ++i) {
      c = order[i]
      printf "%-20s %11.3e %11.3e %7.2f   %11.3e %11.3e %7.2f\n", c, cw[c], nw[c], (nw[c] > 0 ? cw[c] / nw[c] : 0),
             cc[c], nc[c], (nc[c] > 0 ? cc[c] / nc[c] : 0)
    }
  }' "$out/sweep_cpp.csv" "$out/sweep_numpy.csv" | tee "$out/sweep_table.txt"
echo "(pair-layer updates per second, medians of $reps; ratio = C++ / NumPy; load average now $(cut -d' ' -f1-3 /proc/loadavg))"

if [[ "${BENCH_DGEMM:-0}" == 1 ]]; then
  echo
  echo "DGEMM n = 4000, 1 core (GFLOP/s per wall-clock / per CPU second, median of $reps):"
  "$build_dir/bench/bench_dgemm_peak" --n 4000 --reps "$reps" >"$out/dgemm_cpp.csv"
  "$python" "$root/bench/baseline/dgemm_numpy.py" --n 4000 --reps "$reps" >"$out/dgemm_numpy.csv"
  printf "  C++ serial::gemm %s\n  NumPy np.dot     %s\n" \
    "$(awk -F, '$2 == "median" { print $4 " / " $6 }' "$out/dgemm_cpp.csv")" \
    "$(awk -F, '$2 == "median" { print $4 " / " $6 }' "$out/dgemm_numpy.csv")" | tee "$out/dgemm_table.txt"
fi
