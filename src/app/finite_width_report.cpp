#include "deepntk/app/finite_width_report.hpp"

#include <cmath>
#include <string>

#include "deepntk/analysis/finite_width.hpp"
#include "deepntk/app/kernel_producers.hpp"
#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/linalg/pblas.hpp"

namespace deepntk::app {

using matrix::DistributedMatrix;
using matrix::LocalIndex;


FiniteWidthReport::FiniteWidthReport(const RunConfig& config, std::shared_ptr<const grid::ProcessGrid> grid,
                                     std::int64_t block, const kernels::PairBlock& train_block, std::int64_t n_train,
                                     std::int64_t n_test)
    : config_(config),
      grid_(grid),
      block_(block),
      train_block_(train_block),
      error_(grid, n_train, n_train, block),
      spread_(grid, n_train, n_train, block),
      reference_nngp_(grid, n_train, n_train, block),
      reference_ntk_(grid, n_train, n_train, block) {
  if (n_test > 0) test_error_.emplace(grid, n_test, n_train, block);
}

void FiniteWidthReport::start_depth(std::int64_t depth) {
  depth_ = depth;
  if (!config_.montecarlo.compare) return;
  // The analytic kernels of the same network at this depth, from the inputs (one pass of
  // `depth` layers on the train block: a few percent of the Monte Carlo's cost).
  kernels::DepthSweep exact(network_spec_from_config(config_.network), kernels::DepthSchedule({depth}), {train_block_});
  while (!exact.finished()) {
    if (auto rec = exact.advance(1'000'000)) {
      const double heads = head_rule_log_factor(config_.network, depth);
      copy_block(rec->blocks[0].nngp, reference_nngp_, std::exp(rec->nngp_log_scale + heads));
      copy_block(rec->blocks[0].ntk, reference_ntk_, std::exp(rec->ntk_log_scale + heads));
      linalg::mirror_triangle(linalg::Triangle::lower, reference_nngp_);
      linalg::mirror_triangle(linalg::Triangle::lower, reference_ntk_);
    }
  }
}

void FiniteWidthReport::write(io::File& file, std::string_view kind, bool ntk,
                                         const kernels::RecordedDepth& recorded, const DistributedMatrix& mean,
                                         bool write_matrices) {
  const auto& train = recorded.blocks[0];
  copy_block(ntk ? train.ntk_standard_error : train.nngp_standard_error, error_);
  linalg::mirror_triangle(linalg::Triangle::lower, error_);
  if (write_matrices) {
    io::write_matrix(file, layout::kernel_path(kind, depth_, "train_se"), error_);
    if (test_error_) {
      const auto& test = recorded.blocks[1];
      copy_block(ntk ? test.ntk_standard_error : test.nngp_standard_error, *test_error_);
      io::write_matrix(file, layout::kernel_path(kind, depth_, "test_se"), *test_error_);
    }
  }
  const std::string group = layout::kernel_group(kind, depth_);
  io::write_attribute(file, group, "samples", recorded.samples);
  io::write_attribute(file, group, "width", config_.network.width);

  copy_block(ntk ? train.ntk_normalized_spread : train.nngp_normalized_spread, spread_);
  io::write_attribute(file, group, "normalized_spread", analysis::mean_offdiagonal(spread_));
  const bool has_reference = config_.montecarlo.compare &&
                             !(ntk && config_.network.parameterization == finite::Parameterization::standard);
  if (!has_reference) return;
  const auto c = analysis::compare_with_reference(mean, error_, ntk ? reference_ntk_ : reference_nngp_);
  const std::string histogram = layout::kernel_path(kind, depth_, "z_histogram");
  io::write_vector(file, histogram, std::span<const std::int64_t>(c.z_histogram));
  io::write_attribute(file, histogram, "edges",
                      std::span<const double>(analysis::z_histogram_edges.data(), analysis::z_histogram_edges.size()));
  io::write_attribute(file, group, "reference_distance", c.relative_distance);
  io::write_attribute(file, group, "z_mean", c.z_mean);
  io::write_attribute(file, group, "z_rms", c.z_rms);
  io::write_attribute(file, group, "z_max_abs", c.z_max_abs);
  io::write_attribute(file, group, "fraction_z_above_3", c.fraction_above_3);
}

}  // namespace deepntk::app
