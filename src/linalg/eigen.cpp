#include "deepntk/linalg/eigen.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "blas_int.hpp"
#include "deepntk/linalg/eigen_workspace.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/mpi/error.hpp"
#include "grid_info.hpp"

namespace deepntk::linalg {

using detail::blas_int;

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
      // The query's answer or the documented minimum with PDORMTR's need, whichever is larger
      // (eigen_workspace.cpp: the query can under-ask when the block exceeds the local extent).
      const Workspace documented =
          pdsyevd_workspace(a.rows(), a.block(), a.local_rows(), a.local_cols(), a.grid().shape().cols);
      const int lwork = blas_int(std::max(static_cast<std::int64_t>(std::ceil(work_query)), documented.doubles));
      const int liwork = blas_int(std::max<std::int64_t>({iwork_query, documented.ints, 1}));
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
