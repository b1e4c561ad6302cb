#pragma once
// From the pools a file source provides to the Dataset a run uses: the subset of rows (train and
// test chosen independently), their labels or targets, the checks on labels and counts.

#include <cstdint>

#include "deepntk/data/example_pool.hpp"
#include "deepntk/data/subset.hpp"

namespace deepntk::data {

/// n_train / n_test meaning every row of the pool.
inline constexpr std::int64_t all_rows = -1;

struct Selection {
  std::int64_t n_train = 0;  // rows, or all_rows
  std::int64_t n_test = 0;   // rows (0: no test points), or all_rows
  SubsetRule rule = SubsetRule::first;
  std::uint64_t seed = 0;     // train rows from stream `seed`, test rows from `seed + 1`
  std::int64_t classes = 0;   // 0: the pools' own count, else 1 + the largest label
  bool labels = false;        // y_train / y_test = class labels (Dataset::classes > 0)
  bool targets = false;       // y_train / y_test = the pools' real targets, when present
};

/// Throws std::invalid_argument naming the pool for an empty pool, too few rows, a train and
/// test dimension mismatch, or a label that is negative or >= the number of classes.
[[nodiscard]] Dataset select_dataset(const DataPools& pools, const Selection& selection);

}  // namespace deepntk::data
