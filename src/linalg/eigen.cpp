#include "deepntk/linalg/eigen.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "blas_int.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/mpi/error.hpp"
#include "grid_info.hpp"

namespace deepntk::linalg {

using detail::blas_int;

namespace {
// PDSYEVD's workspace query can return less than PDORMTR needs when the block size exceeds
// the local extent (seen with n = 7, nb = 16: PDORMTR rejects LWORK, yet PDSYEVD returns
// INFO = 0 with wrong eigenvectors). The routine's documented minimum is always honoured.
int documented_minimum_lwork(const matrix::DistributedMatrix& a) {
  const std::int64_t n = a.rows(), nb = a.block();
  const std::int64_t np = a.local_rows(), nq = a.local_cols();
  const std::int64_t trilwmin = 3 * n + std::max(nb * (np + 1), 3 * nb);
  const std::int64_t documented = std::max(1 + 6 * n + 2 * np * nq, trilwmin) + 2 * n;
  // PDSYEVD passes LWORK - 2N to PDORMTR, which needs max(NB(NB-1)/2, (NQC0 + MPC0) NB) + NB^2;
  // NQC0 and MPC0 are at most the local extents plus one block.
  const std::int64_t ormtr = 2 * n + std::max(nb * (nb - 1) / 2, (np + nq + 2 * nb) * nb) + nb * nb;
  return blas_int(std::max(documented, ormtr));
}
}  // namespace

EigenDecomposition symmetric_eigen(matrix::DistributedMatrix& a, bool keep_vectors) {
  if (a.rows() != a.cols()) throw std::invalid_argument("symmetric_eigen: the matrix must be square");
  const int n = blas_int(a.rows());
  EigenDecomposition result;
  result.eigenvalues.assign(static_cast<std::size_t>(n), 0.0);
  // PDSYEVD only computes eigenvectors along with eigenvalues (JOBZ = 'V'), so Z is always needed.
  matrix::DistributedMatrix z(a.shared_grid(), a.rows(), a.cols(), a.block());

  int info = 0;
  if (a.grid().contains_me()) {
    const char jobz = 'V', uplo = 'L';
    const int one = 1;
    const auto da = a.descriptor(), dz = z.descriptor();
    // Workspace query first (lwork = liwork = -1), then the real call.
    double work_query = 0;
    int iwork_query = 0;
    const int query = -1;
    pdsyevd_(&jobz, &uplo, &n, a.local().data(), &one, &one, da.data(), result.eigenvalues.data(), z.local().data(),
             &one, &one, dz.data(), &work_query, &query, &iwork_query, &query, &info, 1, 1);
    if (info == 0) {
      const int lwork = std::max(static_cast<int>(std::ceil(work_query)), documented_minimum_lwork(a));
      const int liwork = std::max(iwork_query, 1);
      std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
      std::vector<int> iwork(static_cast<std::size_t>(liwork));
      pdsyevd_(&jobz, &uplo, &n, a.local().data(), &one, &one, da.data(), result.eigenvalues.data(),
               z.local().data(), &one, &one, dz.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    }
  }
  info = detail::shared_info(a.grid(), info);
  check_info("PDSYEVD", info, "the divide-and-conquer eigensolver failed to converge");
  // Ranks outside the grid take the eigenvalues from rank 0.
  mpi::check(MPI_Bcast(result.eigenvalues.data(), n, MPI_DOUBLE, 0, a.grid().communicator()), "MPI_Bcast");
  if (keep_vectors) result.vectors.emplace(std::move(z));
  return result;
}

}  // namespace deepntk::linalg
