#pragma once
// The [network] section of a configuration as the kernels' NetworkSpec. The enums and the
// residual scale are the kernels' own types (app/config.hpp uses them), so this is the one
// place the two structs meet, field by field.

#include "deepntk/app/config.hpp"
#include "deepntk/finite/finite_network.hpp"
#include "deepntk/kernels/network.hpp"

namespace deepntk::app {

[[nodiscard]] inline kernels::NetworkSpec network_spec_from_config(const NetworkConfig& network) {
  kernels::NetworkSpec spec;
  spec.architecture = network.architecture;
  spec.activation = network.activation;
  spec.sw2 = network.sw2;
  spec.sb2 = network.sb2;
  spec.residual = network.alpha;
  spec.readout_every = network.readout_every;
  return spec;
}

/// The same network at finite width (network.width > 0), with its head rule and parameterization.
[[nodiscard]] inline finite::FiniteNetworkSpec finite_spec_from_config(const NetworkConfig& network) {
  finite::FiniteNetworkSpec spec;
  spec.network = network_spec_from_config(network);
  spec.width = network.width;
  spec.heads = network.heads;
  spec.parameterization = network.parameterization;
  return spec;
}

}  // namespace deepntk::app
