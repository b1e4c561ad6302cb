#include "deepntk/finite/finite_network.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace deepntk::finite {

std::string_view to_string(HeadCombination combination) noexcept {
  switch (combination) {
    case HeadCombination::inverse_sqrt_count: return "1/sqrt(K)";
    case HeadCombination::sum: return "sum";
    case HeadCombination::mean: return "mean";
  }
  return "unknown";
}

std::optional<HeadCombination> head_combination_from_string(std::string_view name) noexcept {
  for (const auto c : {HeadCombination::inverse_sqrt_count, HeadCombination::sum, HeadCombination::mean}) {
    if (to_string(c) == name) return c;
  }
  return std::nullopt;
}

double FiniteNetworkSpec::head_coefficient(std::int64_t heads_in_output) const {
  const auto k = static_cast<double>(heads_in_output);
  switch (heads) {
    case HeadCombination::inverse_sqrt_count: return 1.0 / std::sqrt(k);
    case HeadCombination::sum: return 1.0;
    case HeadCombination::mean: return 1.0 / k;
  }
  throw std::logic_error("FiniteNetworkSpec::head_coefficient: unknown head combination");
}

std::int64_t FiniteNetworkSpec::head_count(std::int64_t depth) const {
  return network.architecture == kernels::Architecture::shortcut ? depth / network.readout_every : 1;
}

void FiniteNetworkSpec::validate() const {
  network.validate();
  // The per-layer arrays are width x points; 2^20 units is far past any useful Monte Carlo.
  if (width < 1 || width > (1 << 20)) {
    throw std::invalid_argument(fmt::format(
        "network.width = {} is out of range: use a positive number of units per hidden layer (at most 1048576), "
        "or \"infinite\" for the analytic kernels",
        width));
  }
}

}  // namespace deepntk::finite
