// The depth sweep driver: validates the blocks, owns per-point and per-pair state, runs layer
// steps (per-point recursion once per distinct K0, then the pair loops of every block), and
// produces the kernels at recorded depths.

#include "deepntk/kernels/depth_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "sweep_internal.hpp"

namespace deepntk::kernels {

using namespace internal;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void invalid(std::size_t block, const std::string& what) {
  throw std::invalid_argument("depth sweep: block " + std::to_string(block) + ": " + what);
}

}  // namespace

struct DepthSweep::Impl {
  struct Block {
    std::int64_t rows = 0, cols = 0, group = 0;
    bool symmetric = false;
    bool mismatch = false;  ///< points of unequal K0 meet in this block
    std::vector<std::int64_t> row_ids, col_ids;
    std::vector<std::int64_t> row_pt, col_pt;  ///< indices into the point table
    std::vector<std::int64_t> col_start;       ///< first computed row of each column
    std::vector<std::int64_t> diag_row;        ///< row with row_id == col_id, or −1 (symmetric only)
    std::vector<double> input_gap;             ///< kept only when passes restart from the inputs
    std::vector<double> g, n;                  ///< pair state
    std::vector<double> dq;                    ///< erf, unequal norms: Σ_i − Σ_j per pair
    std::vector<double> side;                  ///< erf without bias: sign of ρ (g is folded)
    std::vector<double> hs_nngp, hs_gap, hs_cs, hs_ntk;  ///< shortcut head sums
    std::vector<double> hs_nngp_lo, hs_gap_lo, hs_cs_lo, hs_ntk_lo;  ///< their compensation

    [[nodiscard]] std::vector<std::vector<double>*> head_arrays() {
      return {&hs_nngp, &hs_gap, &hs_cs, &hs_ntk, &hs_nngp_lo, &hs_gap_lo, &hs_cs_lo, &hs_ntk_lo};
    }
    [[nodiscard]] HeadSums head_sums(std::int64_t off) {
      return {hs_nngp.data() + off,    hs_gap.data() + off,    hs_cs.data() + off,    hs_ntk.data() + off,
              hs_nngp_lo.data() + off, hs_gap_lo.data() + off, hs_cs_lo.data() + off, hs_ntk_lo.data() + off};
    }
    std::vector<double> out_nngp, out_ntk, out_gap, row_nngp, col_nngp, row_ntk, col_ntk;
    Coefs rows_coefs;

    [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(rows * cols); }
  };

  NetworkSpec spec;
  DepthSchedule schedule;
  std::vector<Block> blocks;
  PointState pts;
  Scales sc;
  Coefs coefs;  ///< per point, current phase
  std::int64_t pass = 0, layer = 0, next_record = 0, work_done = 0, work_total = 0, heads = 0;
  bool per_depth_passes = false;
  double a2 = 0.0;
  /// ReLU: (Σ_i − Σ_j)/(K0_i − K0_j) of the current state, in Σ units. The variance maps are
  /// affine in Σ, so this one scalar gives every pair's difference to full relative accuracy.
  detail::DD dk;

  Impl(NetworkSpec s, DepthSchedule d) : spec(s), schedule(std::move(d)) {}

  [[nodiscard]] bool finished() const { return next_record >= static_cast<std::int64_t>(schedule.size()); }
  [[nodiscard]] std::int64_t target() const {
    return schedule.depths()[static_cast<std::size_t>(per_depth_passes ? pass : next_record)];
  }

  LayerParams params() const {
    LayerParams lp;
    lp.sw2 = spec.sw2;
    lp.sb2 = spec.sb2;
    lp.half_sw2 = 0.5 * spec.sw2;
    lp.sb2s = std::ldexp(spec.sb2, -sc.eq);
    lp.kappa_e = 2.0 * spec.sw2 / std::numbers::pi;
    lp.a2 = a2;
    lp.bias = spec.sb2 > 0.0;
    return lp;
  }

  void set_alpha() {
    if (spec.architecture != Architecture::resnet) return;
    a2 = spec.residual.alpha_squared(per_depth_passes ? schedule.depths()[static_cast<std::size_t>(pass)]
                                                      : schedule.max_depth());
  }

