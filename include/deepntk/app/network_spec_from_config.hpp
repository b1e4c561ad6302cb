#pragma once
// The [network] section of a configuration as the kernels' NetworkSpec. The enums and the
// residual scale are the kernels' own types (app/config.hpp uses them), so this is the one
// place the two structs meet, field by field.

#include "deepntk/app/config.hpp"
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

}  // namespace deepntk::app
