// Depth-sweep throughput: pair-layer updates per second on one core.
//
// One symmetric n x n block (the train Gram of n points uniform on S^(dim-1)); only the lower
// triangle is computed, so a block holds n(n+1)/2 pairs, and a pair-layer update is one pair
// advanced by one layer. Every case sweeps to a single recorded depth L in one process, so
// pairs * L updates are timed. This is the number that sizes a production run: a job of
// N points to depth L on P cores takes about N^2/2 * L / (P * rate) seconds.
//
//   bench_sweep_throughput [--n 4096] [--depth 1000] [--reps 3] [--cases all|name,name,...]
//                          [--dim 128] [--alpha 0.5] [--seed 1] [--equal-k0]
//
// Cases: mlp-relu mlp-erf resnet-const-relu resnet-const-erf resnet-invsqrt-relu
//        resnet-invsqrt-erf shortcut1-relu shortcut1-erf
// (resnet-const: constant branch scale alpha; resnet-invsqrt: alpha = 1/sqrt(L);
//  shortcut1: a read-out head after every layer, h = 1.)
//
// CSV on stdout, one row per case with the median over the repetitions (the machine is shared
// and noisy, so a single run says little):
//   case,n,depth,pairs,seconds,pair_layer_updates_per_second,cpu_seconds,pair_layer_updates_per_cpu_second
// seconds is wall-clock time; cpu_seconds is this process's CPU time over the same interval.
// On an idle core they agree; when other processes hold the cores, wall time includes the
// waiting and the CPU-time rate is the better measure of the code.
// Per-repetition times, set-up times and a sanity value go to stderr.
//
// --equal-k0 sets K0(x,x) = 1/dim for every point, its exact value on the unit sphere. By
// default K0 is computed from the points, as a run does: the normalized vectors' squared norms
// differ from 1 in the last bits, so ~90% of pairs meet points of "unequal" variance and take
// the sweep's general (norm-mismatch) path. Comparing the two shows what that path costs.
//
// Timed: the advance() calls from the constructed sweep to the recorded depth, including the
// read-out at that depth. Not timed: the input data, the input gaps and the DepthSweep
// constructor (it copies and validates the inputs once per run, O(n^2), not per layer).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/data/input_kernel.hpp"
#include "deepntk/data/sphere.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/kernels/network.hpp"

namespace {

namespace k = deepntk::kernels;

struct Case {
  std::string_view name;
  k::Architecture architecture;
  k::Activation activation;
  k::ResidualScale::Rule residual_rule;
};

constexpr Case all_cases[] = {
    {"mlp-relu", k::Architecture::mlp, k::Activation::relu, k::ResidualScale::Rule::constant},
    {"mlp-erf", k::Architecture::mlp, k::Activation::erf, k::ResidualScale::Rule::constant},
    {"resnet-const-relu", k::Architecture::resnet, k::Activation::relu, k::ResidualScale::Rule::constant},
    {"resnet-const-erf", k::Architecture::resnet, k::Activation::erf, k::ResidualScale::Rule::constant},
    {"resnet-invsqrt-relu", k::Architecture::resnet, k::Activation::relu,
     k::ResidualScale::Rule::inverse_sqrt_depth},
    {"resnet-invsqrt-erf", k::Architecture::resnet, k::Activation::erf, k::ResidualScale::Rule::inverse_sqrt_depth},
    {"shortcut1-relu", k::Architecture::shortcut, k::Activation::relu, k::ResidualScale::Rule::constant},
    {"shortcut1-erf", k::Architecture::shortcut, k::Activation::erf, k::ResidualScale::Rule::constant},
};

struct Options {
  std::int64_t n = 4096;
  std::int64_t depth = 1000;
  int reps = 3;
  std::int64_t dim = 128;
  double alpha = 0.5;  // constant resnet branch scale (the library's default value)
  std::uint64_t seed = 1;
  bool equal_k0 = false;
  std::vector<Case> cases;
};

[[noreturn]] void usage(const std::string& message) {
  std::fprintf(stderr,
               "bench_sweep_throughput: %s\n"
               "usage: bench_sweep_throughput [--n N] [--depth L] [--reps R] [--cases all|c1,c2,...]\n"
               "                              [--dim D] [--alpha A] [--seed S] [--equal-k0]\n"
               "cases:",
               message.c_str());
  for (const Case& c : all_cases) std::fprintf(stderr, " %.*s", static_cast<int>(c.name.size()), c.name.data());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

std::vector<Case> parse_cases(std::string_view list) {
  if (list == "all") return {std::begin(all_cases), std::end(all_cases)};
  std::vector<Case> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    const auto it = std::find_if(std::begin(all_cases), std::end(all_cases),
                                 [&](const Case& c) { return c.name == name; });
    if (it == std::end(all_cases)) usage("unknown case '" + std::string(name) + "'");
    out.push_back(*it);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  if (out.empty()) usage("--cases is empty");
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  o.cases = parse_cases("all");
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("depth-sweep pair-layer updates per second, one core");
    if (arg == "--equal-k0") {
      o.equal_k0 = true;
      continue;
    }
    if (i + 1 >= argc) usage("option " + std::string(arg) + " needs a value");
    const std::string value = argv[++i];
    try {
      if (arg == "--n") {
        o.n = std::stoll(value);
      } else if (arg == "--depth") {
        o.depth = std::llround(std::stod(value));  // accepts 1e3
      } else if (arg == "--reps") {
        o.reps = std::stoi(value);
      } else if (arg == "--dim") {
        o.dim = std::stoll(value);
      } else if (arg == "--alpha") {
        o.alpha = std::stod(value);
      } else if (arg == "--seed") {
        o.seed = std::stoull(value);
      } else if (arg == "--cases") {
        o.cases = parse_cases(value);
      } else {
        usage("unknown option " + std::string(arg));
      }
    } catch (const std::logic_error&) {
      usage("not a number for " + std::string(arg) + ": " + value);
    }
  }
  if (o.n < 2 || o.depth < 1 || o.reps < 1 || o.dim < 2 || !(o.alpha > 0)) {
    usage("need n >= 2, depth >= 1, reps >= 1, dim >= 2, alpha > 0");
  }
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

// CPU time of this process: next to the wall time it shows how much of a slow repetition was
// spent waiting for a core that another process held (the machine is shared).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  const std::int64_t n = opt.n;
  const auto nn = static_cast<std::size_t>(n * n);
  const std::int64_t pairs = n * (n + 1) / 2;

  // Inputs, shared by every case and repetition.
  const auto t_data = std::chrono::steady_clock::now();
  const deepntk::data::Dataset data = deepntk::data::make_sphere_dataset(n, 0, opt.dim, opt.seed);
  std::vector<double> k0 = deepntk::data::input_kernel_diagonal(data.train);
  if (opt.equal_k0) std::fill(k0.begin(), k0.end(), 1.0 / static_cast<double>(opt.dim));
  // The gap from the normalized difference for every pair (what the sweep requires for
  // near-duplicates; here simply used throughout). Lower triangle computed, upper mirrored so
  // that every entry of the block is a valid gap whatever the constructor checks.
  std::vector<double> gap(nn);
  for (std::int64_t j = 0; j < n; ++j) {
    for (std::int64_t i = j; i < n; ++i) {
      const double g = deepntk::data::gap_from_vectors(data.train.point(i), data.train.point(j));
      gap[static_cast<std::size_t>(i + j * n)] = g;
      gap[static_cast<std::size_t>(j + i * n)] = g;
    }
  }
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) ids[static_cast<std::size_t>(i)] = i;
  std::fprintf(stderr, "inputs: %lld points on S^%lld, %lld pairs, K0(x,x) %s, set up in %.1f s\n",
               static_cast<long long>(n), static_cast<long long>(opt.dim - 1), static_cast<long long>(pairs),
               opt.equal_k0 ? "= 1/dim for all points" : "computed from the points", seconds_since(t_data));