  template <class F>
  void for_columns(Block& b, F&& f) {
    for (std::int64_t j = 0; j < b.cols; ++j) {
      const std::int64_t i0 = b.col_start[static_cast<std::size_t>(j)];
      if (i0 >= b.rows) continue;
      f(j, i0, column_of(coefs, static_cast<std::size_t>(b.col_pt[static_cast<std::size_t>(j)])), j * b.rows);
    }
  }

  [[nodiscard]] bool carries_dq(const Block& b) const { return spec.activation == Activation::erf && b.mismatch; }
  [[nodiscard]] bool folds() const { return spec.activation == Activation::erf && spec.sb2 == 0.0; }

  static PairSpan span_of(Block& b, std::int64_t i0, std::int64_t off) {
    return {i0, b.rows, b.g.data() + off, b.n.data() + off, b.dq.empty() ? nullptr : b.dq.data() + off,
            b.side.empty() ? nullptr : b.side.data() + off};
  }
  static const double* side_of(const Block& b, std::int64_t off) { return b.side.empty() ? nullptr : b.side.data() + off; }

  void init_pass(std::span<const std::vector<double>> gaps) {
    init_points(spec, pts, sc);
    set_alpha();
    input_coefs(spec, pts, coefs);
    dk = {spec.sw2, 0.0};
    LayerParams lp = params();
    lp.sb2s = spec.sb2;
    lp.da_scale = spec.sw2;  // a = sw2 K0
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      Block& b = blocks[k];
      b.g.assign(b.size(), nan);
      b.n.assign(b.size(), nan);
      if (carries_dq(b)) b.dq.assign(b.size(), nan);
      if (folds()) b.side.assign(b.size(), nan);
      if (spec.architecture == Architecture::shortcut) {
        for (auto* v : b.head_arrays()) v->assign(b.size(), nan);
      }
      b.rows_coefs.gather_from(coefs, b.row_pt);
      for_columns(b, [&](std::int64_t, std::int64_t i0, const Col& c, std::int64_t off) {
        init_pairs(lp, b.mismatch, b.rows_coefs, c, gaps[k].data() + off, span_of(b, i0, off));
        if (spec.architecture == Architecture::shortcut) {
          for (auto* v : b.head_arrays()) std::fill(v->begin() + off + i0, v->begin() + off + b.rows, 0.0);
        }
      });
    }
    layer = 0;
    heads = 0;
  }

  void init_pass() {
    std::vector<std::vector<double>> gaps;
    gaps.reserve(blocks.size());
    for (auto& b : blocks) gaps.push_back(b.input_gap);
    init_pass(gaps);
  }

  void step() {
    coefs.clear();
    LayerParams lp = params();  // Σ units of the state before the step
    lp.da_scale = lp.half_sw2 * dk.hi;  // the dual's a = sw2 Σ/2
    lp.dq_scale = dk.hi;
    const bool resnet = spec.architecture == Architecture::resnet;
    const bool relu = spec.activation == Activation::relu;
    if (resnet) {
      resnet_point_step(spec, a2, pts, sc, coefs);
      dk = detail::dd_add(dk, detail::dd_mul(detail::dd_mul(dk, lp.half_sw2), a2));  // Σ + α² sw2 Σ/2
    } else {
      mlp_point_step(spec, pts, sc, coefs);
      dk = detail::dd_mul(dk, lp.half_sw2);
    }
    const PairUpdate update = resnet ? (relu ? resnet_relu_pairs : resnet_erf_pairs) : (relu ? mlp_relu_pairs : mlp_erf_pairs);
    for (Block& b : blocks) {
      b.rows_coefs.gather_from(coefs, b.row_pt);
      for_columns(b, [&](std::int64_t, std::int64_t i0, const Col& c, std::int64_t off) {
        update(lp, b.mismatch, b.rows_coefs, c, span_of(b, i0, off));
      });
    }
    const int eq_before = sc.eq;
    rescale(pts, sc);
    dk = detail::dd_ldexp(dk, eq_before - sc.eq);
    ++layer;
    ++work_done;
    if (spec.architecture == Architecture::shortcut && layer % spec.readout_every == 0) add_head();
  }

  void add_head() {
    const bool first = heads == 0;
    coefs.clear();
    const HeadShift shift = shortcut_head_points(pts, sc, first, coefs);
    for (Block& b : blocks) {
      b.rows_coefs.gather_from(coefs, b.row_pt);
      for_columns(b, [&](std::int64_t, std::int64_t i0, const Col& c, std::int64_t off) {
        shortcut_head_pairs(first, shift, b.rows_coefs, c, i0, b.rows, b.g.data() + off, b.n.data() + off,
                            side_of(b, off), b.head_sums(off));
      });
    }
    ++heads;
  }

  RecordedDepth record() {
    RecordedDepth rec;
    rec.depth = target();
    coefs.clear();
    LayerParams lp = params();
    lp.da_scale = spec.sw2 * dk.hi;  // read-out a = sw2 Σ
    std::vector<double> dn(pts.size()), dt(pts.size());
    switch (spec.architecture) {
      case Architecture::mlp:
        mlp_readout_coefs(pts, coefs);
        dn = pts.qh;
        dt = pts.th;
        rec.nngp_exponent = sc.eq;
        rec.ntk_exponent = sc.et;
        break;
      case Architecture::resnet:
        resnet_readout_coefs(spec, pts, sc, coefs);
        dn = coefs.sq;
        dt = coefs.sa;
        rec.nngp_exponent = sc.eq;
        rec.ntk_exponent = sc.et;
        break;
      case Architecture::shortcut: {
        shortcut_readout_coefs(pts, coefs);
        const double inv = 1.0 / static_cast<double>(heads);
        for (std::size_t i = 0; i < pts.size(); ++i) {
          dn[i] = (pts.hq[i] + pts.hq_lo[i]) * inv;
          dt[i] = (pts.ht[i] + pts.ht_lo[i]) * inv;
        }
        rec.nngp_exponent = sc.ea;
        rec.ntk_exponent = sc.eat;
        break;
      }
    }
    rec.nngp_log_scale = rec.nngp_exponent * std::numbers::ln2;
    rec.ntk_log_scale = rec.ntk_exponent * std::numbers::ln2;
    for (Block& b : blocks) {
      b.out_nngp.resize(b.size(), nan);
      b.out_ntk.resize(b.size(), nan);
      b.out_gap.resize(b.size(), nan);
      auto diag = [](const std::vector<double>& from, const std::vector<std::int64_t>& idx, std::vector<double>& to) {
        to.resize(idx.size());
        for (std::size_t k = 0; k < idx.size(); ++k) to[k] = from[static_cast<std::size_t>(idx[k])];
      };
      diag(dn, b.row_pt, b.row_nngp);
      diag(dn, b.col_pt, b.col_nngp);
      diag(dt, b.row_pt, b.row_ntk);
      diag(dt, b.col_pt, b.col_ntk);
      b.rows_coefs.gather_from(coefs, b.row_pt);
      for_columns(b, [&](std::int64_t j, std::int64_t i0, const Col& c, std::int64_t off) {
        const OutSpan out{b.out_nngp.data() + off, b.out_ntk.data() + off, b.out_gap.data() + off};
        switch (spec.architecture) {
          case Architecture::mlp:
            mlp_readout_pairs(b.rows_coefs, c, i0, b.rows, b.g.data() + off, b.n.data() + off, side_of(b, off), out);
            break;
          case Architecture::resnet:
            resnet_readout_pairs(lp, sc.eq, sc.et, b.mismatch, b.rows_coefs, c, i0, b.rows, b.g.data() + off,
                                 b.n.data() + off, b.dq.empty() ? nullptr : b.dq.data() + off, side_of(b, off), out);
            break;
          case Architecture::shortcut:
            shortcut_readout_pairs(1.0 / static_cast<double>(heads), b.rows_coefs, c, i0, b.rows, b.head_sums(off), out);
            break;
        }
        // The same point: its own diagonal, bit for bit (the pair formulas would round
        // differently, and a Gram matrix whose diagonal disagrees with the normalization
        // would not be a clean input to a Cholesky).
        if (b.symmetric) {
          const std::int64_t d = b.diag_row[static_cast<std::size_t>(j)];
          if (d >= 0) {
            out.nngp[d] = b.row_nngp[static_cast<std::size_t>(d)];
            out.ntk[d] = b.row_ntk[static_cast<std::size_t>(d)];
            out.gap[d] = 0.0;
          }
        }
      });
      rec.blocks.push_back(BlockKernels{b.out_nngp, b.out_ntk, b.out_gap, b.row_nngp, b.col_nngp, b.row_ntk, b.col_ntk, {}, {}, {}, {}});
    }
    ++next_record;
    if (per_depth_passes) {
      ++pass;
      if (!finished()) init_pass();
    }
    return rec;
  }
};

