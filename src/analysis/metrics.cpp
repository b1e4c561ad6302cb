#include "deepntk/analysis/metrics.hpp"

#include <mpi.h>

#include <climits>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "deepntk/mpi/error.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {
void require_same_shape(const DistributedMatrix& f, const DistributedMatrix& y, const char* who) {
  if (f.rows() != y.rows() || f.cols() != y.cols()) {
    throw std::invalid_argument(std::string(who) + ": predictions are " + std::to_string(f.rows()) + "x" +
                                std::to_string(f.cols()) + ", targets " + std::to_string(y.rows()) + "x" +
                                std::to_string(y.cols()));
  }
  detail::require_same_layout(f, y, who);
}

struct ValueIndex {  // MPI_DOUBLE_INT layout
  double value;
  int index;
};

// Per global row: the largest value and its lowest global column, over the whole row (MAXLOC
// picks the larger value and, on ties, the smaller index: order-free, so deterministic).
// `nonfinite` flags rows with a NaN or infinite entry.
std::vector<ValueIndex> row_argmax(const DistributedMatrix& a, std::vector<int>* nonfinite) {
  const auto rows = static_cast<std::size_t>(a.rows());
  std::vector<ValueIndex> mine(rows, ValueIndex{-std::numeric_limits<double>::infinity(), INT_MAX});
  std::vector<int> bad(rows, 0);
  for (std::int64_t c = 0; c < a.local_cols(); ++c) {  // ascending global columns
    const int gc = static_cast<int>(a.global_col(LocalIndex(c)).value());
    for (std::int64_t r = 0; r < a.local_rows(); ++r) {
      const auto gr = static_cast<std::size_t>(a.global_row(LocalIndex(r)).value());
      const double x = a.at(LocalIndex(r), LocalIndex(c));
      if (!std::isfinite(x)) {
        bad[gr] = 1;
        continue;
      }
      if (x > mine[gr].value || (x == mine[gr].value && gc < mine[gr].index)) mine[gr] = ValueIndex{x, gc};
    }
  }
  std::vector<ValueIndex> all(rows);
  const MPI_Comm comm = a.grid().communicator();
  mpi::check(MPI_Allreduce(mine.data(), all.data(), static_cast<int>(rows), MPI_DOUBLE_INT, MPI_MAXLOC, comm),
             "MPI_Allreduce");
  if (nonfinite) {
    nonfinite->assign(rows, 0);
    mpi::check(MPI_Allreduce(bad.data(), nonfinite->data(), static_cast<int>(rows), MPI_INT, MPI_MAX, comm),
               "MPI_Allreduce");
  }
  return all;
}
}  // namespace

double mean_squared_error(const DistributedMatrix& predictions, const DistributedMatrix& targets) {
  require_same_shape(predictions, targets, "mean_squared_error");
  detail::CompensatedSum local;
  for (std::int64_t c = 0; c < predictions.local_cols(); ++c)
    for (std::int64_t r = 0; r < predictions.local_rows(); ++r) {
      const double d = predictions.at(LocalIndex(r), LocalIndex(c)) - targets.at(LocalIndex(r), LocalIndex(c));
      local.add(d * d);
    }
  const double count = static_cast<double>(predictions.rows() * predictions.cols());
  const double total = detail::ordered_sum(predictions.grid().communicator(), local);
  return count > 0 ? total / count : 0.0;
}

Accuracy classification_accuracy(const DistributedMatrix& predictions, const DistributedMatrix& targets) {
  require_same_shape(predictions, targets, "classification_accuracy");
  if (predictions.cols() < 1) throw std::invalid_argument("classification_accuracy: no outputs");
  if (predictions.cols() > INT_MAX) throw std::invalid_argument("classification_accuracy: too many outputs");
  Accuracy out;
  out.total = predictions.rows();
  std::vector<int> nonfinite;
  const auto f = row_argmax(predictions, &nonfinite);
  const auto y = row_argmax(targets, nullptr);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (nonfinite[i]) continue;
    const bool right = predictions.cols() == 1 ? (f[i].value > 0) == (y[i].value > 0) : f[i].index == y[i].index;
    if (right) ++out.correct;
  }
  return out;
}

DistributedMatrix one_hot_targets(std::shared_ptr<const grid::ProcessGrid> grid, std::span<const std::int64_t> labels,
                                  std::int64_t classes, std::int64_t block, bool centered) {
  if (classes < 1) throw std::invalid_argument("one_hot_targets: at least one class is needed");
  for (auto label : labels)
    if (label < 0 || label >= classes) {
      throw std::invalid_argument("one_hot_targets: label " + std::to_string(label) + " outside 0 .. " +
                                  std::to_string(classes - 1));
    }
  const double off = centered ? -1.0 / static_cast<double>(classes) : 0.0;
  DistributedMatrix y(std::move(grid), static_cast<std::int64_t>(labels.size()), classes, block);
  y.fill([&](matrix::GlobalIndex r, matrix::GlobalIndex c) {
    return (labels[static_cast<std::size_t>(r.value())] == c.value() ? 1.0 : 0.0) + off;
  });
  return y;
}

}  // namespace deepntk::analysis
