#pragma once
// The infinitely wide network whose kernels are computed: architecture, activation, weight and
// bias variances, residual branch scale, read-out spacing. Definitions:
// docs/kernels.md §Definitions.

#include <cstdint>
#include <string>
#include <string_view>

namespace deepntk::kernels {

enum class Architecture { mlp, resnet, shortcut };
enum class Activation { relu, erf };

[[nodiscard]] std::string_view to_string(Architecture a) noexcept;
[[nodiscard]] std::string_view to_string(Activation a) noexcept;

/// Residual branch scale α of the `resnet` architecture, as a function of the number L of
/// residual blocks of the network being evaluated.
struct ResidualScale {
  enum class Rule {
    inverse_sqrt_depth,  ///< α = 1/sqrt(L); `value` is ignored
    constant,            ///< α = value (> 0)
    power,               ///< α = L^(−value), value = γ > 0
  };
  Rule rule = Rule::inverse_sqrt_depth;
  double value = 0.5;

  [[nodiscard]] double alpha(std::int64_t depth) const;
  /// α², which is what the recursion uses; 1/L exactly rounded for inverse_sqrt_depth.
  [[nodiscard]] double alpha_squared(std::int64_t depth) const;
  /// True when α changes with L, so that every recorded depth is a different network.
  [[nodiscard]] bool depends_on_depth() const noexcept;

  bool operator==(const ResidualScale&) const = default;
};

struct NetworkSpec {
  Architecture architecture = Architecture::mlp;
  Activation activation = Activation::relu;
  double sw2 = 2.0;               ///< weight variance σ_w², finite and > 0
  double sb2 = 0.0;               ///< bias variance σ_b², finite and >= 0
  ResidualScale residual{};       ///< resnet only
  std::int64_t readout_every = 1; ///< shortcut only: a read-out head every h layers, h >= 1

  /// Throws std::invalid_argument naming the offending field, its value and what is allowed.
  void validate() const;

  bool operator==(const NetworkSpec&) const = default;
};

}  // namespace deepntk::kernels
