#pragma once
// The infinitely wide network whose kernels are computed: architecture, activation, weight and
// bias variances, residual branch scale, read-out spacing. Definitions:
// docs/kernels.md §Definitions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace deepntk::kernels {

// The architectures and activations, named once: the kernels own these lists, and the
// configuration (app/config.hpp) uses the same enums, so a value added here is a value the
// configuration accepts. Order = enumerator order. An activation listed here needs its dual
// policy registered in src/kernels/registry.hpp (a missing one is a compile error there).
#define DEEPNTK_ARCHITECTURES(X) X(mlp) X(resnet) X(shortcut)
#define DEEPNTK_ACTIVATIONS(X) X(relu) X(erf)

#define DEEPNTK_KERNELS_ENUMERATOR(name) name,
enum class Architecture { DEEPNTK_ARCHITECTURES(DEEPNTK_KERNELS_ENUMERATOR) };
enum class Activation { DEEPNTK_ACTIVATIONS(DEEPNTK_KERNELS_ENUMERATOR) };
#undef DEEPNTK_KERNELS_ENUMERATOR

#define DEEPNTK_KERNELS_NAME(name) std::string_view{#name},
inline constexpr std::array architecture_names{DEEPNTK_ARCHITECTURES(DEEPNTK_KERNELS_NAME)};
inline constexpr std::array activation_names{DEEPNTK_ACTIVATIONS(DEEPNTK_KERNELS_NAME)};
#undef DEEPNTK_KERNELS_NAME

[[nodiscard]] constexpr std::string_view to_string(Architecture a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < architecture_names.size() ? architecture_names[i] : std::string_view{"unknown"};
}
[[nodiscard]] constexpr std::string_view to_string(Activation a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < activation_names.size() ? activation_names[i] : std::string_view{"unknown"};
}

/// Residual branch scale α of the `resnet` architecture, as a function of the number L of
/// residual blocks of the network being evaluated (the configuration's `network.alpha`;
/// app::BranchScale is this type).
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
  /// α for a network of `depth` residual blocks (depth >= 1), without the check of alpha().
  [[nodiscard]] double at_depth(std::int64_t depth) const noexcept;
  /// log α, which stays exact where α itself would underflow.
  [[nodiscard]] double log_at_depth(std::int64_t depth) const noexcept;

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
