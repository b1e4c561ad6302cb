#pragma once
// Shared data and serial references for the analysis tests: random and structured matrices,
// an NTK-like kernel on sphere points (duplicates allowed), and checks that a value is the same
// on every rank.

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/linalg/serial.hpp"
#include "mpi_test_support.hpp"

namespace deepntk::testing {

using Vec = std::vector<double>;

inline std::size_t at(std::int64_t i, std::int64_t j, std::int64_t rows) {
  return static_cast<std::size_t>(i + j * rows);
}

// The same pseudo-random matrix on every rank (fixed seed, same binary).
inline Vec random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  Vec m(static_cast<std::size_t>(rows * cols));
  for (auto& x : m) x = uniform(engine);
  return m;
}

// B B^T / n + I: symmetric positive definite, well conditioned, well separated spectrum.
inline Vec spd_matrix(std::int64_t n, unsigned seed) {
  auto b = random_matrix(n, n, seed);
  auto a = linalg::serial::gemm(false, true, n, n, n, b, b);
  for (auto& x : a) x /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) a[at(i, i, n)] += 1.0;
  return a;
}

inline double max_abs(const Vec& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

inline double max_abs_difference(const Vec& a, const Vec& b) {
  if (a.size() != b.size()) return INFINITY;
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

inline bool all_finite(const Vec& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// Every grid shape the run can hold; on 4 ranks, 1x3 leaves one rank outside the grid.
inline std::vector<grid::GridShape> grids_that_fit() {
  std::vector<grid::GridShape> out;
  for (grid::GridShape s : {grid::GridShape{1, 1}, grid::GridShape{1, 2}, grid::GridShape{2, 1},
                            grid::GridShape{2, 2}, grid::GridShape{1, 3}})
    if (s.cells() <= world().size()) out.push_back(s);
  return out;
}

// The grid used by tests that need just one: the most square one on all ranks, plus 1x3 on 4.
inline std::vector<grid::GridShape> main_grids() {
  std::vector<grid::GridShape> out{grid::most_square_shape(world().size())};
  if (world().size() >= 4) out.push_back(grid::GridShape{1, 3});
  return out;
}

// True when rank 0 holds bit-for-bit the same value.
inline bool same_on_every_rank(double value) {
  double root = value;
  MPI_Bcast(&root, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  int same = (root == value) || (std::isnan(root) && std::isnan(value)) ? 1 : 0, all = 0;
  MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all == 1;
}

inline bool same_on_every_rank(const Vec& values) {
  bool same = true;
  for (double x : values) same &= same_on_every_rank(x);
  return same;
}

using Points = std::vector<Vec>;

// n points uniform on the unit sphere S^(d-1).
inline Points sphere_points(std::int64_t n, std::int64_t d, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal;
  Points out(static_cast<std::size_t>(n), Vec(static_cast<std::size_t>(d)));
  for (auto& p : out) {
    double norm = 0;
    for (auto& x : p) {
      x = normal(engine);
      norm += x * x;
    }
    for (auto& x : p) x /= std::sqrt(norm);
  }
  return out;
}

// The NTK of a one-hidden-layer ReLU network (positively homogeneous of degree 2):
// Theta(x, y) = |x| |y| (rho k0(rho) + k1(rho)), k0 = (pi - arccos rho) / pi,
// k1 = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / pi. Identical points give identical rows.
inline double relu_ntk(const Vec& x, const Vec& y) {
  double xy = 0, xx = 0, yy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  const double scale = std::sqrt(xx * yy);
  const double rho = std::clamp(xy / scale, -1.0, 1.0);
  const double angle = std::acos(rho);
  const double k0 = (std::numbers::pi - angle) / std::numbers::pi;
  const double k1 = (std::sqrt(std::max(0.0, 1.0 - rho * rho)) + (std::numbers::pi - angle) * rho) / std::numbers::pi;
  return scale * (rho * k0 + k1);
}

// |a| x |b| column-major kernel matrix.
inline Vec kernel_matrix(const Points& a, const Points& b) {
  const auto m = static_cast<std::int64_t>(a.size()), n = static_cast<std::int64_t>(b.size());
  Vec k(static_cast<std::size_t>(m * n));
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < m; ++i) k[at(i, j, m)] = relu_ntk(a[static_cast<std::size_t>(i)], b[static_cast<std::size_t>(j)]);
  return k;
}

// (1 - c) I + c 11^T, n x n.
inline Vec compound_symmetric(std::int64_t n, double c) {
  Vec k(static_cast<std::size_t>(n * n), c);
  for (std::int64_t i = 0; i < n; ++i) k[at(i, i, n)] = 1.0;
  return k;
}

}  // namespace deepntk::testing
