#include "deepntk/linalg/eigen_workspace.hpp"

#include <algorithm>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/matrix/block_cyclic.hpp"

namespace deepntk::linalg {

Workspace pdsyevd_workspace(std::int64_t n, std::int64_t block, std::int64_t local_rows, std::int64_t local_cols,
                            std::int64_t process_cols) {
  constexpr const char* what = "the PDSYEVD workspace (n_train and parallel.block_size)";
  const auto mul = [&](std::int64_t a, std::int64_t b) { return checked_multiply(a, b, what); };
  const auto add = [&](std::int64_t a, std::int64_t b) { return checked_add(a, b, what); };
  const std::int64_t nb = block, np = local_rows, nq = local_cols;
  // PDSYEVD's documented LWORK: max(1 + 6N + 2 NP NQ, TRILWMIN) + 2N with
  // TRILWMIN = 3N + max(NB (NP + 1), 3 NB).
  const std::int64_t trilwmin = add(mul(3, n), std::max(mul(nb, add(np, 1)), mul(3, nb)));
  const std::int64_t documented = add(std::max(add(1, add(mul(6, n), mul(2, mul(np, nq)))), trilwmin), mul(2, n));
  // The query can return less than PDORMTR needs when the block size exceeds the local extent
  // (seen with n = 7, nb = 16: PDORMTR rejects LWORK, yet PDSYEVD returns INFO = 0 with wrong
  // eigenvectors). PDSYEVD passes LWORK - 2N to PDORMTR, which needs
  // max(NB (NB - 1) / 2, (NQC0 + MPC0) NB) + NB^2; NQC0 and MPC0 are at most the local extents
  // plus one block.
  const std::int64_t ormtr = add(add(mul(2, n), std::max(mul(nb, nb - 1) / 2, mul(add(add(np, nq), mul(2, nb)), nb))),
                                 mul(nb, nb));
  return {std::max(documented, ormtr), add(add(mul(7, n), mul(8, process_cols)), 2)};
}

Workspace pdsyevr_workspace(std::int64_t n, std::int64_t block, std::int64_t wanted, bool vectors, int grid_rows,
                            int grid_cols) {
  constexpr const char* what = "the PDSYEVR workspace (n_train and parallel.block_size)";
  const auto mul = [&](std::int64_t a, std::int64_t b) { return checked_multiply(a, b, what); };
  const auto add = [&](std::int64_t a, std::int64_t b) { return checked_add(a, b, what); };
  const std::int64_t nb = block, procs = mul(grid_rows, grid_cols);
  const std::int64_t nn = std::max<std::int64_t>({n, nb, 2});
  // NUMROC of the first process row / column (the one holding the most).
  const std::int64_t np0 = matrix::BlockCyclic1D(nn, nb, grid_rows).local_extent(0);
  const std::int64_t nnp = std::max<std::int64_t>({n, add(procs, 1), 4});
  if (vectors) {
    // 2 + 5N + max(18 NN, NP0 MQ0 + 2 NB^2) + (2 + ceil(MZ / NPROCS)) NN; 12 NNP + 2N.
    const std::int64_t mq0 =
        matrix::BlockCyclic1D(std::max<std::int64_t>({wanted, nb, 2}), nb, grid_cols).local_extent(0);
    const std::int64_t slices = 2 + (wanted + procs - 1) / procs;
    const std::int64_t doubles =
        add(add(2, mul(5, n)), add(std::max(mul(18, nn), add(mul(np0, mq0), mul(2, mul(nb, nb)))), mul(slices, nn)));
    return {doubles, add(mul(12, nnp), mul(2, n))};
  }
  // 2 + 5N + max(12 NN, NB (NP0 + 1)); 10 NNP + 2N.
  const std::int64_t doubles = add(add(2, mul(5, n)), std::max(mul(12, nn), mul(nb, add(np0, 1))));
  return {doubles, add(mul(10, nnp), mul(2, n))};
}

}  // namespace deepntk::linalg
