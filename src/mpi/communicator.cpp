#include "deepntk/mpi/communicator.hpp"

#include "deepntk/mpi/error.hpp"

namespace deepntk::mpi {

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Communicator::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

std::string Communicator::broadcast(const std::string& value, int root) const {
  long length = static_cast<long>(value.size());
  check(MPI_Bcast(&length, 1, MPI_LONG, root, comm_), "MPI_Bcast");
  std::string out = (rank_ == root) ? value : std::string(static_cast<std::size_t>(length), '\0');
  check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, comm_), "MPI_Bcast");
  return out;
}

void Communicator::broadcast(std::span<double> values, int root) const {
  check(MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_DOUBLE, root, comm_), "MPI_Bcast");
}

void Communicator::broadcast(std::span<std::int64_t> values, int root) const {
  check(MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_INT64_T, root, comm_), "MPI_Bcast");
}

double Communicator::max(double value) const {
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

double Communicator::sum(double value) const {
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

std::int64_t Communicator::sum(std::int64_t value) const {
  std::int64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT64_T, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

}  // namespace deepntk::mpi
