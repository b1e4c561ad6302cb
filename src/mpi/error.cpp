#include "deepntk/mpi/error.hpp"

#include <string>
#include <vector>

namespace deepntk::mpi {

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw MpiError(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

void raise_if_any(MPI_Comm comm, const std::optional<std::string>& local_error) {
  int size = 0;
  int rank = 0;
  check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  // The lowest failing rank speaks for all, so every rank throws the same message.
  const int mine = local_error ? rank : size;
  int first_failing = size;
  check(MPI_Allreduce(&mine, &first_failing, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first_failing == size) return;
  long length = (rank == first_failing) ? static_cast<long>(local_error->size()) : 0;
  check(MPI_Bcast(&length, 1, MPI_LONG, first_failing, comm), "MPI_Bcast");
  std::string message = (rank == first_failing) ? *local_error : std::string(static_cast<std::size_t>(length), '\0');
  check(MPI_Bcast(message.data(), static_cast<int>(length), MPI_CHAR, first_failing, comm), "MPI_Bcast");
  throw CollectiveError(message);
}

}  // namespace deepntk::mpi
