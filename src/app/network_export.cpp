#include "deepntk/app/network_export.hpp"

#include <span>

#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/finite/counter_random.hpp"
#include "deepntk/finite/network_parameters.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/replicated_array.hpp"

namespace deepntk::app {

std::string network_group(std::int64_t depth, std::int64_t network) {
  return "/networks/" + std::to_string(depth) + "/" + std::to_string(network);
}

namespace {

// What turns the raw draws into the network (docs/output-format.md, "Exported networks").
void write_network_attributes(io::File& file, const std::string& group, const RunConfig& config,
                              const finite::FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth,
                              std::int64_t network, std::int64_t heads) {
  const NetworkConfig& n = config.network;
  io::write_attribute(file, group, "architecture", to_string(n.architecture));
  io::write_attribute(file, group, "activation", to_string(n.activation));
  io::write_attribute(file, group, "sw2", n.sw2);
  io::write_attribute(file, group, "sb2", n.sb2);
  io::write_attribute(file, group, "width", n.width);
  io::write_attribute(file, group, "input_dim", input_dim);
  io::write_attribute(file, group, "depth", depth);
  io::write_attribute(file, group, "network", network);
  io::write_attribute(file, group, "seed", std::to_string(config.montecarlo.seed));  // uint64: as text
  io::write_attribute(file, group, "parameterization", to_string(n.parameterization));
  io::write_attribute(file, group, "readout_every", n.readout_every);
  io::write_attribute(file, group, "head_rule", to_string(n.heads));
  io::write_attribute(file, group, "head_count", heads);
  io::write_attribute(file, group, "head_coefficient", spec.head_coefficient(heads));
  // α of this depth's blocks (1 for the architectures without residual branches).
  io::write_attribute(file, group, "alpha", n.architecture == Architecture::resnet ? spec.network.residual.alpha(depth) : 1.0);
}

}  // namespace

void write_exported_networks(io::File& file, const RunConfig& config, std::int64_t input_dim, std::int64_t depth) {
  const finite::FiniteNetworkSpec spec = finite_spec_from_config(config.network);
  for (const std::int64_t s : config.montecarlo.export_networks) {
    // Every rank draws the network: write_array wants the same shape on every rank, and a draw
    // is a pure function of (seed, s, tensor, index), far cheaper than the kernels of one layer.
    const finite::NetworkParameters p = finite::draw_parameters(
        spec, input_dim, depth, finite::sample_key(config.montecarlo.seed, static_cast<std::uint64_t>(s)));
    const std::string group = network_group(depth, s);
    for (std::size_t l = 0; l < p.layers.size(); ++l) {
      const finite::DenseLayer& layer = p.layers[l];
      const std::string prefix = group + "/layer_" + std::to_string(l);
      // The column-major transpose (cols x rows) is the row-major (rows, cols) matrix numpy reads.
      io::write_array(file, prefix + "/weights", std::span<const double>(layer.weights_transposed), {layer.rows, layer.cols});
      if (!layer.biases.empty()) io::write_vector(file, prefix + "/biases", std::span<const double>(layer.biases));
    }
    for (const finite::ReadoutHead& head : p.heads) {
      const std::string prefix = group + "/heads/" + std::to_string(head.layer);
      io::write_vector(file, prefix + "/weights", std::span<const double>(head.weights));
      if (spec.has_biases()) io::write_vector(file, prefix + "/bias", std::span<const double>(&head.bias, 1));
    }
    write_network_attributes(file, group, config, spec, input_dim, depth, s, static_cast<std::int64_t>(p.heads.size()));
  }
}

}  // namespace deepntk::app
