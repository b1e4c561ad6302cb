#include "deepntk/data/distributed_input_kernel.hpp"

#include <algorithm>

#include "deepntk/data/input_kernel.hpp"
#include "deepntk/finite/gram_tile_kernel.hpp"
#include "deepntk/linalg/pblas.hpp"

namespace deepntk::data {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {

// Local rows and columns per tile of the input Gram: the tile's points, packed, take
// (128 + 64) d doubles (1.2 MB at d = 784, in L2 while the tile kernel reads them).
constexpr std::int64_t tile_rows = input_gram_tile_rows;
constexpr std::int64_t tile_cols = input_gram_tile_cols;

// The sweep's view of one local Gram block. For the symmetric train block only entries on
// or below the diagonal are read (the gaps above it are the mirror's business later).
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

// The entries come from finite::inner_products_packed (the same bits as input_kernel_entry), on
// tiles of tile_rows x tile_cols local entries whose points are first packed.
void fill_input_gram(DistributedMatrix& k0, const PointSet& rows, const PointSet& cols, bool lower_only) {
  const std::int64_t d = rows.dimension;
  const std::int64_t ld = std::max<std::int64_t>(1, k0.local_rows());
  const double dimension = static_cast<double>(d);
  // `count` points of one side (global_of(p): the index of the p-th), packed in groups of
  // `group` (finite/gram_tile_kernel.hpp), the last group padded with zeros.
  const auto pack = [d](std::vector<double>& panel, const PointSet& points, std::int64_t count, std::int64_t group,
                        const auto& global_of) {
    panel.assign(static_cast<std::size_t>((count + group - 1) / group * group * d), 0.0);
    for (std::int64_t p = 0; p < count; ++p) {
      const auto x = points.point(global_of(p));
      double* out = panel.data() + (p / group) * group * d + p % group;
      for (std::int64_t k = 0; k < d; ++k) out[k * group] = x[static_cast<std::size_t>(k)];
    }
  };
  std::vector<double> row_panel, col_panel;
  for (std::int64_t r0 = 0; r0 < k0.local_rows(); r0 += tile_rows) {
    const std::int64_t nr = std::min(tile_rows, k0.local_rows() - r0);
    const auto last_row = k0.global_row(LocalIndex(r0 + nr - 1));
    pack(row_panel, rows, nr, finite::packed_rows,
         [&](std::int64_t p) { return k0.global_row(LocalIndex(r0 + p)).value(); });
    for (std::int64_t c0 = 0; c0 < k0.local_cols(); c0 += tile_cols) {
      if (lower_only && last_row < k0.global_col(LocalIndex(c0))) break;  // this tile and the next ones: above
      const std::int64_t nc = std::min(tile_cols, k0.local_cols() - c0);
      pack(col_panel, cols, nc, finite::packed_cols,
           [&](std::int64_t p) { return k0.global_col(LocalIndex(c0 + p)).value(); });
      double* g = k0.local().data() + r0 + c0 * ld;
      finite::inner_products_packed(row_panel.data(), nr, col_panel.data(), nc, d, g, ld);
      for (std::int64_t c = 0; c < nc; ++c) {
        for (std::int64_t r = 0; r < nr; ++r) g[r + c * ld] /= dimension;
      }
    }
  }
}

InputKernels assemble_input_kernels(const Dataset& dataset, const std::shared_ptr<const grid::ProcessGrid>& grid,
                                    std::int64_t block) {
  const auto& train = dataset.train;
  DistributedMatrix k0_train(grid, train.count, train.count, block);
  const bool mirror = input_gram_mirrors(train.dimension);
  fill_input_gram(k0_train, train, train, mirror);

  std::vector<double> train_diagonal = input_kernel_diagonal(train);
  std::vector<double> test_diagonal = input_kernel_diagonal(dataset.test);
  LocalInputBlock train_block = local_block(k0_train, train, train, train_diagonal, train_diagonal, true);
  if (mirror) linalg::mirror_triangle(linalg::Triangle::lower, k0_train);

  std::optional<DistributedMatrix> k0_test;
  std::optional<LocalInputBlock> test_block;
  if (dataset.test.count > 0) {
    k0_test.emplace(grid, dataset.test.count, train.count, block);
    fill_input_gram(*k0_test, dataset.test, train, false);
    test_block = local_block(*k0_test, dataset.test, train, test_diagonal, train_diagonal, false);
  }
  return InputKernels{std::move(k0_train), std::move(k0_test), std::move(train_block), std::move(test_block),
                      std::move(train_diagonal), std::move(test_diagonal)};
}

}  // namespace deepntk::data
