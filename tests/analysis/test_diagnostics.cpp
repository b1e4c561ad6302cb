// Depth diagnostics against serial computations on the gathered matrices: normalized Gram
// statistics, distances to 11^T and to the best (1 - c) I + c 11^T (recovering c = 1/4 for the
// deep-NTK limit), the normalized cross kernel, and the row sums of the predictor weights
// (n / (n + 3) in the limit); every value identical on every rank.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "analysis_test_support.hpp"
#include "deepntk/analysis/diagnostics.hpp"
#include "deepntk/linalg/serial.hpp"

namespace analysis = deepntk::analysis;
namespace serial = deepntk::linalg::serial;
using deepntk::matrix::DistributedMatrix;
using namespace deepntk::testing;

namespace {

// Points with random norms in [0.5, 2]: the homogeneous NTK then has a varying diagonal.
Points scaled_points(std::int64_t n, std::int64_t d, unsigned seed) {
  auto p = sphere_points(n, d, seed);
  std::mt19937_64 engine(seed + 1);
  std::uniform_real_distribution<double> radius(0.5, 2.0);
  for (auto& x : p) {
    const double r = radius(engine);
    for (auto& v : x) v *= r;
  }
  return p;
}

Vec diagonal_of(const Vec& k, std::int64_t n) {
  Vec d(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) d[static_cast<std::size_t>(i)] = k[at(i, i, n)];
  return d;
}

struct SerialDiagnostics {
  double min = INFINITY, max = -INFINITY, mean = 0, to_ones = 0, to_best = 0;
};

// Straightforward serial version over all i != j (both triangles), two passes.
SerialDiagnostics serial_diagnostics(const Vec& k, std::int64_t n) {
  SerialDiagnostics s;
  long double sum = 0, ones = 0;
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i) {
      if (i == j) continue;
      const double x = k[at(i, j, n)] / std::sqrt(k[at(i, i, n)] * k[at(j, j, n)]);
      s.min = std::min(s.min, x);
      s.max = std::max(s.max, x);
      sum += x;
      ones += (1.0L - x) * (1.0L - x);
    }
  s.mean = static_cast<double>(sum / (static_cast<long double>(n) * (n - 1)));
  long double best = 0;
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i) {
      if (i == j) continue;
      const long double x = k[at(i, j, n)] / std::sqrt(k[at(i, i, n)] * k[at(j, j, n)]);
      best += (x - s.mean) * (x - s.mean);
    }
  s.to_ones = std::sqrt(static_cast<double>(ones));
  s.to_best = std::sqrt(static_cast<double>(best));
  return s;
}

// D^(1/2) N D^(1/2) for a diagonal D in [0.5, 2].
Vec rescaled(const Vec& normalized, std::int64_t n, unsigned seed, Vec* diagonal) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> scale(0.5, 2.0);
  Vec d(static_cast<std::size_t>(n));
  for (auto& x : d) x = scale(engine);
  Vec k(normalized.size());
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i)
      k[at(i, j, n)] = normalized[at(i, j, n)] * std::sqrt(d[static_cast<std::size_t>(i)] * d[static_cast<std::size_t>(j)]);
  for (std::int64_t i = 0; i < n; ++i) k[at(i, i, n)] = d[static_cast<std::size_t>(i)];
  *diagonal = d;
  return k;
}

bool all_same(const analysis::NormalizedGramDiagnostics& d) {
  return same_on_every_rank(d.min_offdiagonal) && same_on_every_rank(d.mean_offdiagonal) &&
         same_on_every_rank(d.max_offdiagonal) && same_on_every_rank(d.distance_to_ones) &&
         same_on_every_rank(d.distance_to_best) && same_on_every_rank(d.relative_distance_to_best);
}

}  // namespace

