// The counter-based generator behind every finite network's parameters: Philox4x32-10's
// published known-answer vectors, sub-range consistency (what makes a parameter independent
// of which others are drawn), and the moments of the normals it makes.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "deepntk/finite/counter_random.hpp"

using namespace deepntk::finite;

BOOST_AUTO_TEST_CASE(philox_matches_the_published_known_answers) {
  // Random123's kat_vectors for philox4x32_10.
  const PhiloxCounter zero = philox4x32_10({0, 0, 0, 0}, {0, 0});
  BOOST_TEST(zero[0] == 0x6627e8d5u);
  BOOST_TEST(zero[1] == 0xe169c58du);
  BOOST_TEST(zero[2] == 0xbc57ac4cu);
  BOOST_TEST(zero[3] == 0x9b00dbd8u);
  const PhiloxCounter ones = philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
  BOOST_TEST(ones[0] == 0x408f276du);
  BOOST_TEST(ones[1] == 0x41c83b0eu);
  BOOST_TEST(ones[2] == 0xa20bc7c6u);
  BOOST_TEST(ones[3] == 0x6d5451fdu);
  const PhiloxCounter pi = philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  BOOST_TEST(pi[0] == 0xd16cfe09u);
  BOOST_TEST(pi[1] == 0x94fdccebu);
  BOOST_TEST(pi[2] == 0x5001e420u);
  BOOST_TEST(pi[3] == 0x24126ea1u);
}

BOOST_AUTO_TEST_CASE(any_sub_range_of_a_stream_equals_the_whole_stream) {
  const PhiloxKey key = sample_key(20251122, 3);
  std::vector<double> whole(101);
  fill_standard_normal(key, 7, 0, whole);
  for (const std::size_t first : {0u, 1u, 2u, 37u, 100u}) {
    std::vector<double> part(whole.size() - first);
    fill_standard_normal(key, 7, first, part);
    for (std::size_t i = 0; i < part.size(); ++i) BOOST_TEST(part[i] == whole[first + i]);
  }
  std::vector<double> other(whole.size());
  fill_standard_normal(key, 8, 0, other);  // another tensor: another stream
  BOOST_TEST(other[0] != whole[0]);
}

BOOST_AUTO_TEST_CASE(samples_and_seeds_get_distinct_keys) {
  BOOST_TEST((sample_key(1, 0) != sample_key(1, 1)));
  BOOST_TEST((sample_key(1, 0) != sample_key(2, 0)));
  BOOST_TEST((sample_key(0, 0) != PhiloxKey{0, 0}));
}

BOOST_AUTO_TEST_CASE(normals_have_the_moments_of_a_standard_normal) {
  // 2^20 draws: the sample mean, variance and fourth moment within 5 standard errors.
  const std::size_t n = 1u << 20;
  std::vector<double> z(n);
  fill_standard_normal(sample_key(5, 0), 0, 0, z);
  double m1 = 0, m2 = 0, m4 = 0;
  for (const double v : z) {
    m1 += v;
    m2 += v * v;
    m4 += v * v * v * v;
  }
  m1 /= n, m2 /= n, m4 /= n;
  const double root_n = std::sqrt(static_cast<double>(n));
  BOOST_TEST(std::abs(m1) < 5.0 / root_n);
  BOOST_TEST(std::abs(m2 - 1.0) < 5.0 * std::sqrt(2.0) / root_n);
  BOOST_TEST(std::abs(m4 - 3.0) < 5.0 * std::sqrt(96.0) / root_n);
}
