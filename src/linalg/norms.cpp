#include "deepntk/linalg/norms.hpp"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "blas_int.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::linalg {

using detail::blas_int;

namespace {
const int one = 1;

// Rank 0 is always in the grid; ranks outside it never called ScaLAPACK.
double shared_value(const grid::ProcessGrid& grid, double value) {
  mpi::check(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, grid.communicator()), "MPI_Bcast");
  return value;
}

double symmetric_norm(char norm, Triangle triangle, const matrix::DistributedMatrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("symmetric norm: the matrix must be square");
  double value = 0;
  if (a.grid().contains_me() && a.rows() > 0) {
    const char uplo = triangle == Triangle::lower ? 'L' : 'U';
    const int n = blas_int(a.rows());
    // PDLANSY needs 2*Nq0 + Np0 + LDW for the 1-norm, LDW <= Np0 + MB (non-square grids);
    // nothing for the Frobenius norm. A generous bound costs O(local extent).
    const std::int64_t lwork = 2 * a.local_cols() + 2 * a.local_rows() + 4 * a.block() + 8;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    const auto desc = a.descriptor();
    value = pdlansy_(&norm, &uplo, &n, a.local().data(), &one, &one, desc.data(), work.data(), 1, 1);
  }
  return shared_value(a.grid(), value);
}
}  // namespace

double frobenius_norm(const matrix::DistributedMatrix& a) {
  double value = 0;
  if (a.grid().contains_me() && a.rows() > 0 && a.cols() > 0) {
    const char norm = 'F';
    const int m = blas_int(a.rows()), n = blas_int(a.cols());
    double work = 0;  // not referenced for 'F'
    const auto desc = a.descriptor();
    value = pdlange_(&norm, &m, &n, a.local().data(), &one, &one, desc.data(), &work, 1);
  }
  return shared_value(a.grid(), value);
}

double symmetric_frobenius_norm(Triangle triangle, const matrix::DistributedMatrix& a) {
  return symmetric_norm('F', triangle, a);
}

double symmetric_one_norm(Triangle triangle, const matrix::DistributedMatrix& a) {
  return symmetric_norm('1', triangle, a);
}

}  // namespace deepntk::linalg
