// The PDSYEVD workspace formula (linalg/eigen_workspace.hpp), which linalg/eigen.cpp allocates and
// the plan counts, against ScaLAPACK's own workspace query, on every rank
// of 1, 2 and 4-rank grids: the plan must never count less than PDSYEVD asks for, nor
// much more (linalg/eigen.cpp allocates the larger of the query and PDORMTR's need).

#include <boost/test/unit_test.hpp>

#include <mpi.h>

#include <memory>

#include "deepntk/linalg/eigen_workspace.hpp"
#include "deepntk/grid/process_grid.hpp"
#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

BOOST_AUTO_TEST_CASE(plan_workspace_covers_the_pdsyevd_query) {
  const auto grid = std::make_shared<const deepntk::grid::ProcessGrid>(MPI_COMM_WORLD);
  for (const std::int64_t n : {7, 100, 300, 1000}) {
    for (const std::int64_t nb : {16, 64}) {
      deepntk::matrix::DistributedMatrix a(grid, n, n, nb), z(grid, n, n, nb);
      if (!grid->contains_me()) continue;
      const char jobz = 'V', uplo = 'L';
      const int size = static_cast<int>(n), one = 1, query = -1;
      const auto da = a.descriptor(), dz = z.descriptor();
      std::vector<double> w(static_cast<std::size_t>(n));
      double work = 0;
      int iwork = 0, info = 0;
      pdsyevd_(&jobz, &uplo, &size, a.local().data(), &one, &one, da.data(), w.data(), z.local().data(), &one, &one,
               dz.data(), &work, &query, &iwork, &query, &info, 1, 1);
      BOOST_REQUIRE(info == 0);
      const auto planned = static_cast<double>(
          deepntk::linalg::pdsyevd_workspace(n, nb, a.local_rows(), a.local_cols(), grid->shape().cols).doubles);
      BOOST_TEST_MESSAGE("n " << n << " nb " << nb << ": query " << work << ", plan " << planned);
      BOOST_TEST(planned >= work, "n " << n << " nb " << nb);
      BOOST_TEST(deepntk::linalg::pdsyevd_workspace(n, nb, a.local_rows(), a.local_cols(), grid->shape().cols).ints >=
                     iwork,
                 "n " << n << " nb " << nb);
      // The excess is PDORMTR's requirement on small matrices: a few nb^2 blocks at most.
      BOOST_TEST(planned <= work + 4.0 * static_cast<double>(nb * nb + (a.local_rows() + a.local_cols()) * nb),
                 "n " << n << " nb " << nb);
    }
  }
}
