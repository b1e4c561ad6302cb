#pragma once
// Test metrics for predictions f (m x k) against targets Y (m x k), both distributed on the same
// grid: mean squared error and classification accuracy; and one-hot targets from labels.
// O(m k / P) work and O(m) communication: nothing of size m x k is gathered.

#include <cstdint>
#include <memory>
#include <span>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// Mean over all m * k entries of (f - y)^2 (the mean over test points and outputs; multiply
/// by k for the per-point squared error summed over outputs). Summed with compensation per rank
/// and over ranks in rank order (see diagnostics.hpp). NaN if any prediction is NaN.
[[nodiscard]] double mean_squared_error(const matrix::DistributedMatrix& predictions,
                                        const matrix::DistributedMatrix& targets);

struct Accuracy {
  std::int64_t correct = 0;
  std::int64_t total = 0;
  [[nodiscard]] double fraction() const noexcept {
    return total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : 0.0;
  }
};

/// Classification accuracy. k >= 2 outputs: argmax over the outputs of f against argmax of the
/// targets (one-hot, centered or not: centering does not move the argmax); ties go to the lowest
/// output index, like numpy.argmax. k = 1 output (binary +-1 targets): the signs, f > 0 against
/// y > 0. A test point with any non-finite prediction counts as wrong (never silently right).
[[nodiscard]] Accuracy classification_accuracy(const matrix::DistributedMatrix& predictions,
                                               const matrix::DistributedMatrix& targets);

/// n x classes one-hot targets from per-point labels in 0 .. classes-1 (the same on every rank),
/// in blocks of `block`. centered: 1 - 1/c on the label and -1/c elsewhere (labels minus their
/// uniform mean, the convention of the depth-NNGP experiments), else 1 and 0.
[[nodiscard]] matrix::DistributedMatrix one_hot_targets(std::shared_ptr<const grid::ProcessGrid> grid,
                                                        std::span<const std::int64_t> labels, std::int64_t classes,
                                                        std::int64_t block, bool centered);

}  // namespace deepntk::analysis
