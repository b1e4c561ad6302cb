// Kernels at a recorded depth from the carried state.
//  mlp:    NNGP_L = Σ_{L+1}, NTK_L = Θ_{L+1}: the state after L layer steps is already the
//          read-out (the read-out of docs/kernels.md §Architecture mlp is one more layer map).
//  resnet: NNGP_L = sw2 Σ_L + sb2 (an affine map: its gap is the ReLU bias mix with G = g and
//          a = sw2 q), NTK_L = NNGP_L + sw2 Θ_L.

#include <cmath>

#include "sweep_internal.hpp"
#include "deepntk/kernels/detail/relu_dual.hpp"

namespace deepntk::kernels::internal {

using namespace detail;

void mlp_readout_pairs(const Coefs& rc, const Col& c, std::int64_t i0, std::int64_t i1, const double* g,
                       const double* n, const double* side, OutSpan out) {
  const double* sq = rc.sq.data();
  const double* st = rc.st.data();
  for (std::int64_t i = i0; i < i1; ++i) {
    const Unfolded uf = unfold(g[i], side, i);
    out.nngp[i] = uf.rho * (sq[i] * c.sq);
    out.ntk[i] = n[i] * (st[i] * c.st);
    out.gap[i] = uf.gap;
  }
}

void resnet_readout_pairs(const LayerParams& lp, int eq, int et, bool mismatch, const Coefs& rc, const Col& c,
                          std::int64_t i0, std::int64_t i1, const double* g, const double* n, const double* dq,
                          const double* side, OutSpan out) {
  const double* s = rc.s.data();
  const double* p = rc.p.data();
  const double* zeta = rc.zeta.data();
  const double* k0 = rc.k0.data();
  const double* st = rc.st.data();
  const double to_ntk_units = std::ldexp(1.0, eq - et);
  const double dq_to_a = std::ldexp(lp.sw2, -eq);  // a = sw2 Σ, Σ units
  for (std::int64_t i = i0; i < i1; ++i) {
    const Unfolded uf = unfold(g[i], side, i);  // folded only without bias
    const double gi = uf.gap;
    double gap = gi;
    if (lp.bias) {
      const double beta = zeta[i] * c.zeta;
      if (mismatch) {
        const double da = dq != nullptr ? dq_to_a * dq[i] : lp.da_scale * (k0[i] - c.k0);
        gap = bias_mix(gi, beta, bias_mismatch(da, s[i], p[i], c.s, c.p, lp.sb2s));
      } else {
        gap = bias_mix(gi, beta);
      }
    }
    const double nngp = uf.rho * (s[i] * c.s) + lp.sb2s;
    out.nngp[i] = nngp;
    out.ntk[i] = nngp * to_ntk_units + lp.sw2 * n[i] * (st[i] * c.st);
    out.gap[i] = gap;
  }
}

}  // namespace deepntk::kernels::internal
