// Pair update of one residual block:
//   B_l = sw2 A(Σ_{l−1}) + sb2,  Σ_l = Σ_{l−1} + α² B_l,  Θ_l = Θ_{l−1}(1 + α² sw2 Ad) + α² B_l.
//
// With α² = 1/L each block changes the kernels by O(1/L), so over 10^7 blocks any per-block
// rounding that does not average out (a coefficient like sqrt(q/q') rounded the same way
// block after block) would add up to ~L·ε. The updates are therefore written as the carried
// quantity plus small corrections:
//   g' = g − α² μ_i μ_j (g − h) + M (1 − g),
//   n' = n − n (1 − ν_i ν_j) + n ν_i ν_j α² sw2 Ad + α² ρ_B y_i y_j,
// where h is the gap of B (the dual of the stream), ρ_B = 1 − h, μ = sqrt(b/q'), ν = sqrt(t/t'),
// y = sqrt(b/t'), and
//   M = α² (λ_i λ_j)² (r_j − r_i)² / (1 + λ_i λ_j + α² μ_i μ_j),  λ = sqrt(q/q'), r = sqrt(b/q),
// the (non-negative) part of the new gap due to unequal branch/stream ratios of the two points,
// from sqrt(q'_i q'_j) − sqrt(q_i q_j) − α² sqrt(b_i b_j)
//   = α² (sqrt(q_i b_j) − sqrt(q_j b_i))² / (sqrt(q'_i q'_j) + sqrt(q_i q_j) + α² sqrt(b_i b_j)).
// 1 − ν_i ν_j = (δ_i + δ_j − δ_i δ_j)/(1 + ν_i ν_j) with δ = 1 − ν² = (t' − t)/t', likewise for λ.
// erf without bias and |ρ| < 1/2 carries |ρ| (PairSpan::side): ρ' = ρ λ_i λ_j + α² ρ_B μ_i μ_j.
// A duplicate or antipode (gap exactly 0, n exactly ±1) keeps n = ±1 (see mlp_layer.cpp).

#include <cmath>

#include "sweep_internal.hpp"
#include "deepntk/kernels/detail/erf_dual.hpp"
#include "deepntk/kernels/detail/relu_dual.hpp"