BOOST_AUTO_TEST_CASE(normalized_gram_matches_serial) {
  const std::int64_t n = 57, nb = 6;
  const auto points = scaled_points(n, 6, 21);
  const auto kernel = kernel_matrix(points, points);
  const auto diagonal = diagonal_of(kernel, n);
  const auto expected = serial_diagnostics(kernel, n);
  auto corrupted = kernel;  // only the strictly lower triangle may be read
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i <= j; ++i) corrupted[at(i, j, n)] = -1e3;
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    BOOST_TEST_CONTEXT("grid " << grid->describe()) {
      DistributedMatrix dk(grid, n, n, nb);
      dk.scatter(corrupted);
      const auto d = analysis::normalized_gram_diagnostics(dk, diagonal);
      BOOST_TEST(d.size == n);
      BOOST_TEST(d.min_offdiagonal == expected.min, boost::test_tools::tolerance(1e-15));
      BOOST_TEST(d.max_offdiagonal == expected.max, boost::test_tools::tolerance(1e-15));
      BOOST_TEST(d.mean_offdiagonal == expected.mean, boost::test_tools::tolerance(1e-14));
      BOOST_TEST(d.best_c == d.mean_offdiagonal);
      BOOST_TEST(d.distance_to_ones == expected.to_ones, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(d.relative_distance_to_ones == expected.to_ones / n, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(d.distance_to_best == expected.to_best, boost::test_tools::tolerance(1e-13));
      const double target_norm = std::sqrt(n + n * (n - 1.0) * expected.mean * expected.mean);
      BOOST_TEST(d.relative_distance_to_best == expected.to_best / target_norm, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(all_same(d));
    }
  }
}

BOOST_AUTO_TEST_CASE(deep_ntk_limit_recovers_c_one_quarter) {
  // K = D^(1/2) ((3/4) I + (1/4) 11^T) D^(1/2): the normalized Gram is exactly the limit.
  const std::int64_t n = 43, nb = 5;
  Vec diagonal;
  const auto kernel = rescaled(compound_symmetric(n, 0.25), n, 22, &diagonal);
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    BOOST_TEST_CONTEXT("grid " << grid->describe()) {
      DistributedMatrix dk(grid, n, n, nb);
      dk.scatter(kernel);
      const auto d = analysis::normalized_gram_diagnostics(dk, diagonal);
      BOOST_TEST(std::abs(d.best_c - 0.25) <= 1e-15);
      BOOST_TEST(std::abs(d.min_offdiagonal - 0.25) <= 1e-15);
      BOOST_TEST(std::abs(d.max_offdiagonal - 0.25) <= 1e-15);
      BOOST_TEST(d.distance_to_best <= 1e-13);
      BOOST_TEST(d.relative_distance_to_best <= 1e-14);
      BOOST_TEST(d.distance_to_ones == 0.75 * std::sqrt(n * (n - 1.0)), boost::test_tools::tolerance(1e-14));
      BOOST_TEST(d.relative_distance_to_ones == 0.75 * std::sqrt(n * (n - 1.0)) / n, boost::test_tools::tolerance(1e-14));
      BOOST_TEST(all_same(d));
    }
  }
  // The NNGP limit 11^T: distance 0 to the ones matrix, c = 1.
  auto grid = make_grid();
  DistributedMatrix ones(grid, n, n, nb);
  ones.scatter(compound_symmetric(n, 1.0));
  const auto d = analysis::normalized_gram_diagnostics(ones, Vec(static_cast<std::size_t>(n), 1.0));
  BOOST_TEST(d.distance_to_ones == 0.0);
  BOOST_TEST(d.best_c == 1.0);
  BOOST_TEST(d.distance_to_best == 0.0);
}

