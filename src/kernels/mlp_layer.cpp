// Pair update of one fully connected layer (also the trunk of `shortcut`), and the first pair
// state. State per pair: g = 1 − ρ of Σ (see PairSpan for the erf-without-bias encoding) and
// n = Θ(x,x')/sqrt(Θ(x,x)Θ(x',x')).
//
//   Σ_{l+1} = sw2 A(Σ_l) + sb2           ->  g' from the stable duals (detail/*_dual.hpp)
//   Θ_{l+1} = Σ_{l+1} + sw2 Ad(Σ_l) Θ_l  ->  n' = ρ' u_i u_j + sw2 Ad n v_i v_j
// with u = sqrt(Σ'/Θ'), v = sqrt(Θ/Θ') per point. A duplicate or antipode (gap exactly 0 and
// n exactly ±1, as it starts and stays) has Θ(x,x') = ±Θ(x,x) exactly and keeps n = ±1: its
// multiplier tends to 1 in the chaotic phase, where recomputing it would let the same last-bit
// rounding pile up. (A gap that merely underflowed to 0 does not qualify: n is still computed.)
// The loops are instantiated per (bias, mismatch) so the common case (sb2 = 0, equal input
// norms) carries no dead work.

#include <cmath>

#include "sweep_internal.hpp"
#include "deepntk/kernels/detail/erf_dual.hpp"
#include "deepntk/kernels/detail/relu_dual.hpp"

