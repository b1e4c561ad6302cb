#pragma once
// RAII ownership of the MPI library: MPI_Init_thread on construction, MPI_Finalize on
// destruction. MPI_COMM_WORLD is switched to MPI_ERRORS_RETURN so failed calls come back as
// exceptions (mpi::check) with context instead of an anonymous abort inside the library.

#include <mpi.h>

namespace deepntk::mpi {

class Environment {
 public:
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  Environment(Environment&&) = delete;
  Environment& operator=(Environment&&) = delete;

  [[nodiscard]] static int world_rank();
  [[nodiscard]] static int world_size();
};

}  // namespace deepntk::mpi
