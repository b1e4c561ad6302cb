// Spectra against serial LAPACK on the gathered matrix: eigenvalues only (PDSYEVR), top-k
// eigenpairs (including the PDSYEVR back-transformation workspace trap), decomposition quality,
// and the summary numbers, on every grid that fits, with ragged blocks.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "analysis_test_support.hpp"
#include "deepntk/analysis/spectrum.hpp"
#include "deepntk/linalg/serial.hpp"

namespace analysis = deepntk::analysis;
namespace serial = deepntk::linalg::serial;
using deepntk::matrix::DistributedMatrix;
using namespace deepntk::testing;

namespace {

// max over columns of min over signs of |v_k - (+-) w_k|.
double worst_vector_difference(const Vec& v, const Vec& w, std::int64_t n, std::int64_t count) {
  double worst = 0;
  for (std::int64_t k = 0; k < count; ++k) {
    double dot = 0;
    for (std::int64_t i = 0; i < n; ++i) dot += v[at(i, k, n)] * w[at(i, k, n)];
    const double sign = dot < 0 ? -1.0 : 1.0;
    for (std::int64_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(v[at(i, k, n)] - sign * w[at(i, k, n)]));
  }
  return worst;
}

// Serial ||K V - V diag(w)||_F / ||K||_F and ||V^T V - I||_F.
std::pair<double, double> serial_quality(const Vec& k, const Vec& v, const Vec& w, std::int64_t n) {
  const auto count = static_cast<std::int64_t>(w.size());
  auto kv = serial::gemm(false, false, n, count, n, k, v);
  double r = 0, kn = 0;
  for (std::int64_t j = 0; j < count; ++j)
    for (std::int64_t i = 0; i < n; ++i) {
      const double d = kv[at(i, j, n)] - v[at(i, j, n)] * w[static_cast<std::size_t>(j)];
      r += d * d;
    }
  for (double x : k) kn += x * x;
  auto g = serial::gemm(true, false, count, count, n, v, v);
  double o = 0;
  for (std::int64_t j = 0; j < count; ++j)
    for (std::int64_t i = 0; i < count; ++i) {
      const double d = g[at(i, j, count)] - (i == j ? 1.0 : 0.0);
      o += d * d;
    }
  return {std::sqrt(r) / std::sqrt(kn), std::sqrt(o)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(eigenvalues_only_match_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    for (auto [n, nb] : {std::pair<std::int64_t, std::int64_t>{61, 8}, {7, 16}, {100, 32}, {37, 5}}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " n=" << n << " nb=" << nb) {
        const auto a = spd_matrix(n, 11);
        DistributedMatrix da(grid, n, n, nb);
        da.scatter(a);
        const auto w = analysis::eigenvalues(da);
        const auto expected = serial::symmetric_eigenvalues(n, a);
        BOOST_TEST(max_abs_difference(w, expected) <= 1e-13 * max_abs(expected));
        BOOST_TEST(std::is_sorted(w.begin(), w.end()));
        BOOST_TEST(same_on_every_rank(w));
        BOOST_TEST(max_abs_difference(da.gather(), a) == 0.0);  // the input is not touched
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(top_eigenpairs_match_serial) {
  // (n, nb, count): n = 200, nb = 32, top 3 is the case where PDSYEVR's back-transformation
  // workspace is too small unless the range is widened (INFO = 0 and wrong vectors otherwise).
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    for (auto [n, nb, count] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{200, 32, 3},
                                {61, 8, 5}, {7, 16, 2}, {50, 4, 50}, {50, 4, 1}, {50, 4, 0}}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " n=" << n << " nb=" << nb << " top " << count) {
        const auto a = spd_matrix(n, 12);
        DistributedMatrix da(grid, n, n, nb);
        da.scatter(a);
        Vec serial_vectors;
        const auto all = serial::symmetric_eigenvalues(n, a, &serial_vectors);
        const Vec expected(all.end() - count, all.end());
        const Vec expected_vectors(serial_vectors.end() - count * n, serial_vectors.end());

        const auto top = analysis::top_eigenpairs(da, count, true);
        BOOST_TEST(max_abs_difference(top.eigenvalues, expected) <= 1e-13 * max_abs(all));
        BOOST_TEST(same_on_every_rank(top.eigenvalues));
        BOOST_REQUIRE(top.vectors.has_value());
        BOOST_TEST(top.vectors->rows() == n);
        BOOST_TEST(top.vectors->cols() == count);
        const auto v = top.vectors->gather();
        BOOST_TEST(worst_vector_difference(v, expected_vectors, n, count) <= 1e-9);
        if (count > 0) {
          const auto quality = analysis::decomposition_quality(da, top);
          BOOST_TEST(quality.residual <= 1e-13);
          BOOST_TEST(quality.orthogonality <= 1e-12);
          BOOST_TEST(same_on_every_rank(quality.residual));
        }

        const auto values_only = analysis::top_eigenpairs(da, count, false);
        BOOST_TEST(!values_only.vectors.has_value());
        BOOST_TEST(max_abs_difference(values_only.eigenvalues, expected) <= 1e-13 * max_abs(all));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(decomposition_quality_matches_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    const std::int64_t n = 45, nb = 6;
    BOOST_TEST_CONTEXT("grid " << grid->describe()) {
      const auto a = spd_matrix(n, 13);
      DistributedMatrix da(grid, n, n, nb);
      da.scatter(a);
      auto e = analysis::eigendecomposition(da);
      const auto good = analysis::decomposition_quality(da, e);
      BOOST_TEST(good.residual <= 1e-14 * n);
      BOOST_TEST(good.orthogonality <= 1e-14 * n);
      const auto expected = serial::symmetric_eigenvalues(n, a);
      BOOST_TEST(max_abs_difference(e.eigenvalues, expected) <= 1e-13 * max_abs(expected));

      // A wrong decomposition: two eigenvalues swapped, one vector scaled. The distributed
      // measures must reproduce the serial ones on the same (gathered) data.
      std::swap(e.eigenvalues[3], e.eigenvalues[30]);
      auto v = e.vectors->gather();
      for (std::int64_t i = 0; i < n; ++i) v[at(i, 7, n)] *= 1.5;
      e.vectors->scatter(v);
      const auto bad = analysis::decomposition_quality(da, e);
      const auto [residual, orthogonality] = serial_quality(a, v, e.eigenvalues, n);
      BOOST_TEST(bad.residual == residual, boost::test_tools::tolerance(1e-12));
      BOOST_TEST(bad.orthogonality == orthogonality, boost::test_tools::tolerance(1e-12));
      BOOST_TEST(bad.residual > 0.01);
      BOOST_TEST(same_on_every_rank(bad.residual));
      BOOST_TEST(same_on_every_rank(bad.orthogonality));
    }
  }
}

BOOST_AUTO_TEST_CASE(only_the_lower_triangle_is_read) {
  auto grid = make_grid();
  const std::int64_t n = 30, nb = 4;
  const auto a = spd_matrix(n, 14);
  auto corrupted = a;
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < j; ++i) corrupted[at(i, j, n)] = 1e6;  // strictly upper
  DistributedMatrix da(grid, n, n, nb);
  da.scatter(corrupted);
  const auto expected = serial::symmetric_eigenvalues(n, a);
  BOOST_TEST(max_abs_difference(analysis::eigenvalues(da), expected) <= 1e-13 * max_abs(expected));
  const auto e = analysis::eigendecomposition(da);
  BOOST_TEST(analysis::decomposition_quality(da, e).residual <= 1e-13);
  BOOST_TEST(analysis::trace(da) == analysis::summarize_spectrum(expected).trace, boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(summary_of_the_deep_ntk_limit) {
  // (3/4) I + (1/4) 11^T: eigenvalues 3/4 (n - 1 times) and (n + 3)/4 with eigenvector 1/sqrt(n).
  for (auto shape : main_grids()) {
    auto grid = make_grid(shape);
    const std::int64_t n = 50, nb = 8;
    const double dn = static_cast<double>(n);
    DistributedMatrix dk(grid, n, n, nb);
    dk.scatter(compound_symmetric(n, 0.25));
    const auto s = analysis::summarize_spectrum(analysis::eigenvalues(dk));
    BOOST_TEST_CONTEXT("grid " << grid->describe()) {
      BOOST_TEST(s.size == n);
      BOOST_TEST(s.lambda_min == 0.75, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(s.lambda_max == (dn + 3) / 4, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(s.condition_number == (dn + 3) / 3, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(s.effective_rank == 16 * dn / (dn + 15), boost::test_tools::tolerance(1e-13));
      BOOST_TEST(s.log_determinant == (dn - 1) * std::log(0.75) + std::log((dn + 3) / 4),
                 boost::test_tools::tolerance(1e-13));
      BOOST_TEST(s.trace == dn, boost::test_tools::tolerance(1e-14));
      BOOST_TEST(analysis::trace(dk) == dn);
      BOOST_TEST(s.nonpositive == 0);
      BOOST_TEST(same_on_every_rank(s.effective_rank));

      // The top eigenvector of a matrix whose other n - 1 eigenvalues coincide.
      const auto top = analysis::top_eigenpairs(dk, 3, true);
      const auto v = top.vectors->gather();
      double worst = 0;
      const double sign = v[at(0, 2, n)] < 0 ? -1.0 : 1.0;
      for (std::int64_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(sign * v[at(i, 2, n)] - 1 / std::sqrt(dn)));
      BOOST_TEST(worst <= 1e-12);
      const auto quality = analysis::decomposition_quality(dk, top);
      BOOST_TEST(quality.residual <= 1e-13);
      BOOST_TEST(quality.orthogonality <= 1e-12);
      const auto full = analysis::eigendecomposition(dk);
      BOOST_TEST(analysis::decomposition_quality(dk, full).orthogonality <= 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(summary_matches_serial_formulas) {
  auto grid = make_grid();
  const std::int64_t n = 40;
  const auto a = spd_matrix(n, 15);
  DistributedMatrix da(grid, n, n, 7);
  da.scatter(a);
  const auto w = analysis::eigenvalues(da);
  const auto s = analysis::summarize_spectrum(w);
  const auto expected = serial::symmetric_eigenvalues(n, a);
  double sum = 0, sum_sq = 0, log_det = 0;
  for (double x : expected) {
    sum += x;
    sum_sq += x * x;
    log_det += std::log(x);
  }
  BOOST_TEST(s.lambda_min == expected.front(), boost::test_tools::tolerance(1e-13));
  BOOST_TEST(s.lambda_max == expected.back(), boost::test_tools::tolerance(1e-13));
  BOOST_TEST(s.condition_number == expected.back() / expected.front(), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.effective_rank == sum * sum / sum_sq, boost::test_tools::tolerance(1e-13));
  BOOST_TEST(s.log_determinant == log_det, boost::test_tools::tolerance(1e-12));
  double trace = 0;
  for (std::int64_t i = 0; i < n; ++i) trace += a[at(i, i, n)];
  BOOST_TEST(s.trace == trace, boost::test_tools::tolerance(1e-13));
  BOOST_TEST(analysis::trace(da) == trace, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(summary_says_when_the_matrix_is_not_positive_definite) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const auto singular = analysis::summarize_spectrum(Vec{0.0, 1.0, 2.0});
  BOOST_TEST(singular.condition_number == inf);
  BOOST_TEST(singular.log_determinant == -inf);
  BOOST_TEST(singular.nonpositive == 1);
  BOOST_TEST(singular.effective_rank == 9.0 / 5.0, boost::test_tools::tolerance(1e-15));

  const auto indefinite = analysis::summarize_spectrum(Vec{-1e-17, 1.0, 2.0});
  BOOST_TEST(indefinite.condition_number == inf);
  BOOST_TEST(std::isnan(indefinite.log_determinant));
  BOOST_TEST(indefinite.nonpositive == 1);
  BOOST_TEST(indefinite.effective_rank == 9.0 / 5.0, boost::test_tools::tolerance(1e-15));  // clipped, not cancelled

  const auto zero = analysis::summarize_spectrum(Vec{0.0, 0.0});
  BOOST_TEST(zero.effective_rank == 0.0);
  BOOST_CHECK_THROW((void)analysis::summarize_spectrum(Vec{}), std::invalid_argument);
}
