#!/usr/bin/env bash
# Quickstart (b): install what is missing, build, and run the whole test suite
# (serial unit tests and MPI tests at 1, 2 and 4 ranks). Exits non-zero if any test fails.
# Tests labelled "long" (depth 10^6-10^7 against binary128 references, tens of minutes on
# two cores) run only with DEEPNTK_LONG_TESTS=1. The test labelled "location" (a clone of HEAD
# in a deep 0700 directory, built and tested there; ~35 s with ccache, ~3 min without) runs by
# default; DEEPNTK_LOCATION_TESTS=0 leaves it out. Extra arguments go to ctest.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
excluded=()
if [[ "${DEEPNTK_LONG_TESTS:-0}" != 1 ]]; then
  excluded+=(long)
fi
if [[ "${DEEPNTK_LOCATION_TESTS:-1}" == 0 ]]; then
  excluded+=(location)
fi
selection=()
if (( ${#excluded[@]} )); then
  selection=(-LE "^($(IFS='|'; echo "${excluded[*]}"))\$")
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$cores" "${selection[@]}" "$@"
