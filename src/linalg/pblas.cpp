#include "deepntk/linalg/pblas.hpp"

#include <stdexcept>
#include <string>

#include "blas_int.hpp"
#include "deepntk/linalg/scalapack_api.hpp"

namespace deepntk::linalg {

using detail::blas_int;
using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {
const int one = 1;

void require_same_grid(const DistributedMatrix& a, const DistributedMatrix& b, const char* routine) {
  if (&a.grid() != &b.grid()) {
    throw std::invalid_argument(std::string(routine) + ": operands live on different process grids");
  }
}
}  // namespace

void gemm(Op op_a, Op op_b, double alpha, const DistributedMatrix& a, const DistributedMatrix& b, double beta,
          DistributedMatrix& c) {
  require_same_grid(a, c, "gemm");
  require_same_grid(b, c, "gemm");
  const auto m = op_a == Op::none ? a.rows() : a.cols();
  const auto k = op_a == Op::none ? a.cols() : a.rows();
  const auto k_b = op_b == Op::none ? b.rows() : b.cols();
  const auto n = op_b == Op::none ? b.cols() : b.rows();
  if (k != k_b || c.rows() != m || c.cols() != n) {
    throw std::invalid_argument("gemm: shapes do not match (op(A) is " + std::to_string(m) + "x" + std::to_string(k) +
                                ", op(B) is " + std::to_string(k_b) + "x" + std::to_string(n) + ", C is " +
                                std::to_string(c.rows()) + "x" + std::to_string(c.cols()) + ")");
  }
  if (!c.grid().contains_me()) return;
  const char ta = op_a == Op::none ? 'N' : 'T';
  const char tb = op_b == Op::none ? 'N' : 'T';
  const int mi = blas_int(m), ni = blas_int(n), ki = blas_int(k);
  const auto da = a.descriptor(), db = b.descriptor(), dc = c.descriptor();
  pdgemm_(&ta, &tb, &mi, &ni, &ki, &alpha, a.local().data(), &one, &one, da.data(), b.local().data(), &one, &one,
          db.data(), &beta, c.local().data(), &one, &one, dc.data());
}

void syrk(Triangle triangle, double alpha, const DistributedMatrix& a, double beta, DistributedMatrix& c) {
  require_same_grid(a, c, "syrk");
  if (c.rows() != c.cols() || c.rows() != a.rows()) {
    throw std::invalid_argument("syrk: C must be square with as many rows as A");
  }
  if (!c.grid().contains_me()) return;
  const char uplo = triangle == Triangle::lower ? 'L' : 'U';
  const char trans = 'N';
  const int n = blas_int(a.rows()), k = blas_int(a.cols());
  const auto da = a.descriptor(), dc = c.descriptor();
  pdsyrk_(&uplo, &trans, &n, &k, &alpha, a.local().data(), &one, &one, da.data(), &beta, c.local().data(), &one,
          &one, dc.data());
}

void symm(Triangle triangle, double alpha, const DistributedMatrix& a, const DistributedMatrix& b, double beta,
          DistributedMatrix& c) {
  require_same_grid(a, c, "symm");
  require_same_grid(b, c, "symm");
  if (a.rows() != a.cols() || b.rows() != a.rows() || c.rows() != a.rows() || c.cols() != b.cols()) {
    throw std::invalid_argument("symm: A must be square, and B and C must have A's rows and the same columns");
  }
  if (!c.grid().contains_me()) return;
  const char side = 'L';
  const char uplo = triangle == Triangle::lower ? 'L' : 'U';
  const int m = blas_int(c.rows()), n = blas_int(c.cols());
  const auto da = a.descriptor(), db = b.descriptor(), dc = c.descriptor();
  pdsymm_(&side, &uplo, &m, &n, &alpha, a.local().data(), &one, &one, da.data(), b.local().data(), &one, &one,
          db.data(), &beta, c.local().data(), &one, &one, dc.data());
}

void copy_columns(const DistributedMatrix& a, std::int64_t first, std::int64_t count, DistributedMatrix& b) {
  require_same_grid(a, b, "copy_columns");
  if (first < 0 || count < 0 || first + count > a.cols() || count > b.cols() || a.rows() != b.rows() ||
      a.block() != b.block()) {
    throw std::invalid_argument("copy_columns: columns out of range, or A and B differ in rows or block size");
  }
  if (!b.grid().contains_me() || count == 0 || a.rows() == 0) return;
  // PDGEADD with beta = 0 (C is overwritten, not read), not PDLACPY: PDLACPY copies locally and
  // needs A(:, first) and B(:, 0) on the same process column, which a shift of columns breaks.
  const char trans = 'N';
  const double alpha = 1.0, beta = 0.0;
  const int m = blas_int(a.rows()), n = blas_int(count), ja = blas_int(first + 1);
  const auto da = a.descriptor(), db = b.descriptor();
  pdgeadd_(&trans, &m, &n, &alpha, a.local().data(), &one, &ja, da.data(), &beta, b.local().data(), &one, &one,
           db.data());
}

void mirror_triangle(Triangle from, DistributedMatrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("mirror_triangle: the matrix must be square");
  DistributedMatrix transposed(a.shared_grid(), a.rows(), a.cols(), a.block());
  if (a.grid().contains_me()) {
    const int n = blas_int(a.rows());
    const double alpha = 1.0, beta = 0.0;
    const auto da = a.descriptor(), dt = transposed.descriptor();
    pdtran_(&n, &n, &alpha, a.local().data(), &one, &one, da.data(), &beta, transposed.local().data(), &one, &one,
            dt.data());
  }
  // pdtran with beta = 0 copies values; taking them entry by entry keeps the result exact.
  for (std::int64_t c = 0; c < a.local_cols(); ++c) {
    const auto gc = a.global_col(LocalIndex(c));
    for (std::int64_t r = 0; r < a.local_rows(); ++r) {
      const auto gr = a.global_row(LocalIndex(r));
      const bool in_target = from == Triangle::lower ? gr < gc : gr > gc;
      if (in_target) a.at(LocalIndex(r), LocalIndex(c)) = transposed.at(LocalIndex(r), LocalIndex(c));
    }
  }
}

}  // namespace deepntk::linalg
