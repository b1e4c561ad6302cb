#!/usr/bin/env bash
# The test suite passes wherever the project is cloned (issue 16): clone this checkout's HEAD
# into a private directory (mode 0700, as a cluster home directory often is) whose path is at
# least 120 characters, build deepntk there, and run the location-sensitive tests in that
# clone's own build tree:
#   slurm.jobs (the "multi" job only, DEEPNTK_SLURM_ONLY): slurmd's Unix sockets must not live
#     under the checkout (108-byte limit);
#   integration.file_errors: the runs as `nobody` must not start in a checkout nobody cannot enter;
#   integration.long_paths: 250- and 4000-character paths built under a deeper build tree.
#
# Usage: check_clone_anywhere.sh SOURCE_DIR WORK_DIR [CMAKE_ARGS...]
#   SOURCE_DIR  the checkout to clone (its committed HEAD: uncommitted changes are not tested)
#   WORK_DIR    scratch directory of this test (recreated; the clone is removed on success)
#   CMAKE_ARGS  passed to the clone's configuration (the compilers and ccache launcher of the
#               build running this test, so that the clone's build is mostly cache hits)
# Only the deepntk target is built: the tests above need nothing else. Exit 77 (skip) without git or outside a
# git checkout.
# For debugging: DEEPNTK_CLONE_REVISION (default HEAD) clones another commit (c206d3c^ fails:
# the fixes of issue 16 are not there); DEEPNTK_CLONE_TESTS replaces the ctest -R expression.
set -euo pipefail
source_dir=$1
work=$2
shift 2
command -v git >/dev/null || { echo "SKIP: git not installed"; exit 77; }
git -C "$source_dir" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: $source_dir is not a git checkout"; exit 77; }
start=$SECONDS
rm -rf "$work"
mkdir -p "$work"
home=$(mktemp -d "$work/home.XXXXXX")  # mode 0700
chmod 0700 "$home"
checkout=$home/a-deliberately-long-path-as-on-a-cluster-scratch-or-home-filesystem
while (( ${#checkout} < 120 )); do
  checkout=$checkout/deeper
done
checkout=$checkout/deepntk
echo "clone: $checkout (${#checkout} characters, under a 0700 directory)"

revision=$(git -C "$source_dir" rev-parse "${DEEPNTK_CLONE_REVISION:-HEAD}^{commit}")
git clone --quiet --no-checkout "$source_dir" "$checkout"
git -C "$checkout" -c advice.detachedHead=false checkout --quiet --detach "$revision"
echo "checked out $revision ($((SECONDS - start)) s)"

# A ccache launcher (if the calling build uses one) only hits when CCACHE_BASEDIR contains the
# clone: default it to the clone, so that reruns of this test hit their predecessors' entries.
if [[ -z "${CCACHE_BASEDIR:-}" || "$checkout" != "$CCACHE_BASEDIR"/* ]]; then
  export CCACHE_BASEDIR=$checkout
fi
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
cmake -S "$checkout" -B "$checkout/build" -DCMAKE_BUILD_TYPE=Release "$@" >"$work/configure.log"
cmake --build "$checkout/build" --target deepntk -j "$cores" >"$work/build.log" \
  || { tail -n 40 "$work/build.log"; exit 1; }
echo "configured and built deepntk ($((SECONDS - start)) s)"

# shellcheck source=/dev/null  # the clone's copy of scripts/mpi-env.sh
source "$checkout/scripts/mpi-env.sh"
export DEEPNTK_SLURM_ONLY=multi
tests=${DEEPNTK_CLONE_TESTS:-'^(slurm\.jobs|integration\.file_errors|integration\.long_paths)$'}
ctest --test-dir "$checkout/build" --verbose -R "$tests" >"$work/ctest.log" 2>&1 \
  || { cat "$work/ctest.log"; echo "FAIL: the tests above failed in the clone"; exit 1; }
cat "$work/ctest.log"
# ctest exits 0 when a test is skipped (77): the clone must really have run them.
if grep -Eq 'Not Run|\*\*\*Skipped|No tests were found' "$work/ctest.log"; then
  echo "FAIL: a location-sensitive test did not run in the clone"
  exit 1
fi
rm -rf "$home"
echo "passed: the location-sensitive tests pass in a 0700, ${#checkout}-character clone ($((SECONDS - start)) s)"
