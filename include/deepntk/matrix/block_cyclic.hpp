#pragma once
// The one-dimensional block-cyclic map ScaLAPACK uses, with the first block on process 0:
// global index g lies in block b = g / nb, owned by process b mod P, at local position
// (b div P) * nb + g mod nb. The last block may be ragged, and processes beyond the number
// of blocks own nothing.

#include <cstdint>

#include "deepntk/matrix/index.hpp"

namespace deepntk::matrix {

class BlockCyclic1D {
 public:
  /// extent >= 0 entries in blocks of `block` >= 1 over `procs` >= 1 processes.
  BlockCyclic1D(std::int64_t extent, std::int64_t block, int procs);

  [[nodiscard]] std::int64_t extent() const noexcept { return extent_; }
  [[nodiscard]] std::int64_t block() const noexcept { return block_; }
  [[nodiscard]] int procs() const noexcept { return procs_; }

  [[nodiscard]] int owner(GlobalIndex g) const noexcept;
  /// Position of g in its owner's local storage.
  [[nodiscard]] LocalIndex to_local(GlobalIndex g) const noexcept;
  /// Global position of local entry l of process `proc`.
  [[nodiscard]] GlobalIndex to_global(LocalIndex l, int proc) const noexcept;
  /// How many entries process `proc` owns (ScaLAPACK's NUMROC).
  [[nodiscard]] std::int64_t local_extent(int proc) const noexcept;

 private:
  std::int64_t extent_;
  std::int64_t block_;
  int procs_;
};

}  // namespace deepntk::matrix
