#include "deepntk/linalg/cholesky.hpp"

#include <stdexcept>

#include "blas_int.hpp"
#include "grid_info.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/scalapack_api.hpp"

namespace deepntk::linalg {

using detail::blas_int;

namespace {
const int one = 1;
char uplo_of(Triangle t) { return t == Triangle::lower ? 'L' : 'U'; }
}  // namespace

void cholesky_factor(Triangle triangle, matrix::DistributedMatrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("cholesky_factor: the matrix must be square");
  int info = 0;
  if (a.grid().contains_me()) {
    const char uplo = uplo_of(triangle);
    const int n = blas_int(a.rows());
    const auto desc = a.descriptor();
    pdpotrf_(&uplo, &n, a.local().data(), &one, &one, desc.data(), &info, 1);
  }
  info = detail::shared_info(a.grid(), info);
  if (info > 0) throw NotPositiveDefinite("PDPOTRF", info);
  check_info("PDPOTRF", info, "unexpected positive INFO");
}

void cholesky_solve(Triangle triangle, const matrix::DistributedMatrix& factor, matrix::DistributedMatrix& b) {
  if (factor.rows() != b.rows()) throw std::invalid_argument("cholesky_solve: B must have as many rows as A");
  int info = 0;
  if (b.grid().contains_me()) {
    const char uplo = uplo_of(triangle);
    const int n = blas_int(factor.rows()), nrhs = blas_int(b.cols());
    const auto da = factor.descriptor(), db = b.descriptor();
    pdpotrs_(&uplo, &n, &nrhs, factor.local().data(), &one, &one, da.data(), b.local().data(), &one, &one,
             db.data(), &info, 1);
  }
  info = detail::shared_info(b.grid(), info);
  check_info("PDPOTRS", info, "unexpected positive INFO");
}

}  // namespace deepntk::linalg
