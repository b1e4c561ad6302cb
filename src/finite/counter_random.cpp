#include "deepntk/finite/counter_random.hpp"

#include <cmath>
#include <numbers>

namespace deepntk::finite {

namespace {

constexpr std::uint32_t philox_m0 = 0xD2511F53u, philox_m1 = 0xCD9E8D57u;  // round multipliers
constexpr std::uint32_t weyl_0 = 0x9E3779B9u, weyl_1 = 0xBB67AE85u;        // key schedule increments

void multiply_high_low(std::uint32_t a, std::uint32_t b, std::uint32_t& high, std::uint32_t& low) noexcept {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  high = static_cast<std::uint32_t>(product >> 32);
  low = static_cast<std::uint32_t>(product);
}

std::uint64_t splitmix64(std::uint64_t z) noexcept {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// 53 random bits as a double in (0, 1] (never 0: Box-Muller takes its logarithm).
double open_closed_unit(std::uint32_t high, std::uint32_t low) noexcept {
  const std::uint64_t bits = ((static_cast<std::uint64_t>(high) << 32) | low) >> 11;
  return (static_cast<double>(bits) + 1.0) * 0x1p-53;
}

// 53 random bits as a double in [0, 1).
double closed_open_unit(std::uint32_t high, std::uint32_t low) noexcept {
  const std::uint64_t bits = ((static_cast<std::uint64_t>(high) << 32) | low) >> 11;
  return static_cast<double>(bits) * 0x1p-53;
}

}  // namespace

PhiloxCounter philox4x32_10(PhiloxCounter c, PhiloxKey k) noexcept {
  for (int round = 0; round < 10; ++round) {
    std::uint32_t high0, low0, high1, low1;
    multiply_high_low(philox_m0, c[0], high0, low0);
    multiply_high_low(philox_m1, c[2], high1, low1);
    c = {high1 ^ c[1] ^ k[0], low1, high0 ^ c[3] ^ k[1], low0};
    k[0] += weyl_0;
    k[1] += weyl_1;
  }
  return c;
}

PhiloxKey sample_key(std::uint64_t seed, std::uint64_t sample) noexcept {
  const std::uint64_t mixed = splitmix64(splitmix64(seed) ^ splitmix64(sample + 0x632BE59BD9B4E019ull));
  return {static_cast<std::uint32_t>(mixed), static_cast<std::uint32_t>(mixed >> 32)};
}

void fill_standard_normal(PhiloxKey key, std::uint64_t stream, std::uint64_t first, std::span<double> out) {
  const double two_pi = 2.0 * std::numbers::pi;
  std::size_t position = 0;
  while (position < out.size()) {
    const std::uint64_t index = first + position;
    const std::uint64_t block = index / 2;
    const PhiloxCounter bits = philox4x32_10({static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                                              static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)},
                                             key);
    const double radius = std::sqrt(-2.0 * std::log(open_closed_unit(bits[0], bits[1])));
    const double angle = two_pi * closed_open_unit(bits[2], bits[3]);
    if (index % 2 == 0) out[position++] = radius * std::cos(angle);
    if (position < out.size()) out[position++] = radius * std::sin(angle);
  }
}

}  // namespace deepntk::finite
