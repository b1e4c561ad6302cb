#!/usr/bin/env bash
# Quickstart (b): install what is missing, build, and run the whole test suite
# (serial unit tests and MPI tests at 1, 2 and 4 ranks). Exits non-zero if any test fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# shellcheck source=scripts/mpi-env.sh
source "$root/scripts/mpi-env.sh"
build_dir=${DEEPNTK_BUILD_DIR:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "$@"
