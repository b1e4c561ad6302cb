#include "deepntk/io/unwind_agreement.hpp"

#include <thread>
#include <utility>

#include "deepntk/mpi/error.hpp"

namespace deepntk::io {

UnwindAgreement::UnwindAgreement(MPI_Comm comm) {
  mpi::check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  // Errors here must come back as codes: this object is used from destructors.
  mpi::check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

UnwindAgreement::~UnwindAgreement() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

UnwindAgreement::UnwindAgreement(UnwindAgreement&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)) {}

UnwindAgreement& UnwindAgreement::operator=(UnwindAgreement&& other) noexcept {
  if (this != &other) {
    UnwindAgreement discard(std::move(*this));
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
  }
  return *this;
}

bool UnwindAgreement::all_ranks_arrive_within(std::chrono::milliseconds patience) noexcept {
  if (comm_ == MPI_COMM_NULL) return false;
  MPI_Request request = MPI_REQUEST_NULL;
  if (MPI_Ibarrier(comm_, &request) != MPI_SUCCESS) return false;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (true) {
    int done = 0;
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) break;
    if (done) return true;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Give up: the request stays pending, so neither it nor the communicator may be freed.
  comm_ = MPI_COMM_NULL;
  return false;
}

}  // namespace deepntk::io
