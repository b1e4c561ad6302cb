#pragma once
// Points uniform on the unit sphere S^(d-1): normalized standard Gaussian vectors.

#include <cstdint>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

/// n_train + n_test points on S^(dim-1) from one pseudo-random stream (train first), the
/// same on every machine and rank count for the same seed.
///
/// teacher = true adds one real target per point (k = 1), a fixed smooth function of x:
///     y(x) = sqrt(d) <a, x> + d x_0 x_1,
/// with a a unit vector drawn from a second stream seeded by seed + 1 (after the points, so the
/// points do not depend on it). Both terms have variance 1 on the sphere (<a, x> and x_0 x_1 have
/// variances 1/d and about 1/d^2), so the target has a linear part every kernel fits and a
/// quadratic part that shows how the kernel's degree-2 content changes with depth.
[[nodiscard]] Dataset make_sphere_dataset(std::int64_t n_train, std::int64_t n_test, std::int64_t dim,
                                          std::uint64_t seed, bool teacher = false);

}  // namespace deepntk::data
