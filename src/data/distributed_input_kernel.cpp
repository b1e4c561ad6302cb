#include "deepntk/data/distributed_input_kernel.hpp"

#include "deepntk/data/input_kernel.hpp"
#include "deepntk/linalg/pblas.hpp"

namespace deepntk::data {

using matrix::DistributedMatrix;
using matrix::GlobalIndex;
using matrix::LocalIndex;

namespace {

DistributedMatrix distribute_points(const PointSet& points, const std::shared_ptr<const grid::ProcessGrid>& grid,
                                    std::int64_t block) {
  DistributedMatrix x(grid, points.count, points.dimension, block);
  x.fill([&](GlobalIndex i, GlobalIndex k) {
    return points.values[static_cast<std::size_t>(i.value() * points.dimension + k.value())];
  });
  return x;
}

// The sweep's view of one local Gram block. For the symmetric train block only entries on
// or below the diagonal are meaningful (PDSYRK filled the lower triangle).
LocalInputBlock local_block(const DistributedMatrix& k0, const PointSet& row_points, const PointSet& col_points,
                            const std::vector<double>& row_diagonal, const std::vector<double>& col_diagonal,
                            bool symmetric) {
  LocalInputBlock out;
  out.rows = k0.local_rows();
  out.cols = k0.local_cols();
  for (std::int64_t r = 0; r < out.rows; ++r) {
    const auto g = k0.global_row(LocalIndex(r)).value();
    out.row_points.push_back(g);
    out.row_k0_diagonal.push_back(row_diagonal[static_cast<std::size_t>(g)]);
  }
  for (std::int64_t c = 0; c < out.cols; ++c) {
    const auto g = k0.global_col(LocalIndex(c)).value();
    out.col_points.push_back(g);
    out.col_k0_diagonal.push_back(col_diagonal[static_cast<std::size_t>(g)]);
  }
  out.gap.assign(static_cast<std::size_t>(out.rows * out.cols), 0.0);
  for (std::int64_t c = 0; c < out.cols; ++c) {
    const auto j = out.col_points[static_cast<std::size_t>(c)];
    for (std::int64_t r = 0; r < out.rows; ++r) {
      const auto i = out.row_points[static_cast<std::size_t>(r)];
      if (symmetric && i <= j) continue;  // the diagonal's gap is 0; the upper triangle is mirrored later
      out.gap[static_cast<std::size_t>(r + c * out.rows)] =
          input_gap(k0.at(LocalIndex(r), LocalIndex(c)), out.row_k0_diagonal[static_cast<std::size_t>(r)],
                    out.col_k0_diagonal[static_cast<std::size_t>(c)], row_points.point(i), col_points.point(j));
    }
  }
  return out;
}

}  // namespace

InputKernels assemble_input_kernels(const Dataset& dataset, const std::shared_ptr<const grid::ProcessGrid>& grid,
                                    std::int64_t block) {
  const auto& train = dataset.train;
  const double inverse_dimension = 1.0 / static_cast<double>(train.dimension);
  const auto x_train = distribute_points(train, grid, block);

  DistributedMatrix k0_train(grid, train.count, train.count, block);
  linalg::syrk(linalg::Triangle::lower, inverse_dimension, x_train, 0.0, k0_train);

  std::vector<double> train_diagonal = input_kernel_diagonal(train);
  std::vector<double> test_diagonal = input_kernel_diagonal(dataset.test);
  LocalInputBlock train_block = local_block(k0_train, train, train, train_diagonal, train_diagonal, true);
  linalg::mirror_triangle(linalg::Triangle::lower, k0_train);

  std::optional<DistributedMatrix> k0_test;
  std::optional<LocalInputBlock> test_block;
  if (dataset.test.count > 0) {
    const auto x_test = distribute_points(dataset.test, grid, block);
    k0_test.emplace(grid, dataset.test.count, train.count, block);
    linalg::gemm(linalg::Op::none, linalg::Op::transpose, inverse_dimension, x_test, x_train, 0.0, *k0_test);
    test_block = local_block(*k0_test, dataset.test, train, test_diagonal, train_diagonal, false);
  }
  return InputKernels{std::move(k0_train), std::move(k0_test), std::move(train_block), std::move(test_block),
                      std::move(train_diagonal), std::move(test_diagonal)};
}

}  // namespace deepntk::data
