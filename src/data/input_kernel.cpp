#include "deepntk/data/input_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace deepntk::data {

double input_kernel_entry(std::span<const double> x, std::span<const double> y) {
  double sum = 0;
  for (std::size_t k = 0; k < x.size(); ++k) sum += x[k] * y[k];
  return sum / static_cast<double>(x.size());
}

std::vector<double> input_kernel_diagonal(const PointSet& points) {
  std::vector<double> diagonal(static_cast<std::size_t>(points.count));
  for (std::int64_t i = 0; i < points.count; ++i) {
    diagonal[static_cast<std::size_t>(i)] = input_kernel_entry(points.point(i), points.point(i));
  }
  return diagonal;
}

double gap_from_vectors(std::span<const double> x, std::span<const double> y) {
  double xx = 0, yy = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    xx += x[k] * x[k];
    yy += y[k] * y[k];
  }
  const double ix = 1.0 / std::sqrt(xx), iy = 1.0 / std::sqrt(yy);
  double distance2 = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double d = x[k] * ix - y[k] * iy;
    distance2 += d * d;
  }
  return std::clamp(0.5 * distance2, 0.0, 2.0);
}

double input_gap(double k0_xy, double k0_xx, double k0_yy, std::span<const double> x, std::span<const double> y) {
  const double gap = 1.0 - k0_xy / std::sqrt(k0_xx * k0_yy);
  if (gap < near_parallel_gap) return gap_from_vectors(x, y);
  return std::clamp(gap, 0.0, 2.0);
}

void validate_points(const PointSet& points, const char* name) {
  if (points.count > 0 && points.dimension < 1) {
    throw std::invalid_argument(std::string(name) + " has no features (dimension 0)");
  }
  for (std::int64_t i = 0; i < points.count; ++i) {
    double norm2 = 0;
    for (double v : points.point(i)) {
      if (!std::isfinite(v)) {
        throw std::invalid_argument(std::string(name) + " point " + std::to_string(i) +
                                    " contains NaN or Inf; clean the data before computing kernels");
      }
      norm2 += v * v;
    }
    if (norm2 == 0.0) {
      throw std::invalid_argument(std::string(name) + " point " + std::to_string(i) +
                                  " is the zero vector; its correlation with other points is undefined");
    }
  }
}

}  // namespace deepntk::data