namespace deepntk::kernels::internal {

using namespace detail;

namespace {

constexpr double fold_switch = 0.5;

struct ResnetRows {
  const double *mu, *lam, *r, *qh, *nu, *y, *dt, *dl;
  explicit ResnetRows(const Coefs& rc)
      : mu(rc.mu.data()), lam(rc.lam.data()), r(rc.r.data()), qh(rc.qh.data()), nu(rc.nu.data()), y(rc.y.data()),
        dt(rc.dt.data()), dl(rc.dl.data()) {}
};

inline double one_minus_product(double d_i, double d_j, double prod) noexcept {
  return (d_i + d_j - d_i * d_j) / (1.0 + prod);
}

// The NTK update, `rho_b` the branch correlation and `swad` = sw2 Ad(Σ_{l−1}) of the pair
// (formed like the per-point sw2 Ad(q,q,q), so that equal points see equal factors).
inline double ntk_update(const LayerParams& lp, const ResnetRows& rr, const Col& c, std::int64_t i, double n,
                         double rho_b, double swad) {
  const double nunu = rr.nu[i] * c.nu;
  const double x = lp.a2 * swad;
  // corrections combined first, then added to n once (see gap_update)
  return n + (n * (nunu * x - one_minus_product(rr.dt[i], c.dt, nunu)) + lp.a2 * rho_b * (rr.y[i] * c.y));
}

// The gap update; `dr` = r_j − r_i (used when use_m).
inline double gap_update(const LayerParams& lp, const ResnetRows& rr, const Col& c, std::int64_t i, double g, double h,
                         double dr, bool use_m) {
  // The corrections are summed before they meet g: one after the other, a term far below an
  // ulp of g would be rounded away in every block (a one-signed loss over 10^7 blocks).
  const double mumu = rr.mu[i] * c.mu;
  double corr = lp.a2 * mumu * (g - h);
  if (use_m) {
    const double ll = rr.lam[i] * c.lam;
    const double m = lp.a2 * (ll * ll) * (dr * dr) / (1.0 + ll + lp.a2 * mumu);
    corr = corr - m * (1.0 - g);
  }
  return g - corr;
}

template <bool Bias, bool Mismatch>
void relu_impl(const LayerParams& lp, const Coefs& rc, const Col& c, PairSpan ps) {
  const ResnetRows rr(rc);
  const double* zeta = rc.zeta.data();
  const double* s = rc.s.data();
  const double* p = rc.p.data();
  const double* k0 = rc.k0.data();
  for (std::int64_t i = ps.i0; i < ps.i1; ++i) {
    const double g = ps.g[i];
    const double theta = relu_theta(g);
    double h = relu_dual_gap(g, theta);
    double dr = 0.0;
    if constexpr (Bias) {
      const double beta = zeta[i] * c.zeta;
      if constexpr (Mismatch) {
        const double dk = k0[i] - c.k0;
        h = bias_mix(h, beta, bias_mismatch(lp.da_scale * dk, s[i], p[i], c.s, c.p, lp.sb2s));
        // b/q = sw2/2 + sb2/q, so r_j² − r_i² = sb2 (q_i − q_j)/(q_i q_j), with q_i − q_j exact
        // from the affine recursion.
        dr = lp.sb2s * (lp.dq_scale * dk) / ((rr.qh[i] * c.qh) * (rr.r[i] + c.r));
      } else {
        h = bias_mix(h, beta);
      }
    }
    const double swad = lp.half_sw2 * (1.0 - theta * inv_pi);
    const double gn = gap_update(lp, rr, c, i, g, h, dr, Bias && Mismatch);
    ps.n[i] = (gn == 0.0 && ps.n[i] == 1.0) ? 1.0 : ntk_update(lp, rr, c, i, ps.n[i], 1.0 - h, swad);
    ps.g[i] = gn;
  }
}

template <bool Bias, bool Mismatch>
void erf_impl(const LayerParams& lp, const Coefs& rc, const Col& c, PairSpan ps) {
  const ResnetRows rr(rc);
  const double* sqz = rc.sqz.data();
  const double* z = rc.z.data();
  const double* omz = rc.omz.data();
  const double* cz = rc.cz.data();
  const double* sqbeta = rc.sqbeta.data();
  const double* sqs = rc.sqs.data();
  const double* sqm = rc.sqm.data();
  const double* sqb = rc.sqb.data();
  const double* phi = rc.phi.data();
  const double* eta = rc.eta.data();
  const double* qt = rc.qt.data();
  for (std::int64_t i = ps.i0; i < ps.i1; ++i) {
    const double g = ps.g[i];
    const double w = sqz[i] * c.sqz;
    const double omw2 = omz[i] + z[i] * c.omz;
    const double den = Bias ? sqbeta[i] * c.sqbeta : sqs[i] * c.sqs;  // see mlp_layer.cpp
    const double kap = Bias ? lp.kappa_e : 1.0;
    double ew = 0.0, nbw = 0.0, dr = 0.0;
    if constexpr (Mismatch) {
      const double dq = ps.dq[i];
      const double dphi = erf_phi_difference(2.0 * dq * (omz[i] * c.omz), z[i], c.z, cz[i], c.cz);
      const double db = lp.kappa_e * dphi;  // b_i − b_j of the branch
      ew = erf_norm_mismatch_over_w(z[i], c.z, phi[i], c.phi, 0.5 * std::fabs(dphi), w);
      if constexpr (Bias) {
        const double ds = db / (sqm[i] + c.sqm);
        nbw = lp.sb2 * ds * ds / ((sqb[i] * c.sqb + sqm[i] * c.sqm + lp.sb2) * w);
      }
      // r_j² − r_i² = b_j/q_j − b_i/q_i = (b_j (q_i − q_j) − q_j (b_i − b_j))/(q_i q_j)
      const double bj = c.sqb * c.sqb;
      dr = (bj * dq - c.qt * db) / ((qt[i] * c.qt) * (rr.r[i] + c.r));
      ps.dq[i] = dq + lp.a2 * db;
    }
    const double etaeta = (2.0 * lp.kappa_e) * (eta[i] * c.eta);  // sw2 (4/π) η_i η_j
    if constexpr (Bias) {
      const double omr2 = omw2 + w * w * (g * (2.0 - g));
      const double dw = erf_angle_over_w(g, w, omw2, omr2);
      const double h = clamp_gap((nbw + lp.kappa_e * (ew + dw)) / den);
      const double gn = clamp_gap(gap_update(lp, rr, c, i, g, h, dr, Mismatch));
      ps.n[i] = (gn == 0.0 && ps.n[i] == 1.0) ? 1.0 : ntk_update(lp, rr, c, i, ps.n[i], 1.0 - h, etaeta / std::sqrt(omr2));
      ps.g[i] = gn;
    } else {
      const double sd = ps.side[i];
      const double sign = sd > 0.0 ? 1.0 : -1.0;
      if (sd == 1.0 || sd == -1.0) {  // g = 1 − |ρ|
        const double omr2 = omw2 + w * w * (g * (2.0 - g));
        const double dw = erf_angle_over_w(g, w, omw2, omr2);
        const double h = clamp_gap(kap * (ew + dw) / den);
        const double gn = clamp_gap(gap_update(lp, rr, c, i, g, h, dr, Mismatch));
        ps.n[i] = (gn == 0.0 && ps.n[i] == sign) ? sign
                                                  : ntk_update(lp, rr, c, i, ps.n[i], sign * (1.0 - h), etaeta / std::sqrt(omr2));
        if (1.0 - gn >= fold_switch) {
          ps.g[i] = gn;
        } else {
          ps.g[i] = 1.0 - gn;
          ps.side[i] = 2.0 * sign;
        }
      } else {  // g = |ρ| < 1/2
        const double rw = g * w;
        const double rho_b = kap * g * asinc(rw) / den;  // |ρ_B| = κ arcsin(|ρ| w)/sqrt(b_i b_j)
        ps.n[i] = ntk_update(lp, rr, c, i, ps.n[i], sign * rho_b, etaeta / std::sqrt(1.0 - rw * rw));
        const double ll = rr.lam[i] * c.lam;
        const double r = g + (lp.a2 * rho_b * (rr.mu[i] * c.mu) - g * one_minus_product(rr.dl[i], c.dl, ll));
        if (r >= fold_switch) {
          ps.g[i] = 1.0 - r;
          ps.side[i] = sign;
        } else {
          ps.g[i] = r;
        }
      }
    }
  }
}

}  // namespace

void resnet_relu_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps) {
  if (!lp.bias) return relu_impl<false, false>(lp, rows, col, ps);
  if (mismatch) return relu_impl<true, true>(lp, rows, col, ps);
  return relu_impl<true, false>(lp, rows, col, ps);
}

void resnet_erf_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps) {
  if (mismatch) {
    if (lp.bias) return erf_impl<true, true>(lp, rows, col, ps);
    return erf_impl<false, true>(lp, rows, col, ps);
  }
  if (lp.bias) return erf_impl<true, false>(lp, rows, col, ps);
  return erf_impl<false, false>(lp, rows, col, ps);
}

}  // namespace deepntk::kernels::internal
