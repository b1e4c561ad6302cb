#include "deepntk/finite/gradient_gram.hpp"

#include <algorithm>
#include <stdexcept>

#include "deepntk/linalg/serial.hpp"

namespace deepntk::finite {

namespace {

// Σ_i x[i] y[i] in index order.
double dot(const double* x, const double* y, std::int64_t n) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

}  // namespace

GradientGram::GradientGram(std::int64_t batch_points, std::vector<GramTile> tiles, GramDiagonal* diagonal)
    : batch_points_(batch_points), tiles_(std::move(tiles)), diagonal_(diagonal) {
  std::int64_t largest = 0;
  for (const GramTile& t : tiles_) {
    if (t.rows < 0 || t.cols < 0 || t.row_point < 0 || t.col_point < 0 || t.row_point + t.rows > batch_points ||
        t.col_point + t.cols > batch_points || t.ld < std::max<std::int64_t>(1, t.rows)) {
      throw std::invalid_argument("GradientGram: a tile lies outside the batch or its storage");
    }
    largest = std::max(largest, t.rows * t.cols);
  }
  if (diagonal_ != nullptr && (static_cast<std::int64_t>(diagonal_->ntk.size()) != batch_points ||
                               static_cast<std::int64_t>(diagonal_->feature.size()) != batch_points)) {
    throw std::invalid_argument("GradientGram: the diagonal must have one entry per batch point");
  }
  delta_products_.resize(static_cast<std::size_t>(largest));
  input_products_.resize(static_cast<std::size_t>(largest));
}

void GradientGram::weight_group(const double* delta, std::int64_t delta_rows, const double* input,
                                std::int64_t input_rows, double weight_factor, double bias_factor) {
  for (const GramTile& t : tiles_) {
    if (t.rows == 0 || t.cols == 0) continue;
    double* dd = delta_products_.data();
    double* aa = input_products_.data();
    linalg::serial::gemm_tn(t.rows, t.cols, delta_rows, delta + t.row_point * delta_rows, delta_rows,
                            delta + t.col_point * delta_rows, delta_rows, 0.0, dd, t.rows);
    linalg::serial::gemm_tn(t.rows, t.cols, input_rows, input + t.row_point * input_rows, input_rows,
                            input + t.col_point * input_rows, input_rows, 0.0, aa, t.rows);
    for (std::int64_t j = 0; j < t.cols; ++j) {
      double* out = t.ntk + j * t.ld;
      const double* dcol = dd + j * t.rows;
      const double* acol = aa + j * t.rows;
      for (std::int64_t i = 0; i < t.rows; ++i) out[i] += dcol[i] * (weight_factor * acol[i] + bias_factor);
    }
    flops_ += static_cast<double>(t.rows * t.cols) * (2.0 * static_cast<double>(delta_rows + input_rows) + 4.0);
  }
  if (diagonal_ != nullptr) {
    for (std::int64_t p = 0; p < batch_points_; ++p) {
      const double* dp = delta + p * delta_rows;
      const double* ap = input + p * input_rows;
      diagonal_->ntk[static_cast<std::size_t>(p)] += dot(dp, dp, delta_rows) * (weight_factor * dot(ap, ap, input_rows) + bias_factor);
    }
  }
}

void GradientGram::head_group(const double* features, std::int64_t rows, double weight_factor, double bias_factor) {
  for (const GramTile& t : tiles_) {
    if (t.rows == 0 || t.cols == 0) continue;
    double* aa = input_products_.data();
    linalg::serial::gemm_tn(t.rows, t.cols, rows, features + t.row_point * rows, rows, features + t.col_point * rows,
                            rows, 0.0, aa, t.rows);
    for (std::int64_t j = 0; j < t.cols; ++j) {
      double* ntk = t.ntk + j * t.ld;
      double* feature = t.feature + j * t.ld;
      const double* acol = aa + j * t.rows;
      for (std::int64_t i = 0; i < t.rows; ++i) {
        const double value = weight_factor * acol[i] + bias_factor;
        ntk[i] += value;
        feature[i] += value;
      }
    }
    flops_ += static_cast<double>(t.rows * t.cols) * (2.0 * static_cast<double>(rows) + 4.0);
  }
  if (diagonal_ != nullptr) {
    for (std::int64_t p = 0; p < batch_points_; ++p) {
      const double* ap = features + p * rows;
      const double value = weight_factor * dot(ap, ap, rows) + bias_factor;
      diagonal_->ntk[static_cast<std::size_t>(p)] += value;
      diagonal_->feature[static_cast<std::size_t>(p)] += value;
    }
  }
}

}  // namespace deepntk::finite
