// Distributed GEMM, SYRK, Cholesky and eigen-decomposition against serial LAPACK on the
// gathered matrix, on every grid shape that fits the run, with ragged blocks.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "deepntk/linalg/cholesky.hpp"
#include "deepntk/linalg/eigen.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "deepntk/linalg/serial.hpp"
#include "mpi_test_support.hpp"

namespace linalg = deepntk::linalg;
using deepntk::grid::GridShape;
using deepntk::matrix::DistributedMatrix;
using deepntk::testing::make_grid;
using deepntk::testing::world;

namespace {

// The same pseudo-random matrix on every rank (fixed seed, same binary).
std::vector<double> random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> m(static_cast<std::size_t>(rows * cols));
  for (auto& x : m) x = uniform(engine);
  return m;
}

// B B^T / k + I: symmetric positive definite and well conditioned.
std::vector<double> spd_matrix(std::int64_t n, unsigned seed) {
  auto b = random_matrix(n, n, seed);
  auto a = linalg::serial::gemm(false, true, n, n, n, b, b);
  for (auto& x : a) x /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) a[static_cast<std::size_t>(i + i * n)] += 1.0;
  return a;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

std::vector<GridShape> grids_that_fit() {
  std::vector<GridShape> out;
  for (GridShape s : {GridShape{1, 1}, GridShape{1, 2}, GridShape{2, 1}, GridShape{2, 2}, GridShape{1, 3}})
    if (s.cells() <= world().size()) out.push_back(s);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(gemm_matches_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    for (auto [m, n, k, nb] : {std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>{37, 23, 19, 4},
                               {8, 8, 8, 16}, {64, 50, 130, 8}}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " m=" << m << " n=" << n << " k=" << k << " nb=" << nb) {
        const auto a = random_matrix(m, k, 1), b = random_matrix(n, k, 2);  // B stored n x k, used transposed
        DistributedMatrix da(grid, m, k, nb), db(grid, n, k, nb), dc(grid, m, n, nb);
        da.scatter(a);
        db.scatter(b);
        linalg::gemm(linalg::Op::none, linalg::Op::transpose, 1.0, da, db, 0.0, dc);
        const auto expected = linalg::serial::gemm(false, true, m, n, k, a, b);
        BOOST_TEST(max_abs_difference(dc.gather(), expected) <= 1e-13 * max_abs(expected));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(syrk_and_mirror_match_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    const std::int64_t n = 45, k = 31, nb = 4;
    const auto x = random_matrix(n, k, 3);
    DistributedMatrix dx(grid, n, k, nb), dc(grid, n, n, nb);
    dx.scatter(x);
    linalg::syrk(linalg::Triangle::lower, 1.0, dx, 0.0, dc);
    linalg::mirror_triangle(linalg::Triangle::lower, dc);
    const auto c = dc.gather();
    const auto expected = linalg::serial::gemm(false, true, n, n, k, x, x);
    BOOST_TEST(max_abs_difference(c, expected) <= 1e-13 * max_abs(expected));
    bool exactly_symmetric = true;
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < n; ++i)
        exactly_symmetric &= c[static_cast<std::size_t>(i + j * n)] == c[static_cast<std::size_t>(j + i * n)];
    BOOST_TEST(exactly_symmetric);
  }
}

BOOST_AUTO_TEST_CASE(cholesky_factor_and_solve_match_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    const std::int64_t n = 53, nrhs = 3, nb = 8;
    const auto a = spd_matrix(n, 4);
    DistributedMatrix da(grid, n, n, nb);
    da.scatter(a);
    linalg::cholesky_factor(linalg::Triangle::lower, da);
    auto factor = da.gather();
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < j; ++i) factor[static_cast<std::size_t>(i + j * n)] = 0.0;  // upper is untouched input
    const auto expected = linalg::serial::cholesky_lower(n, a);
    BOOST_TEST(max_abs_difference(factor, expected) <= 1e-13 * max_abs(expected));

    // Solve A X = B and check the residual with a serial product.
    const auto b = random_matrix(n, nrhs, 5);
    DistributedMatrix db(grid, n, nrhs, nb);
    db.scatter(b);
    linalg::cholesky_solve(linalg::Triangle::lower, da, db);
    const auto x = db.gather();
    const auto ax = linalg::serial::gemm(false, false, n, nrhs, n, a, x);
    BOOST_TEST(max_abs_difference(ax, b) <= 1e-12 * max_abs(b));
  }
}

BOOST_AUTO_TEST_CASE(cholesky_reports_the_failing_minor_on_every_rank) {
  auto grid = make_grid();
  const std::int64_t n = 12;
  auto a = spd_matrix(n, 6);
  // Make the leading 5x5 minor indefinite.
  a[static_cast<std::size_t>(4 + 4 * n)] = -50.0;
  DistributedMatrix da(grid, n, n, 3);
  da.scatter(a);
  int minor = 0;
  try {
    linalg::cholesky_factor(linalg::Triangle::lower, da);
  } catch (const linalg::NotPositiveDefinite& e) {
    minor = e.minor();
    BOOST_TEST(std::string(e.what()).find("PDPOTRF") != std::string::npos);
  }
  BOOST_TEST(minor == 5);
}

BOOST_AUTO_TEST_CASE(eigen_matches_serial) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    for (auto [n, nb] : {std::pair<std::int64_t, std::int64_t>{61, 8}, {7, 16}, {100, 32}}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " n=" << n << " nb=" << nb) {
        const auto a = spd_matrix(n, 7);
        DistributedMatrix da(grid, n, n, nb);
        da.scatter(a);
        auto result = linalg::symmetric_eigen(da, true);
        std::vector<double> serial_vectors;
        const auto expected = linalg::serial::symmetric_eigenvalues(n, a, &serial_vectors);
        BOOST_TEST(max_abs_difference(result.eigenvalues, expected) <= 1e-12 * max_abs(expected));
        BOOST_TEST(std::is_sorted(result.eigenvalues.begin(), result.eigenvalues.end()));
        // Eigenvectors agree up to sign (the random spectrum is well separated).
        const auto v = result.vectors->gather();
        double worst = 0;
        for (std::int64_t k = 0; k < n; ++k) {
          double dot = 0;
          for (std::int64_t i = 0; i < n; ++i)
            dot += v[static_cast<std::size_t>(i + k * n)] * serial_vectors[static_cast<std::size_t>(i + k * n)];
          const double sign = dot < 0 ? -1.0 : 1.0;
          for (std::int64_t i = 0; i < n; ++i)
            worst = std::max(worst, std::abs(v[static_cast<std::size_t>(i + k * n)] -
                                             sign * serial_vectors[static_cast<std::size_t>(i + k * n)]));
        }
        BOOST_TEST(worst <= 1e-9);
      }
    }
  }
}
