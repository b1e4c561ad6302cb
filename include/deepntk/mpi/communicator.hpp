#pragma once
// A thin typed view of an MPI communicator: rank, size and the few collectives deepntk uses.
// It does not own the handle; OwnedCommunicator frees a communicator it created.

#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace deepntk::mpi {

class Communicator {
 public:
  explicit Communicator(MPI_Comm comm);
  [[nodiscard]] static Communicator world() { return Communicator(MPI_COMM_WORLD); }

  [[nodiscard]] MPI_Comm handle() const noexcept { return comm_; }
  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }
  [[nodiscard]] bool is_root() const noexcept { return rank_ == 0; }

  void barrier() const;
  /// Root's string on every rank.
  [[nodiscard]] std::string broadcast(const std::string& value, int root = 0) const;
  void broadcast(std::span<double> values, int root = 0) const;
  void broadcast(std::span<std::int64_t> values, int root = 0) const;
  [[nodiscard]] double max(double value) const;
  [[nodiscard]] double sum(double value) const;
  [[nodiscard]] std::int64_t sum(std::int64_t value) const;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace deepntk::mpi
