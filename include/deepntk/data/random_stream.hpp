#pragma once
// Pseudo-random streams whose output is fixed by the seed alone. std::mt19937_64 is specified
// bit for bit by the standard, but std::normal_distribution, std::uniform_int_distribution and
// std::shuffle are implementation-defined; the transforms below are ours, so generated data
// and chosen subsets are identical across compilers, library versions and rank counts.

#include <cstdint>
#include <random>

namespace deepntk::data {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in (0, 1): 53 random bits, shifted off zero.
  double uniform_open() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }

  /// Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double gaussian();

  /// Uniform integer in [0, bound), bound >= 1, without modulo bias (rejection).
  std::uint64_t below(std::uint64_t bound);

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace deepntk::data
