#pragma once
// Internal pieces of the depth sweep, shared by the per-point recursion (point_layer.cpp),
// the per-architecture pair updates (mlp_layer.cpp, resnet_layer.cpp, shortcut_heads.cpp)
// and the driver (depth_sweep.cpp). Not installed.
//
// State carried between layers:
//   per point  Σ(x,x), Θ(x,x) as double-double, scaled by 2^(−eq), 2^(−et);
//   per pair   g = 1 − normalized Σ, and n = normalized Θ (both scale free),
//              plus, for shortcut, running sums over read-out heads.
// Per layer, every per-point quantity a pair update needs is computed once into `Coefs`
// (structure of arrays over points); the pair loops then only combine two points' values.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/kernels/detail/numerics.hpp"
#include "deepntk/kernels/network.hpp"

namespace deepntk::kernels::internal {

struct Scales {
  int eq = 0;   ///< Σ diag stored as true · 2^(−eq)
  int et = 0;   ///< Θ diag
  int ea = 0;   ///< shortcut head sums of Σ
  int eat = 0;  ///< shortcut head sums of Θ
};

struct PointState {
  std::vector<double> k0;
  std::vector<double> qh, ql, th, tl;  ///< Σ, Θ diagonals (double-double)
  std::vector<double> hq, ht;          ///< shortcut: Σ_k Σ_k(x,x), Σ_k Θ_k(x,x)
  std::vector<double> hq_lo, ht_lo;    ///< their compensation (the sums run over up to 10^7 heads)
  std::size_t ref = 0;                 ///< index of the reference point K0 = 1 (sets the scales)

  [[nodiscard]] std::size_t size() const noexcept { return k0.size(); }
};

/// Per-point coefficients of one layer step. Only the fields the current kernel needs are
/// filled; the others stay empty.
struct Coefs {
  // ReLU dual / affine bias mix: a = sw2 q/2 (or sw2 q), s = sqrt(a), p = sqrt(a + sb2),
  // zeta = sqrt(sb2)/p, k0 = K0(x,x) (differences a_i − a_j = c (k0_i − k0_j)).
  std::vector<double> s, p, zeta, k0;
  // erf dual: sqz = sqrt(z), z, omz = 1 − z = 1/(1+2q), cz = sqrt(1 − z²), sqbeta = sqrt(b/z),
  // sqs = sqrt(arcsin(z)/z) (= sqbeta/sqrt(κ) without bias, where κ cancels exactly),
  // sqm = sqrt(m), sqb = sqrt(b), phi = arcsin z, eta = 1/sqrt(1 + 2q), qt = q, bt = b (true
  // units, not scaled).
  std::vector<double> sqz, z, omz, cz, sqbeta, sqs, sqm, sqb, phi, eta, qt, bt;
  // mlp NTK: u = sqrt(Σ'/Θ'), v = sqrt(Θ/Θ'), e = eta v (erf: sw2 Ad_ij v_i v_j = 2κ e_i e_j/sqrt(1−ρ²w²)).
  std::vector<double> u, v, e;
  // resnet: lam = sqrt(q/q'), mu = sqrt(b/q'), r = sqrt(b/q), (qh, ql) = q, nu = sqrt(t/t'),
  // y = sqrt(b/t') (in Θ units), dt = (t' − t)/t'.
  std::vector<double> lam, mu, r, qh, ql, nu, y, dt;
  // read-outs and shortcut heads: sq = sqrt(Σ), st = sqrt(Θ), sa = sqrt(head sum of Σ).
  std::vector<double> sq, st, sa;
  // resnet: dl = 1 − q/q' (exact complement of lam²).
  std::vector<double> dl;