DepthSweep::DepthSweep(NetworkSpec spec, DepthSchedule schedule, std::vector<PairBlock> blocks)
    : impl_(std::make_unique<Impl>(spec, std::move(schedule))) {
  spec.validate();
  Impl& im = *impl_;
  const auto depths = im.schedule.depths();
  if (spec.architecture == Architecture::shortcut && depths.front() < spec.readout_every) {
    throw std::invalid_argument("depth sweep: shortcut depth " + std::to_string(depths.front()) +
                                " has no read-out head (heads every readout_every = " + std::to_string(spec.readout_every) +
                                " layers); every recorded depth must be >= readout_every");
  }
  im.per_depth_passes = spec.architecture == Architecture::resnet && spec.residual.depends_on_depth();
  if (im.per_depth_passes) {
    im.work_total = 0;
    for (std::int64_t d : depths) im.work_total += d;
  } else {
    im.work_total = im.schedule.max_depth();
  }

  // Distinct K0 values (and the reference point K0 = 1, which sets the scales).
  std::vector<double> k0{1.0};
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const PairBlock& pb = blocks[k];
    if (pb.rows < 0 || pb.cols < 0) invalid(k, "rows and cols must be >= 0");
    const auto r = static_cast<std::size_t>(pb.rows);
    const auto c = static_cast<std::size_t>(pb.cols);
    if (pb.row_k0_diag.size() != r) invalid(k, "row_k0_diag has " + std::to_string(pb.row_k0_diag.size()) + " entries, expected rows = " + std::to_string(r));
    if (pb.col_k0_diag.size() != c) invalid(k, "col_k0_diag has " + std::to_string(pb.col_k0_diag.size()) + " entries, expected cols = " + std::to_string(c));
    if (pb.row_ids.size() != r) invalid(k, "row_ids has " + std::to_string(pb.row_ids.size()) + " entries, expected rows = " + std::to_string(r));
    if (pb.col_ids.size() != c) invalid(k, "col_ids has " + std::to_string(pb.col_ids.size()) + " entries, expected cols = " + std::to_string(c));
    if (pb.input_gap.size() != r * c) invalid(k, "input_gap has " + std::to_string(pb.input_gap.size()) + " entries, expected rows*cols = " + std::to_string(r * c));
    for (auto side : {pb.row_k0_diag, pb.col_k0_diag}) {
      for (double v : side) {
        if (!(std::isfinite(v) && v > 0.0)) invalid(k, "K0(x,x) = " + std::to_string(v) + " is not a finite number > 0");
        k0.push_back(v);
      }
    }
  }
  std::sort(k0.begin(), k0.end());
  k0.erase(std::unique(k0.begin(), k0.end()), k0.end());
  im.pts.k0 = k0;
  im.pts.ref = static_cast<std::size_t>(std::lower_bound(k0.begin(), k0.end(), 1.0) - k0.begin());
  auto index_of = [&](double v) { return static_cast<std::int64_t>(std::lower_bound(k0.begin(), k0.end(), v) - k0.begin()); };

  std::vector<std::vector<double>> gaps;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const PairBlock& pb = blocks[k];
    Impl::Block b;
    b.rows = pb.rows;
    b.cols = pb.cols;
    b.group = pb.group;
    b.symmetric = pb.symmetric;
    b.row_ids.assign(pb.row_ids.begin(), pb.row_ids.end());
    b.col_ids.assign(pb.col_ids.begin(), pb.col_ids.end());
    for (double v : pb.row_k0_diag) b.row_pt.push_back(index_of(v));
    for (double v : pb.col_k0_diag) b.col_pt.push_back(index_of(v));
    b.col_start.assign(b.col_ids.size(), 0);
    if (b.symmetric) {
      if (!std::is_sorted(b.row_ids.begin(), b.row_ids.end()) ||
          std::adjacent_find(b.row_ids.begin(), b.row_ids.end()) != b.row_ids.end()) {
        invalid(k, "symmetric blocks need strictly increasing row_ids");
      }
      b.diag_row.assign(b.col_ids.size(), -1);
      for (std::size_t j = 0; j < b.col_ids.size(); ++j) {
        const auto it = std::lower_bound(b.row_ids.begin(), b.row_ids.end(), b.col_ids[j]);
        b.col_start[j] = it - b.row_ids.begin();
        if (it != b.row_ids.end() && *it == b.col_ids[j]) {
          const std::size_t i = static_cast<std::size_t>(it - b.row_ids.begin());
          b.diag_row[j] = static_cast<std::int64_t>(i);
          if (pb.row_k0_diag[i] != pb.col_k0_diag[j]) {
            invalid(k, "point id " + std::to_string(b.col_ids[j]) + " has K0 " + std::to_string(pb.row_k0_diag[i]) +
                           " as a row but " + std::to_string(pb.col_k0_diag[j]) + " as a column");
          }
        }
      }
    }
    const double first = pb.row_k0_diag.empty() ? (pb.col_k0_diag.empty() ? 1.0 : pb.col_k0_diag[0]) : pb.row_k0_diag[0];
    b.mismatch = std::any_of(pb.row_k0_diag.begin(), pb.row_k0_diag.end(), [&](double v) { return v != first; }) ||
                 std::any_of(pb.col_k0_diag.begin(), pb.col_k0_diag.end(), [&](double v) { return v != first; });
    std::vector<double> gap(pb.input_gap.begin(), pb.input_gap.end());
    for (std::int64_t j = 0; j < b.cols; ++j) {
      for (std::int64_t i = 0; i < b.rows; ++i) {
        const std::size_t p = static_cast<std::size_t>(i + j * b.rows);
        if (i < b.col_start[static_cast<std::size_t>(j)]) {
          gap[p] = nan;  // never computed
          continue;
        }
        if (!(gap[p] >= 0.0 && gap[p] <= 2.0)) {
          invalid(k, "input_gap at (" + std::to_string(i) + ", " + std::to_string(j) + ") = " + std::to_string(gap[p]) +
                         " is not in [0, 2]");
        }
      }
    }
    gaps.push_back(std::move(gap));
    im.blocks.push_back(std::move(b));
  }
  im.init_pass(gaps);
  if (im.per_depth_passes && im.schedule.size() > 1) {
    for (std::size_t k = 0; k < im.blocks.size(); ++k) im.blocks[k].input_gap = std::move(gaps[k]);
  }
}

