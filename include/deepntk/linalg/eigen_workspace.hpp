#pragma once
// The workspace the eigensolver wrappers allocate, as plain functions of the sizes: the
// wrappers (eigen.cpp) call them to size WORK and IWORK, and `deepntk plan` calls the same
// functions to count that memory before anything exists, so plan and run cannot drift apart.
//
// All arithmetic is overflow-checked (core/checked_arithmetic.hpp): the sizes come from the
// user's n_train and block_size, and a wrapped product would under-count the plan or hand
// ScaLAPACK a negative LWORK. Throws SizeOverflow when a count does not fit 64 bits.

#include <cstdint>

namespace deepntk::linalg {

struct Workspace {
  std::int64_t doubles = 0;  ///< LWORK
  std::int64_t ints = 0;     ///< LIWORK
};

/// PDSYEVD (JOBZ = 'V') for an n x n matrix in blocks of `block` on a rank whose local part is
/// local_rows x local_cols, on a grid of `process_cols` columns: the larger of the documented
/// minimum LWORK (also what the workspace query returns) and what PDORMTR needs from it, and
/// the documented LIWORK = 7 N + 8 NPCOL + 2.
[[nodiscard]] Workspace pdsyevd_workspace(std::int64_t n, std::int64_t block, std::int64_t local_rows,
                                          std::int64_t local_cols, std::int64_t process_cols);

/// PDSYEVR for an n x n matrix in blocks of `block` on a grid_rows x grid_cols grid, `wanted`
/// eigenpairs (n for all), with or without eigenvectors: its documented minimum LWORK and
/// LIWORK (linalg/eigen_mrrr.cpp allocates exactly this LWORK; see there why not the query's).
[[nodiscard]] Workspace pdsyevr_workspace(std::int64_t n, std::int64_t block, std::int64_t wanted, bool vectors,
                                          int grid_rows, int grid_cols);

}  // namespace deepntk::linalg
