#include "deepntk/data/sphere.hpp"

#include "deepntk/data/random_stream.hpp"

#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

namespace deepntk::data {

namespace {

PointSet sphere_points(RandomStream& stream, std::int64_t n, std::int64_t dim) {
  PointSet points{n, dim, std::vector<double>(static_cast<std::size_t>(n * dim))};
  for (std::int64_t i = 0; i < n; ++i) {
    double* row = points.values.data() + i * dim;
    double norm2 = 0;
    for (std::int64_t k = 0; k < dim; ++k) {
      row[k] = stream.gaussian();
      norm2 += row[k] * row[k];
    }
    const double inverse_norm = 1.0 / std::sqrt(norm2);
    for (std::int64_t k = 0; k < dim; ++k) row[k] *= inverse_norm;
  }
  return points;
}

// The teacher of sphere.hpp, one value per point.
PointSet teacher_targets(const PointSet& points, std::span<const double> direction) {
  const auto d = static_cast<double>(points.dimension);
  PointSet y{points.count, 1, std::vector<double>(static_cast<std::size_t>(points.count))};
  for (std::int64_t i = 0; i < points.count; ++i) {
    const auto x = points.point(i);
    double linear = 0;
    for (std::size_t k = 0; k < x.size(); ++k) linear += direction[k] * x[k];
    y.values[static_cast<std::size_t>(i)] = std::sqrt(d) * linear + d * x[0] * x[1];
  }
  return y;
}

}  // namespace

Dataset make_sphere_dataset(std::int64_t n_train, std::int64_t n_test, std::int64_t dim, std::uint64_t seed,
                            bool teacher) {
  if (n_train < 1) throw std::invalid_argument("data.n_train must be >= 1, got " + std::to_string(n_train));
  if (n_test < 0) throw std::invalid_argument("data.n_test must be >= 0, got " + std::to_string(n_test));
  if (dim < 2) throw std::invalid_argument("data.dim must be >= 2 for a sphere, got " + std::to_string(dim));
  RandomStream stream(seed);
  Dataset dataset;
  dataset.train = sphere_points(stream, n_train, dim);
  dataset.test = sphere_points(stream, n_test, dim);
  dataset.source = "sphere";
  dataset.subset = "generated";
  dataset.description = "sphere: " + std::to_string(n_train) + " train + " + std::to_string(n_test) +
                        " test points uniform on S^" + std::to_string(dim - 1) + ", seed " + std::to_string(seed);
  if (teacher) {
    RandomStream teacher_stream(seed + 1);
    const PointSet direction = sphere_points(teacher_stream, 1, dim);
    dataset.y_train = teacher_targets(dataset.train, direction.values);
    dataset.y_test = teacher_targets(dataset.test, direction.values);
    dataset.description += ", teacher targets";
  }
  return dataset;
}

}  // namespace deepntk::data
