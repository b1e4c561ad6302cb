#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer: installs what is
# missing, builds an instrumented tree in ${DEEPNTK_SANITIZE_BUILD_DIR:-build-sanitize}
# (-DDEEPNTK_SANITIZE=address,undefined, benchmarks off) and runs the suite there. Every
# report is fatal, so a report from deepntk's own code fails the test that triggered it;
# system libraries (Open MPI, HDF5, OpenBLAS) are silenced only by tests/sanitize/*.supp.
#
#   scripts/run-sanitized-tests.sh                    the default suite (not "long")
#   scripts/run-sanitized-tests.sh -R '^integration'  a subset (extra arguments go to ctest)
#
# The "location" test (location.clone_anywhere) is left out unless DEEPNTK_LOCATION_TESTS=1:
# it clones HEAD and builds a plain Release deepntk there, so it exercises no instrumented
# code; the tests it reruns in the clone (slurm.jobs, integration.file_errors,
# integration.long_paths) run instrumented in this tree anyway.
#
# Sanitized code runs 2-5x slower: the build multiplies every test's TIMEOUT by
# DEEPNTK_SANITIZE_TIMEOUT_SCALE (CMake cache, default 4). docs/testing.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DEEPNTK_BUILD_DIR=${DEEPNTK_SANITIZE_BUILD_DIR:-$root/build-sanitize}
export DEEPNTK_CMAKE_ARGS="-DDEEPNTK_SANITIZE=address,undefined -DDEEPNTK_BUILD_BENCH=OFF ${DEEPNTK_CMAKE_ARGS:-}"
# shellcheck source=scripts/prepare.sh
source "$root/scripts/prepare.sh"
excluded=long
if [[ "${DEEPNTK_LOCATION_TESTS:-0}" != 1 ]]; then
  excluded="(long|location)"
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$cores" -LE "^${excluded}\$" "$@"
