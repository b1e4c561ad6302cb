#pragma once
// A 1-D regression problem: y = sin(x) on an interval [a, b].
//
// Train points x_i = a + (b - a) u_i with u_i uniform in (0, 1) from the stream `seed`; their
// targets sin(x_i) + noise * g_i with g_i standard normal from the stream `seed + 1` (so the
// points do not depend on the noise level). Test points are evenly spaced, a to b inclusive
// (the midpoint when there is one), with noise-free targets sin(x): test metrics measure the
// distance to the true function, and the predictions plot as a curve.
//
// The points are 1-D; see data/preprocessing.hpp (step "bias") for making them usable by the
// kernels.

#include <cstdint>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

/// Throws std::invalid_argument for n_train < 1, n_test < 0, a >= b, a non-finite interval or
/// noise < 0.
[[nodiscard]] Dataset make_sine_dataset(std::int64_t n_train, std::int64_t n_test, double a, double b, double noise,
                                        std::uint64_t seed);

}  // namespace deepntk::data
