#pragma once
// Points as rows of a dense row-major matrix, replicated on every rank. Input data are
// small next to the Gram matrices (n x d against n x n), and every rank needs the rows of
// the points its Gram blocks touch.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace deepntk::data {

struct PointSet {
  std::int64_t count = 0;      // number of points (rows)
  std::int64_t dimension = 0;  // features per point (columns)
  std::vector<double> values;  // row-major count x dimension

  [[nodiscard]] std::span<const double> point(std::int64_t i) const {
    return {values.data() + i * dimension, static_cast<std::size_t>(dimension)};
  }
};

/// What a run computes kernels on, and optionally what the regression fits: targets are
/// PointSets too (one row per point, k outputs per row), so they travel with their points.
struct Dataset {
  PointSet train;
  PointSet test;
  std::optional<PointSet> y_train;  // n x k; absent: no regression
  std::optional<PointSet> y_test;   // m x k; absent: predictions without test metrics
  /// > 0: y_train / y_test hold integer class labels 0 .. classes-1 (k = 1), to be encoded
  /// one-hot where they are distributed (accuracy is then meaningful).
  std::int64_t classes = 0;
  std::string description;  // one line, for logs and the result file

  // Provenance, stored with the inputs in the result (docs/output-format.md, /data).
  std::string source;         // "sphere", "sine", "hdf5", "idx", "cifar10"
  std::string subset;         // how the points were chosen, e.g. "balanced, seed 7"
  std::string preprocessing;  // the steps applied, e.g. "center,sphere", or "none"
  std::vector<std::int64_t> train_index;  // row of the source of every train point (files only)
  std::vector<std::int64_t> test_index;   // row of the source of every test point (files only)
};

}  // namespace deepntk::data
