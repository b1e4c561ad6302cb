#include "deepntk/finite/gram_tile_kernel.hpp"

#include <algorithm>
#include <cstring>

namespace deepntk::finite {

namespace {

// Eight doubles: one AVX-512 register, two AVX2 ones, four SSE2 ones; GCC lowers the
// operations to whatever the clone's instruction set has, lane by lane the same arithmetic.
typedef double Lanes __attribute__((vector_size(64)));
constexpr std::int64_t lanes = 8;
constexpr std::int64_t column_group = 4;

// always_inline: the helpers must become part of each target clone (compiled for its
// instruction set), never calls into baseline code.
#define DEEPNTK_INLINE inline __attribute__((always_inline))

DEEPNTK_INLINE Lanes load(const double* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
DEEPNTK_INLINE void store(double* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

// a b + c rounded once, lane by lane: exactly fma in every lane whatever instructions do it
// (vfmadd on AVX-512 and AVX2 + FMA, the library's fma on the baseline), so the lanes, the
// scalar remainder and every instruction set agree bit for bit.
DEEPNTK_INLINE Lanes fused(Lanes a, double b, Lanes c) {
  Lanes out;
  for (int l = 0; l < lanes; ++l) out[l] = __builtin_fma(a[l], b, c[l]);
  return out;
}
DEEPNTK_INLINE Lanes fused(double a, Lanes b, double c) {
  Lanes out;
  for (int l = 0; l < lanes; ++l) out[l] = __builtin_fma(a, b[l], c);
  return out;
}
DEEPNTK_INLINE Lanes fused(Lanes a, Lanes b, Lanes c) {
  Lanes out;
  for (int l = 0; l < lanes; ++l) out[l] = __builtin_fma(a[l], b[l], c[l]);
  return out;
}

// Σ_k x[k ld] y[k ld] by fused steps in k order, for one row (the scalar twin of the lanes).
DEEPNTK_INLINE double fused_dot(const double* x, const double* y, std::int64_t ld, std::int64_t n) {
  double sum = 0.0;
  for (std::int64_t k = 0; k < n; ++k) sum = __builtin_fma(x[k * ld], y[k * ld], sum);
  return sum;
}

// The weight group on columns [j0, j0 + J): J = column_group or 1.
template <std::int64_t J>
DEEPNTK_INLINE void weight_columns(const TileOperands& t, std::int64_t j0, double wf, double wb, double* g,
                                   std::int64_t ldg) {
  const std::int64_t ld = t.stride;
  std::int64_t i = 0;
  for (; i + lanes <= t.rows; i += lanes) {
    Lanes dd[J], aa[J];
    for (std::int64_t jj = 0; jj < J; ++jj) dd[jj] = aa[jj] = Lanes{} * 0.0;
    for (std::int64_t k = 0; k < t.delta_rows; ++k) {
      const Lanes x = load(t.row_delta + i + k * ld);
      const double* column = t.col_delta + j0 + k * ld;
      for (std::int64_t jj = 0; jj < J; ++jj) dd[jj] = fused(x, column[jj], dd[jj]);
    }
    for (std::int64_t k = 0; k < t.input_rows; ++k) {
      const Lanes y = load(t.row_input + i + k * ld);
      const double* column = t.col_input + j0 + k * ld;
      for (std::int64_t jj = 0; jj < J; ++jj) aa[jj] = fused(y, column[jj], aa[jj]);
    }
    for (std::int64_t jj = 0; jj < J; ++jj) {
      double* out = g + (j0 + jj) * ldg + i;
      store(out, fused(dd[jj], fused(wf, aa[jj], wb), load(out)));
    }
  }
  for (; i < t.rows; ++i) {
    for (std::int64_t jj = 0; jj < J; ++jj) {
      const double d = fused_dot(t.row_delta + i, t.col_delta + j0 + jj, ld, t.delta_rows);
      const double a = fused_dot(t.row_input + i, t.col_input + j0 + jj, ld, t.input_rows);
      double& out = g[(j0 + jj) * ldg + i];
      out = __builtin_fma(d, __builtin_fma(wf, a, wb), out);
    }
  }
}

template <std::int64_t J>
DEEPNTK_INLINE void head_columns(const TileOperands& t, std::int64_t j0, const HeadFactors& h, double* g, double* f,
                                 std::int64_t ldg) {
  const std::int64_t ld = t.stride;
  std::int64_t i = 0;
  for (; i + lanes <= t.rows; i += lanes) {
    Lanes aa[J];
    for (std::int64_t jj = 0; jj < J; ++jj) aa[jj] = Lanes{} * 0.0;
    for (std::int64_t k = 0; k < t.input_rows; ++k) {
      const Lanes y = load(t.row_input + i + k * ld);
      const double* column = t.col_input + j0 + k * ld;
      for (std::int64_t jj = 0; jj < J; ++jj) aa[jj] = fused(y, column[jj], aa[jj]);
    }
    for (std::int64_t jj = 0; jj < J; ++jj) {
      double* out_g = g + (j0 + jj) * ldg + i;
      double* out_f = f + (j0 + jj) * ldg + i;
      store(out_g, load(out_g) + fused(h.ntk_weight, aa[jj], h.ntk_bias));
      store(out_f, load(out_f) + fused(h.feature_weight, aa[jj], h.feature_bias));
    }
  }
  for (; i < t.rows; ++i) {
    for (std::int64_t jj = 0; jj < J; ++jj) {
      const double a = fused_dot(t.row_input + i, t.col_input + j0 + jj, ld, t.input_rows);
      g[(j0 + jj) * ldg + i] = g[(j0 + jj) * ldg + i] + __builtin_fma(h.ntk_weight, a, h.ntk_bias);
      f[(j0 + jj) * ldg + i] = f[(j0 + jj) * ldg + i] + __builtin_fma(h.feature_weight, a, h.feature_bias);
    }
  }
}

// G packed groups of rows (G packed_rows rows) by one packed group of columns of C = A Bᵀ,
// G accumulators per column sharing each column value; `rows` and `cols` (from the first row
// and column of the groups) say how much of it is stored, the padding is dropped.
template <std::int64_t G>
DEEPNTK_INLINE void packed_groups(const double* a, const double* b, std::int64_t depth, double* c, std::int64_t ldc,
                                  std::int64_t rows, std::int64_t cols) {
  Lanes sum[G][packed_cols];
  for (std::int64_t gg = 0; gg < G; ++gg)
    for (std::int64_t jj = 0; jj < packed_cols; ++jj) sum[gg][jj] = Lanes{} * 0.0;
  for (std::int64_t k = 0; k < depth; ++k) {
    const double* y = b + k * packed_cols;
    for (std::int64_t gg = 0; gg < G; ++gg) {
      const Lanes x = load(a + gg * depth * packed_rows + k * packed_rows);
      for (std::int64_t jj = 0; jj < packed_cols; ++jj) sum[gg][jj] += x * y[jj];
    }
  }
  for (std::int64_t gg = 0; gg < G; ++gg) {
    const std::int64_t stored = std::min(packed_rows, rows - gg * packed_rows);
    for (std::int64_t jj = 0; jj < cols; ++jj) {
      double* out = c + jj * ldc + gg * packed_rows;
      if (stored == packed_rows) {
        store(out, sum[gg][jj]);
      } else {
        for (std::int64_t i = 0; i < stored; ++i) out[i] = sum[gg][jj][i];
      }
    }
  }
}

}  // namespace

__attribute__((target_clones("avx512f", "avx2", "default")))
void inner_products_packed(const double* a, std::int64_t rows, const double* b, std::int64_t cols, std::int64_t depth,
                           double* c, std::int64_t ldc) {
  static_assert(packed_rows == lanes);
  for (std::int64_t j = 0; j < cols; j += packed_cols) {
    const std::int64_t nc = std::min(packed_cols, cols - j);
    std::int64_t i = 0;
    for (; i + packed_rows < rows; i += 2 * packed_rows)
      packed_groups<2>(a + i * depth, b + j * depth, depth, c + j * ldc + i, ldc, rows - i, nc);
    if (i < rows) packed_groups<1>(a + i * depth, b + j * depth, depth, c + j * ldc + i, ldc, rows - i, nc);
  }
}

namespace {

// The tile loops, compiled once per instruction set. Chosen by the CPU's features (not by GCC's
// "arch=" clones, which dispatch on the CPU model and sent a Sapphire Rapids to the baseline).
#define DEEPNTK_TILE_LOOPS(suffix, target)                                                                 \
  target void weight_tile_##suffix(const TileOperands& t, double wf, double wb, double* g, std::int64_t ldg) { \
    std::int64_t j = 0;                                                                                    \
    for (; j + column_group <= t.cols; j += column_group) weight_columns<column_group>(t, j, wf, wb, g, ldg); \
    for (; j < t.cols; ++j) weight_columns<1>(t, j, wf, wb, g, ldg);                                       \
  }                                                                                                        \
  target void head_tile_##suffix(const TileOperands& t, const HeadFactors& h, double* g, double* f,          \
                                 std::int64_t ldg) {                                                       \
    std::int64_t j = 0;                                                                                    \
    for (; j + column_group <= t.cols; j += column_group) head_columns<column_group>(t, j, h, g, f, ldg);   \
    for (; j < t.cols; ++j) head_columns<1>(t, j, h, g, f, ldg);                                           \
  }
DEEPNTK_TILE_LOOPS(avx512, __attribute__((target("avx512f,fma"))))
DEEPNTK_TILE_LOOPS(avx2, __attribute__((target("avx2,fma"))))
DEEPNTK_TILE_LOOPS(baseline, )
#undef DEEPNTK_TILE_LOOPS

}  // namespace

bool tile_instructions_available(TileInstructions level) {
  __builtin_cpu_init();
  switch (level) {
    case TileInstructions::avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case TileInstructions::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case TileInstructions::baseline: return true;
  }
  return false;
}

TileInstructions tile_instructions() {
  static const TileInstructions chosen = [] {
    for (const auto level : {TileInstructions::avx512, TileInstructions::avx2}) {
      if (tile_instructions_available(level)) return level;
    }
    return TileInstructions::baseline;
  }();
  return chosen;
}

void accumulate_weight_tile(const TileOperands& t, double weight_factor, double bias_factor, double* g,
                            std::int64_t ldg, TileInstructions level) {
  switch (level) {
    case TileInstructions::avx512: return weight_tile_avx512(t, weight_factor, bias_factor, g, ldg);
    case TileInstructions::avx2: return weight_tile_avx2(t, weight_factor, bias_factor, g, ldg);
    case TileInstructions::baseline: return weight_tile_baseline(t, weight_factor, bias_factor, g, ldg);
  }
}

void accumulate_head_tile(const TileOperands& t, const HeadFactors& factors, double* g, double* f, std::int64_t ldg,
                          TileInstructions level) {
  switch (level) {
    case TileInstructions::avx512: return head_tile_avx512(t, factors, g, f, ldg);
    case TileInstructions::avx2: return head_tile_avx2(t, factors, g, f, ldg);
    case TileInstructions::baseline: return head_tile_baseline(t, factors, g, f, ldg);
  }
}

}  // namespace deepntk::finite
