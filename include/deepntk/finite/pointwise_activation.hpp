#pragma once
// The activations of finite networks, applied entrywise: scale φ(h) and scale φ'(h). The list
// of activations is kernels::Activation's; every one has a case here (a new one without its
// case does not compile: -Wswitch is an error).

#include <cstdint>

#include "deepntk/kernels/network.hpp"

namespace deepntk::finite {

/// values[i] = scale φ(h[i]); derivatives[i] = scale φ'(h[i]) when derivatives is not null.
void apply_activation(kernels::Activation activation, const double* h, std::int64_t count, double scale,
                      double* values, double* derivatives);

}  // namespace deepntk::finite
