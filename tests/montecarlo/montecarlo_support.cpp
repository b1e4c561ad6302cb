#include "montecarlo_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <numbers>
#include <ostream>
#include <stdexcept>

#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"

namespace deepntk::montecarlo {

namespace {

using kernels::Activation;
using kernels::Architecture;
using kernels::NetworkSpec;

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

// ----------------------------------------------------------------------------------------------
// Points

Points make_points() {
  Points p;
  p.dim = 8;
  p.count = 3;
  // Unit directions with prescribed correlations: u0 = e0, u1 in span(e0, e1), u2 in
  // span(e0, e1, e2), solved for u0.u1 = 0.9, u0.u2 = −0.6, u1.u2 = −0.2.
  const double r01 = 0.9, r02 = -0.6, r12 = -0.2;
  const double s1 = std::sqrt(1.0 - r01 * r01);
  const double b2 = (r12 - r01 * r02) / s1;
  const double c2 = std::sqrt(1.0 - r02 * r02 - b2 * b2);
  const std::vector<std::vector<double>> u = {{1.0, 0.0, 0.0}, {r01, s1, 0.0}, {r02, b2, c2}};
  const std::vector<double> k0 = {1.0, 0.7, 1.4};
  p.x.assign(sz(p.dim * p.count), 0.0);
  for (std::int64_t i = 0; i < p.count; ++i) {
    // A fixed spread over all 8 coordinates (a rotation would not change the distribution of
    // the network, this only avoids inputs that touch 3 columns of W_1 only).
    std::vector<double> full(sz(p.dim), 0.0);
    for (std::int64_t a = 0; a < 3; ++a) {
      for (std::int64_t r = 0; r < p.dim; ++r) {
        // Orthonormal columns of a Hadamard-like 8 x 3 matrix: entries ±1/sqrt(8).
        const int bits = static_cast<int>(r) & (1 << a);
        full[sz(r)] += u[sz(i)][sz(a)] * (bits ? -1.0 : 1.0) / std::sqrt(8.0);
      }
    }
    const double scale = std::sqrt(static_cast<double>(p.dim) * k0[sz(i)]);
    for (std::int64_t r = 0; r < p.dim; ++r) p.x[sz(r + i * p.dim)] = scale * full[sz(r)];
  }
  p.k0_diag.resize(sz(p.count));
  p.gap.assign(sz(p.count * p.count), 0.0);
  std::vector<double> norm(sz(p.count));
  for (std::int64_t i = 0; i < p.count; ++i) {
    double s = 0.0;
    for (std::int64_t r = 0; r < p.dim; ++r) s += p.x[sz(r + i * p.dim)] * p.x[sz(r + i * p.dim)];
    p.k0_diag[sz(i)] = s / static_cast<double>(p.dim);
    norm[sz(i)] = std::sqrt(s);
  }
  for (std::int64_t j = 0; j < p.count; ++j) {
    for (std::int64_t i = 0; i < p.count; ++i) {
      double s = 0.0;
      for (std::int64_t r = 0; r < p.dim; ++r) {
        const double diff = p.x[sz(r + i * p.dim)] / norm[sz(i)] - p.x[sz(r + j * p.dim)] / norm[sz(j)];
        s += diff * diff;
      }
      p.gap[sz(i + j * p.count)] = s / 2.0;
    }
  }
  return p;
}

// ----------------------------------------------------------------------------------------------
// Analytic kernels

KernelsByDepth library_kernels(const NetworkSpec& spec, const std::vector<std::int64_t>& depths, const Points& points) {
  const std::int64_t P = points.count;
  std::vector<std::int64_t> ids(sz(P));
  for (std::int64_t i = 0; i < P; ++i) ids[sz(i)] = i;
  kernels::PairBlock block{.rows = P,
                           .cols = P,
                           .row_k0_diag = points.k0_diag,
                           .col_k0_diag = points.k0_diag,
                           .input_gap = points.gap,
                           .row_ids = ids,
                           .col_ids = ids,
                           .symmetric = true};
  kernels::DepthSweep sweep(spec, kernels::DepthSchedule(depths), {block});
  KernelsByDepth out;
  while (!sweep.finished()) {
    auto rec = sweep.advance(1000);
    if (!rec) continue;
    const auto& bk = rec->blocks.at(0);
    KernelMatrices km{std::vector<double>(sz(P * P)), std::vector<double>(sz(P * P))};
    const double fn = std::exp(rec->nngp_log_scale), ft = std::exp(rec->ntk_log_scale);
    for (std::int64_t j = 0; j < P; ++j) {
      for (std::int64_t i = j; i < P; ++i) {  // computed: row id >= col id
        km.nngp[sz(i + j * P)] = km.nngp[sz(j + i * P)] = bk.nngp[sz(i + j * P)] * fn;
        km.ntk[sz(i + j * P)] = km.ntk[sz(j + i * P)] = bk.ntk[sz(i + j * P)] * ft;
      }
    }
    out[rec->depth] = std::move(km);
  }
  return out;
}

namespace {

struct Dual {
  double a, ad;
};

// The closed forms of docs/kernels.md §Dual activations, written independently of the library's activation_duals.hpp.
Dual spec_dual(Activation act, double q1, double q2, double c) {
  const double pi = std::numbers::pi;
  if (act == Activation::relu) {
    const double s = std::sqrt(q1 * q2);
    const double theta = std::acos(std::clamp(c / s, -1.0, 1.0));
    return {s * (std::sin(theta) + (pi - theta) * std::cos(theta)) / (2 * pi), (pi - theta) / (2 * pi)};
  }
  const double d = (1 + 2 * q1) * (1 + 2 * q2);
  return {(2 / pi) * std::asin(std::clamp(2 * c / std::sqrt(d), -1.0, 1.0)), (4 / pi) / std::sqrt(d - 4 * c * c)};
}

/// A(Σ) and Ad(Σ) of a whole P x P matrix.
void dual_matrix(Activation act, const std::vector<double>& sigma, std::int64_t P, std::vector<double>& a,
                 std::vector<double>& ad) {
  a.resize(sigma.size());
  ad.resize(sigma.size());
  for (std::int64_t j = 0; j < P; ++j) {
    for (std::int64_t i = 0; i < P; ++i) {
      const Dual d = spec_dual(act, sigma[sz(i + i * P)], sigma[sz(j + j * P)], sigma[sz(i + j * P)]);
      a[sz(i + j * P)] = d.a;
      ad[sz(i + j * P)] = d.ad;
    }
  }
}

}  // namespace

KernelsByDepth spec_recursion(const NetworkSpec& spec, const std::vector<std::int64_t>& depths, const Points& points) {
  const std::int64_t P = points.count, d = points.dim;
  const double sw2 = spec.sw2, sb2 = spec.sb2;
  std::vector<double> k0(sz(P * P));
  for (std::int64_t j = 0; j < P; ++j)
    for (std::int64_t i = 0; i < P; ++i) {
      double s = 0.0;
      for (std::int64_t r = 0; r < d; ++r) s += points.x[sz(r + i * d)] * points.x[sz(r + j * d)];
      k0[sz(i + j * P)] = s / static_cast<double>(d);
    }
  const std::int64_t max_depth = *std::max_element(depths.begin(), depths.end());
  std::vector<double> a, ad;
  KernelsByDepth out;

  if (spec.architecture == Architecture::resnet) {
    for (const std::int64_t L : depths) {
      const double a2 = spec.residual.alpha_squared(L);
      std::vector<double> sigma(sz(P * P)), theta(sz(P * P));
      for (std::size_t e = 0; e < sigma.size(); ++e) sigma[e] = theta[e] = sw2 * k0[e] + sb2;
      for (std::int64_t l = 1; l <= L; ++l) {
        dual_matrix(spec.activation, sigma, P, a, ad);
        for (std::size_t e = 0; e < sigma.size(); ++e) {
          const double B = sw2 * a[e] + sb2;
          theta[e] = theta[e] * (1 + a2 * sw2 * ad[e]) + a2 * B;
          sigma[e] += a2 * B;
        }
      }
      KernelMatrices km{sigma, theta};
      for (std::size_t e = 0; e < sigma.size(); ++e) {
        km.nngp[e] = sw2 * sigma[e] + sb2;
        km.ntk[e] = km.nngp[e] + sw2 * theta[e];
      }
      out[L] = std::move(km);
    }
    return out;
  }

  // mlp kernels at every depth up to max_depth: NNGP_L = Σ_{L+1}, NTK_L = Θ_{L+1}.
  std::vector<KernelMatrices> mlp(sz(max_depth + 1));
  std::vector<double> sigma(sz(P * P)), theta(sz(P * P));
  for (std::size_t e = 0; e < sigma.size(); ++e) sigma[e] = theta[e] = sw2 * k0[e] + sb2;
  for (std::int64_t l = 1; l <= max_depth; ++l) {
    dual_matrix(spec.activation, sigma, P, a, ad);
    for (std::size_t e = 0; e < sigma.size(); ++e) {
      const double next = sw2 * a[e] + sb2;
      theta[e] = next + sw2 * ad[e] * theta[e];
      sigma[e] = next;
    }
    mlp[sz(l)] = {sigma, theta};
  }
  for (const std::int64_t L : depths) {
    if (spec.architecture == Architecture::mlp) {
      out[L] = mlp[sz(L)];
      continue;
    }
    const std::int64_t h = spec.readout_every, K = L / h;
    if (K < 1) throw std::invalid_argument("spec_recursion: shortcut depth below the first head");
    KernelMatrices km{std::vector<double>(sz(P * P), 0.0), std::vector<double>(sz(P * P), 0.0)};
    for (std::int64_t k = 1; k <= K; ++k)
      for (std::size_t e = 0; e < km.nngp.size(); ++e) {
        km.nngp[e] += mlp[sz(k * h)].nngp[e] / static_cast<double>(K);
        km.ntk[e] += mlp[sz(k * h)].ntk[e] / static_cast<double>(K);
      }
    out[L] = std::move(km);
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// Statistics

void EntryStats::add(const std::vector<double>& sample) {
  if (count_ == 0) {
    mean_.assign(sample.size(), 0.0);
    m2_.assign(sample.size(), 0.0);
  }
  if (sample.size() != mean_.size()) throw std::invalid_argument("EntryStats: sample size changed");
  ++count_;
  for (std::size_t e = 0; e < sample.size(); ++e) {
    const double delta = sample[e] - mean_[e];
    mean_[e] += delta / static_cast<double>(count_);
    m2_[e] += delta * (sample[e] - mean_[e]);
  }
}

double EntryStats::standard_error(std::size_t e) const {
  if (count_ < 2) return std::numeric_limits<double>::infinity();
  return std::sqrt(m2_[e] / static_cast<double>(count_ - 1) / static_cast<double>(count_));
}

namespace {

void add_sample(McResult::AtDepth& at, const KernelSample& ks) {
  at.nngp.add(ks.nngp);
  at.nngp_naive.add(ks.nngp_naive);
  at.ntk.add(ks.ntk);
}

NetworkSpec base_spec(const NetConfig& cfg, Architecture arch) {
  NetworkSpec s;
  s.architecture = arch;
  s.activation = cfg.activation;
  s.sw2 = cfg.sw2;
  s.sb2 = cfg.sb2;
  return s;
}

std::string config_name(const NetConfig& cfg, const std::string& arch) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s %s sw2=%g sb2=%g", arch.c_str(),
                cfg.activation == Activation::relu ? "relu" : "erf", cfg.sw2, cfg.sb2);
  return buf;
}

}  // namespace

std::vector<McResult> describe(const McPlan& plan) {
  const std::int64_t M = static_cast<std::int64_t>(plan.configs.size());
  constexpr std::int64_t per_config = 5;
  std::vector<McResult> res(sz(M * per_config));
  char alpha_name[64];
  std::snprintf(alpha_name, sizeof alpha_name, "resnet alpha=%g", plan.constant_alpha);
  for (std::int64_t m = 0; m < M; ++m) {
    const NetConfig& cfg = plan.configs[sz(m)];
    McResult* r = &res[sz(m * per_config)];
    r[0].name = config_name(cfg, "mlp");
    r[0].spec = base_spec(cfg, Architecture::mlp);
    r[0].depths = {1, 2, 3, 4};
    r[1].name = config_name(cfg, "shortcut h=1");
    r[1].spec = base_spec(cfg, Architecture::shortcut);
    r[1].spec.readout_every = 1;
    r[1].depths = {1, 2, 3, 4};
    r[2].name = config_name(cfg, "shortcut h=2");
    r[2].spec = base_spec(cfg, Architecture::shortcut);
    r[2].spec.readout_every = 2;
    r[2].depths = {2, 3, 4};  // no head below layer h
    r[3].name = config_name(cfg, "resnet alpha=1/sqrt(L)");
    r[3].spec = base_spec(cfg, Architecture::resnet);
    r[3].spec.residual = {kernels::ResidualScale::Rule::inverse_sqrt_depth, 0.0};
    r[3].depths = {1, 2, 3, 4};
    r[4].name = config_name(cfg, alpha_name);
    r[4].spec = base_spec(cfg, Architecture::resnet);
    r[4].spec.residual = {kernels::ResidualScale::Rule::constant, plan.constant_alpha};
    r[4].depths = {1, 2, 3, 4};
    for (std::int64_t k = 0; k < per_config; ++k) {
      r[k].width = plan.width;
      r[k].samples = plan.samples;
    }
  }
  return res;
}

std::vector<McResult> run_monte_carlo(const McPlan& plan, const Points& points) {
#if defined(__GLIBC__)
  // Every draw allocates and frees a few MB of activations (serial::gemm returns fresh
  // vectors). By default glibc hands such blocks back to the kernel on free, so every draw
  // pays page faults on re-touching them (~20% of the run time in a VM). Keep them in the heap.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
  constexpr std::int64_t depth = 4, per_config = 5;
  const std::int64_t M = static_cast<std::int64_t>(plan.configs.size());
  std::vector<McResult> res = describe(plan);
  // The residual networks of one draw: per config, α = 1/sqrt(L) for L = 1..4 (a different
  // network per L: the first L blocks with that α, one head after block L), then the
  // constant-α network with a head after every block.
  std::vector<ResnetNet> resnets;
  for (const NetConfig& cfg : plan.configs) {
    for (std::int64_t L = 1; L <= depth; ++L) resnets.push_back({cfg, 1.0 / std::sqrt(static_cast<double>(L)), L, {L}});
    resnets.push_back({cfg, plan.constant_alpha, depth, {1, 2, 3, 4}});
  }

  NetworkParams params;
  for (std::int64_t s = 0; s < plan.samples; ++s) {
    Xoshiro256pp engine(mix_seed(plan.seed, static_cast<std::uint64_t>(s)));
    sample_params(plan.width, points.dim, depth, engine, params);
    const MlpPass pass(params, points.x, points.count, plan.configs);
    const auto rk = resnet_kernels(params, points.x, points.count, resnets);
    for (std::int64_t m = 0; m < M; ++m) {
      McResult* r = &res[sz(m * per_config)];
      for (std::int64_t v = 0; v < 3; ++v) {
        const std::int64_t h = v == 0 ? 0 : r[v].spec.readout_every;
        for (const std::int64_t L : r[v].depths) {
          // Output = head on layer L (mlp), or (1/sqrt K) Σ_k head on layer k h (shortcut).
          std::vector<double> gamma(sz(depth), 0.0);
          if (v == 0) {
            gamma[sz(L - 1)] = 1.0;
          } else {
            const std::int64_t K = L / h;
            for (std::int64_t k = 1; k <= K; ++k) gamma[sz(k * h - 1)] = 1.0 / std::sqrt(static_cast<double>(K));
          }
          add_sample(r[v].stats[L], pass.kernels(sz(m), gamma));
        }
      }
      for (std::int64_t L = 1; L <= depth; ++L) add_sample(r[3].stats[L], rk[sz(m * 5 + L - 1)][0]);
      for (std::int64_t L = 1; L <= depth; ++L) add_sample(r[4].stats[L], rk[sz(m * 5 + 4)][sz(L - 1)]);
    }
  }
  return res;
}

// ----------------------------------------------------------------------------------------------
// Comparison

Comparison compare(const McResult& mc, const KernelsByDepth& analytic, const Tolerance& tol, std::ostream& log) {
  Comparison out;
  double sum_z2 = 0.0;
  char buf[512];
  for (const std::int64_t L : mc.depths) {
    const auto& st = mc.stats.at(L);
    const auto& an = analytic.at(L);
    const auto P = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(an.nngp.size()))));
    struct Kind {
      const char* name;
      const EntryStats* stats;
      const std::vector<double>* exact;
      double bias_factor;
    };
    const Kind kinds[] = {{"NNGP ", &st.nngp, &an.nngp, tol.nngp_bias_factor},
                          {"NNGPn", &st.nngp_naive, &an.nngp, tol.nngp_bias_factor},
                          {"NTK  ", &st.ntk, &an.ntk, tol.ntk_bias_factor}};
    for (const Kind& k : kinds) {
      std::string zs;
      for (std::int64_t j = 0; j < P; ++j) {
        for (std::int64_t i = j; i < P; ++i) {
          const std::size_t e = sz(i + j * P);
          const double exact = (*k.exact)[e];
          const double mean = k.stats->mean(e), se = k.stats->standard_error(e);
          const double scale = std::sqrt((*k.exact)[sz(i + i * P)] * (*k.exact)[sz(j + j * P)]);
          const double allowance = k.bias_factor * static_cast<double>(L + 1) / static_cast<double>(mc.width) * scale;
          const double diff = mean - exact;
          const double z = diff / se;
          const double excess = std::max(0.0, (std::abs(diff) - allowance) / se);
          const bool ok = std::abs(diff) <= tol.z_limit * se + allowance;
          ++out.entries;
          sum_z2 += z * z;
          out.max_abs_z = std::max(out.max_abs_z, std::abs(z));
          out.max_excess_z = std::max(out.max_excess_z, excess);
          std::snprintf(buf, sizeof buf, " %+6.2f", z);
          zs += buf;
          if (!ok) {
            ++out.failures;
            std::snprintf(buf, sizeof buf,
                          "  FAIL %s L=%lld %s (%lld,%lld): MC %.6g +- %.3g, analytic %.6g, diff/sqrt(K(x,x)K(x',x')) %+.3g, "
                          "z %+.2f, bias allowance %.3g\n",
                          mc.name.c_str(), static_cast<long long>(L), k.name, static_cast<long long>(i),
                          static_cast<long long>(j), mean, se, exact, diff / scale, z, allowance);
            zs += "!";
            log << buf;
          }
        }
      }
      std::snprintf(buf, sizeof buf, "  %-40s L=%lld %s z (lower triangle by columns) =%s\n", mc.name.c_str(),
                    static_cast<long long>(L), k.name, zs.c_str());
      log << buf;
    }
  }
  out.rms_z = std::sqrt(sum_z2 / static_cast<double>(std::max<std::int64_t>(out.entries, 1)));
  return out;
}

}  // namespace deepntk::montecarlo
