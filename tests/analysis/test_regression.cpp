// Kernel ridge regression, the regularization path, predictions (kernel ridge for several
// lambdas, the infinite-time NTK predictor, gradient flow at finite times) and the metrics,
// against serial LAPACK on the gathered matrices; the fallbacks on a kernel with duplicate
// training points; a multi-class one-hot example.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "analysis_test_support.hpp"
#include "deepntk/analysis/metrics.hpp"
#include "deepntk/analysis/prediction.hpp"
#include "deepntk/analysis/ridge.hpp"
#include "deepntk/analysis/spectrum.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/serial.hpp"

namespace analysis = deepntk::analysis;
namespace serial = deepntk::linalg::serial;
using deepntk::matrix::DistributedMatrix;
using namespace deepntk::testing;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A regression problem: the one-hidden-layer ReLU NTK on sphere points, smooth multi-output
// targets, ragged blocks (70 = 8 * 8 + 6, 33 = 4 * 8 + 1).
struct Problem {
  std::int64_t n, m, k;
  Vec kernel, test_kernel, y, y_test;
};

Vec smooth_targets(const Points& p, std::int64_t k) {
  const auto n = static_cast<std::int64_t>(p.size());
  Vec y(static_cast<std::size_t>(n * k));
  for (std::int64_t j = 0; j < k; ++j)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& x = p[static_cast<std::size_t>(i)];
      y[at(i, j, n)] = std::sin(2.0 * x[0] + static_cast<double>(j)) + x[1] * x[2] - 0.5 * static_cast<double>(j) * x[3];
    }
  return y;
}

Problem make_problem(std::int64_t n, std::int64_t m, std::int64_t k, unsigned seed) {
  const auto train = sphere_points(n, 5, seed), test = sphere_points(m, 5, seed + 100);
  return Problem{n, m, k, kernel_matrix(train, train), kernel_matrix(test, train), smooth_targets(train, k),
                 smooth_targets(test, k)};
}

struct Distributed {
  DistributedMatrix k, kt, y, y_test;
};

Distributed distribute(const Problem& p, std::shared_ptr<const deepntk::grid::ProcessGrid> grid, std::int64_t nb) {
  Distributed d{DistributedMatrix(grid, p.n, p.n, nb), DistributedMatrix(grid, p.m, p.n, nb),
                DistributedMatrix(grid, p.n, p.k, nb), DistributedMatrix(grid, p.m, p.k, nb)};
  d.k.scatter(p.kernel);
  d.kt.scatter(p.test_kernel);
  d.y.scatter(p.y);
  d.y_test.scatter(p.y_test);
  return d;
}

Vec shifted(Vec k, std::int64_t n, double shift) {
  for (std::int64_t i = 0; i < n; ++i) k[at(i, i, n)] += shift;
  return k;
}

double relative_difference(const Vec& a, const Vec& b) { return max_abs_difference(a, b) / max_abs(b); }

// Independent serial gradient flow: V diag((1 - e^(-w t)) / w) V^T Y with the eigenvalues
// and vectors of DSYEVD, the filter in long double.
Vec serial_gradient_flow(const Problem& p, double t) {
  Vec v;
  const auto w = serial::symmetric_eigenvalues(p.n, p.kernel, &v);
  auto z = serial::gemm(true, false, p.n, p.k, p.n, v, p.y);
  for (std::int64_t i = 0; i < p.n; ++i) {
    const long double wi = w[static_cast<std::size_t>(i)];
    const long double g = std::isinf(t) ? 1.0L / wi : (1.0L - std::exp(-wi * static_cast<long double>(t))) / wi;
    for (std::int64_t j = 0; j < p.k; ++j) z[at(i, j, p.n)] = static_cast<double>(g * z[at(i, j, p.n)]);
  }
  const auto alpha = serial::gemm(false, false, p.n, p.k, p.n, v, z);
  return serial::gemm(false, false, p.m, p.k, p.n, p.test_kernel, alpha);
}

}  // namespace