DepthSweep::~DepthSweep() = default;
DepthSweep::DepthSweep(DepthSweep&&) noexcept = default;
DepthSweep& DepthSweep::operator=(DepthSweep&&) noexcept = default;

const NetworkSpec& DepthSweep::spec() const noexcept { return impl_->spec; }
const DepthSchedule& DepthSweep::schedule() const noexcept { return impl_->schedule; }
std::int64_t DepthSweep::work_done() const noexcept { return impl_->work_done; }
std::int64_t DepthSweep::work_total() const noexcept { return impl_->work_total; }
bool DepthSweep::finished() const noexcept { return impl_->finished(); }
std::int64_t DepthSweep::next_depth() const noexcept { return impl_->finished() ? 0 : impl_->target(); }

std::optional<RecordedDepth> DepthSweep::advance(std::int64_t max_layer_steps) {
  Impl& im = *impl_;
  for (std::int64_t k = 0; k < max_layer_steps && !im.finished(); ++k) {
    im.step();
    if (im.layer == im.target()) return im.record();
  }
  return std::nullopt;
}

// ---- state -------------------------------------------------------------------------------------

namespace {

const char* const point_names[] = {"nngp_diag_hi",           "nngp_diag_lo",         "ntk_diag_hi",
                                   "ntk_diag_lo",            "head_nngp_diag_sum",   "head_ntk_diag_sum",
                                   "head_nngp_diag_sum_lo",  "head_ntk_diag_sum_lo"};
const char* const pair_names[] = {"nngp_gap",        "ntk_normalized",   "head_nngp_sum",        "head_gap_sum",
                                  "head_norm_cs_gap", "head_ntk_sum",    "head_nngp_sum_lo",     "head_gap_sum_lo",
                                  "head_norm_cs_gap_lo", "head_ntk_sum_lo"};
constexpr std::size_t n_point_arrays(Architecture a) { return a == Architecture::shortcut ? 8 : 4; }
constexpr std::size_t n_pair_arrays(Architecture a) { return a == Architecture::shortcut ? 10 : 2; }
const char* const dq_name = "nngp_diag_difference";
const char* const side_name = "nngp_side";

const NamedArray& find_array(const std::vector<NamedArray>& arrays, std::string_view name, std::size_t size,
                             const std::string& where) {
  for (const auto& a : arrays) {
    if (a.name == name) {
      if (a.values.size() != size) {
        throw std::invalid_argument("sweep state: " + where + " array '" + std::string(name) + "' has " +
                                    std::to_string(a.values.size()) + " values, expected " + std::to_string(size));
      }
      return a;
    }
  }
  throw std::invalid_argument("sweep state: " + where + " has no array '" + std::string(name) + "'");
}

}  // namespace

