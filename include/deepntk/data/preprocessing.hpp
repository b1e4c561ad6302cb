#pragma once
// Preprocessing of the input points, in the order given, with every statistic taken from the
// TRAIN points and applied unchanged to the test points (the test set must not inform the
// transformation, or test metrics would be optimistic):
//   center       subtract the train mean of every column;
//   standardize  subtract the train mean and divide by the train standard deviation (population,
//                1/n) of every column; columns constant on the train set are only centered;
//   bias         append a constant feature 1 to every point: (x, 1). The kernels here depend on
//                the angle between inputs (and their norms); for 1-D inputs the only angles
//                are 0 and pi, so (x, 1) is what makes 1-D regression (data.source = "sine")
//                meaningful: the angle of (x, 1) is atan(x);
//   sphere       scale every point to norm 1 (as the sphere generator's points): the kernels
//                then depend on angles only. A zero point cannot be scaled and is an error.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

enum class PreprocessingStep { center, standardize, bias, sphere };

/// Throws std::invalid_argument naming `name`, the row and the column of the first NaN or Inf.
/// With `source_rows` (the source row of every point), the row named is the source's.
/// `what` is what the message says must be finite: "inputs" or "targets".
void check_finite(const PointSet& points, const std::string& name, std::span<const std::int64_t> source_rows = {},
                  std::string_view what = "inputs");

/// Applies `steps` in order to dataset.train and dataset.test (see the file comment) and
/// records them in dataset.preprocessing. Throws std::invalid_argument for a zero row before
/// `sphere` (naming x_train / x_test and the row).
void preprocess(Dataset& dataset, std::span<const PreprocessingStep> steps);

/// "center,sphere", or "none" when there are no steps.
[[nodiscard]] std::string describe(std::span<const PreprocessingStep> steps);

}  // namespace deepntk::data
