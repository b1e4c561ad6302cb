#pragma once
// Helpers shared by the kernel tests: one-pair sweeps and error measures.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "deepntk/kernels/depth_sweep.hpp"

namespace deepntk::kernels::testing {

/// Kernels of a single pair at one recorded depth, copied out of the sweep's views.
struct PairKernels {
  std::int64_t depth = 0;
  double nngp_gap = 0, nngp_normalized = 0, ntk_normalized = 0;
  double nngp = 0, ntk = 0, nngp_ii = 0, nngp_jj = 0, ntk_ii = 0, ntk_jj = 0;
  int nngp_exponent = 0, ntk_exponent = 0;
};

inline PairKernels copy_pair(const RecordedDepth& r, std::size_t block = 0, std::size_t index = 0, std::size_t row = 0,
                             std::size_t col = 0) {
  const BlockKernels& b = r.blocks[block];
  PairKernels p;
  p.depth = r.depth;
  p.nngp_gap = b.nngp_gap[index];
  p.nngp = b.nngp[index];
  p.ntk = b.ntk[index];
  p.nngp_ii = b.row_nngp_diag[row];
  p.nngp_jj = b.col_nngp_diag[col];
  p.ntk_ii = b.row_ntk_diag[row];
  p.ntk_jj = b.col_ntk_diag[col];
  p.nngp_normalized = p.nngp / std::sqrt(p.nngp_ii * p.nngp_jj);
  p.ntk_normalized = p.ntk / std::sqrt(p.ntk_ii * p.ntk_jj);
  p.nngp_exponent = r.nngp_exponent;
  p.ntk_exponent = r.ntk_exponent;
  return p;
}

/// Sweeps one pair (x_i as the row, x_j as the column) through `depths`.
inline std::vector<PairKernels> sweep_pair(const NetworkSpec& spec, double k0_i, double k0_j, double gap0,
                                           std::vector<std::int64_t> depths) {
  const double ki[1] = {k0_i}, kj[1] = {k0_j}, g[1] = {gap0};
  const std::int64_t ri[1] = {1}, ci[1] = {0};
  PairBlock b{.rows = 1, .cols = 1, .row_k0_diag = ki, .col_k0_diag = kj, .input_gap = g, .row_ids = ri, .col_ids = ci};
  DepthSweep sweep(spec, DepthSchedule(std::move(depths)), {b});
  std::vector<PairKernels> out;
  while (!sweep.finished()) {
    if (auto r = sweep.advance(1'000'000'000)) out.push_back(copy_pair(*r));
  }
  return out;
}

/// |a − b| / max(|b|, floor) (0 when both are 0).
inline double rel_err(double a, double b, double floor = std::numeric_limits<double>::min()) {
  return std::fabs(a - b) / std::max(std::fabs(b), floor);
}

}  // namespace deepntk::kernels::testing
