#pragma once
// The sampled networks a run writes into its result (montecarlo.export), so that anyone can
// rebuild network s at depth L and recompute its kernels (docs/output-format.md, "Exported
// networks"; examples/rebuild_network.py does it in NumPy):
//
//   /networks/<L>/<s>                   attributes: how the parameters make the network
//   /networks/<L>/<s>/layer_<l>/weights (fan_out, fan_in) raw standard normal W_l
//   /networks/<L>/<s>/layer_<l>/biases  (fan_out,)        raw standard normal b_l (sb2 > 0)
//   /networks/<L>/<s>/heads/<j>/weights (width,)          v_j of the head reading layer j
//   /networks/<L>/<s>/heads/<j>/bias    (1,)              c_j (sb2 > 0)
//
// The stored values are the generator's draws themselves, not scaled: they are what the
// counter-based generator defines bit for bit, and both parameterizations share them (only
// what the NTK differentiates differs).

#include <cstdint>
#include <string>

#include "deepntk/app/config.hpp"
#include "deepntk/io/file.hpp"

namespace deepntk::app {

/// "/networks/<depth>/<network>".
[[nodiscard]] std::string network_group(std::int64_t depth, std::int64_t network);

/// Collective. Writes the networks of config.montecarlo.export_networks at `depth` into `file`
/// (nothing when the list is empty). `input_dim` is the dimension of the points after
/// preprocessing, the first layer's fan_in.
void write_exported_networks(io::File& file, const RunConfig& config, std::int64_t input_dim, std::int64_t depth);

}  // namespace deepntk::app