SweepState DepthSweep::save_state() const {
  const Impl& im = *impl_;
  SweepState s;
  s.spec = im.spec;
  s.depths.assign(im.schedule.depths().begin(), im.schedule.depths().end());
  s.counters = {{"pass", im.pass},           {"layer", im.layer},      {"next_record", im.next_record},
                {"work_done", im.work_done}, {"heads", im.heads},      {"nngp_exponent", im.sc.eq},
                {"ntk_exponent", im.sc.et},  {"head_nngp_exponent", im.sc.ea}, {"head_ntk_exponent", im.sc.eat}};
  s.reals = {{"diag_difference_scale_hi", im.dk.hi}, {"diag_difference_scale_lo", im.dk.lo}};
  s.point_k0 = im.pts.k0;
  const std::vector<double>* pv[] = {&im.pts.qh, &im.pts.ql, &im.pts.th,    &im.pts.tl,
                                     &im.pts.hq, &im.pts.ht, &im.pts.hq_lo, &im.pts.ht_lo};
  for (std::size_t k = 0; k < n_point_arrays(im.spec.architecture); ++k) s.point_arrays.push_back({point_names[k], *pv[k]});
  for (const auto& b : im.blocks) {
    SweepState::Block sb;
    sb.rows = b.rows;
    sb.cols = b.cols;
    sb.group = b.group;
    sb.symmetric = b.symmetric;
    sb.row_ids = b.row_ids;
    sb.col_ids = b.col_ids;
    const std::vector<double>* bv[] = {&b.g,          &b.n,        &b.hs_nngp,   &b.hs_gap,   &b.hs_cs,
                                       &b.hs_ntk,     &b.hs_nngp_lo, &b.hs_gap_lo, &b.hs_cs_lo, &b.hs_ntk_lo};
    for (std::size_t k = 0; k < n_pair_arrays(im.spec.architecture); ++k) sb.arrays.push_back({pair_names[k], *bv[k]});
    if (!b.dq.empty()) sb.arrays.push_back({dq_name, b.dq});
    if (!b.side.empty()) sb.arrays.push_back({side_name, b.side});
    s.blocks.push_back(std::move(sb));
  }
  return s;
}

