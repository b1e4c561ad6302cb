// PDSYEVR (MRRR) wrappers: eigenvalues only, and index ranges of eigenpairs. See eigen.hpp for
// the back-transformation workspace trap this file works around.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "blas_int.hpp"
#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/linalg/eigen.hpp"
#include "deepntk/linalg/eigen_workspace.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/matrix/block_cyclic.hpp"
#include "deepntk/mpi/error.hpp"
#include "grid_info.hpp"

namespace deepntk::linalg {

using detail::blas_int;

namespace {

const int one = 1;

// The slice and PDORMTR's need are sizes from n and the block size: checked (core/checked_arithmetic.hpp).
constexpr const char* what = "PDSYEVR's back-transformation workspace";
std::int64_t mul(std::int64_t a, std::int64_t b) { return checked_multiply(a, b, what); }
std::int64_t add(std::int64_t a, std::int64_t b) { return checked_add(a, b, what); }

// ScaLAPACK's NUMROC for the first process (the one holding the most).
std::int64_t numroc_first(std::int64_t extent, std::int64_t block, int procs) {
  return matrix::BlockCyclic1D(extent, block, procs).local_extent(0);
}

// The part of WORK that PDSYEVR passes to PDORMTR: SIZE1 = max(18 N, NP00 * MQ00 + 2 NB^2),
// fixed by N, NB and the number mz of wanted vectors, whatever LWORK is.
std::int64_t backtransform_slice(std::int64_t n, std::int64_t nb, std::int64_t mz, grid::GridShape shape) {
  const std::int64_t np00 = numroc_first(n, nb, shape.rows), mq00 = numroc_first(mz, nb, shape.cols);
  return std::max(mul(18, n), add(mul(np00, mq00), mul(2, mul(nb, nb))));
}

// What PDORMTR('L', 'L', 'N') asks of LWORK for an n x mz Z: max(NB(NB-1)/2, (MPC0 + NQC0) NB)
// + NB^2, with MPC0 <= NP00 (rows 2..N start on process row 0 once NB >= 2, and NUMROC's
// largest share is the source's) and NQC0 <= MQ00.
std::int64_t backtransform_need(std::int64_t n, std::int64_t nb, std::int64_t mz, grid::GridShape shape) {
  const std::int64_t np00 = numroc_first(n, nb, shape.rows), mq00 = numroc_first(mz, nb, shape.cols);
  return add(std::max(mul(nb, nb - 1) / 2, mul(add(np00, mq00), nb)), mul(nb, nb));
}

struct Pdsyevr {
  std::vector<double> eigenvalues;  // the mz found, ascending
  std::optional<matrix::DistributedMatrix> z;
};

// One PDSYEVR call on the grid ranks (workspace query, then the documented minimum or the
// query's answer, whichever is larger); eigenvalues and INFO shared with every rank.
// il, iu are 1-based (RANGE = 'I'), or 0, 0 for RANGE = 'A'.
Pdsyevr run_pdsyevr(matrix::DistributedMatrix& a, bool vectors, int il, int iu) {
  const int n = blas_int(a.rows());
  const bool all = il == 0;
  const std::int64_t mz = all ? n : iu - il + 1;
  const auto shape = a.grid().shape();
  const std::int64_t nb = a.block();
  Pdsyevr out;
  std::vector<double> w(static_cast<std::size_t>(std::max(n, 1)), 0.0);
  if (vectors) out.z.emplace(a.shared_grid(), a.rows(), a.cols(), a.block());  // PDSYEVR wants Z n x n
  int info = 0, found = 0;
  if (a.grid().contains_me()) {
    const char jobz = vectors ? 'V' : 'N', range = all ? 'A' : 'I', uplo = 'L';
    const double vl = 0, vu = 0;
    int nz = 0;
    const auto da = a.descriptor();
    // With JOBZ = 'N', Z is not referenced (nor its descriptor checked); A's stand in.
    double* z = vectors ? out.z->local().data() : a.local().data();
    const auto dz = vectors ? out.z->descriptor() : da;
    const Workspace documented = pdsyevr_workspace(n, nb, mz, vectors, shape.rows, shape.cols);
    double work_query = 0;
    int iwork_query = 0;
    const int query = -1;
    pdsyevr_(&jobz, &range, &uplo, &n, a.local().data(), &one, &one, da.data(), &vl, &vu, &il, &iu, &found, &nz,
             w.data(), z, &one, &one, dz.data(), &work_query, &query, &iwork_query, &query, &info, 1, 1, 1);
    if (info == 0) {
      // The documented minimum, deliberately not the query's "optimal" size: with that much
      // WORK, PDSYNTRD copies the whole n x n matrix onto one process (1 x Q and P x 1 grids:
      // serial DSYTRD) or onto a sqrt(P) x sqrt(P) subgrid, i.e. n^2 (or n^2/4) doubles per
      // rank on top of the distributed matrix; with the minimum it reduces in place like
      // PDSYTRD. Measured here (n = 2000 on 1 x 2, n = 1200 on 2 x 2): no slower.
      (void)work_query;
      const int lwork = blas_int(std::max<std::int64_t>(documented.doubles, 3));
      const int liwork = blas_int(std::max<std::int64_t>({documented.ints, iwork_query, 1}));
      std::vector<double> work(static_cast<std::size_t>(lwork));
      std::vector<int> iwork(static_cast<std::size_t>(liwork));
      pdsyevr_(&jobz, &range, &uplo, &n, a.local().data(), &one, &one, da.data(), &vl, &vu, &il, &iu, &found, &nz,
               w.data(), z, &one, &one, dz.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
    }
  }
  info = detail::shared_info(a.grid(), info);
  check_info("PDSYEVR", info, "the MRRR eigensolver failed");
  found = detail::shared_info(a.grid(), found);
  if (found != mz) {
    throw LinalgError("PDSYEVR", 0,
                      "PDSYEVR found " + std::to_string(found) + " eigenvalues where " + std::to_string(mz) +
                          " were requested");
  }
  mpi::check(MPI_Bcast(w.data(), n, MPI_DOUBLE, 0, a.grid().communicator()), "MPI_Bcast");
  out.eigenvalues.assign(w.begin(), w.begin() + mz);
  return out;
}

}  // namespace

std::vector<double> symmetric_eigenvalues(matrix::DistributedMatrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("symmetric_eigenvalues: the matrix must be square");
  if (a.rows() == 0) return {};
  return run_pdsyevr(a, false, 0, 0).eigenvalues;
}

EigenDecomposition symmetric_eigen_range(matrix::DistributedMatrix& a, std::int64_t first, std::int64_t count,
                                         bool keep_vectors) {
  if (a.rows() != a.cols()) throw std::invalid_argument("symmetric_eigen_range: the matrix must be square");
  const std::int64_t n = a.rows();
  if (first < 0 || count < 0 || first + count > n) {
    throw std::invalid_argument("symmetric_eigen_range: eigenpairs " + std::to_string(first) + " .. " +
                                std::to_string(first + count - 1) + " do not exist for n = " + std::to_string(n));
  }
  EigenDecomposition result;
  if (count == 0) {
    if (keep_vectors) result.vectors.emplace(a.shared_grid(), n, 0, a.block());
    return result;
  }
  // Widen the range (downwards first, then upwards) until PDORMTR's workspace fits; see eigen.hpp.
  std::int64_t lo = first, hi = first + count;  // [lo, hi), 0-based
  if (keep_vectors) {
    const auto shape = a.grid().shape();
    while (backtransform_need(n, a.block(), hi - lo, shape) > backtransform_slice(n, a.block(), hi - lo, shape)) {
      if (lo == 0 && hi == n) {
        throw LinalgError("PDSYEVR", 0, "PDSYEVR's back-transformation workspace cannot hold PDORMTR's needs");
      }
      const std::int64_t step = a.block();
      const std::int64_t down = std::min(lo, step);
      lo -= down;
      hi = std::min(n, hi + (step - down));
    }
  }
  auto run = run_pdsyevr(a, keep_vectors, blas_int(lo + 1), blas_int(hi));
  const auto offset = first - lo;
  result.eigenvalues.assign(run.eigenvalues.begin() + offset, run.eigenvalues.begin() + offset + count);
  if (keep_vectors) {
    matrix::DistributedMatrix v(a.shared_grid(), n, count, a.block());
    copy_columns(*run.z, offset, count, v);
    result.vectors.emplace(std::move(v));
  }
  return result;
}

}  // namespace deepntk::linalg