  /// Copies the filled fields at `index` (for a block's rows, so the pair loop reads them
  /// contiguously).
  void gather_from(const Coefs& src, std::span<const std::int64_t> index);
  /// Empties every field (keeping capacity).
  void clear() noexcept;
};

/// One point's coefficients, for the column of a pair loop (loop-invariant scalars).
struct Col {
  double s = 0, p = 0, zeta = 0, k0 = 0;
  double sqz = 0, z = 0, omz = 0, cz = 0, sqbeta = 0, sqs = 0, sqm = 0, sqb = 0, phi = 0, eta = 0, qt = 0, bt = 0;
  double u = 0, v = 0, e = 0;
  double lam = 0, mu = 0, r = 0, qh = 0, ql = 0, nu = 0, y = 0, dt = 0;
  double sq = 0, st = 0, sa = 0;
  double dl = 0;
};
[[nodiscard]] Col column_of(const Coefs& c, std::size_t i) noexcept;

/// Constants of one layer step.
struct LayerParams {
  double sw2 = 2.0, sb2 = 0.0;
  double half_sw2 = 1.0;   ///< sw2/2: ReLU variance map and Ad(θ=0) sw2
  double sb2s = 0.0;       ///< sb2 in Σ units (2^(−eq) sb2)
  double kappa_e = 0.0;    ///< 2 sw2/π (erf)
  double a2 = 0.0;         ///< α² (resnet)
  bool bias = false;       ///< sb2 > 0
  /// ReLU: (a_i − a_j)/(K0_i − K0_j) of the dual (or read-out) in this phase; the variance
  /// maps are affine, so one scalar per layer gives every difference exactly.
  double da_scale = 0.0;
  /// (Σ_i − Σ_j)/(K0_i − K0_j) of the stream before the step (ReLU resnet).
  double dq_scale = 0.0;
};

// ---- per point (point_layer.cpp) -------------------------------------------------------------

/// Σ = Θ = sw2 K0 + sb2 (Σ_1 of mlp/shortcut, Σ_0 of resnet); all exponents 0.
void init_points(const NetworkSpec& spec, PointState& pts, Scales& sc);
/// Coefficients of the first pair state (bias mix of the input gap).
void input_coefs(const NetworkSpec& spec, const PointState& pts, Coefs& c);
/// One mlp layer: fills `c` for the pair update and advances Σ, Θ.
void mlp_point_step(const NetworkSpec& spec, PointState& pts, const Scales& sc, Coefs& c);
/// One resnet block with branch weight α² = a2.
void resnet_point_step(const NetworkSpec& spec, double a2, PointState& pts, const Scales& sc, Coefs& c);
/// Keeps the reference point's Σ and Θ within [2^−64, 2^64] by exact power-of-two shifts.
void rescale(PointState& pts, Scales& sc);
/// Read-out coefficients: sq, st for mlp; plus the sw2 Σ + sb2 bias mix for resnet.
void mlp_readout_coefs(const PointState& pts, Coefs& c);
void resnet_readout_coefs(const NetworkSpec& spec, const PointState& pts, const Scales& sc, Coefs& c);
/// Shortcut head: aligns head-sum exponents (returns the shifts applied to the per-pair sums,
/// in Σ and Θ units), fills sq, st, sa, and adds the head to the per-point sums.
struct HeadShift {
  int nngp = 0;
  int ntk = 0;
};
HeadShift shortcut_head_points(PointState& pts, Scales& sc, bool first_head, Coefs& c);
void shortcut_readout_coefs(const PointState& pts, Coefs& c);

// ---- per pair --------------------------------------------------------------------------------

/// Pair state of one block column segment [i0, i1) against column point `col`.
struct PairSpan {
  std::int64_t i0 = 0, i1 = 0;
  double* g = nullptr;   ///< NNGP gap
  double* n = nullptr;   ///< normalized NTK
  /// erf with unequal norms: Σ(x_i,x_i) − Σ(x_j,x_j) in true units, carried per pair because
  /// the erf variance map is not affine and the difference of two rounded variances would stall
  /// at rounding level while the true difference keeps shrinking. nullptr otherwise.
  double* dq = nullptr;
  /// erf without bias (odd map, ρ = 0 and ρ = ±1 fixed points): side = ±1: g holds the folded
  /// gap 1 − |ρ| (used while |ρ| >= 1/2); side = ±2: g holds |ρ| itself (|ρ| < 1/2, so that
  /// correlations decaying to 0 keep their relative accuracy). The sign is that of ρ.
  /// nullptr otherwise (g is the plain gap).
  double* side = nullptr;
};

/// Initial pair state from the input gap: g = bias mix of g0, n = 1 − g (and dq).
void init_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, const double* g0, PairSpan ps);

void mlp_relu_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps);
void mlp_erf_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps);
void resnet_relu_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps);
void resnet_erf_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps);

/// Shortcut head sums per pair (all column-major like the block). Each sum is carried with a
/// compensation term (value = sum + lo): heads converge, so an uncompensated running sum of
/// nearly equal terms would drift by ~K·ε over K heads.
struct HeadSums {
  double* nngp = nullptr;  ///< Σ_k Σ_k(x,x')
  double* gap = nullptr;   ///< Σ_k g_k sqrt(Σ_k(x,x) Σ_k(x',x'))
  double* cs = nullptr;    ///< Lagrange accumulator of the Cauchy–Schwarz gap of the norms
  double* ntk = nullptr;   ///< Σ_k Θ_k(x,x')
  double* nngp_lo = nullptr;
  double* gap_lo = nullptr;
  double* cs_lo = nullptr;
  double* ntk_lo = nullptr;
};
/// `side`: see PairSpan (nullptr: g is the plain gap).
void shortcut_head_pairs(bool first_head, HeadShift shift, const Coefs& rows, const Col& col, std::int64_t i0,
                         std::int64_t i1, const double* g, const double* n, const double* side, HeadSums sums);

/// Read-outs into the output arrays of one column segment.
/// Plain gap and correlation of the carried NNGP state (see PairSpan::side).
struct Unfolded {
  double gap, rho;
};
[[nodiscard]] inline Unfolded unfold(double g, const double* side, std::int64_t i) noexcept {
  if (side == nullptr) return {g, 1.0 - g};
  const double sd = side[i];
  if (sd == 1.0) return {g, 1.0 - g};
  if (sd == -1.0) return {2.0 - g, g - 1.0};
  const double rho = sd > 0.0 ? g : -g;
  return {1.0 - rho, rho};
}

using PairUpdate = void (*)(const LayerParams&, bool, const Coefs&, const Col&, PairSpan);

struct OutSpan {
  double* nngp = nullptr;
  double* ntk = nullptr;
  double* gap = nullptr;
};
void mlp_readout_pairs(const Coefs& rows, const Col& col, std::int64_t i0, std::int64_t i1, const double* g,
                       const double* n, const double* side, OutSpan out);
/// `dq`: erf per-pair Σ_i − Σ_j in true units (nullptr for ReLU, which uses lp.da_scale).
void resnet_readout_pairs(const LayerParams& lp, int eq, int et, bool mismatch, const Coefs& rows, const Col& col,
                          std::int64_t i0, std::int64_t i1, const double* g, const double* n, const double* dq,
                          const double* side, OutSpan out);
void shortcut_readout_pairs(double inv_heads, const Coefs& rows, const Col& col, std::int64_t i0, std::int64_t i1,
                            HeadSums sums, OutSpan out);

}  // namespace deepntk::kernels::internal
