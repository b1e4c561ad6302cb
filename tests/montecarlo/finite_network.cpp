#include "finite_network.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "deepntk/linalg/serial.hpp"

namespace deepntk::montecarlo {

namespace {

using kernels::Activation;
namespace serial = linalg::serial;

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

double phi(Activation act, double z) noexcept { return act == Activation::relu ? std::max(z, 0.0) : std::erf(z); }

/// φ'. For ReLU the value at exactly 0 is irrelevant (probability zero) and taken as 0.
double dphi(Activation act, double z) noexcept {
  if (act == Activation::relu) return z > 0.0 ? 1.0 : 0.0;
  return 2.0 / std::sqrt(std::numbers::pi) * std::exp(-z * z);
}

/// a^T b for a (rows x ca) and b (rows x cb): the ca x cb Gram of their columns.
std::vector<double> gram(std::int64_t rows, std::int64_t ca, const std::vector<double>& a, std::int64_t cb,
                         const std::vector<double>& b) {
  return serial::gemm(true, false, ca, cb, rows, a, b);
}

/// Columns [c0, c1) of an n-row column-major matrix, as a matrix of its own (serial::gemm
/// takes whole vectors).
std::vector<double> columns(const std::vector<double>& m, std::int64_t n, std::int64_t c0, std::int64_t c1) {
  return {m.begin() + c0 * n, m.begin() + c1 * n};
}

/// Gram of columns [c0, c0 + count) of an n-row matrix with themselves.
std::vector<double> column_gram(const std::vector<double>& m, std::int64_t n, std::int64_t c0, std::int64_t count) {
  const std::vector<double> block = columns(m, n, c0, c0 + count);
  return gram(n, count, block, count, block);
}

void check_inputs(const NetworkParams& params, const std::vector<double>& inputs, std::int64_t points) {
  if (points < 1 || static_cast<std::int64_t>(inputs.size()) != params.input_dim * points) {
    throw std::invalid_argument("finite network: inputs must be input_dim x points");
  }
}

/// The first layer's scaled input a_0 = sqrt(sw2/d) x for every (net, input) column i + P m.
std::vector<double> scaled_inputs(const NetworkParams& params, const std::vector<double>& inputs, std::int64_t P,
                                  const std::vector<double>& sw2_of_net) {
  const std::int64_t d = params.input_dim, M = static_cast<std::int64_t>(sw2_of_net.size());
  std::vector<double> a(sz(d * P * M));
  for (std::int64_t m = 0; m < M; ++m) {
    const double scale = std::sqrt(sw2_of_net[sz(m)] / static_cast<double>(d));
    for (std::int64_t e = 0; e < d * P; ++e) a[sz(e + m * d * P)] = scale * inputs[sz(e)];
  }
  return a;
}

}  // namespace

Xoshiro256pp::Xoshiro256pp(std::uint64_t seed) noexcept {
  for (auto& s : s_) s = splitmix64(seed);
}

Xoshiro256pp::result_type Xoshiro256pp::operator()() noexcept {
  const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

namespace {

// Ziggurat of Marsaglia and Tsang (2000) with 256 layers of equal area v under
// f(x) = exp(−x²/2): layer i >= 1 spans [0, x_i] x [f(x_i), f(x_{i+1})], layer 0 is the
// rectangle [0, r] x [0, f(r)] plus the tail beyond r, given the virtual width x_0 = v / f(r).
// One 64-bit draw gives the layer (8 bits), the sign (1 bit) and a 53-bit uniform, and is
// accepted outright 98.5% of the time. (Boost's ziggurat costs about twice as much per draw
// here, and drawing the weights is a third of the test's run time.)
struct Ziggurat {
  static constexpr int layers = 256;
  static constexpr double r = 3.6541528853610088;  // Marsaglia and Tsang's r for 256 layers
  double x[layers + 1];
  double f[layers + 1];

  Ziggurat() {
    const double fr = std::exp(-0.5 * r * r);
    // Layer area = area of the base layer (rectangle + tail); with this v the recursion closes
    // at the top (x_255 (1 − f(x_255)) = v) to rounding.
    const double v = r * fr + std::sqrt(std::numbers::pi / 2) * std::erfc(r / std::sqrt(2.0));
    x[0] = v / fr;
    x[1] = r;
    for (int i = 1; i < layers - 1; ++i) x[i + 1] = std::sqrt(-2.0 * std::log(std::exp(-0.5 * x[i] * x[i]) + v / x[i]));
    x[layers] = 0.0;
    for (int i = 0; i <= layers; ++i) f[i] = std::exp(-0.5 * x[i] * x[i]);
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat z;
  return z;
}

double uniform53(std::uint64_t bits) noexcept {
  return static_cast<double>(static_cast<std::int64_t>(bits >> 11)) * 0x1.0p-53;  // signed: one cvtsi2sd
}

/// The rare rest of a draw that fell outside its layer's core rectangle (~1%): the tail beyond
/// r for layer 0, else the wedge; on rejection, a complete new draw. Kept out of line so that
/// the fast path stays a few instructions in registers.
[[gnu::noinline]] double standard_normal_slow(Xoshiro256pp& engine, const Ziggurat& z, int i, double sign, double u) noexcept {
  for (;;) {
    if (i == 0) {
      // Tail beyond r (Marsaglia 1964): r + a with a ~ Exp(r), accepted with prob exp(−a²/2).
      for (;;) {
        const double a = -std::log1p(-uniform53(engine())) / Ziggurat::r;
        const double b = -std::log1p(-uniform53(engine()));
        if (2.0 * b > a * a) return sign * (Ziggurat::r + a);
      }
    }
    // Wedge: uniform height within the layer, accepted under the curve.
    const double y = z.f[i] + uniform53(engine()) * (z.f[i + 1] - z.f[i]);
    if (y < std::exp(-0.5 * u * u)) return sign * u;
    // Rejected: a fresh draw.
    const std::uint64_t bits = engine();
    i = static_cast<int>(bits & 0xFF);
    sign = (bits & 0x100) ? -1.0 : 1.0;
    u = uniform53(bits) * z.x[i];
    if (u < z.x[i + 1]) return sign * u;
  }
}

}  // namespace

void fill_standard_normal(Xoshiro256pp& engine, std::vector<double>& v) {
  // Two passes: the fast path for every entry with a local copy of the engine (no calls in the
  // loop, so its state stays in registers), then the ~1% of entries that need more work, in
  // order, continuing the same stream.
  const Ziggurat& z = ziggurat();
  struct Pending {
    std::size_t entry;
    int layer;
    double sign, u;
  };
  std::vector<Pending> pending;
  static constexpr double signs[2] = {1.0, -1.0};
  double* out = v.data();
  const std::size_t count = v.size();
  Xoshiro256pp fast = engine;  // never passed by reference: can live in registers
  for (std::size_t e = 0; e < count; ++e) {
    const std::uint64_t bits = fast();
    const std::size_t i = bits & 0xFF;
    const double sign = signs[(bits >> 8) & 1];
    const double u = uniform53(bits) * z.x[i];
    out[e] = sign * u;
    if (!(u < z.x[i + 1])) [[unlikely]] pending.push_back({e, static_cast<int>(i), sign, u});
  }
  engine = fast;
  for (const Pending& p : pending) v[p.entry] = standard_normal_slow(engine, z, p.layer, p.sign, p.u);
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
  std::uint64_t x = a;
  std::uint64_t h = splitmix64(x);
  x = h ^ b;
  h = splitmix64(x);
  x = h ^ c;
  return splitmix64(x);
}

void sample_params(std::int64_t width, std::int64_t input_dim, std::int64_t depth, Xoshiro256pp& engine,
                   NetworkParams& p) {
  const std::int64_t n = width, d = input_dim;
  p.width = width;
  p.input_dim = input_dim;
  p.depth = depth;
  p.w.resize(sz(depth + 1));
  p.b.resize(sz(depth + 1));
  p.v.resize(sz(depth));
  for (std::int64_t l = 0; l <= depth; ++l) {
    p.w[sz(l)].resize(sz(n * (l == 0 ? d : n)));
    fill_standard_normal(engine, p.w[sz(l)]);
    p.b[sz(l)].resize(sz(n));
    fill_standard_normal(engine, p.b[sz(l)]);
  }
  for (std::int64_t k = 0; k < depth; ++k) {
    p.v[sz(k)].resize(sz(n));
    fill_standard_normal(engine, p.v[sz(k)]);
  }
  p.c.resize(sz(depth));
  fill_standard_normal(engine, p.c);
}

// ----------------------------------------------------------------------------------------------
// mlp trunk

MlpPass::MlpPass(const NetworkParams& params, const std::vector<double>& inputs, std::int64_t points,
                 std::vector<NetConfig> nets)
    : points_(points), depth_(params.depth), nets_(std::move(nets)) {
  check_inputs(params, inputs, points);
  const std::int64_t n = params.width, d = params.input_dim, P = points, H = depth_;
  const std::int64_t M = static_cast<std::int64_t>(nets_.size()), C = P * M;  // columns (i + P m)
  std::vector<double> sw2(sz(M)), sb(sz(M)), scale_n(sz(M));
  for (std::int64_t m = 0; m < M; ++m) {
    sw2[sz(m)] = nets_[sz(m)].sw2;
    sb[sz(m)] = std::sqrt(nets_[sz(m)].sb2);
    scale_n[sz(m)] = std::sqrt(nets_[sz(m)].sw2 / static_cast<double>(n));
  }
  act_gram_.assign(sz(M), {});
  delta_gram_.assign(sz(M), std::vector<std::vector<double>>(sz(H)));

  // Forward: h_l = W a_{l-1} + sqrt(sb2) b, a_l = sqrt(sw2/n) φ(h_l), for all nets at once.
  std::vector<double> a = scaled_inputs(params, inputs, P, sw2);
  for (std::int64_t m = 0; m < M; ++m) {
    act_gram_[sz(m)].push_back(gram(d, P, columns(a, d, m * P, (m + 1) * P), P, columns(a, d, m * P, (m + 1) * P)));
  }
  std::vector<std::vector<double>> slope(sz(H));  // φ'(h_l) for the backward pass
  outputs_.assign(sz(C * H), 0.0);
  for (std::int64_t l = 1; l <= H; ++l) {
    const std::vector<double> h = serial::gemm(false, false, n, C, l == 1 ? d : n, params.w[sz(l - 1)], a);
    const auto& bias = params.b[sz(l - 1)];
    a.assign(sz(n * C), 0.0);
    auto& s = slope[sz(l - 1)];
    s.resize(sz(n * C));
    for (std::int64_t col = 0; col < C; ++col) {
      const std::int64_t m = col / P;
      const Activation act = nets_[sz(m)].activation;
      for (std::int64_t r = 0; r < n; ++r) {
        const double z = h[sz(r + col * n)] + sb[sz(m)] * bias[sz(r)];
        a[sz(r + col * n)] = scale_n[sz(m)] * phi(act, z);
        s[sz(r + col * n)] = dphi(act, z);
      }
    }
    // Head on layer l: F = sqrt(sw2/n) v . φ(h_l) + sqrt(sb2) c = v . a_l + sqrt(sb2) c.
    const auto& v = params.v[sz(l - 1)];
    for (std::int64_t col = 0; col < C; ++col) {
      outputs_[sz(col + (l - 1) * C)] =
          std::inner_product(v.begin(), v.end(), a.begin() + col * n, 0.0) + sb[sz(col / P)] * params.c[sz(l - 1)];
    }
    for (std::int64_t m = 0; m < M; ++m) act_gram_[sz(m)].push_back(column_gram(a, n, m * P, P));
  }

  // Backward, all heads of all nets at once, top-down. Column (col + C k) of `delta` is
  // d head_k / d h_l at input column col; it is zero until the loop reaches head k's layer
  // k+1, so at layer l only heads k >= l-1 are active: the trailing columns from (l-1) C.
  std::vector<double> delta(sz(n * C * H), 0.0);
  for (std::int64_t l = H; l >= 1; --l) {
    const auto& s = slope[sz(l - 1)];
    if (l < H) {
      // d/dh_l = sqrt(sw2/n) φ'(h_l) ⊙ (W_{l+1}^T d/dh_{l+1}) for the heads above layer l.
      const std::int64_t c0 = l * C, cols = (H - l) * C;
      const std::vector<double> pulled =
          serial::gemm(true, false, n, cols, n, params.w[sz(l)], columns(delta, n, c0, H * C));
      for (std::int64_t q = 0; q < cols; ++q) {
        const std::int64_t col = q % C;
        const double f = scale_n[sz(col / P)];
        for (std::int64_t r = 0; r < n; ++r) {
          delta[sz(r + (c0 + q) * n)] = f * s[sz(r + col * n)] * pulled[sz(r + q * n)];
        }
      }
    }
    // Head on layer l starts here: dF/dh_l = sqrt(sw2/n) v ⊙ φ'(h_l).
    const auto& v = params.v[sz(l - 1)];
    for (std::int64_t col = 0; col < C; ++col) {
      const double f = scale_n[sz(col / P)];
      for (std::int64_t r = 0; r < n; ++r) delta[sz(r + (col + (l - 1) * C) * n)] = f * v[sz(r)] * s[sz(r + col * n)];
    }
    // Per net, the Gram of its columns over all heads, ordered i + P k.
    for (std::int64_t m = 0; m < M; ++m) {
      std::vector<double> mine(sz(n * P * H));
      for (std::int64_t k = 0; k < H; ++k) {
        std::copy(delta.begin() + (m * P + k * C) * n, delta.begin() + ((m + 1) * P + k * C) * n,
                  mine.begin() + k * P * n);
      }
      delta_gram_[sz(m)][sz(l - 1)] = gram(n, P * H, mine, P * H, mine);
    }
  }
}

KernelSample MlpPass::kernels(std::size_t net, const std::vector<double>& gamma) const {
  const std::int64_t P = points_, H = depth_, PH = P * H, C = P * static_cast<std::int64_t>(nets_.size());
  if (static_cast<std::int64_t>(gamma.size()) != H) throw std::invalid_argument("MlpPass::kernels: one gamma per head");
  if (net >= nets_.size()) throw std::invalid_argument("MlpPass::kernels: no such net");
  const double sb2 = nets_[net].sb2;
  const auto& ag = act_gram_[net];
  const auto& dg = delta_gram_[net];
  const std::int64_t col0 = static_cast<std::int64_t>(net) * P;
  KernelSample out{std::vector<double>(sz(P * P), 0.0), std::vector<double>(sz(P * P), 0.0),
                   std::vector<double>(sz(P * P), 0.0)};
  for (std::int64_t j = 0; j < P; ++j) {
    for (std::int64_t i = 0; i < P; ++i) {
      const std::size_t ij = sz(i + j * P);
      // Read-out parameters of each head: v_k (input a_k) and c_k (input sqrt(sb2)). Heads
      // have disjoint read-outs, so only gamma_k^2 appears; this is also E over the read-out
      // weights of F(x) F(x'), the NNGP given the trunk.
      double readout = 0.0, fi = 0.0, fj = 0.0;
      for (std::int64_t k = 0; k < H; ++k) {
        const double g = gamma[sz(k)];
        readout += g * g * (ag[sz(k + 1)][ij] + sb2);
        fi += g * outputs_[sz(col0 + i + k * C)];
        fj += g * outputs_[sz(col0 + j + k * C)];
      }
      // Trunk: weight block of layer l (input a_{l-1}) and its bias, contracted with the delta
      // of the combined output, δ_l^F = Σ_k gamma_k δ_l^{(k)}.
      double trunk = 0.0;
      for (std::int64_t l = 1; l <= H; ++l) {
        const auto& g = dg[sz(l - 1)];
        double dd = 0.0;
        for (std::int64_t k = l - 1; k < H; ++k)
          for (std::int64_t k2 = l - 1; k2 < H; ++k2)
            dd += gamma[sz(k)] * gamma[sz(k2)] * g[sz((i + k * P) + (j + k2 * P) * PH)];
        trunk += (ag[sz(l - 1)][ij] + sb2) * dd;
      }
      out.nngp[ij] = readout;
      out.nngp_naive[ij] = fi * fj;
      out.ntk[ij] = readout + trunk;
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// resnet

std::vector<std::vector<KernelSample>> resnet_kernels(const NetworkParams& params, const std::vector<double>& inputs,
                                                      std::int64_t points, const std::vector<ResnetNet>& nets,
                                                      std::vector<std::vector<double>>* outputs) {
  check_inputs(params, inputs, points);
  const std::int64_t n = params.width, d = params.input_dim, P = points;
  const std::int64_t M = static_cast<std::int64_t>(nets.size());
  for (const auto& net : nets) {
    if (net.blocks < 1 || net.blocks > params.depth) throw std::invalid_argument("resnet_kernels: blocks out of range");
    for (auto k : net.heads) {
      if (k < 1 || k > net.blocks) throw std::invalid_argument("resnet_kernels: head beyond the last block");
    }
  }
  // Stream columns i + P p, nets in order of decreasing depth so that the nets still running
  // at block l are a leading run of columns.
  std::vector<std::int64_t> by_depth(sz(M));
  std::iota(by_depth.begin(), by_depth.end(), std::int64_t{0});
  std::stable_sort(by_depth.begin(), by_depth.end(),
                   [&](std::int64_t x, std::int64_t y) { return nets[sz(x)].blocks > nets[sz(y)].blocks; });
  std::vector<std::int64_t> position(sz(M));
  for (std::int64_t p = 0; p < M; ++p) position[sz(by_depth[sz(p)])] = p;
  std::vector<double> sw2(sz(M)), sb(sz(M)), scale_n(sz(M));
  for (std::int64_t p = 0; p < M; ++p) {
    const NetConfig& cfg = nets[sz(by_depth[sz(p)])].config;
    sw2[sz(p)] = cfg.sw2;
    sb[sz(p)] = std::sqrt(cfg.sb2);
    scale_n[sz(p)] = std::sqrt(cfg.sw2 / static_cast<double>(n));
  }
  const std::int64_t max_blocks = nets[sz(by_depth[0])].blocks;

  // Forward.
  const std::vector<double> a_in = scaled_inputs(params, inputs, P, sw2);
  std::vector<std::vector<double>> in_gram(sz(M));
  for (std::int64_t p = 0; p < M; ++p) in_gram[sz(p)] = column_gram(a_in, d, p * P, P);
  std::vector<std::vector<double>> stream(sz(max_blocks + 1)), slope(sz(max_blocks));
  std::vector<std::vector<std::vector<double>>> act_gram(sz(M), std::vector<std::vector<double>>(sz(max_blocks)));
  stream[0] = serial::gemm(false, false, n, P * M, d, params.w[0], a_in);
  for (std::int64_t col = 0; col < P * M; ++col)
    for (std::int64_t r = 0; r < n; ++r) stream[0][sz(r + col * n)] += sb[sz(col / P)] * params.b[0][sz(r)];
  for (std::int64_t l = 1; l <= max_blocks; ++l) {
    std::int64_t running = 0;
    while (running < M && nets[sz(by_depth[sz(running)])].blocks >= l) ++running;
    const std::int64_t cols = running * P;
    const auto& prev = stream[sz(l - 1)];
    std::vector<double> a(sz(n * cols));
    auto& s = slope[sz(l - 1)];
    s.resize(sz(n * cols));
    for (std::int64_t col = 0; col < cols; ++col) {
      const std::int64_t p = col / P;
      const Activation act = nets[sz(by_depth[sz(p)])].config.activation;
      for (std::int64_t r = 0; r < n; ++r) {
        const std::size_t q = sz(r + col * n);
        a[q] = scale_n[sz(p)] * phi(act, prev[q]);
        s[q] = dphi(act, prev[q]);
      }
    }
    for (std::int64_t p = 0; p < running; ++p) act_gram[sz(p)][sz(l - 1)] = column_gram(a, n, p * P, P);
    const std::vector<double> branch = serial::gemm(false, false, n, cols, n, params.w[sz(l)], a);
    auto& next = stream[sz(l)];
    next.assign(prev.begin(), prev.begin() + cols * n);
    for (std::int64_t col = 0; col < cols; ++col) {
      const std::int64_t p = col / P;
      const double alpha = nets[sz(by_depth[sz(p)])].alpha;
      for (std::int64_t r = 0; r < n; ++r) {
        next[sz(r + col * n)] += alpha * (branch[sz(r + col * n)] + sb[sz(p)] * params.b[sz(l)][sz(r)]);
      }
    }
  }

  // Heads: group (net, head), ordered by decreasing block so that the groups already reached
  // going down are a leading run of backward columns i + P g.
  struct Group {
    std::int64_t net, head, block, position;
  };
  std::vector<Group> groups;
  for (std::int64_t m = 0; m < M; ++m)
    for (std::size_t h = 0; h < nets[sz(m)].heads.size(); ++h)
      groups.push_back({m, static_cast<std::int64_t>(h), nets[sz(m)].heads[h], position[sz(m)]});
  std::stable_sort(groups.begin(), groups.end(), [](const Group& x, const Group& y) { return x.block > y.block; });
  const std::int64_t G = static_cast<std::int64_t>(groups.size());

  std::vector<std::vector<KernelSample>> result(sz(M));
  for (std::int64_t m = 0; m < M; ++m) result[sz(m)].resize(nets[sz(m)].heads.size());
  if (outputs) {
    outputs->assign(sz(M), {});
    for (std::int64_t m = 0; m < M; ++m) (*outputs)[sz(m)].assign(sz(P) * nets[sz(m)].heads.size(), 0.0);
  }
  for (const Group& g : groups) {
    const std::int64_t p = g.position;
    const auto& v = params.v[sz(g.block - 1)];
    const std::vector<double>& s = stream[sz(g.block)];
    KernelSample& ks = result[sz(g.net)][sz(g.head)];
    // Read-out F = sqrt(sw2/n) v . s_k + sqrt(sb2) c: its own parameters give
    // (sw2/n) s_k(x) . s_k(x') + sb2, which is also E over the read-out of F(x) F(x').
    ks.nngp = column_gram(s, n, p * P, P);
    for (auto& x : ks.nngp) x = x * scale_n[sz(p)] * scale_n[sz(p)] + sb[sz(p)] * sb[sz(p)];
    ks.ntk = ks.nngp;
    std::vector<double> f(sz(P));
    for (std::int64_t i = 0; i < P; ++i) {
      f[sz(i)] = scale_n[sz(p)] * std::inner_product(v.begin(), v.end(), s.begin() + (i + p * P) * n, 0.0) +
                 sb[sz(p)] * params.c[sz(g.block - 1)];
      if (outputs) (*outputs)[sz(g.net)][sz(i + g.head * P)] = f[sz(i)];
    }
    ks.nngp_naive.resize(sz(P * P));
    for (std::int64_t j = 0; j < P; ++j)
      for (std::int64_t i = 0; i < P; ++i) ks.nngp_naive[sz(i + j * P)] = f[sz(i)] * f[sz(j)];
  }

  // Backward. Column (i + P q) of `grad` holds g_l = dF_q(x_i)/ds_l for group q. Block l's
  // parameters get dF/dW_l = α g_l ⊗ a_{l-1} and dF/db_l = α sqrt(sb2) g_l; then
  // g_{l-1} = g_l + α sqrt(sw2/n) φ'(s_{l-1}) ⊙ (W_l^T g_l).
  std::vector<double> grad(sz(n * P * G), 0.0);
  std::int64_t active = 0;
  auto add_block = [&](std::int64_t l) {  // l = 0: the input projection
    for (std::int64_t q = 0; q < active; ++q) {
      const Group& g = groups[sz(q)];
      const ResnetNet& net = nets[sz(g.net)];
      const double factor = l == 0 ? 1.0 : net.alpha * net.alpha;
      const std::vector<double>& wg = l == 0 ? in_gram[sz(g.position)] : act_gram[sz(g.position)][sz(l - 1)];
      const std::vector<double> gg = column_gram(grad, n, q * P, P);
      auto& ntk = result[sz(g.net)][sz(g.head)].ntk;
      for (std::size_t e = 0; e < ntk.size(); ++e) ntk[e] += factor * (wg[e] + net.config.sb2) * gg[e];
    }
  };
  for (std::int64_t l = max_blocks; l >= 1; --l) {
    while (active < G && groups[sz(active)].block == l) {
      const Group& g = groups[sz(active)];
      const auto& v = params.v[sz(l - 1)];
      for (std::int64_t i = 0; i < P; ++i)
        for (std::int64_t r = 0; r < n; ++r) grad[sz(r + (i + active * P) * n)] = scale_n[sz(g.position)] * v[sz(r)];
      ++active;
    }
    if (active == 0) continue;
    add_block(l);
    const std::int64_t cols = active * P;
    const std::vector<double> pulled = serial::gemm(true, false, n, cols, n, params.w[sz(l)], columns(grad, n, 0, cols));
    const auto& s = slope[sz(l - 1)];
    for (std::int64_t q = 0; q < active; ++q) {
      const Group& g = groups[sz(q)];
      const double f = nets[sz(g.net)].alpha * scale_n[sz(g.position)];
      for (std::int64_t i = 0; i < P; ++i) {
        const std::int64_t col = i + q * P, scol = i + g.position * P;
        for (std::int64_t r = 0; r < n; ++r)
          grad[sz(r + col * n)] += f * s[sz(r + scol * n)] * pulled[sz(r + col * n)];
      }
    }
  }
  // Input projection: dF/dW_0 = g_0 ⊗ a_in, dF/db_0 = sqrt(sb2) g_0.
  add_block(0);
  return result;
}

}  // namespace deepntk::montecarlo
