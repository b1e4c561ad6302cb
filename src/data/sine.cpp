#include "deepntk/data/sine.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/data/random_stream.hpp"

namespace deepntk::data {

Dataset make_sine_dataset(std::int64_t n_train, std::int64_t n_test, double a, double b, double noise,
                          std::uint64_t seed) {
  if (n_train < 1) throw std::invalid_argument(fmt::format("data.n_train must be >= 1, got {}", n_train));
  if (n_test < 0) throw std::invalid_argument(fmt::format("data.n_test must be >= 0, got {}", n_test));
  if (!(std::isfinite(a) && std::isfinite(b) && a < b)) {
    throw std::invalid_argument(fmt::format("data.interval must be [a, b] with finite a < b, got [{}, {}]", a, b));
  }
  if (!(std::isfinite(noise) && noise >= 0)) {
    throw std::invalid_argument(fmt::format("data.noise must be a finite number >= 0, got {}", noise));
  }
  Dataset dataset;
  dataset.train = PointSet{n_train, 1, std::vector<double>(static_cast<std::size_t>(n_train))};
  dataset.y_train = PointSet{n_train, 1, std::vector<double>(static_cast<std::size_t>(n_train))};
  RandomStream points(seed);
  RandomStream noises(seed + 1);
  for (std::size_t i = 0; i < static_cast<std::size_t>(n_train); ++i) {
    const double x = a + (b - a) * points.uniform_open();
    dataset.train.values[i] = x;
    dataset.y_train->values[i] = std::sin(x) + noise * noises.gaussian();
  }
  dataset.test = PointSet{n_test, 1, std::vector<double>(static_cast<std::size_t>(n_test))};
  dataset.y_test = PointSet{n_test, 1, std::vector<double>(static_cast<std::size_t>(n_test))};
  for (std::size_t i = 0; i < static_cast<std::size_t>(n_test); ++i) {
    const double x = n_test == 1 ? 0.5 * (a + b) : a + (b - a) * static_cast<double>(i) / static_cast<double>(n_test - 1);
    dataset.test.values[i] = x;
    dataset.y_test->values[i] = std::sin(x);
  }
  dataset.source = "sine";
  dataset.subset = "generated";
  dataset.description = fmt::format("sine: y = sin(x) on [{}, {}], {} random train points (noise {}), {} evenly "
                                    "spaced test points, seed {}",
                                    a, b, n_train, noise, n_test, seed);
  return dataset;
}

}  // namespace deepntk::data
