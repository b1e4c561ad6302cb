#include "deepntk/mpi/all_gather.hpp"

#include <numeric>

#include "deepntk/mpi/error.hpp"

namespace deepntk::mpi {

std::vector<double> all_gather(MPI_Comm comm, const std::vector<double>& mine) {
  int ranks = 0;
  check(MPI_Comm_size(comm, &ranks), "MPI_Comm_size");
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(ranks)), offsets(static_cast<std::size_t>(ranks));
  check(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm), "MPI_Allgather");
  std::exclusive_scan(counts.begin(), counts.end(), offsets.begin(), 0);
  std::vector<double> all(static_cast<std::size_t>(offsets.back() + counts.back()));
  check(MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE, comm),
        "MPI_Allgatherv");
  return all;
}

}  // namespace deepntk::mpi
