#pragma once
// The depth sweep: NNGP and NTK of every pair of a set of blocks, at every recorded depth of a
// schedule, computed layer by layer in one pass.
//
// Usage (one rank, its local blocks; no MPI inside):
//
//   using namespace deepntk::kernels;
//   NetworkSpec spec{.architecture = Architecture::mlp, .activation = Activation::relu};
//   DepthSweep sweep(spec, DepthSchedule::parse("log:1:1e6:25"),
//                    {PairBlock{.rows = m, .cols = n,
//                               .row_k0_diag = k0_rows, .col_k0_diag = k0_cols,
//                               .input_gap = gap0,           // 1 − ρ0, column-major m x n
//                               .row_ids = ids_r, .col_ids = ids_c,
//                               .symmetric = true}});        // train x train: row_id >= col_id only
//   while (!sweep.finished()) {
//     if (auto rec = sweep.advance(10'000)) {        // stops at each recorded depth
//       // rec->blocks[b].nngp[i + j*m] * exp(rec->nngp_log_scale) is NNGP_L(x_i, x_j)
//       // rec->blocks[b].nngp_gap is 1 − normalized NNGP, accurate to ~1e-10 relative
//       // mirror the upper triangle of symmetric blocks (left NaN) yourself
//     }
//     report(sweep.work_done(), sweep.work_total());
//     if (time_for_checkpoint) write(sweep.save_state());
//   }
//
// Depth conventions (docs/kernels.md §Architecture mlp, resnet, shortcut): mlp depth L = hidden nonlinear layers, kernels include
// the read-out step; resnet depth L = residual blocks; shortcut depth L = trunk depth, heads
// every h layers. One layer step advances every pair by one layer.
//
// resnet with α depending on L (1/sqrt(L), L^−γ): each recorded depth is a different network,
// so the sweep runs one pass of L steps per recorded depth, from the inputs, and
// work_total() is the sum of the recorded depths. Constant α: one pass, like mlp.
//
// Scales: kernel values are stored as true value · 2^(−exponent), one exponent per kernel kind
// and recorded depth, shared by all pairs and points of all blocks and of all ranks (chosen
// from a reference point with K0 = 1, never from data). NNGP and NTK have separate exponents
// because for erf they grow at different geometric rates. log_scale = exponent · ln 2.
//
// Determinism: every pair's result depends only on its own inputs and its two points, never on
// the block it sits in, the block split, the rank count or the number of advance() calls.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/kernel_producer.hpp"
#include "deepntk/kernels/network.hpp"
#include "deepntk/kernels/sweep_state.hpp"

namespace deepntk::kernels {

/// One rectangular block of pairs, column-major rows x cols (e.g. a rank's local part of the
/// train x train or test x train Gram). The sweep copies what it needs; the spans need only be
/// valid during construction.
struct PairBlock {
  std::int64_t rows = 0, cols = 0;
  std::span<const double> row_k0_diag;  ///< K0(x,x) of each row point (> 0), size rows
  std::span<const double> col_k0_diag;  ///< size cols
  /// 1 − ρ0 for each pair, in [0, 2], column-major. Must be accurate for near-duplicates:
  /// compute it as |x/|x| − x'/|x'||² / 2, not as 1 − (Gram entry)/norms.
  std::span<const double> input_gap;
  std::span<const std::int64_t> row_ids, col_ids;  ///< global point ids
  /// Rows and cols index the same point set: only pairs with row_id >= col_id are computed;
  /// the others are left NaN for the caller to mirror. Requires strictly increasing row_ids.
  /// Pairs with row_id == col_id return the point's own diagonal values, bit for bit.
  bool symmetric = false;
  /// Which global matrix the block belongs to (e.g. 0 = train x train, 1 = test x train); only
  /// used to match pairs when saved state is re-split (reblock_state).
  std::int64_t group = 0;
};

/// Kernels of one block at a recorded depth. Views valid until the next advance().
struct BlockKernels {
  std::span<const double> nngp;      ///< rows*cols, scaled by 2^(−nngp_exponent)
  std::span<const double> ntk;       ///< rows*cols, scaled by 2^(−ntk_exponent)
  std::span<const double> nngp_gap;  ///< 1 − NNGP(x,x')/sqrt(NNGP(x,x) NNGP(x',x')), accurate
  std::span<const double> row_nngp_diag, col_nngp_diag;  ///< NNGP(x,x), scaled
  std::span<const double> row_ntk_diag, col_ntk_diag;    ///< NTK(x,x), scaled
  /// Monte-Carlo producers: the standard error of each entry of nngp and ntk (same layout and
  /// scale); empty for exact kernels.
  std::span<const double> nngp_standard_error, ntk_standard_error;
  /// Monte-Carlo producers: the spread (standard deviation across networks) of each network's
  /// normalized entry K(x,x')/sqrt(K(x,x) K(x',x')); empty for exact kernels.
  std::span<const double> nngp_normalized_spread, ntk_normalized_spread;
};

struct RecordedDepth {
  std::int64_t depth = 0;
  int nngp_exponent = 0;  ///< stored = true · 2^(−nngp_exponent)
  int ntk_exponent = 0;
  double nngp_log_scale = 0.0;  ///< nngp_exponent · ln 2: stored = true · exp(−log_scale)
  double ntk_log_scale = 0.0;
  std::vector<BlockKernels> blocks;
  /// Monte-Carlo producers: the random networks averaged (0 for exact kernels).
  std::int64_t samples = 0;
};

class DepthSweep final : public KernelProducer {
 public:
  /// Validates everything (spec, schedule against the architecture, block shapes, K0 > 0,
  /// gaps in [0, 2], symmetric ids); throws std::invalid_argument with the reason.
  DepthSweep(NetworkSpec spec, DepthSchedule schedule, std::vector<PairBlock> blocks);
  ~DepthSweep() override;
  DepthSweep(DepthSweep&&) noexcept;
  DepthSweep& operator=(DepthSweep&&) noexcept;
  DepthSweep(const DepthSweep&) = delete;
  DepthSweep& operator=(const DepthSweep&) = delete;

  [[nodiscard]] const NetworkSpec& spec() const noexcept override;
  [[nodiscard]] const DepthSchedule& schedule() const noexcept override;

  /// Progress in layer steps (each step updates every pair once).
  [[nodiscard]] std::int64_t work_done() const noexcept override;
  [[nodiscard]] std::int64_t work_total() const noexcept override;
  [[nodiscard]] bool finished() const noexcept override;
  /// The next depth that will be recorded (0 when finished).
  [[nodiscard]] std::int64_t next_depth() const noexcept override;

  /// Advances by at most max_layer_steps; stops at the first recorded depth reached and
  /// returns its kernels. Returns nullopt if no recorded depth was reached (or finished()).
  std::optional<RecordedDepth> advance(std::int64_t max_layer_steps) override;

  [[nodiscard]] SweepState save_state() const override;
  /// Throws std::invalid_argument if the state belongs to another spec/schedule or does not
  /// cover this sweep's points and blocks (blocks are matched by ids, not position).
  void restore_state(const SweepState& state) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepntk::kernels
