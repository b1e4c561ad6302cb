#include "deepntk/mpi/environment.hpp"

#include <cstdlib>

#include "deepntk/mpi/error.hpp"

namespace deepntk::mpi {

namespace {

// Open MPI 4.1's "lockedfile" shared-file-pointer component builds the name of its lock file
// in a fixed-size buffer: every MPI_File_open (H5Fcreate, H5Fopen) of a path longer than about
// 190 characters aborts all ranks with "*** buffer overflow detected ***", and cluster scratch
// paths are that long. deepntk never uses shared file pointers, so the component is excluded
// (Open MPI then picks "sm" or "individual", which handle any length; measured with 250- and
// 4000-character paths). It must be in the environment before MPI_Init reads its parameters.
// A setting of the user's (OMPI_MCA_sharedfp, which `mpirun --mca sharedfp ...` also passes
// to the ranks this way) is kept as it is.
void avoid_lockedfile_sharedfp() {
#ifdef OPEN_MPI
  static_cast<void>(::setenv("OMPI_MCA_sharedfp", "^lockedfile", /*overwrite=*/0));
#endif
}

}  // namespace

Environment::Environment(int& argc, char**& argv) {
  avoid_lockedfile_sharedfp();
  int provided = 0;
  // FUNNELED: only the main thread calls MPI; OpenBLAS may still run its own threads.
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int Environment::world_rank() {
  int rank = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  return rank;
}

int Environment::world_size() {
  int size = 0;
  check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  return size;
}

}  // namespace deepntk::mpi
