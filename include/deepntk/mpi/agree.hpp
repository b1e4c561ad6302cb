#pragma once
// Agreement on failure for a step that some ranks may fail and others not.

#include <mpi.h>

#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "deepntk/mpi/error.hpp"

namespace deepntk::mpi {

/// Runs `step` on every rank of `comm`; if it throws on any rank, every rank throws the same
/// CollectiveError (the lowest failing rank's message), so no rank walks on into a collective
/// the others have left. Only for steps without collectives inside: a rank that fails inside
/// a collective would leave the others waiting there.
template <class Step>
auto agree(MPI_Comm comm, Step&& step) -> decltype(step()) {
  using Result = decltype(step());
  std::optional<std::string> error;
  if constexpr (std::is_void_v<Result>) {
    try {
      step();
    } catch (const std::exception& e) {
      error = e.what();
    }
    raise_if_any(comm, error);
  } else {
    std::optional<Result> result;
    try {
      result.emplace(step());
    } catch (const std::exception& e) {
      error = e.what();
    }
    raise_if_any(comm, error);
    return std::move(*result);
  }
}

}  // namespace deepntk::mpi
