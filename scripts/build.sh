#!/usr/bin/env bash
# Configures and builds deepntk (Release) in ${DEEPNTK_BUILD_DIR:-build}.
# Extra CMake arguments: DEEPNTK_CMAKE_ARGS, e.g. '-DDEEPNTK_SCALAPACK_LIBRARIES=...'.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DEEPNTK_BUILD_DIR:-$root/build}
jobs=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
# shellcheck disable=SC2086  # DEEPNTK_CMAKE_ARGS is a list of arguments
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${DEEPNTK_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$jobs"
