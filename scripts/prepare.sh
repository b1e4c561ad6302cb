# Sourced by the quickstart scripts: install what is missing, build, and set the MPI
# environment. Defines `root` and `build_dir`.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DEEPNTK_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# shellcheck source=scripts/mpi-env.sh
source "$root/scripts/mpi-env.sh"
