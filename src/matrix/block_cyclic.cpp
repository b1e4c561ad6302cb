#include "deepntk/matrix/block_cyclic.hpp"

#include <stdexcept>
#include <string>

namespace deepntk::matrix {

BlockCyclic1D::BlockCyclic1D(std::int64_t extent, std::int64_t block, int procs)
    : extent_(extent), block_(block), procs_(procs) {
  if (extent < 0) throw std::invalid_argument("matrix extent must be >= 0, got " + std::to_string(extent));
  if (block < 1) throw std::invalid_argument("block size must be >= 1, got " + std::to_string(block));
  if (procs < 1) throw std::invalid_argument("process count must be >= 1, got " + std::to_string(procs));
}

int BlockCyclic1D::owner(GlobalIndex g) const noexcept {
  return static_cast<int>((g.value() / block_) % procs_);
}

LocalIndex BlockCyclic1D::to_local(GlobalIndex g) const noexcept {
  const std::int64_t block_index = g.value() / block_;
  return LocalIndex((block_index / procs_) * block_ + g.value() % block_);
}

GlobalIndex BlockCyclic1D::to_global(LocalIndex l, int proc) const noexcept {
  const std::int64_t local_block = l.value() / block_;
  return GlobalIndex((local_block * procs_ + proc) * block_ + l.value() % block_);
}

std::int64_t BlockCyclic1D::local_extent(int proc) const noexcept {
  if (proc < 0 || proc >= procs_) return 0;
  const std::int64_t full_blocks = extent_ / block_;
  std::int64_t count = (full_blocks / procs_) * block_;
  const std::int64_t extra_blocks = full_blocks % procs_;
  if (proc < extra_blocks) {
    count += block_;
  } else if (proc == extra_blocks) {
    count += extent_ % block_;  // the ragged last block
  }
  return count;
}

}  // namespace deepntk::matrix