  std::printf("case,n,depth,pairs,seconds,pair_layer_updates_per_second,cpu_seconds,pair_layer_updates_per_cpu_second\n");
  std::fflush(stdout);
  for (const Case& c : opt.cases) {
    k::NetworkSpec spec;
    spec.architecture = c.architecture;
    spec.activation = c.activation;
    spec.residual.rule = c.residual_rule;
    spec.residual.value = opt.alpha;
    spec.readout_every = 1;

    std::vector<double> times, cpu_times;
    for (int r = 0; r < opt.reps; ++r) {
      const auto t_setup = std::chrono::steady_clock::now();
      k::DepthSweep sweep(spec, k::DepthSchedule({opt.depth}),
                          {k::PairBlock{.rows = n,
                                        .cols = n,
                                        .row_k0_diag = k0,
                                        .col_k0_diag = k0,
                                        .input_gap = gap,
                                        .row_ids = ids,
                                        .col_ids = ids,
                                        .symmetric = true}});
      const double setup = seconds_since(t_setup);
      if (sweep.work_total() != opt.depth) {
        // The rate counts `depth` layers per pair; say so if the sweep counts its steps otherwise.
        std::fprintf(stderr, "note: %.*s: work_total() = %lld layer steps for depth %lld\n",
                     static_cast<int>(c.name.size()), c.name.data(), static_cast<long long>(sweep.work_total()),
                     static_cast<long long>(opt.depth));
      }

      const double c0 = cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      double sanity_gap = std::nan(""), sanity_ntk = std::nan("");
      while (!sweep.finished()) {
        if (auto rec = sweep.advance(opt.depth)) {
          // Pair (1, 0): the NNGP gap and the normalized NTK. Printed so that a broken or
          // short-circuited sweep is visible next to its suspiciously good speed.
          const k::BlockKernels& b = rec->blocks.front();
          sanity_gap = b.nngp_gap[1];
          sanity_ntk = b.ntk[1] / std::sqrt(b.row_ntk_diag[1] * b.col_ntk_diag[0]);
        }
      }
      const double t = seconds_since(t0);
      const double cpu = cpu_seconds() - c0;
      times.push_back(t);
      cpu_times.push_back(cpu);
      std::fprintf(stderr,
                   "%.*s rep %d: %.3f s wall, %.3f s cpu (+%.2f s construction), pair(1,0): nngp_gap %.6e "
                   "ntk_norm %.12f\n",
                   static_cast<int>(c.name.size()), c.name.data(), r + 1, t, cpu, setup, sanity_gap, sanity_ntk);
    }
    const double t = median(times), tc = median(cpu_times);
    const double updates = static_cast<double>(pairs) * static_cast<double>(opt.depth);
    std::printf("%.*s,%lld,%lld,%lld,%.4f,%.4e,%.4f,%.4e\n", static_cast<int>(c.name.size()), c.name.data(),
                static_cast<long long>(n), static_cast<long long>(opt.depth), static_cast<long long>(pairs), t,
                updates / t, tc, updates / tc);
    std::fflush(stdout);
  }
  return 0;
}
