#pragma once
// What a run of finite-width networks (network.width a number) writes at each recorded depth
// beside the mean kernels (docs/output-format.md, "Monte-Carlo kernels"):
//   kernels/<kind>/<depth>/train_se, test_se   standard error of every entry (with the matrices)
//   kernels/<kind>/<depth>/z_histogram         z of the pairs against the analytic kernel of the
//        same network at infinite width, with attributes of the group: samples, width,
//        normalized_spread (across networks), reference_distance, z_mean, z_rms, z_max_abs,
//        fraction_z_above_3.
// The feature kernel ("nngp") is compared with the analytic NNGP, the NTK with the analytic NTK
// (not in the standard parameterization, whose NTK has no infinite-width limit).

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/grid/process_grid.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::app {

class FiniteWidthReport {
 public:
  /// `train_block` is the rank's train x train PairBlock (for the analytic reference), n the
  /// number of train points, m of test points.
  FiniteWidthReport(const RunConfig& config, std::shared_ptr<const grid::ProcessGrid> grid, std::int64_t block,
                    const kernels::PairBlock& train_block, std::int64_t n_train, std::int64_t n_test);

  /// Collective. At a new recorded depth: computes the analytic kernels there.
  void start_depth(std::int64_t depth);

  /// Collective. Writes the parts above for one kind; `mean` is the mirrored train mean kernel
  /// as the pipeline distributed it.
  void write(io::File& file, std::string_view kind, bool ntk, const kernels::RecordedDepth& recorded,
                        const matrix::DistributedMatrix& mean, bool write_matrices);

 private:
  const RunConfig& config_;
  std::shared_ptr<const grid::ProcessGrid> grid_;
  std::int64_t block_;
  const kernels::PairBlock& train_block_;
  std::int64_t depth_ = 0;
  matrix::DistributedMatrix error_, spread_, reference_nngp_, reference_ntk_;
  std::optional<matrix::DistributedMatrix> test_error_;
};

}  // namespace deepntk::app
