#pragma once
// Symmetric eigen-decomposition with PDSYEVD (divide and conquer: all eigenpairs; robust for
// the clustered spectra deep kernels have, unlike PDSYEVX).

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

}  // namespace deepntk::linalg
