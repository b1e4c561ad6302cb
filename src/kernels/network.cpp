#include "deepntk/kernels/network.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace deepntk::kernels {

namespace {

[[noreturn]] void bad(std::string_view field, double value, std::string_view allowed) {
  std::ostringstream os;
  os.precision(17);
  os << "network spec: " << field << " = " << value << " is not allowed; expected " << allowed;
  throw std::invalid_argument(os.str());
}

void check_depth(std::int64_t depth) {
  if (depth < 1) {
    throw std::invalid_argument("residual scale: depth " + std::to_string(depth) + " must be >= 1");
  }
}

}  // namespace

double ResidualScale::alpha(std::int64_t depth) const {
  check_depth(depth);
  switch (rule) {
    case Rule::inverse_sqrt_depth: return 1.0 / std::sqrt(static_cast<double>(depth));
    case Rule::constant: return value;
    case Rule::power: return std::pow(static_cast<double>(depth), -value);
  }
  return value;
}

double ResidualScale::alpha_squared(std::int64_t depth) const {
  check_depth(depth);
  switch (rule) {
    case Rule::inverse_sqrt_depth: return 1.0 / static_cast<double>(depth);
    case Rule::constant: return value * value;
    case Rule::power: return std::pow(static_cast<double>(depth), -2.0 * value);
  }
  return value * value;
}

double ResidualScale::at_depth(std::int64_t depth) const noexcept {
  const auto l = static_cast<double>(depth);
  switch (rule) {
    case Rule::inverse_sqrt_depth: return 1.0 / std::sqrt(l);
    case Rule::constant: return value;
    case Rule::power: return std::pow(l, -value);
  }
  return value;
}

double ResidualScale::log_at_depth(std::int64_t depth) const noexcept {
  const auto l = static_cast<double>(depth);
  switch (rule) {
    case Rule::inverse_sqrt_depth: return -0.5 * std::log(l);
    case Rule::constant: return std::log(value);
    case Rule::power: return -value * std::log(l);
  }
  return std::log(value);
}

bool ResidualScale::depends_on_depth() const noexcept {
  return rule == Rule::inverse_sqrt_depth || (rule == Rule::power && value != 0.0);
}

void NetworkSpec::validate() const {
  if (static_cast<std::size_t>(architecture) >= architecture_names.size()) {
    bad("architecture", static_cast<double>(architecture), "one of DEEPNTK_ARCHITECTURES");
  }
  if (static_cast<std::size_t>(activation) >= activation_names.size()) {
    bad("activation", static_cast<double>(activation), "one of DEEPNTK_ACTIVATIONS");
  }
  if (!(std::isfinite(sw2) && sw2 > 0.0)) bad("sw2", sw2, "a finite number > 0");
  if (!(std::isfinite(sb2) && sb2 >= 0.0)) bad("sb2", sb2, "a finite number >= 0");
  if (architecture == Architecture::resnet) {
    switch (residual.rule) {
      case ResidualScale::Rule::inverse_sqrt_depth: break;
      case ResidualScale::Rule::constant:
        if (!(std::isfinite(residual.value) && residual.value > 0.0)) {
          bad("residual.value (constant alpha)", residual.value, "a finite number > 0");
        }
        break;
      case ResidualScale::Rule::power:
        if (!(std::isfinite(residual.value) && residual.value >= 0.0)) {
          bad("residual.value (gamma in alpha = L^-gamma)", residual.value, "a finite number >= 0");
        }
        break;
      default: bad("residual.rule", static_cast<double>(residual.rule), "inverse_sqrt_depth, constant or power");
    }
  }
  if (readout_every < 1) {
    bad("readout_every", static_cast<double>(readout_every), "an integer >= 1 (a read-out head every h layers)");
  }
}

}  // namespace deepntk::kernels
