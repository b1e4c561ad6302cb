#!/usr/bin/env bash
# deepntk on this machine (workstation, interactive node) with mpirun, no batch system.
#
#   jobs/local-run.sh CONFIG OUTPUT [deepntk run options...]
#   DEEPNTK_RANKS=4 jobs/local-run.sh examples/default.toml results/run.h5 --set data.n_train=2048
#
# DEEPNTK_RANKS: MPI ranks (default: the number of cores). More ranks than cores is allowed
# (oversubscribed, with yielding ranks) but slower than one rank per core.
# DEEPNTK: the executable (default: build/src/deepntk of this repository, else deepntk on PATH).
# To stop a long run and keep its progress: `kill -USR1 <pid of mpirun>` (printed below);
# deepntk writes a checkpoint and exits with code 3; the same command resumes it.
set -euo pipefail
if (($# < 2)); then
  echo "usage: jobs/local-run.sh CONFIG OUTPUT [deepntk run options...]" >&2
  exit 2
fi
config=$1 output=$2
shift 2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deepntk=${DEEPNTK:-$root/build/src/deepntk}
if [[ ! -x "$deepntk" ]]; then
  deepntk=$(command -v deepntk || true)
fi
if [[ -z "$deepntk" ]]; then
  echo "local-run: no deepntk executable; build it (scripts/build.sh) or set DEEPNTK=/path/to/deepntk" >&2
  exit 2
fi
# GNU nproc honours OMP_NUM_THREADS, which mpi-env.sh sets to 1: count cores without it.
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
ranks=${DEEPNTK_RANKS:-$cores}
# shellcheck source=scripts/mpi-env.sh
source "$root/scripts/mpi-env.sh"   # one BLAS thread per rank; root-safe Open MPI
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}   # one machine: shared memory only
binding=(--bind-to core)
if ((ranks > cores)); then
  # More ranks than cores: allow it, never bind two ranks to one core, and let waiting ranks
  # yield (spinning ranks starve the working ones: >100x slower measured).
  export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
  binding=(--bind-to none)
fi
mpirun -n "$ranks" "${binding[@]}" "$deepntk" run "$config" --output "$output" "$@" &
launcher=$!
echo "local-run: $ranks ranks, mpirun pid $launcher (kill -USR1 $launcher checkpoints and stops)" >&2
# Forward a polite stop to mpirun as SIGUSR1 (checkpoint, exit 3) instead of killing the run.
trap 'kill -USR1 "$launcher" 2>/dev/null' TERM USR1
status=0
while :; do
  wait "$launcher" && status=0 || status=$?
  kill -0 "$launcher" 2>/dev/null || break
done
exit "$status"
