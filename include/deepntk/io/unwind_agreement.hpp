#pragma once
// Deciding, during stack unwinding, whether a collective close is safe.
//
// Closing a parallel HDF5 file is collective. When an exception unwinds through an open
// file, two very different things may be happening:
//  * a collective error (mpi::CollectiveError): every rank throws at the same point and
//    every rank is about to close the same file, so closing is safe and keeps HDF5 tidy;
//  * a local error on this rank only: the other ranks are busy elsewhere (often waiting in
//    some other collective), so a collective close here would wait for them forever,
//    instead of letting the exception reach the top level, which ends the job (MPI_Abort).
// A destructor cannot see which exception is in flight, so the ranks ask each other: each
// unwinding rank enters a non-blocking barrier on a private duplicate of the communicator
// and waits a bounded time. If all ranks arrive, they close together; if not, this rank
// leaves the file open and continues unwinding. The duplicate keeps this barrier from ever
// matching another collective of the application.

#include <mpi.h>

#include <chrono>

namespace deepntk::io {

class UnwindAgreement {
 public:
  /// Collective over `comm` (duplicates it).
  explicit UnwindAgreement(MPI_Comm comm);
  ~UnwindAgreement();
  UnwindAgreement(const UnwindAgreement&) = delete;
  UnwindAgreement& operator=(const UnwindAgreement&) = delete;
  UnwindAgreement(UnwindAgreement&& other) noexcept;
  UnwindAgreement& operator=(UnwindAgreement&& other) noexcept;

  /// True if every rank calls this within `patience`. A rank that gives up leaves its
  /// barrier request pending and the duplicate communicator unfreed (the job is ending);
  /// after that this object is unusable and its destructor frees nothing.
  [[nodiscard]] bool all_ranks_arrive_within(std::chrono::milliseconds patience) noexcept;

  /// How long an unwinding rank waits for the others before it gives up on a collective close.
  static constexpr std::chrono::milliseconds default_patience{20000};

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace deepntk::io
