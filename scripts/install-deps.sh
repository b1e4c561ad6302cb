#!/usr/bin/env bash
# Installs what deepntk needs to build, run and test, or says exactly what is missing.
#
#   scripts/install-deps.sh            install missing Debian/Ubuntu packages (as root),
#                                      or print the command / the cluster equivalent
#   DEEPNTK_SKIP_INSTALL=1 ...         check nothing (your environment is set up by hand)
set -euo pipefail

if [[ "${DEEPNTK_SKIP_INSTALL:-0}" == 1 ]]; then
  exit 0
fi

# One list: build tools, MPI, ScaLAPACK (Open MPI flavour), OpenBLAS, parallel HDF5,
# Boost.Test, the header-only CLI/config libraries, the Python used by tests and tools
# (tools/plot_results.py needs matplotlib), and the SLURM daemons and clients the jobs/ test
# starts on loopback (not the slurm-wlm metapackage, which pulls in ~25 plugin packages).
packages=(
  cmake g++ make pkg-config git
  openmpi-bin libopenmpi-dev
  libscalapack-openmpi-dev libopenblas-dev
  libhdf5-openmpi-dev hdf5-tools
  libboost-test-dev libcli11-dev libtomlplusplus-dev libfmt-dev zlib1g-dev
  python3 python3-h5py python3-numpy python3-matplotlib
  slurmctld slurmd slurm-client
)

cluster_help() {
  cat >&2 <<'MSG'
deepntk needs: a C++20 compiler, CMake >= 3.22, MPI, ScaLAPACK (with BLACS), BLAS/LAPACK,
parallel HDF5 (built with MPI-IO), Boost.Test >= 1.74, CLI11, toml++ and fmt.
On a cluster, load the modules (names vary by site), for example:
    module load gcc cmake openmpi openblas scalapack hdf5/parallel boost
and, where CMake cannot find a library on its own, tell it where it is:
    export CMAKE_PREFIX_PATH=/path/to/prefix:$CMAKE_PREFIX_PATH   # CLI11, toml++, fmt, Boost
    export HDF5_ROOT=/path/to/parallel-hdf5
    export DEEPNTK_CMAKE_ARGS='-DDEEPNTK_SCALAPACK_LIBRARIES=/path/libscalapack.so'   # MKL, libsci
Then run the build with DEEPNTK_SKIP_INSTALL=1.
MSG
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  # Not Debian/Ubuntu: check the essentials and leave the details to CMake's messages.
  missing=()
  for tool in cmake mpicxx mpiexec; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "deepntk: missing on PATH: ${missing[*]}" >&2
    cluster_help
    exit 1
  fi
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
  echo "deepntk: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "deepntk: these packages are missing: ${missing[*]}" >&2
echo "Install them with:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
echo "or, without administrator rights:" >&2
cluster_help
exit 1
