#include "deepntk/finite/pointwise_activation.hpp"

#include <cmath>
#include <numbers>

namespace deepntk::finite {

void apply_activation(kernels::Activation activation, const double* h, std::int64_t count, double scale,
                      double* values, double* derivatives) {
  switch (activation) {
    case kernels::Activation::relu:
      for (std::int64_t i = 0; i < count; ++i) values[i] = h[i] > 0.0 ? scale * h[i] : 0.0;
      if (derivatives != nullptr) {
        for (std::int64_t i = 0; i < count; ++i) derivatives[i] = h[i] > 0.0 ? scale : 0.0;
      }
      return;
    case kernels::Activation::erf: {
      const double slope = scale * 2.0 / std::sqrt(std::numbers::pi);  // d/dt erf(t) = 2/sqrt(pi) exp(-t^2)
      for (std::int64_t i = 0; i < count; ++i) values[i] = scale * std::erf(h[i]);
      if (derivatives != nullptr) {
        for (std::int64_t i = 0; i < count; ++i) derivatives[i] = slope * std::exp(-h[i] * h[i]);
      }
      return;
    }
  }
}

}  // namespace deepntk::finite
