#include "deepntk/matrix/lower_triangle_count.hpp"

#include <numeric>
#include <stdexcept>
#include <utility>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::matrix {
namespace {

constexpr const char* what = "the count of lower-triangle pairs on one rank";
std::int64_t mul(std::int64_t a, std::int64_t b) { return checked_multiply(a, b, what); }
std::int64_t add(std::int64_t a, std::int64_t b) { return checked_add(a, b, what); }

// sum_{i = 0}^{count - 1} floor((a i + b) / m) for count, m >= 1 and a, b >= 0, by the
// Euclid-like reduction (swap the roles of a and m until the remaining terms vanish).
std::int64_t floor_sum(std::int64_t count, std::int64_t m, std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  while (true) {
    if (a >= m) {
      const std::int64_t pairs = count % 2 == 0 ? mul(count / 2, count - 1) : mul(count, (count - 1) / 2);
      sum = add(sum, mul(pairs, a / m));
      a %= m;
    }
    if (b >= m) {
      sum = add(sum, mul(count, b / m));
      b %= m;
    }
    const std::int64_t top = add(mul(a, count), b);
    if (top < m) return sum;
    count = top / m;
    b = top % m;
    std::swap(m, a);
  }
}

}  // namespace

std::int64_t lower_triangle_count_at_origin(std::int64_t n, std::int64_t block, std::int64_t grid_rows,
                                            std::int64_t grid_cols) {
  if (n < 0 || block < 1 || grid_rows < 1 || grid_cols < 1) {
    throw std::invalid_argument("lower_triangle_count_at_origin: n >= 0, block >= 1 and a grid of >= 1 x 1 needed");
  }
  if (n == 0) return 0;
  const std::int64_t nb = block, p = grid_rows, q = grid_cols;
  const std::int64_t blocks = (n - 1) / nb + 1;  // the last one may be ragged
  const std::int64_t last = blocks - 1;
  // First count as if every block were full (n padded to blocks * nb). Process (0, 0) holds
  // the block rows 0, p, 2p, ... and the block columns 0, q, 2q, ...; below the block column
  // c = kq lie (last div p) - (c div p) of its block rows, each nb x nb, and when p divides c
  // the diagonal block itself adds its lower triangle nb (nb + 1) / 2.
  const std::int64_t columns = last / q + 1;  // k = 0 .. columns - 1
  const std::int64_t rows_below = mul(columns, last / p) - floor_sum(columns, p, q, 0);
  const std::int64_t diagonal_blocks = last / std::lcm(p, q) + 1;
  std::int64_t count = add(mul(mul(nb, nb), rows_below), mul(diagonal_blocks, mul(nb, nb + 1) / 2));
  // Then remove the padding: its rows i >= n (held when p divides the last block) meet every
  // held column j < n, and the padding columns j <= i when q divides the last block too;
  // padding columns meet no real row (i >= j >= n).
  const std::int64_t pad = mul(blocks, nb) - n;
  if (pad > 0 && last % p == 0) {
    // Held column blocks 0, q, ..., up to `last`, all full but the last when q divides it.
    const std::int64_t held_columns = mul(last / q + 1, nb) - (last % q == 0 ? pad : 0);
    count -= mul(pad, held_columns);
    if (last % q == 0) count -= mul(pad, pad + 1) / 2;
  }
  return count;
}

}  // namespace deepntk::matrix
