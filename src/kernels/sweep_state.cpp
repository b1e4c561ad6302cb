#include "deepntk/kernels/sweep_state.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "deepntk/kernels/depth_sweep.hpp"

namespace deepntk::kernels {

std::int64_t SweepState::counter(std::string_view name) const {
  for (const auto& c : counters) {
    if (c.name == name) return c.value;
  }
  throw std::invalid_argument("sweep state: no counter '" + std::string(name) + "'");
}

double SweepState::real(std::string_view name) const {
  for (const auto& r : reals) {
    if (r.name == name) return r.value;
  }
  throw std::invalid_argument("sweep state: no real '" + std::string(name) + "'");
}

namespace {

struct PairKey {
  std::int64_t group, row, col;
  bool operator==(const PairKey&) const = default;
};
struct PairKeyHash {
  std::size_t operator()(const PairKey& k) const noexcept {
    std::size_t h = std::hash<std::int64_t>{}(k.group);
    h = h * 0x9E3779B97F4A7C15ULL ^ std::hash<std::int64_t>{}(k.row);
    h = h * 0x9E3779B97F4A7C15ULL ^ std::hash<std::int64_t>{}(k.col);
    return h;
  }
};
struct Where {
  std::size_t block, index;
};

}  // namespace

SweepState reblock_state(const SweepState& old_state, std::span<const PairBlock> new_blocks) {
  SweepState s = old_state;
  s.blocks.clear();
  std::unordered_map<PairKey, Where, PairKeyHash> where;
  std::vector<std::string> names;
  for (std::size_t b = 0; b < old_state.blocks.size(); ++b) {
    const auto& ob = old_state.blocks[b];
    if (b == 0) {
      for (const auto& a : ob.arrays) names.push_back(a.name);
    }
    for (std::int64_t j = 0; j < ob.cols; ++j) {
      for (std::int64_t i = 0; i < ob.rows; ++i) {
        const std::int64_t r = ob.row_ids[static_cast<std::size_t>(i)], c = ob.col_ids[static_cast<std::size_t>(j)];
        if (ob.symmetric && r < c) continue;  // never computed there
        where[{ob.group, r, c}] = {b, static_cast<std::size_t>(i + j * ob.rows)};
      }
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const PairBlock& nb : new_blocks) {
    SweepState::Block sb;
    sb.rows = nb.rows;
    sb.cols = nb.cols;
    sb.group = nb.group;
    sb.symmetric = nb.symmetric;
    sb.row_ids.assign(nb.row_ids.begin(), nb.row_ids.end());
    sb.col_ids.assign(nb.col_ids.begin(), nb.col_ids.end());
    const std::size_t size = static_cast<std::size_t>(nb.rows * nb.cols);
    for (const auto& name : names) sb.arrays.push_back({name, std::vector<double>(size, nan)});
    for (std::int64_t j = 0; j < nb.cols; ++j) {
      for (std::int64_t i = 0; i < nb.rows; ++i) {
        const std::int64_t r = sb.row_ids[static_cast<std::size_t>(i)], c = sb.col_ids[static_cast<std::size_t>(j)];
        if (nb.symmetric && r < c) continue;
        const auto it = where.find({nb.group, r, c});
        if (it == where.end()) {
          throw std::invalid_argument("reblock_state: pair (row " + std::to_string(r) + ", col " + std::to_string(c) +
                                      ") of group " + std::to_string(nb.group) + " is not in the saved state");
        }
        const auto& ob = old_state.blocks[it->second.block];
        for (std::size_t a = 0; a < names.size(); ++a) {
          if (ob.arrays.size() != names.size() || ob.arrays[a].name != names[a]) {
            throw std::invalid_argument("reblock_state: saved blocks carry different arrays");
          }
          sb.arrays[a].values[static_cast<std::size_t>(i + j * nb.rows)] = ob.arrays[a].values[it->second.index];
        }
      }
    }
    s.blocks.push_back(std::move(sb));
  }
  return s;
}

}  // namespace deepntk::kernels
