#include "deepntk/data/preprocessing.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace deepntk::data {

namespace {

std::vector<double> column_means(const PointSet& points) {
  std::vector<double> mean(static_cast<std::size_t>(points.dimension), 0.0);
  for (std::int64_t i = 0; i < points.count; ++i) {
    const auto x = points.point(i);
    for (std::size_t k = 0; k < x.size(); ++k) mean[k] += x[k];
  }
  for (double& m : mean) m /= static_cast<double>(points.count);
  return mean;
}

// Standard deviations around `mean`; 1 where a column is constant (so it is only centered).
std::vector<double> column_scales(const PointSet& points, const std::vector<double>& mean) {
  std::vector<double> variance(mean.size(), 0.0);
  for (std::int64_t i = 0; i < points.count; ++i) {
    const auto x = points.point(i);
    for (std::size_t k = 0; k < x.size(); ++k) variance[k] += (x[k] - mean[k]) * (x[k] - mean[k]);
  }
  std::vector<double> scale(mean.size());
  for (std::size_t k = 0; k < mean.size(); ++k) {
    const double sd = std::sqrt(variance[k] / static_cast<double>(points.count));
    scale[k] = sd > 0 ? sd : 1.0;
  }
  return scale;
}

void shift_and_scale(PointSet& points, const std::vector<double>& mean, const std::vector<double>& scale) {
  for (std::int64_t i = 0; i < points.count; ++i) {
    double* row = points.values.data() + i * points.dimension;
    for (std::size_t k = 0; k < mean.size(); ++k) row[k] = (row[k] - mean[k]) / scale[k];
  }
}

void append_bias(PointSet& points) {
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(points.count * (points.dimension + 1)));
  for (std::int64_t i = 0; i < points.count; ++i) {
    const auto x = points.point(i);
    values.insert(values.end(), x.begin(), x.end());
    values.push_back(1.0);
  }
  points.values = std::move(values);
  points.dimension += 1;
}

void scale_to_unit_norm(PointSet& points, const char* name) {
  for (std::int64_t i = 0; i < points.count; ++i) {
    double* row = points.values.data() + i * points.dimension;
    double norm2 = 0;
    for (std::int64_t k = 0; k < points.dimension; ++k) norm2 += row[k] * row[k];
    if (norm2 == 0.0) {
      throw std::invalid_argument(fmt::format(
          "{} row {} is zero{}, so preprocessing \"sphere\" cannot scale it to norm 1; remove the point or change "
          "data.preprocessing",
          name, i, points.dimension > 1 ? " (every feature is 0)" : ""));
    }
    const double inverse = 1.0 / std::sqrt(norm2);
    for (std::int64_t k = 0; k < points.dimension; ++k) row[k] *= inverse;
  }
}

}  // namespace

void check_finite(const PointSet& points, const std::string& name, std::span<const std::int64_t> source_rows,
                  std::string_view what) {
  for (std::int64_t i = 0; i < points.count; ++i) {
    const auto x = points.point(i);
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (!std::isfinite(x[k])) {
        throw std::invalid_argument(fmt::format("{} row {}, column {} is {}; the {} must be finite numbers", name,
                                                source_rows.empty() ? i : source_rows[static_cast<std::size_t>(i)], k,
                                                std::isnan(x[k]) ? "NaN" : x[k] > 0 ? "+Inf" : "-Inf", what));
      }
    }
  }
}

void preprocess(Dataset& dataset, std::span<const PreprocessingStep> steps) {
  for (const auto step : steps) {
    switch (step) {
      case PreprocessingStep::center:
      case PreprocessingStep::standardize: {
        const auto mean = column_means(dataset.train);
        const auto scale = step == PreprocessingStep::standardize ? column_scales(dataset.train, mean)
                                                                  : std::vector<double>(mean.size(), 1.0);
        shift_and_scale(dataset.train, mean, scale);
        shift_and_scale(dataset.test, mean, scale);
        break;
      }
      case PreprocessingStep::bias:
        append_bias(dataset.train);
        append_bias(dataset.test);
        break;
      case PreprocessingStep::sphere:
        scale_to_unit_norm(dataset.train, "x_train");
        scale_to_unit_norm(dataset.test, "x_test");
        break;
    }
  }
  dataset.preprocessing = describe(steps);
}

std::string describe(std::span<const PreprocessingStep> steps) {
  static constexpr const char* names[] = {"center", "standardize", "bias", "sphere"};
  std::string out;
  for (const auto step : steps) {
    if (!out.empty()) out += ',';
    out += names[static_cast<int>(step)];
  }
  return out.empty() ? "none" : out;
}

}  // namespace deepntk::data
