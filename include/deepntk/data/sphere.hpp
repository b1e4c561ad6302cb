#pragma once
// Points uniform on the unit sphere S^(d-1): normalized standard Gaussian vectors.

#include <cstdint>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

/// n_train + n_test points on S^(dim-1) from one pseudo-random stream (train first), the
/// same on every machine and rank count for the same seed.
[[nodiscard]] Dataset make_sphere_dataset(std::int64_t n_train, std::int64_t n_test, std::int64_t dim,
                                          std::uint64_t seed);

}  // namespace deepntk::data
