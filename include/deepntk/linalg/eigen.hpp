#pragma once
// Symmetric eigen-decomposition. PDSYEVD (divide and conquer) for all eigenpairs: robust for
// the clustered spectra deep kernels have, unlike PDSYEVX. PDSYEVR (MRRR) where fewer than all
// eigenvectors are wanted: eigenvalues only (no n x n eigenvector matrix is formed or
// back-transformed) or an index range such as the top k.

#include <cstdint>
#include <optional>
#include <vector>

#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::linalg {

struct EigenDecomposition {
  std::vector<double> eigenvalues;                  // ascending, on every rank of the communicator
  std::optional<matrix::DistributedMatrix> vectors;  // column k belongs to eigenvalues[k]
};

/// Eigenvalues (and eigenvectors if `keep_vectors`) of the symmetric A, using its lower
/// triangle. A is overwritten.
[[nodiscard]] EigenDecomposition symmetric_eigen(matrix::DistributedMatrix& a, bool keep_vectors);

/// All eigenvalues, ascending, on every rank, without eigenvectors (PDSYEVR, JOBZ = 'N'), from
/// the lower triangle. A is overwritten. Saves memory rather than time: no second n x n matrix
/// and no back-transformation, but both routes spend most of their time in the same
/// tridiagonal reduction (half BLAS-2), so expect about symmetric_eigen's time (measured:
/// n = 2000 on 1 x 2, n = 1200 on 2 x 2). Workspace: PDSYEVR's documented minimum, not its
/// query's "optimal" size, which makes PDSYNTRD gather the matrix onto one process (n^2
/// doubles per rank).
[[nodiscard]] std::vector<double> symmetric_eigenvalues(matrix::DistributedMatrix& a);

/// Eigenpairs number first .. first + count - 1 in ascending order (0-based), from the lower
/// triangle (PDSYEVR, RANGE = 'I'). Eigenvalues ascending on every rank; the vectors, if kept,
/// are n x count (column k belongs to eigenvalues[k]). A is overwritten.
///
/// Workspace: PDSYEVR hands its back-transformation (PDORMTR) a fixed slice of WORK sized from
/// N, NB and the number of wanted vectors, not from LWORK. For few vectors and NB larger than
/// about 18, that slice is too small: PDORMTR prints an error and returns, and PDSYEVR still
/// reports INFO = 0 with the eigenvectors of the tridiagonal matrix instead of A's. This
/// wrapper checks PDORMTR's requirement against that slice and, when it does not fit, asks
/// PDSYEVR for more eigenpairs at the top of the range (which enlarges the slice), then keeps
/// only the requested ones. Test: analysis.spectrum, n = 200, nb = 32, top 3.
[[nodiscard]] EigenDecomposition symmetric_eigen_range(matrix::DistributedMatrix& a, std::int64_t first,
                                                       std::int64_t count, bool keep_vectors);

}  // namespace deepntk::linalg
