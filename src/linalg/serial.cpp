#include "deepntk/linalg/serial.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "blas_int.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/scalapack_api.hpp"

namespace deepntk::linalg::serial {

using detail::blas_int;

std::vector<double> gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
                         const std::vector<double>& a, const std::vector<double>& b) {
  if (static_cast<std::int64_t>(a.size()) != m * k || static_cast<std::int64_t>(b.size()) != k * n) {
    throw std::invalid_argument("serial::gemm: operand sizes do not match the shapes");
  }
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  const char ta = transpose_a ? 'T' : 'N', tb = transpose_b ? 'T' : 'N';
  const int mi = blas_int(m), ni = blas_int(n), ki = blas_int(k);
  const int lda = std::max(1, transpose_a ? ki : mi), ldb = std::max(1, transpose_b ? ni : ki), ldc = std::max(1, mi);
  const double alpha = 1.0, beta = 0.0;
  dgemm_(&ta, &tb, &mi, &ni, &ki, &alpha, a.data(), &lda, b.data(), &ldb, &beta, c.data(), &ldc, 1, 1);
  return c;
}

void gemm_tn(std::int64_t m, std::int64_t n, std::int64_t k, const double* a, std::int64_t lda, const double* b,
             std::int64_t ldb, double beta, double* c, std::int64_t ldc) {
  const char ta = 'T', tb = 'N';
  const int mi = blas_int(m), ni = blas_int(n), ki = blas_int(k);
  const int ldai = blas_int(std::max<std::int64_t>(1, lda)), ldbi = blas_int(std::max<std::int64_t>(1, ldb)),
            ldci = blas_int(std::max<std::int64_t>(1, ldc));
  const double alpha = 1.0;
  dgemm_(&ta, &tb, &mi, &ni, &ki, &alpha, a, &ldai, b, &ldbi, &beta, c, &ldci, 1, 1);
}

std::vector<double> cholesky_lower(std::int64_t n, std::vector<double> a) {
  const char uplo = 'L';
  const int ni = blas_int(n), lda = std::max(1, ni);
  int info = 0;
  dpotrf_(&uplo, &ni, a.data(), &lda, &info, 1);
  if (info > 0) throw NotPositiveDefinite("DPOTRF", info);
  check_info("DPOTRF", info, "unexpected positive INFO");
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < j; ++i) a[static_cast<std::size_t>(i + j * n)] = 0.0;
  return a;
}

std::vector<double> symmetric_eigenvalues(std::int64_t n, std::vector<double> a, std::vector<double>* vectors) {
  const char jobz = vectors ? 'V' : 'N', uplo = 'L';
  const int ni = blas_int(n), lda = std::max(1, ni);
  std::vector<double> w(static_cast<std::size_t>(n));
  int info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  dsyevd_(&jobz, &uplo, &ni, a.data(), &lda, w.data(), &work_query, &query, &iwork_query, &query, &info, 1, 1);
  check_info("DSYEVD", info, "workspace query failed");
  const int lwork = std::max(1, static_cast<int>(std::ceil(work_query)));
  const int liwork = std::max(1, iwork_query);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsyevd_(&jobz, &uplo, &ni, a.data(), &lda, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  check_info("DSYEVD", info, "the eigensolver failed to converge");
  if (vectors) *vectors = std::move(a);
  return w;
}

std::vector<double> spd_solve(std::int64_t n, std::int64_t nrhs, std::vector<double> a, std::vector<double> b) {
  if (static_cast<std::int64_t>(a.size()) != n * n || static_cast<std::int64_t>(b.size()) != n * nrhs) {
    throw std::invalid_argument("serial::spd_solve: operand sizes do not match the shapes");
  }
  const char uplo = 'L';
  const int ni = blas_int(n), nr = blas_int(nrhs), ld = std::max(1, ni);
  int info = 0;
  dposv_(&uplo, &ni, &nr, a.data(), &ld, b.data(), &ld, &info, 1);
  if (info > 0) throw NotPositiveDefinite("DPOSV", info);
  check_info("DPOSV", info, "unexpected positive INFO");
  return b;
}

std::vector<double> least_squares(std::int64_t m, std::int64_t n, std::int64_t nrhs, std::vector<double> a,
                                  const std::vector<double>& b, double rcond) {
  if (static_cast<std::int64_t>(a.size()) != m * n || static_cast<std::int64_t>(b.size()) != m * nrhs) {
    throw std::invalid_argument("serial::least_squares: operand sizes do not match the shapes");
  }
  // B is overwritten in place and must hold max(m, n) rows.
  const std::int64_t ldb64 = std::max<std::int64_t>({1, m, n});
  std::vector<double> x(static_cast<std::size_t>(ldb64 * nrhs), 0.0);
  for (std::int64_t j = 0; j < nrhs; ++j)
    for (std::int64_t i = 0; i < m; ++i) x[static_cast<std::size_t>(i + j * ldb64)] = b[static_cast<std::size_t>(i + j * m)];
  const int mi = blas_int(m), ni = blas_int(n), nr = blas_int(nrhs), lda = std::max(1, mi), ldb = blas_int(ldb64);
  std::vector<double> s(static_cast<std::size_t>(std::max<std::int64_t>(1, std::min(m, n))));
  int rank = 0, info = 0, iwork_query = 0;
  double work_query = 0;
  const int query = -1;
  dgelsd_(&mi, &ni, &nr, a.data(), &lda, x.data(), &ldb, s.data(), &rcond, &rank, &work_query, &query, &iwork_query,
          &info);
  check_info("DGELSD", info, "workspace query failed");
  const int lwork = std::max(1, static_cast<int>(std::ceil(work_query)));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, iwork_query)));
  dgelsd_(&mi, &ni, &nr, a.data(), &lda, x.data(), &ldb, s.data(), &rcond, &rank, work.data(), &lwork, iwork.data(),
          &info);
  check_info("DGELSD", info, "the SVD failed to converge");
  std::vector<double> out(static_cast<std::size_t>(n * nrhs));
  for (std::int64_t j = 0; j < nrhs; ++j)
    for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i + j * n)] = x[static_cast<std::size_t>(i + j * ldb64)];
  return out;
}

}  // namespace deepntk::linalg::serial