namespace deepntk::kernels::internal {

using namespace detail;

namespace {

// Below this |ρ| the erf-without-bias state carries |ρ| itself, above it 1 − |ρ|.
constexpr double fold_switch = 0.5;

template <bool Bias, bool Mismatch>
void init_pairs_impl(const LayerParams& lp, const Coefs& rc, const Col& c, const double* g0, PairSpan ps) {
  const double* zeta = rc.zeta.data();
  const double* s = rc.s.data();
  const double* p = rc.p.data();
  const double* k0 = rc.k0.data();
  for (std::int64_t i = ps.i0; i < ps.i1; ++i) {
    double g = g0[i];
    if constexpr (Bias) {
      const double beta = zeta[i] * c.zeta;
      if constexpr (Mismatch) {
        g = bias_mix(g, beta, bias_mismatch(lp.da_scale * (k0[i] - c.k0), s[i], p[i], c.s, c.p, lp.sb2s));
      } else {
        g = bias_mix(g, beta);
      }
    }
    ps.n[i] = 1.0 - g;
    ps.g[i] = g;
    if (ps.side != nullptr) {
      const double rho = 1.0 - g;  // exact for g in [0.5, 1.5], the only range where it is kept
      const double sign = g > 1.0 ? -1.0 : 1.0;
      if (std::fabs(rho) >= fold_switch) {
        ps.side[i] = sign;
        ps.g[i] = g > 1.0 ? 2.0 - g : g;
      } else {
        ps.side[i] = 2.0 * sign;
        ps.g[i] = std::fabs(rho);
      }
    }
    if (ps.dq != nullptr) ps.dq[i] = lp.sw2 * (k0[i] - c.k0);
  }
}

template <bool Bias, bool Mismatch>
void relu_impl(const LayerParams& lp, const Coefs& rc, const Col& c, PairSpan ps) {
  const double* zeta = rc.zeta.data();
  const double* s = rc.s.data();
  const double* p = rc.p.data();
  const double* k0 = rc.k0.data();
  const double* u = rc.u.data();
  const double* v = rc.v.data();
  double* gp = ps.g;
  double* np = ps.n;
  for (std::int64_t i = ps.i0; i < ps.i1; ++i) {
    const double g = gp[i];
    const double theta = relu_theta(g);
    double gn = relu_dual_gap(g, theta);
    if constexpr (Bias) {
      const double beta = zeta[i] * c.zeta;
      if constexpr (Mismatch) {
        gn = bias_mix(gn, beta, bias_mismatch(lp.da_scale * (k0[i] - c.k0), s[i], p[i], c.s, c.p, lp.sb2s));
      } else {
        gn = bias_mix(gn, beta);
      }
    }
    const double ad = lp.half_sw2 * (1.0 - theta * inv_pi);  // sw2 Ad = sw2 (π − θ)/(2π)
    const double nn = (1.0 - gn) * (u[i] * c.u) + ad * np[i] * (v[i] * c.v);
    np[i] = (gn == 0.0 && np[i] == 1.0) ? 1.0 : nn;
    gp[i] = gn;
  }
}

template <bool Bias, bool Mismatch>
void erf_impl(const LayerParams& lp, const Coefs& rc, const Col& c, PairSpan ps) {
  const double* sqz = rc.sqz.data();
  const double* z = rc.z.data();
  const double* omz = rc.omz.data();
  const double* cz = rc.cz.data();
  const double* sqbeta = rc.sqbeta.data();
  const double* sqs = rc.sqs.data();
  const double* sqm = rc.sqm.data();
  const double* sqb = rc.sqb.data();
  const double* phi = rc.phi.data();
  const double* u = rc.u.data();
  const double* e = rc.e.data();
  double* gp = ps.g;
  double* np = ps.n;
  for (std::int64_t i = ps.i0; i < ps.i1; ++i) {
    const double g = gp[i];
    const double w = sqz[i] * c.sqz;
    const double omw2 = omz[i] + z[i] * c.omz;  // 1 − z_i z_j = (1 − z_i) + z_i (1 − z_j)
    // sqrt(b_i b_j)/w; without bias κ cancels, so it is left out exactly (in the linear regime
    // the map must return g unchanged, not g κ/(sqrt(κ) sqrt(κ))).
    const double den = Bias ? sqbeta[i] * c.sqbeta : sqs[i] * c.sqs;
    const double kap = Bias ? lp.kappa_e : 1.0;
    double ew = 0.0, nbw = 0.0;
    if constexpr (Mismatch) {
      // z_i − z_j = 2 (q_i − q_j)/((1+2q_i)(1+2q_j)), then φ_i − φ_j, all relative to the
      // carried difference; the next difference of variances is κ (φ_i − φ_j).
      const double dphi = erf_phi_difference(2.0 * ps.dq[i] * (omz[i] * c.omz), z[i], c.z, cz[i], c.cz);
      ew = erf_norm_mismatch_over_w(z[i], c.z, phi[i], c.phi, 0.5 * std::fabs(dphi), w);
      if constexpr (Bias) {
        const double ds = lp.kappa_e * dphi / (sqm[i] + c.sqm);
        nbw = lp.sb2 * ds * ds / ((sqb[i] * c.sqb + sqm[i] * c.sqm + lp.sb2) * w);
      }
      ps.dq[i] = lp.kappa_e * dphi;
    }
    double rho_new, omr2;
    bool exact = false;  // gap exactly 0 (and n = ±1 below): a duplicate or antipode
    if constexpr (Bias) {
      omr2 = omw2 + w * w * (g * (2.0 - g));  // 1 − ρ² w²
      const double dw = erf_angle_over_w(g, w, omw2, omr2);
      const double gn = clamp_gap((nbw + lp.kappa_e * (ew + dw)) / den);
      gp[i] = gn;
      rho_new = 1.0 - gn;
      exact = gn == 0.0;
    } else {
      const double sd = ps.side[i];
      const double sign = sd > 0.0 ? 1.0 : -1.0;
      double r;  // |ρ'|
      if (sd == 1.0 || sd == -1.0) {  // g = 1 − |ρ|
        omr2 = omw2 + w * w * (g * (2.0 - g));
        const double dw = erf_angle_over_w(g, w, omw2, omr2);
        const double gn = clamp_gap(kap * (ew + dw) / den);
        r = 1.0 - gn;
        exact = gn == 0.0;
        if (r >= fold_switch) {
          gp[i] = gn;
        } else {
          gp[i] = r;
          ps.side[i] = 2.0 * sign;
        }
      } else {  // g = |ρ| < 1/2: ρ' = κ arcsin(|ρ| w)/sqrt(b_i b_j), relative accuracy near 0
        const double rw = g * w;
        omr2 = 1.0 - rw * rw;
        r = kap * g * asinc(rw) / den;
        if (r >= fold_switch) {
          gp[i] = 1.0 - r;
          ps.side[i] = sign;
        } else {
          gp[i] = r;
        }
      }
      rho_new = sign * r;
    }
    const double nn = rho_new * (u[i] * c.u) + (2.0 * lp.kappa_e) * (e[i] * c.e) * np[i] / std::sqrt(omr2);
    np[i] = (exact && std::fabs(np[i]) == 1.0) ? rho_new : nn;
  }
}

}  // namespace

void init_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, const double* g0, PairSpan ps) {
  if (!lp.bias) return init_pairs_impl<false, false>(lp, rows, col, g0, ps);
  if (mismatch) return init_pairs_impl<true, true>(lp, rows, col, g0, ps);
  return init_pairs_impl<true, false>(lp, rows, col, g0, ps);
}

void mlp_relu_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps) {
  if (!lp.bias) return relu_impl<false, false>(lp, rows, col, ps);
  if (mismatch) return relu_impl<true, true>(lp, rows, col, ps);
  return relu_impl<true, false>(lp, rows, col, ps);
}

void mlp_erf_pairs(const LayerParams& lp, bool mismatch, const Coefs& rows, const Col& col, PairSpan ps) {
  if (mismatch) {
    if (lp.bias) return erf_impl<true, true>(lp, rows, col, ps);
    return erf_impl<false, true>(lp, rows, col, ps);
  }
  if (lp.bias) return erf_impl<true, false>(lp, rows, col, ps);
  return erf_impl<false, false>(lp, rows, col, ps);
}

}  // namespace deepntk::kernels::internal
