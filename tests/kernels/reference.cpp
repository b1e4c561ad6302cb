#include "reference.hpp"

extern "C" {
#include <quadmath.h>
}

#include <stdexcept>

namespace deepntk::kernels::testing {

namespace {

using quad = __float128;

const quad qpi = 4 * atanq(quad(1));  // (M_PIq needs a non-ISO literal suffix)

// A symmetric 2x2 kernel on the pair: entries (ii, jj, ij), all scaled by 2^(−e).
struct Kern {
  quad ii = 0, jj = 0, ij = 0;
  int e = 0;
};

struct Dual {
  Kern a;          // A, scaled like the input
  quad ad_ii = 0, ad_jj = 0, ad_ij = 0;
};

quad asincq(quad x) { return x == 0 ? quad(1) : asinq(x) / x; }

// A and Ad of one entry, plain formulas of docs/kernels.md §Dual activations on scaled values (true = v·2^e).
void relu_entry(quad q1, quad q2, quad c, quad& a, quad& ad) {
  const quad s = sqrtq(q1 * q2);
  quad rho = c / s;
  if (rho >= 1) {  // the diagonal: θ = 0 exactly
    a = s / 2;
    ad = quad(1) / 2;
    return;
  }
  if (rho < -1) rho = -1;
  const quad theta = acosq(rho);
  // sin θ = sqrt((1 − ρ)(1 + ρ)), 1 − ρ exact in binary128; sqrt(1 − ρ²) would lose half the
  // digits of sin θ to the rounding of ρ² once 1 − ρ is below ~1e-15.
  a = s * (sqrtq((1 - rho) * (1 + rho)) + (qpi - theta) * rho) / (2 * qpi);
  ad = (qpi - theta) / (2 * qpi);
}

void erf_entry(quad q1, quad q2, quad c, int e, quad& a, quad& ad) {
  const quad t1 = 1 + 2 * ldexpq(q1, e), t2 = 1 + 2 * ldexpq(q2, e);
  const quad ct = ldexpq(c, e);
  const quad xs = 2 * c / sqrtq(t1 * t2);  // scaled argument of arcsin
  quad x = ldexpq(xs, e);
  if (x > 1) x = 1;
  if (x < -1) x = -1;
  a = (2 / qpi) * xs * asincq(x);
  ad = (4 / qpi) / sqrtq(t1 * t2 - 4 * ct * ct);
}

Dual dual_of(Activation act, const Kern& s, bool same_norm) {
  Dual d;
  d.a.e = s.e;
  auto entry = [&](quad q1, quad q2, quad c, quad& a, quad& ad) {
    if (act == Activation::relu) {
      relu_entry(q1, q2, c, a, ad);
    } else {
      erf_entry(q1, q2, c, s.e, a, ad);
    }
  };
  entry(s.ii, s.ii, s.ii, d.a.ii, d.ad_ii);
  if (same_norm) {
    d.a.jj = d.a.ii;
    d.ad_jj = d.ad_ii;
  } else {
    entry(s.jj, s.jj, s.jj, d.a.jj, d.ad_jj);
  }
  entry(s.ii, s.jj, s.ij, d.a.ij, d.ad_ij);
  return d;
}

void renormalize(Kern& k) {
  const int e = ilogbq(k.ii);
  if (e > 100 || e < -100) {
    k.ii = ldexpq(k.ii, -e);
    k.jj = ldexpq(k.jj, -e);
    k.ij = ldexpq(k.ij, -e);
    k.e += e;
  }
}

// Bring `k` to exponent e (exact unless it underflows, which then is negligible).
Kern at_exponent(const Kern& k, int e) {
  return {ldexpq(k.ii, k.e - e), ldexpq(k.jj, k.e - e), ldexpq(k.ij, k.e - e), e};
}

RefPair summarize(std::int64_t depth, const Kern& nngp, const Kern& ntk) {
  RefPair r;
  r.depth = depth;
  const quad sn = sqrtq(nngp.ii * nngp.jj);
  r.nngp_gap = static_cast<double>((sn - nngp.ij) / sn);
  r.nngp_normalized = static_cast<double>(nngp.ij / sn);
  r.ntk_normalized = static_cast<double>(ntk.ij / sqrtq(ntk.ii * ntk.jj));
  r.nngp_ii = static_cast<double>(nngp.ii);
  r.nngp_jj = static_cast<double>(nngp.jj);
  r.nngp_ij = static_cast<double>(nngp.ij);
  r.ntk_ii = static_cast<double>(ntk.ii);
  r.ntk_jj = static_cast<double>(ntk.jj);
  r.ntk_ij = static_cast<double>(ntk.ij);
  r.nngp_exponent = nngp.e;
  r.ntk_exponent = ntk.e;
  return r;
}

// One layer map of the fully connected recursion (also its read-out step).
void mlp_layer(const NetworkSpec& spec, Kern& sig, Kern& the, bool same_norm) {
  const Dual d = dual_of(spec.activation, sig, same_norm);
  const quad sw2 = spec.sw2;
  const quad sb2 = ldexpq(quad(spec.sb2), -sig.e);
  Kern ns{sw2 * d.a.ii + sb2, sw2 * d.a.jj + sb2, sw2 * d.a.ij + sb2, sig.e};
  const Kern nsn = at_exponent(ns, the.e);
  the = {nsn.ii + sw2 * d.ad_ii * the.ii, nsn.jj + sw2 * d.ad_jj * the.jj, nsn.ij + sw2 * d.ad_ij * the.ij, the.e};
  sig = ns;
  renormalize(sig);
  renormalize(the);
}

quad alpha_squared(const ResidualScale& r, std::int64_t depth) {
  const quad l = static_cast<quad>(depth);
  switch (r.rule) {
    case ResidualScale::Rule::inverse_sqrt_depth: return 1 / l;
    case ResidualScale::Rule::constant: return quad(r.value) * quad(r.value);
    case ResidualScale::Rule::power: return powq(l, -2 * quad(r.value));
  }
  return 0;
}

}  // namespace

std::vector<RefPair> reference_pair(const NetworkSpec& spec, double k0_i, double k0_j, double gap0,
                                    std::span<const std::int64_t> depths) {
  std::vector<RefPair> out;
  const bool same_norm = k0_i == k0_j;
  const quad sw2 = spec.sw2, sb2 = spec.sb2;
  const quad ki = k0_i, kj = k0_j;
  const quad kij = (1 - quad(gap0)) * sqrtq(ki * kj);
  const Kern start{sw2 * ki + sb2, sw2 * kj + sb2, sw2 * kij + sb2, 0};

  if (spec.architecture == Architecture::resnet) {
    const bool per_depth = spec.residual.depends_on_depth();
    auto run = [&](std::int64_t target, quad a2, std::span<const std::int64_t> record) {
      Kern sig = start, the = start;
      std::size_t next = 0;
      for (std::int64_t l = 1; l <= target && next < record.size(); ++l) {
        const Dual d = dual_of(spec.activation, sig, same_norm);
        const quad sb2s = ldexpq(sb2, -sig.e);
        const Kern b{sw2 * d.a.ii + sb2s, sw2 * d.a.jj + sb2s, sw2 * d.a.ij + sb2s, sig.e};
        const Kern bt = at_exponent(b, the.e);
        the = {the.ii * (1 + a2 * sw2 * d.ad_ii) + a2 * bt.ii, the.jj * (1 + a2 * sw2 * d.ad_jj) + a2 * bt.jj,
               the.ij * (1 + a2 * sw2 * d.ad_ij) + a2 * bt.ij, the.e};
        sig = {sig.ii + a2 * b.ii, sig.jj + a2 * b.jj, sig.ij + a2 * b.ij, sig.e};
        renormalize(sig);
        renormalize(the);
        if (l == record[next]) {
          // read-out: NNGP = sw2 Σ_L + sb2, NTK = NNGP + sw2 Θ_L
          const quad sb2r = ldexpq(sb2, -sig.e);
          const Kern nngp{sw2 * sig.ii + sb2r, sw2 * sig.jj + sb2r, sw2 * sig.ij + sb2r, sig.e};
          const Kern nt = at_exponent(nngp, the.e);
          const Kern ntk{nt.ii + sw2 * the.ii, nt.jj + sw2 * the.jj, nt.ij + sw2 * the.ij, the.e};
          out.push_back(summarize(l, nngp, ntk));
          ++next;
        }
      }
    };
    if (per_depth) {
      for (std::int64_t d : depths) run(d, alpha_squared(spec.residual, d), std::span<const std::int64_t>(&d, 1));
    } else {
      run(depths.back(), alpha_squared(spec.residual, depths.back()), depths);
    }
    return out;
  }

  // mlp and shortcut: the state after m layer maps is NNGP^mlp_m, NTK^mlp_m (the read-out of docs/kernels.md §Architecture mlp
  // step is one more application of the same map).
  Kern sig = start, the = start;
  Kern hs_nngp, hs_ntk;
  std::int64_t heads = 0;
  std::size_t next = 0;
  const std::int64_t h = spec.readout_every;
  for (std::int64_t m = 1; next < depths.size(); ++m) {
    mlp_layer(spec, sig, the, same_norm);
    if (spec.architecture == Architecture::mlp) {
      if (m == depths[next]) {
        out.push_back(summarize(m, sig, the));
        ++next;
      }
      continue;
    }
    if (m % h == 0) {
      if (heads == 0) {
        hs_nngp = sig;
        hs_ntk = the;
      } else {
        // add in the units of the larger of the two (the other may underflow: negligible)
        auto add = [](Kern& acc, const Kern& head) {
          const int e = acc.e > head.e ? acc.e : head.e;
          const Kern a = at_exponent(acc, e), b = at_exponent(head, e);
          acc = {a.ii + b.ii, a.jj + b.jj, a.ij + b.ij, e};
        };
        add(hs_nngp, sig);
        add(hs_ntk, the);
      }
      ++heads;
    }
    if (m == depths[next]) {
      if (heads == 0) throw std::invalid_argument("reference: shortcut depth below readout_every");
      const quad k = static_cast<quad>(heads);
      const Kern n{hs_nngp.ii / k, hs_nngp.jj / k, hs_nngp.ij / k, hs_nngp.e};
      const Kern t{hs_ntk.ii / k, hs_ntk.jj / k, hs_ntk.ij / k, hs_ntk.e};
      out.push_back(summarize(m, n, t));
      ++next;
    }
  }
  return out;
}

}  // namespace deepntk::kernels::testing
