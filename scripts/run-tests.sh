#!/usr/bin/env bash
# Quickstart (b): install what is missing, build, and run the whole test suite
# (serial unit tests and MPI tests at 1, 2 and 4 ranks). Exits non-zero if any test fails.
# Tests labelled "long" (depth 10^6-10^7 against binary128 references, tens of minutes on
# two cores) run only with DEEPNTK_LONG_TESTS=1. Extra arguments go to ctest.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
selection=(-LE long)
if [[ "${DEEPNTK_LONG_TESTS:-0}" == 1 ]]; then
  selection=()
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$cores" "${selection[@]}" "$@"
