#include "deepntk/linalg/cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "blas_int.hpp"
#include "grid_info.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/mpi/error.hpp"

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

double cholesky_reciprocal_condition(Triangle triangle, const matrix::DistributedMatrix& factor, double one_norm) {
  if (factor.rows() != factor.cols()) throw std::invalid_argument("cholesky_reciprocal_condition: A must be square");
  double rcond = factor.rows() == 0 ? 1.0 : 0.0;  // LAPACK's convention for n = 0
  int info = 0;
  if (factor.grid().contains_me() && factor.rows() > 0) {
    const char uplo = uplo_of(triangle);
    const int n = blas_int(factor.rows());
    const auto desc = factor.descriptor();
    const auto shape = factor.grid().shape();
    // The documented minimum (IA = JA = 1): 2 LOCr(N) + 2 LOCc(N) + max(2, NB max(1, ceil((P-1)/Q)),
    // LOCc(N) + NB max(1, ceil((Q-1)/P))); the query's answer is taken when larger.
    const std::int64_t np = factor.local_rows(), nq = factor.local_cols(), nb = factor.block();
    const auto ceil_div = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
    const std::int64_t documented =
        2 * np + 2 * nq +
        std::max<std::int64_t>({2, nb * std::max<std::int64_t>(1, ceil_div(shape.rows - 1, shape.cols)),
                                nq + nb * std::max<std::int64_t>(1, ceil_div(shape.cols - 1, shape.rows))});
    double work_query = 0;
    int iwork_query = 0;
    const int query = -1;
    pdpocon_(&uplo, &n, factor.local().data(), &one, &one, desc.data(), &one_norm, &rcond, &work_query, &query,
             &iwork_query, &query, &info, 1);
    if (info == 0) {
      const int lwork = blas_int(std::max<std::int64_t>(documented, static_cast<std::int64_t>(std::ceil(work_query))));
      const int liwork = std::max({1, iwork_query, blas_int(np)});
      std::vector<double> work(static_cast<std::size_t>(lwork));
      std::vector<int> iwork(static_cast<std::size_t>(liwork));
      pdpocon_(&uplo, &n, factor.local().data(), &one, &one, desc.data(), &one_norm, &rcond, work.data(), &lwork,
               iwork.data(), &liwork, &info, 1);
    }
  }
  info = detail::shared_info(factor.grid(), info);
  check_info("PDPOCON", info, "unexpected positive INFO");
  mpi::check(MPI_Bcast(&rcond, 1, MPI_DOUBLE, 0, factor.grid().communicator()), "MPI_Bcast");
  return rcond;
}

}  // namespace deepntk::linalg
