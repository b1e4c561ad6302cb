#include "deepntk/finite/gradient_gram.hpp"

#include <algorithm>
#include <stdexcept>

#include "deepntk/finite/gram_tile_kernel.hpp"

namespace deepntk::finite {

namespace {

// Σ_i x[i] y[i] in index order.
double dot(const double* x, const double* y, std::int64_t n) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

}  // namespace

GradientGram::GradientGram(std::int64_t batch_points, std::vector<GramTile> tiles, GramDiagonal* diagonal,
                           std::int64_t panel_bytes)
    : batch_points_(batch_points), tiles_(std::move(tiles)), diagonal_(diagonal), panel_bytes_(panel_bytes) {
  for (const GramTile& t : tiles_) {
    if (t.rows < 0 || t.cols < 0 || t.row_point < 0 || t.col_point < 0 || t.row_point + t.rows > batch_points ||
        t.col_point + t.cols > batch_points || t.ld < std::max<std::int64_t>(1, t.rows)) {
      throw std::invalid_argument("GradientGram: a tile lies outside the batch or its storage");
    }
  }
  if (diagonal_ != nullptr && (static_cast<std::int64_t>(diagonal_->ntk.size()) != batch_points ||
                               static_cast<std::int64_t>(diagonal_->feature.size()) != batch_points)) {
    throw std::invalid_argument("GradientGram: the diagonal must have one entry per batch point");
  }
}

std::int64_t GradientGram::panel_capacity(std::int64_t batch_points, std::int64_t largest_group_rows,
                                          std::int64_t panel_bytes) {
  // The panel grows until it passes panel_bytes, so it can exceed it by one group.
  return panel_bytes + batch_points * largest_group_rows * 8;
}

std::size_t GradientGram::append_transposed(const double* x, std::int64_t rows) {
  const std::size_t offset = panel_.size();
  panel_.resize(offset + static_cast<std::size_t>(rows * batch_points_));
  double* out = panel_.data() + offset;
  for (std::int64_t p = 0; p < batch_points_; ++p)
    for (std::int64_t k = 0; k < rows; ++k) out[p + k * batch_points_] = x[k + p * rows];
  return offset;
}

void GradientGram::weight_group(const ParameterGroup&, const double* delta, std::int64_t delta_rows, const double* input,
                                std::int64_t input_rows, double weight_factor, double bias_factor) {
  if (!tiles_.empty()) {
    Group g;
    g.delta = append_transposed(delta, delta_rows);
    g.input = append_transposed(input, input_rows);
    g.delta_rows = delta_rows;
    g.input_rows = input_rows;
    g.weight_factor = weight_factor;
    g.bias_factor = bias_factor;
    groups_.push_back(g);
  }
  if (diagonal_ != nullptr) {
    for (std::int64_t p = 0; p < batch_points_; ++p) {
      const double* dp = delta + p * delta_rows;
      const double* ap = input + p * input_rows;
      diagonal_->ntk[static_cast<std::size_t>(p)] += dot(dp, dp, delta_rows) * (weight_factor * dot(ap, ap, input_rows) + bias_factor);
    }
  }
  if (static_cast<std::int64_t>(panel_.size() * sizeof(double)) >= panel_bytes_) finish();
}

void GradientGram::head_group(const ParameterGroup& group, const double* features, std::int64_t rows,
                              double weight_factor, double bias_factor) {
  if (!tiles_.empty()) {
    Group g;
    g.head = true;
    g.input = append_transposed(features, rows);
    g.input_rows = rows;
    g.weight_factor = weight_factor;
    g.bias_factor = bias_factor;
    g.feature_weight = group.feature_weight;
    g.feature_bias = group.feature_bias;
    groups_.push_back(g);
  }
  if (diagonal_ != nullptr) {
    for (std::int64_t p = 0; p < batch_points_; ++p) {
      const double* ap = features + p * rows;
      const double a = dot(ap, ap, rows);
      diagonal_->ntk[static_cast<std::size_t>(p)] += weight_factor * a + bias_factor;
      diagonal_->feature[static_cast<std::size_t>(p)] += group.feature_weight * a + group.feature_bias;
    }
  }
  if (static_cast<std::int64_t>(panel_.size() * sizeof(double)) >= panel_bytes_) finish();
}

void GradientGram::finish() {
  // Tile by tile, the whole panel: the tile's entries stay in cache across its groups.
  for (const GramTile& t : tiles_) {
    if (t.rows == 0 || t.cols == 0) continue;
    for (const Group& g : groups_) {
      TileOperands operands;
      operands.rows = t.rows;
      operands.cols = t.cols;
      operands.stride = batch_points_;
      operands.input_rows = g.input_rows;
      operands.row_input = panel_.data() + g.input + t.row_point;
      operands.col_input = panel_.data() + g.input + t.col_point;
      if (g.head) {
        accumulate_head_tile(operands, {g.weight_factor, g.bias_factor, g.feature_weight, g.feature_bias}, t.ntk,
                             t.feature, t.ld);
        flops_ += static_cast<double>(t.rows * t.cols) * (2.0 * static_cast<double>(g.input_rows) + 4.0);
      } else {
        operands.delta_rows = g.delta_rows;
        operands.row_delta = panel_.data() + g.delta + t.row_point;
        operands.col_delta = panel_.data() + g.delta + t.col_point;
        accumulate_weight_tile(operands, g.weight_factor, g.bias_factor, t.ntk, t.ld);
        flops_ += static_cast<double>(t.rows * t.cols) *
                  (2.0 * static_cast<double>(g.delta_rows + g.input_rows) + 4.0);
      }
    }
  }
  groups_.clear();
  panel_.clear();
}

}  // namespace deepntk::finite
