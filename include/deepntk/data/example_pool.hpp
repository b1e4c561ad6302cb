#pragma once
// Examples as a file holds them, before a subset is chosen: a row accessor over the file's own
// storage (e.g. Fashion-MNIST's 60000 x 784 bytes, 8x smaller than as doubles), and the labels or
// target values that go with each row. Only the chosen rows are ever converted to doubles.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

struct ExamplePool {
  std::string name;            // for messages: "x_train in input.h5", "FILE"
  std::int64_t count = 0;      // rows
  std::int64_t dimension = 0;  // features per row
  /// Writes row `row` (0 <= row < count) as `dimension` doubles to `out`.
  std::function<void(std::int64_t row, std::span<double> out)> copy_row;
  /// Optional: writes the rows `rows` (increasing) one after another to `out`, for readers that
  /// read runs of consecutive rows at once (an HDF5 hyperslab); used instead of copy_row if set.
  std::function<void(std::span<const std::int64_t> rows, std::span<double> out)> copy_rows;
  std::vector<std::int64_t> labels;  // one class label per row, or empty
  std::optional<PointSet> targets;   // one row of real targets per row, or none
};

/// A train pool and an optional test pool (absent: no test points available).
struct DataPools {
  ExamplePool train;
  std::optional<ExamplePool> test;
  std::int64_t classes = 0;  // > 0 when the format fixes the class count (CIFAR-10: 10)
  std::string origin;        // "DIRECTORY" or "FILE", for the description
};

/// An ExamplePool over row-major doubles already in memory.
[[nodiscard]] ExamplePool pool_of(std::string name, PointSet points);

}  // namespace deepntk::data
