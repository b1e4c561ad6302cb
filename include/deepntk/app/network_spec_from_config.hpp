#pragma once
// The [network] section of a configuration as the kernels' NetworkSpec.

#include "deepntk/app/config.hpp"
#include "deepntk/kernels/network.hpp"

namespace deepntk::app {

[[nodiscard]] inline kernels::NetworkSpec network_spec_from_config(const NetworkConfig& network) {
  kernels::NetworkSpec spec;
  switch (network.architecture) {
    case Architecture::mlp: spec.architecture = kernels::Architecture::mlp; break;
    case Architecture::resnet: spec.architecture = kernels::Architecture::resnet; break;
    case Architecture::shortcut: spec.architecture = kernels::Architecture::shortcut; break;
  }
  spec.activation = network.activation == Activation::relu ? kernels::Activation::relu : kernels::Activation::erf;
  spec.sw2 = network.sw2;
  spec.sb2 = network.sb2;
  switch (network.alpha.rule) {
    case AlphaRule::inverse_sqrt_depth: spec.residual.rule = kernels::ResidualScale::Rule::inverse_sqrt_depth; break;
    case AlphaRule::constant: spec.residual.rule = kernels::ResidualScale::Rule::constant; break;
    case AlphaRule::power: spec.residual.rule = kernels::ResidualScale::Rule::power; break;
  }
  spec.residual.value = network.alpha.value;
  spec.readout_every = network.readout_every;
  return spec;
}

}  // namespace deepntk::app
