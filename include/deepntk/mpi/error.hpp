#pragma once
// Errors and their propagation across ranks.
//
// Two kinds of failure exist in an MPI program, and they need different endings:
//  * a CollectiveError is raised on every rank at the same point (bad configuration or input
//    found by agreement); the top level prints it once on rank 0 and every rank returns
//    non-zero after MPI_Finalize;
//  * any other exception is local to one rank; the top level prints it with the rank and
//    calls MPI_Abort, because the other ranks may be waiting in a collective and would hang.

#include <mpi.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace deepntk::mpi {

/// A failed MPI call; the message names the call and MPI's own error string.
class MpiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An error every rank of a communicator raised together (see file comment).
class CollectiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws MpiError if `code` is not MPI_SUCCESS. `call` names the MPI routine.
void check(int code, const char* call);

/// Every rank says whether it failed; if any did, every rank throws the same
/// CollectiveError carrying the message of the lowest failing rank. Use this after a step
/// that can fail on some ranks only (reading a file, validating local data), so that all
/// ranks leave together instead of some waiting forever in the next collective.
void raise_if_any(MPI_Comm comm, const std::optional<std::string>& local_error);

}  // namespace deepntk::mpi
