// DGEMM throughput of the BLAS deepntk links, on whatever threads the BLAS is allowed
// (run with OPENBLAS_NUM_THREADS=1 for one core). The number that the project's dense
// linear algebra (PDPOTRF, PDSYEVD, PDGEMM) can at best reach per core, and the yardstick for
// the sweep benchmark: a kernel update costs a few flops plus transcendental calls per pair.
//
//   bench_dgemm_peak [--n 4000] [--reps 3]
//
// CSV on stdout: n, repetition, seconds, gflops, cpu_seconds, cpu_gflops; then a "median" row.
// gflops is per wall-clock second; cpu_gflops per second of this process's CPU time, which
// leaves out the time spent waiting while other processes held the cores (shared machine).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/linalg/serial.hpp"

namespace {

struct Options {
  std::int64_t n = 4000;
  int reps = 3;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "bench_dgemm_peak: %s\nusage: bench_dgemm_peak [--n N] [--reps R]\n", message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("square C = A B, n x n, double");
    if (i + 1 >= argc) usage("every option takes a value");
    const std::string value = argv[++i];
    try {
      if (arg == "--n") {
        o.n = std::stoll(value);
      } else if (arg == "--reps") {
        o.reps = std::stoi(value);
      } else {
        usage(("unknown option " + std::string(arg)).c_str());
      }
    } catch (const std::logic_error&) {
      usage(("not a number: " + value).c_str());
    }
  }
  if (o.n < 1 || o.reps < 1) usage("--n and --reps must be >= 1");
  return o;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

std::vector<double> random_matrix(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> m(static_cast<std::size_t>(n * n));
  for (double& v : m) v = u(rng);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  const auto a = random_matrix(opt.n, 1);
  const auto b = random_matrix(opt.n, 2);

  // A small product first, so that the BLAS's one-time start-up (thread pool, kernel
  // selection from OPENBLAS_CORETYPE) is not charged to the first timed repetition.
  {
    const std::vector<double> s(64 * 64, 1.0);
    volatile double sink = deepntk::linalg::serial::gemm(false, false, 64, 64, 64, s, s)[0];
    (void)sink;
  }

  const double flops = 2.0 * static_cast<double>(opt.n) * static_cast<double>(opt.n) * static_cast<double>(opt.n);
  std::vector<double> seconds, cpu;
  std::printf("n,repetition,seconds,gflops,cpu_seconds,cpu_gflops\n");
  for (int r = 0; r < opt.reps; ++r) {
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const auto c = deepntk::linalg::serial::gemm(false, false, opt.n, opt.n, opt.n, a, b);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double sc = cpu_seconds() - c0;
    // Read one entry so the product cannot be optimized away (it cannot through a BLAS call,
    // but the check costs nothing and also catches a broken BLAS returning zeros).
    if (c[static_cast<std::size_t>(opt.n * opt.n - 1)] == 0.0) std::fprintf(stderr, "warning: C[n-1,n-1] == 0\n");
    seconds.push_back(s);
    cpu.push_back(sc);
    std::printf("%lld,%d,%.4f,%.2f,%.4f,%.2f\n", static_cast<long long>(opt.n), r + 1, s, flops / s * 1e-9, sc,
                flops / sc * 1e-9);
  }
  const double ms = median(seconds), mc = median(cpu);
  std::printf("%lld,median,%.4f,%.2f,%.4f,%.2f\n", static_cast<long long>(opt.n), ms, flops / ms * 1e-9, mc,
              flops / mc * 1e-9);
  return 0;
}