BOOST_AUTO_TEST_CASE(near_the_limit_the_distance_is_not_lost_to_cancellation) {
  // N = limit + 1e-9 perturbation: sum N^2 - n(n-1) c^2 would lose every digit; two passes keep them.
  const std::int64_t n = 40, nb = 8;
  auto normalized = compound_symmetric(n, 0.25);
  const auto noise = random_matrix(n, n, 23);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i)
      if (i != j) normalized[at(i, j, n)] += 1e-9 * (noise[at(i, j, n)] + noise[at(j, i, n)]);
  const auto expected = serial_diagnostics(normalized, n);
  auto grid = make_grid();
  DistributedMatrix dk(grid, n, n, nb);
  dk.scatter(normalized);
  const auto d = analysis::normalized_gram_diagnostics(dk, Vec(static_cast<std::size_t>(n), 1.0));
  BOOST_TEST(expected.to_best > 1e-8);
  BOOST_TEST(d.distance_to_best == expected.to_best, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(d.best_c == expected.mean, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(cross_kernel_matches_serial) {
  const std::int64_t n = 50, m = 23, nb = 7;
  const auto train = scaled_points(n, 5, 24), test = scaled_points(m, 5, 25);
  const auto kt = kernel_matrix(test, train);
  const auto train_diag = diagonal_of(kernel_matrix(train, train), n);
  const auto test_diag = diagonal_of(kernel_matrix(test, test), m);
  double lo = INFINITY, hi = -INFINITY;
  long double sum = 0;
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < m; ++i) {
      const double x = kt[at(i, j, m)] / std::sqrt(test_diag[static_cast<std::size_t>(i)] * train_diag[static_cast<std::size_t>(j)]);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      sum += x;
    }
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    DistributedMatrix dkt(grid, m, n, nb);
    dkt.scatter(kt);
    const auto r = analysis::normalized_cross_diagnostics(dkt, test_diag, train_diag);
    BOOST_TEST(r.min == lo, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(r.max == hi, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(r.mean == static_cast<double>(sum / (m * n)), boost::test_tools::tolerance(1e-14));
    BOOST_TEST(same_on_every_rank(r.mean));
  }
}

BOOST_AUTO_TEST_CASE(predictor_weight_row_sums_match_serial) {
  const std::int64_t n = 64, m = 29, nb = 8;
  const auto train = sphere_points(n, 6, 26), test = sphere_points(m, 6, 27);
  const auto kernel = kernel_matrix(train, train), kt = kernel_matrix(test, train);
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    DistributedMatrix dk(grid, n, n, nb), dkt(grid, m, n, nb);
    dk.scatter(kernel);
    dkt.scatter(kt);
    for (double lambda : {0.0, 0.1}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " lambda " << lambda) {
        auto shifted = kernel;
        for (std::int64_t i = 0; i < n; ++i) shifted[at(i, i, n)] += lambda;
        const auto u = serial::spd_solve(n, 1, shifted, Vec(static_cast<std::size_t>(n), 1.0));
        const auto expected = serial::gemm(false, false, m, 1, n, kt, u);
        const auto w = analysis::predictor_weight_sums(dkt, dk, lambda);
        BOOST_TEST(max_abs_difference(w.row_sums, expected) <= 1e-11 * max_abs(expected));
        BOOST_TEST(w.min == *std::min_element(expected.begin(), expected.end()), boost::test_tools::tolerance(1e-11));
        BOOST_TEST(w.max == *std::max_element(expected.begin(), expected.end()), boost::test_tools::tolerance(1e-11));
        double mean = 0;
        for (double x : expected) mean += x / m;
        BOOST_TEST(w.mean == mean, boost::test_tools::tolerance(1e-11));
        BOOST_TEST(!w.record.fell_back());
        BOOST_TEST(same_on_every_rank(w.row_sums));
        BOOST_TEST(same_on_every_rank(w.mean));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(predictor_weights_in_the_deep_ntk_limit) {
  // Theta = (3/4) I + (1/4) 11^T on the training points, 1/4 between test and training points:
  // every weight is 1/(n + 3), every row sum n/(n + 3).
  const std::int64_t n = 37, m = 11, nb = 4;
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    DistributedMatrix dk(grid, n, n, nb), dkt(grid, m, n, nb);
    dk.scatter(compound_symmetric(n, 0.25));
    dkt.scatter(Vec(static_cast<std::size_t>(m * n), 0.25));
    const auto w = analysis::predictor_weight_sums(dkt, dk, 0.0);
    const double expected = static_cast<double>(n) / (n + 3.0);
    BOOST_TEST(w.row_sums.size() == static_cast<std::size_t>(m));
    for (double x : w.row_sums) BOOST_TEST(x == expected, boost::test_tools::tolerance(1e-14));
    BOOST_TEST(w.mean / n == 1.0 / (n + 3.0), boost::test_tools::tolerance(1e-14));
  }
}
