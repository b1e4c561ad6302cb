#!/usr/bin/env bash
# Quickstart (b): install what is missing, build, and run the whole test suite
# (serial unit tests and MPI tests at 1, 2 and 4 ranks). Exits non-zero if any test fails.
# Tests labelled "long" (depth 10^6-10^7 against binary128 references, tens of minutes on
# two cores) run only with DEEPNTK_LONG_TESTS=1. Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# shellcheck source=scripts/mpi-env.sh
source "$root/scripts/mpi-env.sh"
build_dir=${DEEPNTK_BUILD_DIR:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)
selection=(-LE long)
if [[ "${DEEPNTK_LONG_TESTS:-0}" == 1 ]]; then
  selection=()
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "${selection[@]}" "$@"
