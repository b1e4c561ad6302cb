# Sourced by the run and test scripts: the Open MPI settings a workstation run needs.
# One BLAS thread per rank: ranks already use every core, and threads on top oversubscribe.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [[ "$(id -u)" -eq 0 ]]; then
  # Open MPI refuses to run as root unless told twice (containers, CI machines).
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
