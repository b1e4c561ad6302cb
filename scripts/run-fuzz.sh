#!/usr/bin/env bash
# Fuzzes deepntk's input parsing with libFuzzer (clang): the TOML configuration, the IDX
# reader and the CIFAR-10 reader (tests/fuzz/). Builds the targets with -DDEEPNTK_FUZZ=ON in
# ${DEEPNTK_FUZZ_BUILD_DIR:-build-fuzz} and runs each for DEEPNTK_FUZZ_SECONDS (default 60)
# seconds as the ctest tests fuzz.config, fuzz.idx, fuzz.cifar10. A crash fails its test and
# leaves the input in <build>/tests/fuzz/artifacts/<target>/crash-*: copy it to
# tests/fuzz/regressions/<target>/ and the default suite keeps checking it (docs/testing.md).
#
#   scripts/run-fuzz.sh                            every target, 60 s each
#   DEEPNTK_FUZZ_SECONDS=600 scripts/run-fuzz.sh -R fuzz.idx    one target, 10 minutes
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
build_dir=${DEEPNTK_FUZZ_BUILD_DIR:-$root/build-fuzz}
cc=${DEEPNTK_FUZZ_CC:-clang}
cxx=${DEEPNTK_FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "deepntk: fuzzing needs clang with libFuzzer; on Debian/Ubuntu: apt-get install clang libclang-rt-dev" >&2
  exit 1
fi
"$root/scripts/install-deps.sh"
# shellcheck disable=SC2086  # DEEPNTK_CMAKE_ARGS is a list of arguments
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DDEEPNTK_FUZZ=ON \
  -DDEEPNTK_FUZZ_SECONDS="${DEEPNTK_FUZZ_SECONDS:-60}" -DDEEPNTK_BUILD_BENCH=OFF ${DEEPNTK_CMAKE_ARGS:-} >/dev/null
# Only the fuzz targets (and the library): the rest of the suite is not needed here.
cmake --build "$build_dir" -j "$cores" --target fuzz_config fuzz_idx fuzz_cifar10
ctest --test-dir "$build_dir" -L '^fuzz$' --output-on-failure -j "$cores" "$@"
