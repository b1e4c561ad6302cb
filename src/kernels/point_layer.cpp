// Per-point (diagonal) recursion and the per-point coefficients every pair update reads.
// Runs once per distinct K0 per layer, so it can afford double-double arithmetic: the
// diagonals accumulate over up to 10^7 layers (resnet adds α² B every block), and the ReLU
// bias terms need differences of two points' variances that plain doubles would blur.

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sweep_internal.hpp"
#include "deepntk/kernels/detail/numerics.hpp"

namespace deepntk::kernels::internal {

using detail::DD;
using detail::dd_add;
using detail::dd_ldexp;
using detail::dd_mul;
using detail::two_prod;

namespace {


DD load(const std::vector<double>& h, const std::vector<double>& l, std::size_t i) { return {h[i], l[i]}; }
void store(std::vector<double>& h, std::vector<double>& l, std::size_t i, DD x) {
  h[i] = x.hi;
  l[i] = x.lo;
}

void fit(std::vector<double>& v, std::size_t n) { v.resize(n); }

// ReLU dual (or affine read-out) coefficients from a (double-double) and b = a + bias.
void relu_dual_coefs(Coefs& c, std::size_t i, DD a, DD b, double bias, double k0) {
  c.s[i] = std::sqrt(a.hi);
  c.p[i] = std::sqrt(b.hi);
  c.zeta[i] = std::sqrt(bias) / c.p[i];
  c.k0[i] = k0;
}
void fit_relu_dual(Coefs& c, std::size_t n) {
  fit(c.s, n);
  fit(c.p, n);
  fit(c.zeta, n);
  fit(c.k0, n);
}

// erf dual of one point with Σ(x,x) = qs · 2^eq. Returns the next variance in Σ units and
// Ad(q,q,q); fills the erf coefficients. Works with the true q for z = 2q/(1+2q), but keeps
// every quantity that scales with q in scaled form, so q → 0 (sb2 = 0, sw2 < π/4) is fine.
struct ErfPoint {
  double next_qs;
  double chi;  ///< sw2 Ad(q,q,q)
};
ErfPoint erf_dual_point(const NetworkSpec& spec, double qs, int eq, double sb2s, Coefs& c, std::size_t i) {
  const double kappa = 2.0 * spec.sw2 / std::numbers::pi;
  const double q = std::ldexp(qs, eq);
  const double d = 1.0 + 2.0 * q;
  const double z = 2.0 * q / d;
  const double zs = 2.0 * qs / d;
  const double eta2 = 1.0 / d;
  const double sinc = detail::asinc(z);
  const double phi = z * sinc;
  const double m = kappa * phi;
  const double b = m + spec.sb2;
  const double beta = kappa * sinc + (spec.sb2 > 0.0 ? spec.sb2 / z : 0.0);
  c.sqz[i] = std::sqrt(z);
  c.z[i] = z;
  c.omz[i] = eta2;
  c.cz[i] = std::sqrt(eta2 * (1.0 + z));
  c.qt[i] = q;
  c.bt[i] = b;
  c.sqbeta[i] = std::sqrt(beta);
  c.sqs[i] = std::sqrt(sinc);
  c.sqm[i] = std::sqrt(m);
  c.sqb[i] = std::sqrt(b);
  c.phi[i] = phi;
  c.eta[i] = std::sqrt(eta2);
  // sw2 Ad(q,q,q) = sw2 (4/π)/sqrt(1+4q) = 2κ/sqrt(1+4q): built from the same rounded κ as
  // the variance map, so that where erf is linear (q → 0) both are exactly 2κ; otherwise Θ/Σ
  // would drift by an ulp per layer against the exact ratio, over 10^7 layers.
  return {kappa * zs * sinc + sb2s, (2.0 * kappa) / std::sqrt(1.0 + 4.0 * q)};
}
void fit_erf_dual(Coefs& c, std::size_t n) {
  for (auto* v : {&c.sqz, &c.z, &c.omz, &c.cz, &c.sqbeta, &c.sqs, &c.sqm, &c.sqb, &c.phi, &c.eta, &c.qt, &c.bt}) fit(*v, n);
}

}  // namespace

void Coefs::gather_from(const Coefs& src, std::span<const std::int64_t> index) {
  auto copy = [&](std::vector<double>& dst, const std::vector<double>& from) {
    if (from.empty()) {
      dst.clear();
      return;
    }
    dst.resize(index.size());
    for (std::size_t k = 0; k < index.size(); ++k) dst[k] = from[static_cast<std::size_t>(index[k])];
  };
  copy(s, src.s);
  copy(p, src.p);
  copy(zeta, src.zeta);
  copy(k0, src.k0);
  copy(sqz, src.sqz);
  copy(z, src.z);
  copy(omz, src.omz);
  copy(cz, src.cz);
  copy(qt, src.qt);
  copy(bt, src.bt);
  copy(sqbeta, src.sqbeta);
  copy(sqs, src.sqs);
  copy(sqm, src.sqm);
  copy(sqb, src.sqb);
  copy(phi, src.phi);
  copy(eta, src.eta);
  copy(u, src.u);
  copy(v, src.v);
  copy(e, src.e);
  copy(lam, src.lam);
  copy(mu, src.mu);
  copy(r, src.r);
  copy(qh, src.qh);
  copy(ql, src.ql);
  copy(nu, src.nu);
  copy(y, src.y);
  copy(dt, src.dt);
  copy(sq, src.sq);
  copy(st, src.st);
  copy(sa, src.sa);
  copy(dl, src.dl);
}

void Coefs::clear() noexcept {
  for (auto* field : {&s, &p, &zeta, &k0, &sqz, &z, &omz, &cz, &qt, &bt, &sqbeta, &sqs, &sqm, &sqb, &phi, &eta, &u, &v, &e, &lam, &mu, &r,
                  &qh, &ql, &nu, &y, &dt, &sq, &st, &sa, &dl}) {
    field->clear();
  }
}

Col column_of(const Coefs& c, std::size_t i) noexcept {
  auto at = [i](const std::vector<double>& v) { return v.empty() ? 0.0 : v[i]; };
  Col k;
  k.s = at(c.s);
  k.p = at(c.p);
  k.zeta = at(c.zeta);
  k.k0 = at(c.k0);
  k.sqz = at(c.sqz);
  k.z = at(c.z);
  k.omz = at(c.omz);
  k.cz = at(c.cz);
  k.qt = at(c.qt);
  k.bt = at(c.bt);
  k.sqbeta = at(c.sqbeta);
  k.sqs = at(c.sqs);
  k.sqm = at(c.sqm);
  k.sqb = at(c.sqb);
  k.phi = at(c.phi);
  k.eta = at(c.eta);
  k.u = at(c.u);
  k.v = at(c.v);
  k.e = at(c.e);
  k.lam = at(c.lam);
  k.mu = at(c.mu);
  k.r = at(c.r);
  k.qh = at(c.qh);
  k.ql = at(c.ql);
  k.nu = at(c.nu);
  k.y = at(c.y);
  k.dt = at(c.dt);
  k.sq = at(c.sq);
  k.st = at(c.st);
  k.sa = at(c.sa);
  k.dl = at(c.dl);
  return k;
}

void init_points(const NetworkSpec& spec, PointState& pts, Scales& sc) {
  const std::size_t n = pts.size();
  for (auto* v : {&pts.qh, &pts.ql, &pts.th, &pts.tl}) v->assign(n, 0.0);
  for (auto* v : {&pts.hq, &pts.ht, &pts.hq_lo, &pts.ht_lo}) v->assign(spec.architecture == Architecture::shortcut ? n : 0, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const DD q = dd_add(two_prod(spec.sw2, pts.k0[i]), spec.sb2);
    store(pts.qh, pts.ql, i, q);
    store(pts.th, pts.tl, i, q);
  }
  sc = Scales{};
}

void input_coefs(const NetworkSpec& spec, const PointState& pts, Coefs& c) {
  c = Coefs{};
  const std::size_t n = pts.size();
  fit_relu_dual(c, n);
  for (std::size_t i = 0; i < n; ++i) {
    const DD a = two_prod(spec.sw2, pts.k0[i]);
    relu_dual_coefs(c, i, a, dd_add(a, spec.sb2), spec.sb2, pts.k0[i]);
  }
}

void mlp_point_step(const NetworkSpec& spec, PointState& pts, const Scales& sc, Coefs& c) {
  const std::size_t n = pts.size();
  const double sb2s = std::ldexp(spec.sb2, -sc.eq);
  const int shift = sc.eq - sc.et;  // Σ units -> Θ units
  fit(c.u, n);
  fit(c.v, n);
  if (spec.activation == Activation::relu) {
    fit_relu_dual(c, n);
    const double half = 0.5 * spec.sw2;
    for (std::size_t i = 0; i < n; ++i) {
      const DD q = load(pts.qh, pts.ql, i);
      const DD t = load(pts.th, pts.tl, i);
      const DD a = dd_mul(q, half);
      const DD b = dd_add(a, sb2s);
      const DD tn = dd_add(dd_ldexp(b, shift), dd_mul(t, half));  // Θ' = Σ' + sw2 Ad(θ=0) Θ
      relu_dual_coefs(c, i, a, b, sb2s, pts.k0[i]);
      c.u[i] = std::sqrt(std::ldexp(b.hi / tn.hi, shift));
      c.v[i] = std::sqrt(t.hi / tn.hi);
      store(pts.qh, pts.ql, i, b);
      store(pts.th, pts.tl, i, tn);
    }
    return;
  }
  fit_erf_dual(c, n);
  fit(c.e, n);
  for (std::size_t i = 0; i < n; ++i) {
    const DD t = load(pts.th, pts.tl, i);
    const ErfPoint ep = erf_dual_point(spec, pts.qh[i], sc.eq, sb2s, c, i);
    const DD tn = dd_add(dd_ldexp(DD{ep.next_qs, 0.0}, shift), dd_mul(t, ep.chi));
    c.u[i] = std::sqrt(std::ldexp(ep.next_qs / tn.hi, shift));
    c.v[i] = std::sqrt(t.hi / tn.hi);
    c.e[i] = c.eta[i] * c.v[i];
    store(pts.qh, pts.ql, i, DD{ep.next_qs, 0.0});
    store(pts.th, pts.tl, i, tn);
  }
}

void resnet_point_step(const NetworkSpec& spec, double a2, PointState& pts, const Scales& sc, Coefs& c) {
  const std::size_t n = pts.size();
  const double sb2s = std::ldexp(spec.sb2, -sc.eq);
  const int shift = sc.eq - sc.et;
  for (auto* v : {&c.lam, &c.mu, &c.r, &c.qh, &c.ql, &c.nu, &c.y, &c.dt, &c.dl}) fit(*v, n);
  if (spec.activation == Activation::relu) {
    fit_relu_dual(c, n);
  } else {
    fit_erf_dual(c, n);
  }
  const double half = 0.5 * spec.sw2;
  for (std::size_t i = 0; i < n; ++i) {
    const DD q = load(pts.qh, pts.ql, i);
    const DD t = load(pts.th, pts.tl, i);
    DD b;        // branch variance B_l(x,x), Σ units
    double chi;  // sw2 Ad(q,q,q)
    if (spec.activation == Activation::relu) {
      const DD a = dd_mul(q, half);
      b = dd_add(a, sb2s);
      relu_dual_coefs(c, i, a, b, sb2s, pts.k0[i]);
      chi = half;
    } else {
      const ErfPoint ep = erf_dual_point(spec, q.hi, sc.eq, sb2s, c, i);
      b = DD{ep.next_qs, 0.0};
      chi = ep.chi;
    }
    // Σ' = Σ + α² B,  Θ' = Θ + [α² sw2 Ad Θ + α² B]: increments are formed first and added in
    // double-double, so that the O(α²) changes keep their digits over 10^7 blocks.
    const DD ab = dd_mul(b, a2);
    const DD qn = dd_add(q, ab);
    const DD inc = dd_add(dd_mul(t, a2 * chi), dd_ldexp(ab, shift));
    const DD tn = dd_add(t, inc);
    c.lam[i] = std::sqrt(q.hi / qn.hi);
    c.mu[i] = std::sqrt(b.hi / qn.hi);
    c.r[i] = std::sqrt(b.hi / q.hi);
    c.qh[i] = q.hi;
    c.ql[i] = q.lo;
    c.nu[i] = std::sqrt(t.hi / tn.hi);
    c.y[i] = std::sqrt(std::ldexp(b.hi / tn.hi, shift));
    c.dt[i] = inc.hi / tn.hi;
    c.dl[i] = ab.hi / qn.hi;
    store(pts.qh, pts.ql, i, qn);
    store(pts.th, pts.tl, i, tn);
  }
}

void rescale(PointState& pts, Scales& sc) {
  constexpr int limit = 64;
  auto shift_all = [&](std::vector<double>& h, std::vector<double>& l, int& exponent) {
    const double ref = h[pts.ref];
    if (!(ref > 0.0) || !std::isfinite(ref)) return;
    const int e = std::ilogb(ref);
    if (e > -limit && e < limit) return;
    for (std::size_t i = 0; i < h.size(); ++i) {
      h[i] = std::ldexp(h[i], -e);
      l[i] = std::ldexp(l[i], -e);
    }
    exponent += e;
  };
  shift_all(pts.qh, pts.ql, sc.eq);
  shift_all(pts.th, pts.tl, sc.et);
}

void mlp_readout_coefs(const PointState& pts, Coefs& c) {
  const std::size_t n = pts.size();
  fit(c.sq, n);
  fit(c.st, n);
  for (std::size_t i = 0; i < n; ++i) {
    c.sq[i] = std::sqrt(pts.qh[i]);
    c.st[i] = std::sqrt(pts.th[i]);
  }
}

void resnet_readout_coefs(const NetworkSpec& spec, const PointState& pts, const Scales& sc, Coefs& c) {
  const std::size_t n = pts.size();
  const double sb2s = std::ldexp(spec.sb2, -sc.eq);
  fit_relu_dual(c, n);
  fit(c.st, n);
  fit(c.sq, n);  // NNGP_L(x,x) = sw2 Σ + sb2
  fit(c.sa, n);  // NTK_L(x,x) = NNGP_L(x,x) + sw2 Θ, Θ units
  for (std::size_t i = 0; i < n; ++i) {
    const DD a = dd_mul(load(pts.qh, pts.ql, i), spec.sw2);
    const DD r = dd_add(a, sb2s);
    relu_dual_coefs(c, i, a, r, sb2s, pts.k0[i]);
    c.st[i] = std::sqrt(pts.th[i]);
    c.sq[i] = r.hi;
    c.sa[i] = std::ldexp(r.hi, sc.eq - sc.et) + spec.sw2 * pts.th[i];
  }
}

HeadShift shortcut_head_points(PointState& pts, Scales& sc, bool first_head, Coefs& c) {
  // The head sums keep the largest exponent seen: where Σ shrinks with depth the sum is
  // dominated by the early heads, and re-expressing it in ever smaller units would overflow.
  HeadShift shift;
  if (first_head) {
    sc.ea = sc.eq;
    sc.eat = sc.et;
  } else {
    shift.nngp = std::max(0, sc.eq - sc.ea);
    shift.ntk = std::max(0, sc.et - sc.eat);
    for (std::size_t i = 0; i < pts.size(); ++i) {
      pts.hq[i] = std::ldexp(pts.hq[i], -shift.nngp);
      pts.hq_lo[i] = std::ldexp(pts.hq_lo[i], -shift.nngp);
      pts.ht[i] = std::ldexp(pts.ht[i], -shift.ntk);
      pts.ht_lo[i] = std::ldexp(pts.ht_lo[i], -shift.ntk);
    }
    sc.ea += shift.nngp;
    sc.eat += shift.ntk;
  }
  const int dn = sc.eq - sc.ea;  // <= 0: this head in the sums' units
  const int dt = sc.et - sc.eat;
  const std::size_t n = pts.size();
  fit(c.sq, n);
  fit(c.st, n);
  fit(c.sa, n);
  for (std::size_t i = 0; i < n; ++i) {
    const DD q = dd_ldexp(DD{pts.qh[i], pts.ql[i]}, dn);
    const DD t = dd_ldexp(DD{pts.th[i], pts.tl[i]}, dt);
    c.sq[i] = std::sqrt(q.hi);
    c.st[i] = std::sqrt(t.hi);
    c.sa[i] = std::sqrt(pts.hq[i] + pts.hq_lo[i]);
    store(pts.hq, pts.hq_lo, i, dd_add(DD{pts.hq[i], pts.hq_lo[i]}, q));
    store(pts.ht, pts.ht_lo, i, dd_add(DD{pts.ht[i], pts.ht_lo[i]}, t));
  }
  return shift;
}

void shortcut_readout_coefs(const PointState& pts, Coefs& c) {
  const std::size_t n = pts.size();
  fit(c.sa, n);
  for (std::size_t i = 0; i < n; ++i) c.sa[i] = std::sqrt(pts.hq[i] + pts.hq_lo[i]);
}

}  // namespace deepntk::kernels::internal
