# Sourced by the quickstart scripts: install what is missing, build, and set the MPI
# environment. Defines `root`, `build_dir` and `cores`.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# GNU nproc honours OMP_NUM_THREADS, which mpi-env.sh sets to 1: count cores without it.
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
build_dir=${DEEPNTK_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# shellcheck source=scripts/mpi-env.sh
source "$root/scripts/mpi-env.sh"
