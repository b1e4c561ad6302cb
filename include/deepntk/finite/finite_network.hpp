#pragma once
// A network of finite width: the same architectures, activations and variances as the
// infinite-width kernels (kernels::NetworkSpec), with `width` units per hidden layer, drawn at
// random (docs/kernels.md §Finite-width networks). Its empirical kernels, averaged over many
// draws, estimate the bounded-width kernels; at large width they approach the analytic ones.

#include <cstdint>
#include <optional>
#include <string_view>

#include "deepntk/kernels/network.hpp"

namespace deepntk::finite {

/// How the shortcut network combines its K read-out heads into the output: c(K) Σ_k head_k.
enum class HeadCombination {
  inverse_sqrt_count,  ///< c = 1/sqrt(K): the kernels are the mean over heads (the analytic shortcut)
  sum,                 ///< c = 1: the kernels are K times that mean
  mean,                ///< c = 1/K: the kernels are that mean divided by K
};

/// Which parameters the NTK differentiates with respect to (the network function is the same):
///   ntk       h = sqrt(sw2/fan_in) W a + sqrt(sb2) b, W, b standard normal: the analytic NTK's;
///   standard  h = W a + b, W ~ N(0, sw2/fan_in), b ~ N(0, sb2): the NTK grows with the width.
/// Named once here; the configuration (network.parameterization) uses this list.
#define DEEPNTK_PARAMETERIZATIONS(X) X(ntk) X(standard)
#define DEEPNTK_FINITE_ENUMERATOR(name) name,
enum class Parameterization { DEEPNTK_PARAMETERIZATIONS(DEEPNTK_FINITE_ENUMERATOR) };
#undef DEEPNTK_FINITE_ENUMERATOR

/// "1/sqrt(K)", "sum", "mean": the configuration's spelling (network.heads).
[[nodiscard]] std::string_view to_string(HeadCombination combination) noexcept;
/// The combination spelled `name`, if any.
[[nodiscard]] std::optional<HeadCombination> head_combination_from_string(std::string_view name) noexcept;

struct FiniteNetworkSpec {
  kernels::NetworkSpec network;
  std::int64_t width = 16;  ///< units per hidden layer, >= 1
  HeadCombination heads = HeadCombination::inverse_sqrt_count;
  Parameterization parameterization = Parameterization::ntk;

  /// c(K) for K heads (K >= 1); 1 for architectures with a single head.
  [[nodiscard]] double head_coefficient(std::int64_t heads) const;
  /// The number of read-out heads of the network of `depth` (shortcut: depth / h; else 1).
  [[nodiscard]] std::int64_t head_count(std::int64_t depth) const;
  /// Whether the networks have bias parameters (sb2 > 0).
  [[nodiscard]] bool has_biases() const noexcept { return network.sb2 > 0.0; }
  /// Throws std::invalid_argument naming the field, its value and what is allowed.
  void validate() const;

  bool operator==(const FiniteNetworkSpec&) const = default;
};

}  // namespace deepntk::finite
