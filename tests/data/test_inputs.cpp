// The sphere generator and the input correlation gap, including near-duplicate pairs where
// the Gram entry alone cannot give 1 - rho_0 accurately.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "deepntk/data/input_kernel.hpp"
#include "deepntk/data/sphere.hpp"

using namespace deepntk::data;

BOOST_AUTO_TEST_CASE(sphere_points_are_unit_and_reproducible) {
  const auto a = make_sphere_dataset(50, 10, 128, 7);
  const auto b = make_sphere_dataset(50, 10, 128, 7);
  const auto c = make_sphere_dataset(50, 10, 128, 8);
  BOOST_TEST(a.train.values == b.train.values);
  BOOST_TEST(a.test.values == b.test.values);
  BOOST_TEST(a.train.values != c.train.values);
  BOOST_TEST(a.train.count == 50);
  BOOST_TEST(a.test.count == 10);
  for (std::int64_t i = 0; i < a.train.count; ++i) {
    double norm2 = 0;
    for (double v : a.train.point(i)) norm2 += v * v;
    BOOST_TEST(std::abs(norm2 - 1.0) < 1e-14);
  }
  // Mean of a coordinate over many points is near 0 and its variance near 1/d: a broken
  // transform (e.g. uniform instead of Gaussian before normalizing) fails these.
  const auto big = make_sphere_dataset(20000, 0, 16, 3);
  double mean = 0, second = 0;
  for (std::int64_t i = 0; i < big.train.count; ++i) {
    const double v = big.train.point(i)[0];
    mean += v;
    second += v * v;
  }
  mean /= 20000.0;
  second /= 20000.0;
  BOOST_TEST(std::abs(mean) < 0.01);
  BOOST_TEST(std::abs(second - 1.0 / 16.0) < 0.003);
  BOOST_CHECK_THROW((void)make_sphere_dataset(0, 1, 3, 1), std::invalid_argument);
  BOOST_CHECK_THROW((void)make_sphere_dataset(3, 1, 1, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(near_duplicate_gap_is_accurate) {
  // x and y = x rotated by a tiny angle t in the (e0, e1) plane: 1 - rho_0 = 1 - cos t.
  for (double t : {1e-6, 1.4142135623730951e-6, 1e-4, 0.3}) {
    std::vector<double> x(64, 0.0), y(64, 0.0);
    x[0] = 3.0;
    y[0] = 3.0 * std::cos(t);
    y[1] = 3.0 * std::sin(t);
    for (std::size_t k = 2; k < 64; ++k) x[k] = y[k] = 0.0;
    const double exact = 2.0 * std::sin(t / 2) * std::sin(t / 2);
    double xy = 0, xx = 0, yy = 0;
    for (std::size_t k = 0; k < 64; ++k) {
      xy += x[k] * y[k];
      xx += x[k] * x[k];
      yy += y[k] * y[k];
    }
    const double gap = input_gap(xy / 64, xx / 64, yy / 64, x, y);
    BOOST_TEST_CONTEXT("t = " << t) { BOOST_TEST(std::abs(gap - exact) <= 1e-13 * exact); }
  }
  // Identical points: exactly zero; antipodal: exactly two.
  std::vector<double> p{0.3, -0.4, 1.2}, q{-0.3, 0.4, -1.2};
  BOOST_TEST(gap_from_vectors(p, p) == 0.0);
  BOOST_TEST(input_gap(-1.69 / 3, 1.69 / 3, 1.69 / 3, p, q) == 2.0);
}

BOOST_AUTO_TEST_CASE(bad_points_are_named) {
  PointSet points{3, 2, {1.0, 0.0, 0.0, 0.0, 2.0, 1.0}};
  try {
    validate_points(points, "x_train");
    BOOST_FAIL("a zero vector was accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("x_train point 1 is the zero vector") != std::string::npos);
  }
  points.values[5] = std::nan("");
  points.values[2] = 1.0;
  try {
    validate_points(points, "x_test");
    BOOST_FAIL("NaN was accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("x_test point 2 contains NaN") != std::string::npos);
  }
}