void DepthSweep::restore_state(const SweepState& s) {
  Impl& im = *impl_;
  if (s.format != SweepState::current_format) {
    throw std::invalid_argument("sweep state: format " + std::to_string(s.format) + ", this build reads " +
                                std::to_string(SweepState::current_format));
  }
  if (!(s.spec == im.spec)) throw std::invalid_argument("sweep state: saved for a different network spec");
  if (!std::equal(s.depths.begin(), s.depths.end(), im.schedule.depths().begin(), im.schedule.depths().end())) {
    throw std::invalid_argument("sweep state: saved for a different depth schedule");
  }
  const std::int64_t pass = s.counter("pass"), layer = s.counter("layer"), next_record = s.counter("next_record");
  const auto n_depths = static_cast<std::int64_t>(im.schedule.size());
  if (next_record < 0 || next_record > n_depths || pass < 0 || pass > n_depths || layer < 0 ||
      (next_record < n_depths && layer > im.schedule.depths()[static_cast<std::size_t>(im.per_depth_passes ? pass : next_record)])) {
    throw std::invalid_argument("sweep state: inconsistent counters (layer " + std::to_string(layer) + ", pass " +
                                std::to_string(pass) + ", next record " + std::to_string(next_record) + ")");
  }

  // Per point, matched by K0 value.
  std::vector<std::vector<double>*> pv = {&im.pts.qh, &im.pts.ql, &im.pts.th, &im.pts.tl};
  if (im.spec.architecture == Architecture::shortcut) {
    for (auto* v : {&im.pts.hq, &im.pts.ht, &im.pts.hq_lo, &im.pts.ht_lo}) pv.push_back(v);
  }
  std::vector<std::size_t> from(im.pts.size());
  for (std::size_t i = 0; i < im.pts.size(); ++i) {
    const auto it = std::lower_bound(s.point_k0.begin(), s.point_k0.end(), im.pts.k0[i]);
    if (it == s.point_k0.end() || *it != im.pts.k0[i]) {
      throw std::invalid_argument("sweep state: no per-point state for K0 = " + std::to_string(im.pts.k0[i]));
    }
    from[i] = static_cast<std::size_t>(it - s.point_k0.begin());
  }
  std::vector<std::vector<double>> new_points;
  for (std::size_t k = 0; k < pv.size(); ++k) {
    const NamedArray& a = find_array(s.point_arrays, point_names[k], s.point_k0.size(), "per-point state");
    std::vector<double> v(im.pts.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = a.values[from[i]];
    new_points.push_back(std::move(v));
  }

  // Per pair, blocks matched by ids.
  std::vector<std::vector<std::vector<double>>> new_pairs;
  for (std::size_t k = 0; k < im.blocks.size(); ++k) {
    const Impl::Block& b = im.blocks[k];
    auto same = [&](const SweepState::Block& sb) {
      return sb.rows == b.rows && sb.cols == b.cols && sb.group == b.group && sb.symmetric == b.symmetric &&
             sb.row_ids == b.row_ids && sb.col_ids == b.col_ids;
    };
    const SweepState::Block* match = nullptr;
    if (k < s.blocks.size() && same(s.blocks[k])) {
      match = &s.blocks[k];
    } else {
      for (const auto& sb : s.blocks) {
        if (same(sb)) {
          match = &sb;
          break;
        }
      }
    }
    if (match == nullptr) {
      throw std::invalid_argument("sweep state: no saved block with the ids of block " + std::to_string(k) +
                                  " (re-split saved state with reblock_state)");
    }
    std::vector<std::vector<double>> arrays;
    for (std::size_t a = 0; a < n_pair_arrays(im.spec.architecture); ++a) {
      arrays.push_back(find_array(match->arrays, pair_names[a], b.size(), "block " + std::to_string(k)).values);
    }
    if (im.carries_dq(b)) arrays.push_back(find_array(match->arrays, dq_name, b.size(), "block " + std::to_string(k)).values);
    if (im.folds()) arrays.push_back(find_array(match->arrays, side_name, b.size(), "block " + std::to_string(k)).values);
    new_pairs.push_back(std::move(arrays));
  }

  // Everything checked: commit.
  for (std::size_t k = 0; k < pv.size(); ++k) *pv[k] = std::move(new_points[k]);
  for (std::size_t k = 0; k < im.blocks.size(); ++k) {
    Impl::Block& b = im.blocks[k];
    std::vector<std::vector<double>*> bv = {&b.g, &b.n};
    if (im.spec.architecture == Architecture::shortcut) {
      for (auto* v : b.head_arrays()) bv.push_back(v);
    }
    if (im.carries_dq(b)) bv.push_back(&b.dq);
    if (im.folds()) bv.push_back(&b.side);
    for (std::size_t a = 0; a < new_pairs[k].size(); ++a) *bv[a] = std::move(new_pairs[k][a]);
  }
  im.pass = pass;
  im.layer = layer;
  im.next_record = next_record;
  im.work_done = s.counter("work_done");
  im.heads = s.counter("heads");
  im.sc.eq = static_cast<int>(s.counter("nngp_exponent"));
  im.sc.et = static_cast<int>(s.counter("ntk_exponent"));
  im.sc.ea = static_cast<int>(s.counter("head_nngp_exponent"));
  im.sc.eat = static_cast<int>(s.counter("head_ntk_exponent"));
  im.dk = {s.real("diag_difference_scale_hi"), s.real("diag_difference_scale_lo")};
  im.set_alpha();
}

}  // namespace deepntk::kernels
