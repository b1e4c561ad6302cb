#pragma once
// Shared by the finite-network tests: specs of every architecture, random inputs, and the
// empirical kernels of one network over a whole batch through GradientGram.

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "deepntk/finite/counter_random.hpp"
#include "deepntk/finite/finite_network.hpp"
#include "deepntk/finite/gradient_gram.hpp"
#include "deepntk/finite/network_parameters.hpp"
#include "deepntk/finite/network_pass.hpp"

namespace deepntk::finite::testing {

inline FiniteNetworkSpec make_spec(kernels::Architecture architecture, kernels::Activation activation, double sb2,
                                   std::int64_t width, std::int64_t readout_every = 1,
                                   Parameterization parameterization = Parameterization::ntk) {
  FiniteNetworkSpec spec;
  spec.network.architecture = architecture;
  spec.network.activation = activation;
  spec.network.sw2 = activation == kernels::Activation::relu ? 2.0 : 1.5;
  spec.network.sb2 = sb2;
  spec.network.readout_every = readout_every;
  spec.width = width;
  spec.parameterization = parameterization;
  return spec;
}

inline std::string describe(const FiniteNetworkSpec& s) {
  return fmt::format("{} h={} {} sw2={} sb2={} width={} {}", kernels::to_string(s.network.architecture),
                     s.network.readout_every, kernels::to_string(s.network.activation), s.network.sw2, s.network.sb2,
                     s.width, s.parameterization == Parameterization::ntk ? "ntk" : "standard");
}

/// dim x count standard normal inputs, column-major.
inline std::vector<double> random_inputs(std::int64_t dim, std::int64_t count, std::uint64_t seed) {
  std::vector<double> x(static_cast<std::size_t>(dim * count));
  fill_standard_normal(sample_key(seed, 999), 0, 0, x);
  return x;
}

/// Full count x count NTK and feature kernel (column-major) of one network, and its diagonal.
struct BatchKernels {
  std::vector<double> ntk, feature;
  GramDiagonal diagonal;
};

inline BatchKernels batch_kernels(const FiniteNetworkSpec& spec, const NetworkParameters& parameters,
                                  const std::vector<double>& inputs, std::int64_t count) {
  BatchKernels out;
  out.ntk.assign(static_cast<std::size_t>(count * count), 0.0);
  out.feature.assign(out.ntk.size(), 0.0);
  out.diagonal.ntk.assign(static_cast<std::size_t>(count), 0.0);
  out.diagonal.feature.assign(static_cast<std::size_t>(count), 0.0);
  const NetworkPass pass(spec, parameters, inputs, count);
  GradientGram gram(count, {GramTile{count, count, 0, 0, out.ntk.data(), out.feature.data(), count}}, &out.diagonal);
  pass.backward(gram);
  return out;
}

/// Every architecture (shortcut h = 1, 2, 3), activation, with and without biases, both
/// parameterizations, width `width`.
inline std::vector<FiniteNetworkSpec> every_tiny_network(std::int64_t width = 3) {
  std::vector<FiniteNetworkSpec> specs;
  for (const auto parameterization : {Parameterization::ntk, Parameterization::standard})
    for (const kernels::Activation act : {kernels::Activation::relu, kernels::Activation::erf})
      for (const double sb2 : {0.0, 0.3}) {
        specs.push_back(make_spec(kernels::Architecture::mlp, act, sb2, width, 1, parameterization));
        specs.push_back(make_spec(kernels::Architecture::resnet, act, sb2, width, 1, parameterization));
        for (const std::int64_t h : {1, 2, 3}) specs.push_back(make_spec(kernels::Architecture::shortcut, act, sb2, width, h, parameterization));
      }
  return specs;
}

}  // namespace deepntk::finite::testing