BOOST_AUTO_TEST_CASE(ridge_by_cholesky_matches_serial) {
  const auto p = make_problem(70, 33, 3, 1);
  double serial_trace = 0;
  for (std::int64_t i = 0; i < p.n; ++i) serial_trace += p.kernel[at(i, i, p.n)];
  for (auto shape : grids_that_fit()) {
    auto d = distribute(p, make_grid(shape), 8);
    const double trace = analysis::trace(d.k);
    BOOST_TEST(trace == serial_trace, boost::test_tools::tolerance(1e-15));
    for (auto ridge : {analysis::Ridge{1e-3, analysis::Ridge::Scale::relative},
                       analysis::Ridge{0.5, analysis::Ridge::Scale::absolute}, analysis::Ridge{0.0}}) {
      const double lambda = ridge.resolve(trace, p.n);
      BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols << " lambda " << lambda) {
        const auto solution = analysis::ridge_solve(d.k, d.y, lambda);
        BOOST_TEST(!solution.record.fell_back());
        BOOST_TEST((solution.record.method == analysis::SolveMethod::cholesky));
        BOOST_TEST(solution.record.reciprocal_condition > 1e-6);
        BOOST_TEST(same_on_every_rank(solution.record.reciprocal_condition));
        const auto expected = serial::spd_solve(p.n, p.k, shifted(p.kernel, p.n, lambda), p.y);
        BOOST_TEST(relative_difference(solution.alpha.gather(), expected) <= 1e-11);
        const auto f = analysis::predict(d.kt, solution.alpha).gather();
        BOOST_TEST(relative_difference(f, serial::gemm(false, false, p.m, p.k, p.n, p.test_kernel, expected)) <= 1e-11);
      }
    }
  }
  BOOST_TEST(analysis::Ridge{1e-3}.resolve(70.0, 70) == 1e-3);
  BOOST_CHECK_THROW((void)analysis::Ridge{-1.0}.resolve(1.0, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(regularization_path_and_ridge_predictions_match_serial) {
  const auto p = make_problem(70, 33, 3, 2);
  for (auto shape : grids_that_fit()) {
    auto d = distribute(p, make_grid(shape), 8);
    const double mean = analysis::trace(d.k) / static_cast<double>(p.n);
    const auto basis = analysis::make_spectral_basis(analysis::eigendecomposition(d.k), d.y);
    const Vec lambdas{0.0, 1e-4 * mean, 1e-2 * mean, mean};
    const auto path = analysis::ridge_path(basis, lambdas);
    const auto predictions = analysis::ridge_predictions(basis, d.kt, lambdas);
    BOOST_REQUIRE(path.size() == lambdas.size());
    BOOST_REQUIRE(predictions.size() == lambdas.size());
    for (std::size_t i = 0; i < lambdas.size(); ++i) {
      BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols << " lambda " << lambdas[i]) {
        const auto expected = serial::spd_solve(p.n, p.k, shifted(p.kernel, p.n, lambdas[i]), p.y);
        BOOST_TEST(relative_difference(path[i].alpha.gather(), expected) <= 1e-10);
        BOOST_TEST((path[i].record.method == analysis::SolveMethod::spectral));
        BOOST_TEST(path[i].record.truncated == 0);
        BOOST_TEST(predictions[i].parameter == lambdas[i]);
        const auto f = serial::gemm(false, false, p.m, p.k, p.n, p.test_kernel, expected);
        BOOST_TEST(relative_difference(predictions[i].predictions.gather(), f) <= 1e-10);
        // The same lambda through the Cholesky path.
        const auto direct = analysis::ridge_solve(d.k, d.y, lambdas[i]);
        BOOST_TEST(relative_difference(direct.alpha.gather(), path[i].alpha.gather()) <= 1e-10);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(gradient_flow_filter_limits) {
  BOOST_TEST(analysis::gradient_flow_filter(1e-300, 2.0, 0.0) == 2.0);  // lambda t -> 0: t
  BOOST_TEST(analysis::gradient_flow_filter(1e-20, 1.0, 0.0) == 1.0);
  BOOST_TEST(analysis::gradient_flow_filter(1e-8, 1.0, 0.0) == 1.0 - 0.5e-8, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(analysis::gradient_flow_filter(2.0, 1.0, 0.0) == (1 - std::exp(-2.0)) / 2, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(analysis::gradient_flow_filter(4.0, inf, 0.0) == 0.25);
  BOOST_TEST(analysis::gradient_flow_filter(3.0, 0.0, 0.0) == 0.0);
  BOOST_TEST(analysis::gradient_flow_filter(1e-15, 1.0, 1e-14) == 0.0);  // at or below the floor
  BOOST_TEST(analysis::gradient_flow_filter(-1e-17, 1.0, 0.0) == 0.0);   // rounding-negative
  BOOST_TEST(analysis::ridge_filter(-1e-17, 0.5, 0.0) == 2.0);
  BOOST_TEST(analysis::ridge_filter(1e-16, 0.0, 1e-14) == 0.0);
  BOOST_TEST(analysis::ridge_filter(3.0, 1.0, 1e-14) == 0.25);
}

BOOST_AUTO_TEST_CASE(gradient_flow_predictions_match_serial) {
  const auto p = make_problem(70, 33, 2, 3);
  const Vec times{0.0, 0.1, 1.0, 10.0, 1e3, inf};
  std::vector<Vec> expected;
  for (double t : times) expected.push_back(serial_gradient_flow(p, t));
  for (auto shape : grids_that_fit()) {
    auto d = distribute(p, make_grid(shape), 8);
    const auto basis = analysis::make_spectral_basis(analysis::eigendecomposition(d.k), d.y);
    const auto flow = analysis::gradient_flow_predictions(basis, d.kt, times);
    BOOST_REQUIRE(flow.size() == times.size());
    for (std::size_t i = 0; i < times.size(); ++i) {
      BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols << " t " << times[i]) {
        const auto f = flow[i].predictions.gather();
        if (times[i] == 0.0) {
          BOOST_TEST(max_abs(f) == 0.0);
        } else {
          BOOST_TEST(relative_difference(f, expected[i]) <= 1e-10);
        }
        BOOST_TEST(flow[i].truncated == 0);
      }
    }
    // t = infinity is the infinite-time NTK predictor Kt K^-1 Y, i.e. ridge with lambda = 0.
    const Vec zero{0.0};
    const auto ridge0 = analysis::ridge_predictions(basis, d.kt, zero);
    BOOST_TEST(relative_difference(flow.back().predictions.gather(), ridge0.front().predictions.gather()) <= 1e-12);
    const auto exact = serial::gemm(false, false, p.m, p.k, p.n, p.test_kernel, serial::spd_solve(p.n, p.k, p.kernel, p.y));
    BOOST_TEST(relative_difference(flow.back().predictions.gather(), exact) <= 1e-10);
    // Coefficients directly: on the training points K alpha_t = (I - e^(-t K)) Y -> Y as t grows.
    const auto alpha = analysis::gradient_flow_coefficients(basis, 1e6);
    const auto fit = serial::gemm(false, false, p.n, p.k, p.n, p.kernel, alpha.gather());
    BOOST_TEST(relative_difference(fit, p.y) <= 1e-8);
  }
}

BOOST_AUTO_TEST_CASE(duplicate_training_points_trigger_the_fallback) {
  // 60 points of which the last 8 repeat earlier ones: the depth-1 NTK Gram has 8 exactly
  // duplicated rows (rank 52), so K (lambda = 0, the infinite-time NTK predictor) is singular.
  const std::int64_t n = 60, m = 25, k = 2, duplicates = 8, nb = 7;
  auto train = sphere_points(n - duplicates, 5, 4);
  for (std::int64_t i = 0; i < duplicates; ++i) train.push_back(train[static_cast<std::size_t>(3 * i + 1)]);
  const auto test = sphere_points(m, 5, 5);
  const auto kernel = kernel_matrix(train, train), test_kernel = kernel_matrix(test, train);
  const auto consistent = smooth_targets(train, k);   // duplicates carry the same targets
  const auto conflicting = random_matrix(n, k, 6);    // duplicates disagree: least squares averages
  const double rcond = analysis::default_relative_floor(n);

  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    DistributedMatrix dk(grid, n, n, nb), dkt(grid, m, n, nb);
    dk.scatter(kernel);
    dkt.scatter(test_kernel);
    for (const Vec* targets : {&consistent, &conflicting}) {
      BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols
                                 << (targets == &consistent ? " consistent" : " conflicting") << " targets") {
        DistributedMatrix dy(grid, n, k, nb);
        dy.scatter(*targets);
        const auto solution = analysis::ridge_solve(dk, dy, 0.0);
        const auto& r = solution.record;
        BOOST_TEST(r.fell_back());
        BOOST_TEST((r.method == analysis::SolveMethod::spectral));
        BOOST_TEST(((r.reason == analysis::FallbackReason::not_positive_definite && r.failing_minor > 0) ||
                    (r.reason == analysis::FallbackReason::ill_conditioned && r.reciprocal_condition < rcond)));
        BOOST_TEST(r.truncated == duplicates);
        BOOST_TEST(r.describe().find("spectral") == 0);
        BOOST_TEST(same_on_every_rank(static_cast<double>(r.failing_minor)));
        BOOST_TEST_MESSAGE("fallback: " << r.describe());

        // Reference: the minimum-norm least-squares solution by the SVD (DGELSD) = K^+ Y.
        const auto reference = serial::least_squares(n, n, k, kernel, *targets, rcond);
        const auto alpha = solution.alpha.gather();
        BOOST_TEST(all_finite(alpha));
        BOOST_TEST(relative_difference(alpha, reference) <= 1e-9);
        const auto f = analysis::predict(dkt, solution.alpha).gather();
        BOOST_TEST(all_finite(f));
        BOOST_TEST(relative_difference(f, serial::gemm(false, false, m, k, n, test_kernel, reference)) <= 1e-9);
        if (targets == &consistent) {  // the training data are fitted exactly
          BOOST_TEST(relative_difference(serial::gemm(false, false, n, k, n, kernel, alpha), consistent) <= 1e-9);
        }

        // The same with a precomputed basis (no second eigendecomposition).
        const auto basis = analysis::make_spectral_basis(analysis::eigendecomposition(dk), dy);
        const auto reused = analysis::ridge_solve(dk, dy, 0.0, {}, &basis);
        BOOST_TEST(relative_difference(reused.alpha.gather(), alpha) <= 1e-12);
        BOOST_TEST(reused.record.truncated == duplicates);
        // Gradient flow to t = infinity agrees, and finite times stay finite.
        const Vec times{1.0, inf};
        const auto flow = analysis::gradient_flow_predictions(basis, dkt, times);
        BOOST_TEST(all_finite(flow[0].predictions.gather()));
        BOOST_TEST(relative_difference(flow[1].predictions.gather(), f) <= 1e-9);
        BOOST_TEST(flow[1].truncated == duplicates);
      }
    }

    // Jitter escalation, as in the papers' code: the result is the ridge solution for lambda + jitter.
    DistributedMatrix dy(grid, n, k, nb);
    dy.scatter(consistent);
    analysis::SolveOptions jitter;
    jitter.fallback = analysis::Fallback::jitter;
    const auto jittered = analysis::ridge_solve(dk, dy, 0.0, jitter);
    BOOST_TEST((jittered.record.method == analysis::SolveMethod::cholesky_jitter));
    BOOST_TEST(jittered.record.fell_back());
    BOOST_TEST(jittered.record.jitter > 0);
    BOOST_TEST(jittered.record.cholesky_attempts >= 2);
    BOOST_TEST(same_on_every_rank(jittered.record.jitter));
    BOOST_TEST_MESSAGE("jitter: " << jittered.record.describe());
    const auto expected = serial::spd_solve(n, k, shifted(kernel, n, jittered.record.jitter), consistent);
    const auto f = analysis::predict(dkt, jittered.alpha).gather();
    BOOST_TEST(relative_difference(f, serial::gemm(false, false, m, k, n, test_kernel, expected)) <= 1e-7);
    const auto pinv = serial::gemm(false, false, m, k, n, test_kernel,
                                   serial::least_squares(n, n, k, kernel, consistent, rcond));
    BOOST_TEST(relative_difference(f, pinv) <= 1e-4);  // jitter 1e-10 trace/n and up: close to the limit

    // No fallback: PDPOTRF either stops (NotPositiveDefinite on every rank) or passes on a
    // rounding-size pivot, which the record's condition estimate exposes.
    analysis::SolveOptions none;
    none.fallback = analysis::Fallback::none;
    try {
      const auto unchecked = analysis::ridge_solve(dk, dy, 0.0, none);
      BOOST_TEST(!unchecked.record.fell_back());
      BOOST_TEST(unchecked.record.reciprocal_condition < rcond);
    } catch (const deepntk::linalg::NotPositiveDefinite& e) {
      BOOST_TEST(e.minor() > 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(multiclass_one_hot_accuracy_and_mse) {
  // Three classes of points around three centres on S^4, one-hot (centered) targets.
  const std::int64_t classes = 3, per_class_train = 30, per_class_test = 15, nb = 8;
  const auto centres = sphere_points(classes, 5, 7);
  auto jitter = sphere_points(classes * (per_class_train + per_class_test), 5, 8);
  Points train, test;
  std::vector<std::int64_t> train_labels, test_labels;
  for (std::int64_t i = 0; i < classes * (per_class_train + per_class_test); ++i) {
    const std::int64_t label = i % classes;
    Vec x = centres[static_cast<std::size_t>(label)];
    double norm = 0;
    for (std::size_t c = 0; c < x.size(); ++c) {
      x[c] += 0.9 * jitter[static_cast<std::size_t>(i)][c];
      norm += x[c] * x[c];
    }
    for (auto& v : x) v /= std::sqrt(norm);
    if (i < classes * per_class_train) {
      train.push_back(x);
      train_labels.push_back(label);
    } else {
      test.push_back(x);
      test_labels.push_back(label);
    }
  }
  const auto n = static_cast<std::int64_t>(train.size()), m = static_cast<std::int64_t>(test.size());
  const auto kernel = kernel_matrix(train, train), test_kernel = kernel_matrix(test, train);

  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols) {
      DistributedMatrix dk(grid, n, n, nb), dkt(grid, m, n, nb);
      dk.scatter(kernel);
      dkt.scatter(test_kernel);
      const auto y = analysis::one_hot_targets(grid, train_labels, classes, nb, true);
      const auto y_test = analysis::one_hot_targets(grid, test_labels, classes, nb, true);
      const auto y_serial = y.gather();
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t c = 0; c < classes; ++c)
          BOOST_TEST(y_serial[at(i, c, n)] == (train_labels[static_cast<std::size_t>(i)] == c ? 2.0 / 3 : -1.0 / 3),
                     boost::test_tools::tolerance(1e-15));

      const double lambda = analysis::Ridge{1e-3}.resolve(analysis::trace(dk), n);
      const auto solution = analysis::ridge_solve(dk, y, lambda);
      const auto f = analysis::predict(dkt, solution.alpha);
      const auto accuracy = analysis::classification_accuracy(f, y_test);
      const double mse = analysis::mean_squared_error(f, y_test);

      // Serial: argmax of the gathered predictions, mean of squared errors.
      const auto fs = f.gather(), ys = y_test.gather();
      std::int64_t correct = 0;
      double sq = 0;
      for (std::int64_t i = 0; i < m; ++i) {
        std::int64_t best = 0;
        for (std::int64_t c = 1; c < classes; ++c)
          if (fs[at(i, c, m)] > fs[at(i, best, m)]) best = c;
        correct += best == test_labels[static_cast<std::size_t>(i)] ? 1 : 0;
        for (std::int64_t c = 0; c < classes; ++c) sq += (fs[at(i, c, m)] - ys[at(i, c, m)]) * (fs[at(i, c, m)] - ys[at(i, c, m)]);
      }
      BOOST_TEST(accuracy.total == m);
      BOOST_TEST(accuracy.correct == correct);
      BOOST_TEST(accuracy.fraction() >= 0.75);  // 39 of 45 here: some points sit across class borders
      BOOST_TEST(mse == sq / static_cast<double>(m * classes), boost::test_tools::tolerance(1e-13));
      BOOST_TEST(same_on_every_rank(mse));
      BOOST_TEST(same_on_every_rank(static_cast<double>(accuracy.correct)));
      BOOST_TEST_MESSAGE("accuracy " << accuracy.fraction() << ", MSE " << mse);
    }
  }
}

BOOST_AUTO_TEST_CASE(metrics_edge_cases) {
  for (auto shape : grids_that_fit()) {
    auto grid = make_grid(shape);
    // 5 points, 3 outputs, block 2 (each row spread over grid columns).
    const std::int64_t m = 5, k = 3, nb = 2;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Rows (column-major below): a clear win, a tie (lowest index wins), a NaN, a wrong one, an infinity.
    const Vec f{0.9, 1.0, 0.1, 0.0, 0.3,  //
                0.1, 1.0, nan, 0.9, 0.0,  //
                0.0, 0.0, 0.2, 0.0, inf};
    const std::vector<std::int64_t> labels{0, 0, 2, 2, 2};
    DistributedMatrix df(grid, m, k, nb);
    df.scatter(f);
    const auto y = analysis::one_hot_targets(grid, labels, k, nb, false);
    const auto accuracy = analysis::classification_accuracy(df, y);
    BOOST_TEST(accuracy.correct == 2);  // rows 0 and 1
    BOOST_TEST(accuracy.total == m);
    BOOST_TEST(std::isnan(analysis::mean_squared_error(df, y)));

    // One output: signs.
    DistributedMatrix f1(grid, 4, 1, nb), y1(grid, 4, 1, nb);
    f1.scatter(Vec{0.3, -0.2, 0.1, -5.0});
    y1.scatter(Vec{1.0, -1.0, -1.0, -1.0});
    BOOST_TEST(analysis::classification_accuracy(f1, y1).correct == 3);
    BOOST_TEST(analysis::mean_squared_error(f1, y1) == (0.49 + 0.64 + 1.21 + 16.0) / 4, boost::test_tools::tolerance(1e-15));
    BOOST_CHECK_THROW((void)analysis::one_hot_targets(grid, std::vector<std::int64_t>{0, 3}, 3, nb, false),
                      std::invalid_argument);
  }
}

BOOST_AUTO_TEST_CASE(non_finite_kernels_are_refused_on_every_rank) {
  for (auto shape : main_grids()) {
    auto grid = make_grid(shape);
    const std::int64_t n = 20, nb = 3;
    auto kernel = spd_matrix(n, 31);
    kernel[at(17, 4, n)] = std::numeric_limits<double>::quiet_NaN();  // lower triangle
    DistributedMatrix dk(grid, n, n, nb), dy(grid, n, 1, nb);
    dk.scatter(kernel);
    dy.scatter(Vec(static_cast<std::size_t>(n), 1.0));
    BOOST_CHECK_THROW((void)analysis::ridge_solve(dk, dy, 0.1), std::invalid_argument);
    BOOST_CHECK_THROW((void)analysis::eigendecomposition(dk), std::invalid_argument);
    // A NaN in the upper triangle, which nothing reads, is not an error.
    kernel[at(17, 4, n)] = kernel[at(4, 17, n)];
    kernel[at(4, 17, n)] = std::numeric_limits<double>::quiet_NaN();
    dk.scatter(kernel);
    const auto solution = analysis::ridge_solve(dk, dy, 0.1);
    BOOST_TEST(all_finite(solution.alpha.gather()));
  }
}
