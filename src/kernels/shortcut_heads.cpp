// The `shortcut` architecture: an mlp trunk with a read-out head every h layers; at depth L the
// kernels are the averages over the K = floor(L/h) heads of the mlp kernels at depths k·h.
//
// Per pair the sweep keeps running sums over heads of Σ_k(x,x') and Θ_k(x,x') and, for an
// accurate 1 − normalized NNGP, splits sqrt(A B) − Σ_k ρ_k a_k b_k (a_k = sqrt(Σ_k(x,x)),
// b_k = sqrt(Σ_k(x',x')), A = Σ a_k², B = Σ b_k²) into
//   Σ_k g_k a_k b_k                       (the heads' own gaps, positive terms), and
//   sqrt(A B) − C,  C = Σ a_k b_k          (Cauchy–Schwarz gap of the two norm profiles).
// The latter vanishes for proportional profiles (ReLU, sb2 = 0) and is carried as
// D = A B − C² ≥ 0 through Lagrange's identity, adding one head (a, b):
//   D' = D + (sqrt(A) b − sqrt(B) a)² + 2 a b (sqrt(A B) − C),  sqrt(A B) − C = D/(sqrt(A B) + C),
// so nothing nearly equal is ever subtracted.

#include <algorithm>
#include <cmath>

#include "sweep_internal.hpp"
#include "deepntk/kernels/detail/numerics.hpp"

namespace deepntk::kernels::internal {

namespace {

// sum + lo += x, error-free (two_sum), so the compensation catches every rounding.
inline void accumulate(double& sum, double& lo, double x) noexcept {
  const detail::DD t = detail::two_sum(sum, x);
  sum = t.hi;
  lo += t.lo;
}

}  // namespace

void shortcut_head_pairs(bool first_head, HeadShift shift, const Coefs& rc, const Col& c, std::int64_t i0,
                         std::int64_t i1, const double* g, const double* n, const double* side, HeadSums sums) {
  const double* sq = rc.sq.data();
  const double* st = rc.st.data();
  const double* sa = rc.sa.data();
  if (shift.nngp != 0) {
    const double f = std::ldexp(1.0, -shift.nngp);
    const double f2 = std::ldexp(1.0, -2 * shift.nngp);
    for (std::int64_t i = i0; i < i1; ++i) {
      sums.nngp[i] *= f;
      sums.nngp_lo[i] *= f;
      sums.gap[i] *= f;
      sums.gap_lo[i] *= f;
      sums.cs[i] *= f2;
      sums.cs_lo[i] *= f2;
    }
  }
  if (shift.ntk != 0) {
    const double f = std::ldexp(1.0, -shift.ntk);
    for (std::int64_t i = i0; i < i1; ++i) {
      sums.ntk[i] *= f;
      sums.ntk_lo[i] *= f;
    }
  }
  for (std::int64_t i = i0; i < i1; ++i) {
    const double ab = sq[i] * c.sq;
    if (!first_head) {
      const double cs = sums.cs[i] + sums.cs_lo[i];
      const double e = cs / (sa[i] * c.sa + ((sums.nngp[i] + sums.gap[i]) + (sums.nngp_lo[i] + sums.gap_lo[i])));
      const double d = sa[i] * c.sq - c.sa * sq[i];
      accumulate(sums.cs[i], sums.cs_lo[i], d * d + 2.0 * ab * e);
    }
    const Unfolded uf = unfold(g[i], side, i);
    accumulate(sums.nngp[i], sums.nngp_lo[i], uf.rho * ab);
    accumulate(sums.gap[i], sums.gap_lo[i], uf.gap * ab);
    accumulate(sums.ntk[i], sums.ntk_lo[i], n[i] * (st[i] * c.st));
  }
}

void shortcut_readout_pairs(double inv_heads, const Coefs& rc, const Col& c, std::int64_t i0, std::int64_t i1,
                            HeadSums sums, OutSpan out) {
  const double* sa = rc.sa.data();
  for (std::int64_t i = i0; i < i1; ++i) {
    const double norms = sa[i] * c.sa;
    const double nngp = sums.nngp[i] + sums.nngp_lo[i];
    const double gap = sums.gap[i] + sums.gap_lo[i];
    const double e = (sums.cs[i] + sums.cs_lo[i]) / (norms + (nngp + gap));
    out.nngp[i] = nngp * inv_heads;
    out.ntk[i] = (sums.ntk[i] + sums.ntk_lo[i]) * inv_heads;
    out.gap[i] = std::min((gap + e) / norms, 2.0);  // rounding may put a folded −1 an ulp past 2
  }
}

}  // namespace deepntk::kernels::internal
